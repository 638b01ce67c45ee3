// The facade's Campaign (what the page's Explore panel runs) against the
// CLI's `consensus-lab explore`: for every protocol the same seeds give the
// same violations and the same first failing run, a failing run shrinks to
// the CLI's scenario, the profiles are the CLI's, and bad input throws an
// error that names what is wrong while the module keeps working.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from '../../scripts/lib/run.mjs';
import { loadFamily } from '../../scripts/lib/build-wasm.mjs';
import { protocols } from './engine.mjs';

const cli = path.join(root, 'target', 'release', 'consensus-lab');

/** `consensus-lab explore` with `args`: { status, json, stderr }. */
function explore(args) {
  const r = spawnSync(cli, ['explore', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, json: r.status <= 1 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

const modules = {};
for (const p of protocols) modules[p.family] ??= await loadFamily(p.family);
const campaignOf = (protocol, variant = null, profile = null) => new modules[protocols.find((p) => p.name === protocol).family].Campaign(protocol, variant, profile);

for (const p of protocols) {
  const variant = p.variants[0]?.name ?? null;
  test(`${p.name}${variant ? ` (${variant})` : ''}: a campaign finds what the CLI finds with the same seeds`, () => {
    const runs = 8;
    const from = 3;
    const c = campaignOf(p.name, variant, 'all');
    // In two batches, as the page's worker asks for them.
    const a = c.run(from, from + 5);
    const b = c.run(from + 5, from + runs);
    c.free();
    const native = explore(['--protocol', p.name, ...(variant ? ['--variant', variant] : []), '--runs', String(runs), '--seed', String(from)]);
    assert.equal(a.runs + b.runs, runs);
    assert.equal(a.violations + b.violations, native.json.violations);
    const first = a.first ?? b.first;
    const want = native.json.first;
    assert.deepEqual(first && { seed: first.seed, invariant: first.invariant, at_ms: first.at_ms, detail: first.detail, events: first.events }, want);
  });
}

test('a failing run shrinks to the CLI\'s scenario; a run that does not fail shrinks to null', () => {
  const native = explore(['--protocol', 'paxos', '--variant', 'ignore-promised-values', '--runs', '300']);
  assert.equal(native.status, 1);
  const c = campaignOf('paxos', 'ignore-promised-values', '');
  const r = c.shrink(native.json.first.seed);
  assert.equal(r.seed, native.json.first.seed);
  assert.equal(r.invariant, native.json.first.invariant);
  assert.deepEqual(JSON.parse(r.shrunk.scenario), native.json.shrunk.scenario);
  assert.equal(r.shrunk.events, native.json.shrunk.events);
  assert.equal(r.shrunk.at_ms, native.json.shrunk.at_ms);
  assert.equal(c.shrink(1), null, 'seed 1 does not fail');
  c.free();
});

test('the fault profiles are the CLI\'s, the default first', () => {
  const names = modules.raft.Campaign.profiles().map((p) => p.name);
  const said = explore(['--protocol', 'raft', '--faults', 'bogus']).stderr;
  assert.match(said, new RegExp(`the profiles are: ${names.join(', ')}\\)`));
  assert.equal(names[0], 'all');
  assert.ok(modules.raft.Campaign.profiles().every((p) => p.doc.length > 10));
});

test('bad input throws an error naming what is wrong, and the module keeps working', () => {
  const { Campaign } = modules.paxos;
  const bad = [
    [() => new Campaign('raft', null, null), /^protocol: this module does not run "raft" \(it runs: paxos, multi-paxos\)/],
    [() => new Campaign(undefined, null, null), /^protocol must be a name \(text\), not undefined/],
    [() => new Campaign('paxos', 'no-such-rule', null), /^paxos has no variant "no-such-rule" \(its variants are: ignore-promised-values, amnesia\)/],
    [() => new Campaign('paxos', 7, null), /^variant must be a name \(text\), not number/],
    [() => new Campaign('paxos', null, 'floods'), /^unknown fault profile "floods" \(the profiles are: all, /],
  ];
  for (const [fn, re] of bad) assert.throws(fn, (e) => re.test(e.message), String(re));
  const c = new Campaign('paxos', null, null);
  for (const [from, to, re] of [
    [-1, 2, /^run: the first seed must be a whole number from 0 below 2\^53, not -1/],
    [1.5, 2, /^run: the first seed must be a whole number/],
    [0, NaN, /^run: the end seed must be a whole number/],
    [0, 2 ** 53, /^run: the end seed must be a whole number/],
    [5, 3, /^run: the seeds must go from the first up to the end, at most 10000000 at a time \(asked for 5 to 3\)/],
    [0, 20_000_000, /at most 10000000 at a time/],
  ]) assert.throws(() => c.run(from, to), (e) => re.test(e.message), String(re));
  assert.throws(() => c.shrink(-3), /^Error: shrink: the seed must be a whole number/);
  assert.deepEqual(c.run(4, 4), { runs: 0, violations: 0, first: null });
  assert.equal(c.run(1, 3).runs, 2);
  assert.equal(modules.paxos.lastPanic(), undefined);
  c.free();
});
