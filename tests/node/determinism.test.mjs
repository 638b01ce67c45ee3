// The same scenario gives the same run natively and in wasm (Node), and a run
// with live injects replays exactly from the scenario it records.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Simulation, simulation, protocols, runCli, runUntil, sampleScenarios } from './engine.mjs';
import { root } from '../../scripts/lib/run.mjs';

for (const [name, scenario] of Object.entries(sampleScenarios())) {
  test(`trace hash of "${name}" is the same natively and in wasm`, () => {
    const native = runCli(scenario);
    assert.equal(native.status, 0, native.stderr);
    const sim = new Simulation(scenario);
    sim.runUntil(runUntil(scenario));
    assert.equal(sim.traceHash(), native.json.trace_hash);
    // The node views agree too, field for field.
    assert.deepEqual(sim.result().nodes, native.json.nodes);
    assert.deepEqual(sim.result().stats, native.json.stats);
  });
}

test('a scenario given as text or as an object runs the same', () => {
  const { example } = sampleScenarios();
  const a = new Simulation(example);
  const b = new Simulation(JSON.stringify(example));
  a.runUntil(3000);
  b.runUntil(3000);
  assert.equal(a.traceHash(), b.traceHash());
});

test('live injects are recorded so that the scenario replays the run exactly', () => {
  const live = new Simulation({ version: 1, protocol: 'raft', nodes: 5, seed: 11 });
  live.runUntil(700);
  live.inject({ type: 'client_request', value: 'x=1' });
  live.runUntil(1234);
  live.inject({ type: 'crash', node: 1 });
  live.step();
  live.step();
  live.inject({ type: 'partition', groups: [[0, 1]] });
  live.inject({ type: 'client_request', value: 'y=2', at_ms: 2500 });
  live.runUntil(3000);
  const first = live.snapshot().messages[0];
  if (first) live.inject({ type: 'drop_message', id: first.id });
  live.inject({ type: 'heal' });
  live.runUntil(5000);
  const recorded = live.scenario();
  assert.ok(recorded.events.length >= 6, JSON.stringify(recorded.events));
  const replay = new Simulation(recorded);
  replay.runUntil(5000);
  assert.equal(replay.traceHash(), live.traceHash());
  const cli = runCli({ ...recorded, run_until_ms: 5000 });
  assert.equal(cli.json.trace_hash, live.traceHash());
});

test('different seeds give different runs', () => {
  const a = new Simulation({ version: 1, protocol: 'raft', nodes: 5, seed: 1 });
  const b = new Simulation({ version: 1, protocol: 'raft', nodes: 5, seed: 2 });
  a.runUntil(2000);
  b.runUntil(2000);
  assert.notEqual(a.traceHash(), b.traceHash());
});

test('every story of every protocol gives the same trace hash natively and in its wasm module', () => {
  const dir = path.join(root, 'www', 'stories');
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.json') && f !== 'index.json');
  const seen = new Set();
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const scenario = JSON.parse(text);
    seen.add(scenario.protocol);
    const native = runCli(text);
    assert.equal(native.status, 0, `${f}: ${native.stderr}`);
    const sim = simulation(text);
    sim.runUntil(runUntil(scenario));
    assert.equal(sim.traceHash(), native.json.trace_hash, f);
    assert.deepEqual(sim.result().violations, native.json.violations, f);
  }
  assert.deepEqual([...seen].sort(), protocols.map((p) => p.name).sort(), 'a story for every protocol');
});
