// `npm run bench`, every protocol: each engine's native speed on its default
// cluster, the explorer's seeded fault runs per minute on one core, and the
// engines that scale past the ring at 1,000 nodes. The registry lists the
// protocols, so a protocol that lands gets its rows without touching this file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root, capture } from './run.mjs';

const cli = path.join(root, 'target', 'release', 'consensus-lab');

/** A protocol's default cluster for `seconds` simulated seconds with a
 *  client request every 100 ms. */
export function defaultWorkload(p, seconds, nodes = p.default_nodes) {
  const end = seconds * 1000;
  const events = [];
  for (let t = 1000; t < end; t += 100) events.push({ at_ms: t, type: 'client_request', value: `k${events.length % 64}=${events.length}` });
  return { version: 1, protocol: p.name, nodes, seed: 1, events, run_until_ms: end };
}

/** For the protocols that take no client requests (the detectors, SWIM): a
 *  crash at a third of the run and a restart at two thirds, so there is
 *  something to detect. */
function crashWorkload(p, seconds, nodes = p.default_nodes) {
  const end = seconds * 1000;
  return {
    version: 1, protocol: p.name, nodes, seed: 1, run_until_ms: end,
    events: [{ at_ms: Math.round(end / 3), type: 'crash', node: nodes - 1 }, { at_ms: Math.round((2 * end) / 3), type: 'restart', node: nodes - 1 }],
  };
}

/** Native engine runs (crate/benches/engine.rs) of one scenario: the best of
 *  `runs` in simulated seconds per wall second, or an error text. */
function engineSpeed(scenario, runs) {
  const file = path.join(os.tmpdir(), `consensus-lab-bench-${process.pid}-${scenario.protocol}-${scenario.nodes}.json`);
  fs.writeFileSync(file, JSON.stringify(scenario));
  try {
    const out = capture('cargo', ['bench', '--quiet', '--bench', 'engine', '--', file, String(runs)], { maxBuffer: 1 << 22 });
    if (out === null) return null;
    const rows = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const best = rows.reduce((a, b) => (a.wall_s < b.wall_s ? a : b));
    return { simPerWall: best.sim_ms / 1000 / best.wall_s, steps: best.steps, violations: best.violations, wall: best.wall_s };
  } finally {
    fs.unlinkSync(file);
  }
}

/** Runs `scenario`, or when the protocol refuses its client requests, the
 *  crash workload instead. */
function speedOf(p, seconds, runs, nodes) {
  const first = engineSpeed(defaultWorkload(p, seconds, nodes), runs);
  return first ?? engineSpeed(crashWorkload(p, seconds, nodes), runs);
}

/** `consensus-lab explore` on one core (RAYON_NUM_THREADS=1): correct
 *  protocols, so the figure is generating, running and judging, not
 *  shrinking. 3PC is correct only under crashes (its paper's model). */
function explorerRate(p, runs) {
  const faults = p.name === '3pc' ? 'crashes' : 'all';
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cli, ['explore', '--protocol', p.name, '--runs', String(runs), '--seed', '1', '--faults', faults], {
    cwd: root, encoding: 'utf8', env: { ...process.env, RAYON_NUM_THREADS: '1' }, maxBuffer: 1 << 24,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || (r.status !== 0 && r.status !== 1)) return { error: (r.stderr || '').trim().split('\n').pop() || `exit ${r.status}` };
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    return { error: 'no JSON on standard output' };
  }
  return { perMinute: (out.runs / wall) * 60, violations: out.violations, faults };
}

/** The rows for the bench's table: [measure, value, target, met|null]. */
export function protocolRows(registry, { quick = false } = {}) {
  const rows = [];
  const seconds = quick ? 60 : 300;
  const runs = quick ? 1 : 3;
  const explorerRuns = quick ? 200 : 1000;
  for (const p of registry) {
    const s = speedOf(p, seconds, runs);
    rows.push(s
      ? [`${p.name}: engine, native, ${p.default_nodes} nodes (sim s per wall s)`, s.simPerWall.toFixed(0), 'information', null]
      : [`${p.name}: engine, native, ${p.default_nodes} nodes`, 'did not run', 'runs', false]);
    const e = explorerRate(p, explorerRuns);
    if (e.error) {
      rows.push([`${p.name}: explorer runs per minute, one core`, e.error, 'runs', false]);
    } else {
      const raft = p.name === 'raft';
      rows.push([
        `${p.name}: explorer runs per minute, one core (${e.faults}, ${explorerRuns} runs, ${e.violations} violations)`,
        e.perMinute.toFixed(0),
        raft ? '≥ 20000' : 'information',
        raft ? e.perMinute >= 20000 : null,
      ]);
    }
  }
  rows.push(...scaleRows(registry, runs));
  return rows;
}

/** The epidemic engines at the sizes their issue names: a 1,000-node
 *  push-pull spread of one rumor (gossip's default 100 ms rounds: 3 s, 30
 *  rounds, covers it with room; the run stops there), and a 500-member SWIM group through
 *  60 simulated seconds. Wall time of the whole run, best of `runs`. */
function scaleRows(registry, runs) {
  const rows = [];
  const gossip = registry.find((p) => p.name === 'gossip');
  if (gossip) {
    const sc = { version: 1, protocol: 'gossip', nodes: 1000, seed: 1, params: { mode: 'push-pull' }, events: [{ at_ms: 0, type: 'client_request', value: 'x', node: 0 }], run_until_ms: 3000 };
    const s = engineSpeed(sc, Math.max(runs, 3));
    rows.push(s
      ? ['gossip: 1,000-node push-pull spread, 3 simulated s, native wall time', `${(s.wall * 1000).toFixed(1)} ms`, '< 50 ms', s.wall < 0.05]
      : ['gossip: 1,000-node push-pull spread', 'did not run', 'runs', false]);
  }
  const swim = registry.find((p) => p.name === 'swim');
  if (swim) {
    const sc = { version: 1, protocol: 'swim', nodes: 500, seed: 1, events: [{ at_ms: 20000, type: 'crash', node: 7 }], run_until_ms: 60000 };
    const s = engineSpeed(sc, Math.max(runs, 3));
    rows.push(s
      ? ['swim: 500 members through 60 simulated s (one crash), native wall time', `${(s.wall * 1000).toFixed(0)} ms`, '< 1 s', s.wall < 1]
      : ['swim: 500 members through 60 simulated s', 'did not run', 'runs', false]);
  }
  return rows;
}
