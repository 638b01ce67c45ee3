// Bad scenarios and injects come back as readable errors from the wasm
// module, which keeps working; the CLI answers them with exit status 2 and
// one line.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, runCli } from './engine.mjs';

const ok = { version: 1, protocol: 'raft', nodes: 5, seed: 1 };

/** Asserts that `fn` throws an Error whose message matches `re`. */
function throwsMessage(fn, re) {
  assert.throws(fn, (e) => {
    assert.match(e.message, re);
    return true;
  });
}

const bad = [
  ['wrong version', { ...ok, version: 2 }, /^version: version 2 is not supported/],
  ['unknown protocol', { ...ok, protocol: 'viewstamped' }, /^protocol: unknown protocol "viewstamped"/],
  ['unknown param', { ...ok, params: { election_timeout: 5 } }, /^params\.election_timeout: unknown field \(expected one of: election_timeout_ms, heartbeat_ms, /],
  ['node id out of range', { ...ok, events: [{ at_ms: 5, type: 'crash', node: 5 }] }, /^events\[0\]\.node: node 5 does not exist/],
  ['negative time', { ...ok, events: [{ at_ms: -1, type: 'heal' }] }, /^events\[0\]\.at_ms: must not be negative/],
  ['zero nodes', { ...ok, nodes: 0 }, /^nodes: must be at least 1/],
  ['absurd nodes', { ...ok, nodes: 1e9 }, /^nodes: 1000000000 is too many/],
  ['too many for raft', { ...ok, nodes: 26 }, /^nodes: raft runs with 1 to 25 nodes/],
  ['param of the wrong type', { ...ok, params: { heartbeat_ms: '50' } }, /^params\.heartbeat_ms: must be a whole number, not a string/],
  ['bad param range', { ...ok, params: { election_timeout_ms: [300, 100] } }, /^params: election_timeout_ms/],
  ['missing seed', { version: 1, protocol: 'raft', nodes: 3 }, /^seed: missing/],
  ['bad drop rate', { ...ok, network: { drop_rate: 2 } }, /^network\.drop_rate: must be a probability/],
];

for (const [name, scenario, pattern] of bad) {
  test(`wasm rejects a scenario with ${name}`, () => {
    throwsMessage(() => new Simulation(scenario), pattern);
  });
  test(`CLI rejects a scenario with ${name} with status 2 and one line`, () => {
    const r = runCli(scenario);
    assert.equal(r.status, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0].replace(/^error: /, ''), pattern);
    assert.equal(r.stdout, '');
  });
}

test('malformed JSON is named as such, in wasm and in the CLI', () => {
  throwsMessage(() => new Simulation('{"version": 1, "protocol": '), /the JSON ends too early/);
  throwsMessage(() => new Simulation('{"version": 1,, }'), /malformed JSON/);
  const r = runCli('{"version": 1,, }');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: malformed JSON/);
});

test('NaN and Infinity in an object scenario are refused with their path', () => {
  throwsMessage(() => new Simulation({ ...ok, network: { drop_rate: NaN } }), /network\.drop_rate: NaN is not a finite number/);
  throwsMessage(() => new Simulation({ ...ok, seed: Infinity }), /seed: Infinity is not a finite number/);
  throwsMessage(() => new Simulation(undefined), /no scenario given/);
  throwsMessage(() => new Simulation(42), /a scenario must be a JSON object/);
});

test('bad injects are refused and the simulation keeps working', () => {
  const sim = new Simulation(ok);
  sim.runUntil(500);
  const before = sim.traceHash();
  throwsMessage(() => sim.inject({ type: 'crash', node: 9 }), /inject\.node: node 9 does not exist/);
  throwsMessage(() => sim.inject({ type: 'drop_message', id: 123456 }), /message 123456 is not in flight/);
  throwsMessage(() => sim.inject({ type: 'teleport' }), /unknown event type "teleport"/);
  throwsMessage(() => sim.inject({ type: 'heal', at_ms: 10 }), /10 ms is in the past/);
  throwsMessage(() => sim.inject('{nope'), /malformed JSON/);
  throwsMessage(() => sim.runUntil(NaN), /runUntil: the time must be a number of milliseconds/);
  assert.equal(sim.traceHash(), before, 'refused injects leave no trace');
  sim.inject({ type: 'crash', node: 1 });
  sim.runUntil(1500);
  assert.equal(sim.snapshot().nodes[1].up, false);
  assert.equal(Simulation.lastPanic?.(), undefined);
});

test('a timeline event that cannot apply is reported with its index, in wasm and in the CLI', () => {
  const scenario = { ...ok, events: [{ at_ms: 100, type: 'drop_message', id: 99999 }] };
  const sim = new Simulation(scenario);
  throwsMessage(() => sim.runUntil(1000), /^events\[0\] at 100 ms: message 99999 is not in flight/);
  sim.runUntil(2000);
  const r = runCli(scenario);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: events\[0\] at 100 ms: message 99999 is not in flight/);
});
