// Loads the wasm engine in Node and runs the native CLI, for tests that
// compare the two.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from '../../scripts/lib/run.mjs';

const pkg = path.join(root, 'www', 'pkg');
const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'protocols.json'), 'utf8'));
const families = {};
for (const family of new Set(manifest.map((p) => p.family))) {
  const mod = await import(path.join(pkg, family, 'consensus_lab.js'));
  mod.initSync({ module: fs.readFileSync(path.join(pkg, family, 'consensus_lab_bg.wasm')) });
  families[family] = mod;
}

/** Every protocol with the module that carries it. */
export const protocols = manifest;

/** The Raft module's Simulation class (the page's default engine). */
export const { Simulation } = families.raft;

/** A Simulation from the module that carries the scenario's protocol. */
export function simulation(scenario) {
  const doc = typeof scenario === 'string' ? JSON.parse(scenario) : scenario;
  const info = manifest.find((p) => p.name === doc.protocol);
  if (!info) throw new Error(`no module carries protocol "${doc.protocol}"`);
  return new families[info.family].Simulation(scenario);
}

const cli = path.join(root, 'target', 'release', process.platform === 'win32' ? 'consensus-lab.exe' : 'consensus-lab');

/** Runs the headless runner on `scenario` (object or text): { status, stdout, stderr, json }. */
export function runCli(scenario) {
  const input = typeof scenario === 'string' ? scenario : JSON.stringify(scenario);
  const r = spawnSync(cli, ['run', '-'], { input, encoding: 'utf8' });
  let json = null;
  try {
    json = r.status === 0 ? JSON.parse(r.stdout) : null;
  } catch {
    json = null;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

/** How long the CLI runs a scenario (mirrors engine::default_run_until). */
export function runUntil(s) {
  if (s.run_until_ms != null) return s.run_until_ms;
  const last = (s.events ?? []).reduce((m, e) => Math.max(m, e.at_ms), 0);
  return Math.max(10000, last + 1000);
}

/** A few scenarios that exercise every inject type. */
export function sampleScenarios() {
  const example = {
    version: 1, protocol: 'raft', nodes: 5, seed: 7,
    network: { latency_ms: [10, 30], drop_rate: 0.0, duplicate_rate: 0.0 },
    params: { election_timeout_ms: [150, 300], heartbeat_ms: 50 },
    events: [
      { at_ms: 0, type: 'client_request', value: 'x=1' },
      { at_ms: 800, type: 'crash', node: 2 },
      { at_ms: 1200, type: 'restart', node: 2 },
      { at_ms: 1500, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
      { at_ms: 2500, type: 'heal' },
    ],
    run_until_ms: 5000,
  };
  const everything = {
    version: 1, protocol: 'raft', nodes: 7, seed: '18446744073709551557',
    network: { latency_ms: [5, 40], drop_rate: 0.05, duplicate_rate: 0.05 },
    events: [
      { at_ms: 100, type: 'client_request', value: 'a=1' },
      { at_ms: 700, type: 'client_request', value: 'b=2', node: 3 },
      { at_ms: 900, type: 'link', from: 1, to: 2, drop_rate: 0.5, latency_ms: [50, 90] },
      { at_ms: 1000, type: 'timeout', node: 4 },
      { at_ms: 1100, type: 'pause', node: 0, for_ms: 700 },
      { at_ms: 1300, type: 'set_network', drop_rate: 0.2 },
      { at_ms: 1600, type: 'partition', groups: [[0, 1, 2]] },
      { at_ms: 2200, type: 'crash', node: 5 },
      { at_ms: 2600, type: 'heal' },
      { at_ms: 2700, type: 'set_network', drop_rate: 0.0, latency_ms: [10, 20] },
      { at_ms: 3000, type: 'restart', node: 5 },
      { at_ms: 3100, type: 'client_request', value: 'c=3' },
    ],
    run_until_ms: 6000,
  };
  const big = { version: 1, protocol: 'raft', nodes: 25, seed: 99, events: [{ at_ms: 500, type: 'client_request', value: 'k=v' }], run_until_ms: 3000 };
  return { example, everything, big };
}
