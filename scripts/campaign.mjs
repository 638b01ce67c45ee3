// `npm run campaign`: a long explorer campaign over every correct protocol
// (docs/EXPLORE.md), with the release CLI: `consensus-lab explore` with
// 100,000 seeds per protocol, each under the fault profile the protocol is
// correct for. Prints one table: protocol, profile, runs, violations,
// seconds, and the first failing seed. Exits 1 if any protocol broke.
// Not part of `npm test` (it takes hours on two cores).
// Options: --runs N (seeds per protocol, default 100000), --seed S (the
// first seed, default 1), --protocol NAME (only that one; repeatable).
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root, run, stop } from './lib/run.mjs';
import { ensureRust } from './lib/toolchain.mjs';

/** The correct protocols and the faults they are correct under (as in
 *  crate/tests/explore.rs): 3PC only survives crashes on a reliable network. */
export const CORRECT = [
  ['raft', 'all'],
  ['paxos', 'all'],
  ['multi-paxos', 'all'],
  ['zab', 'all'],
  ['2pc', 'all'],
  ['3pc', 'crashes'],
  ['bully', 'all'],
  ['saga', 'all'],
  ['tcc', 'all'],
];

function option(args, name, fallback, parse) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = parse(args[i + 1]);
  if (v === null) stop(`${name} needs a value (see scripts/campaign.mjs)`);
  return v;
}

const whole = (text) => (/^\d+$/.test(text ?? '') ? Number(text) : null);

function main(args) {
  const runs = option(args, '--runs', 100_000, (t) => { const n = whole(t); return n >= 1 && n <= 10_000_000 ? n : null; });
  const seed = option(args, '--seed', 1, whole);
  const only = args.flatMap((a, i) => (a === '--protocol' ? [args[i + 1]] : []));
  const chosen = only.length ? CORRECT.filter(([p]) => only.includes(p)) : CORRECT;
  if (only.length && chosen.length !== only.length) stop(`--protocol: the correct protocols are ${CORRECT.map(([p]) => p).join(', ')}`);
  ensureRust();
  run('cargo', ['build', '--release', '-q']);
  const cli = path.join(root, 'target', 'release', 'consensus-lab');
  const rows = [];
  for (const [protocol, faults] of chosen) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cli, ['explore', '--protocol', protocol, '--faults', faults, '--runs', String(runs), '--seed', String(seed)],
      { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0 && r.status !== 1) stop(`consensus-lab explore --protocol ${protocol} failed (exit ${r.status})`);
    const out = JSON.parse(r.stdout);
    rows.push([protocol, faults, String(out.runs), String(out.violations), seconds.toFixed(1), out.first ? `${out.first.seed} (${out.first.invariant})` : '—']);
  }
  const head = ['protocol', 'faults', 'runs', 'violations', 'seconds', 'first failing seed'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  console.log(['', line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
  if (rows.some((r) => r[3] !== '0')) process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
