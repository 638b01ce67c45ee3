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
  // Stories are <protocol>/<slug>.json; <protocol>/<lang>/ holds their translations, not scenarios.
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.json') && f.split(path.sep).length === 2 && path.basename(f) !== 'order.json');
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

// Client operations, the clients workload, client homes and params in any
// key order: the same run, history and consistency natively and in wasm.
const withClients = (protocol) => ({
  version: 1, protocol, nodes: 5, seed: 21,
  params: protocol === 'raft' ? { heartbeat_ms: 40, election_timeout_ms: [100, 200] } : { leader_timeout_ms: [100, 200], heartbeat_ms: 40 },
  clients: { count: 3, ops: ['read', 'write', 'cas', 'append'], keys: ['x', 'y'], think_ms: [0, 50], timeout_ms: 400, until_ms: 3000, nodes: [0, 3] },
  events: [
    { at_ms: 800, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
    { at_ms: 900, type: 'client_op', f: 'write', key: 'z', value: '7', node: 2, timeout_ms: 300 },
    { at_ms: 1200, type: 'client_op', f: 'cas', key: 'z', expect: '7', value: '8', client: 9 },
    { at_ms: 1800, type: 'heal' },
    { at_ms: 2000, type: 'client_op', f: 'read', key: 'z' },
  ],
  run_until_ms: 3500,
});

for (const protocol of ['raft', 'multi-paxos']) {
  test(`a ${protocol} run with client operations is the same natively and in wasm, history included`, () => {
    const scenario = withClients(protocol);
    const native = runCli(scenario);
    assert.equal(native.status, 0, native.stderr);
    const sim = simulation(JSON.stringify(scenario));
    sim.runUntil(3500);
    assert.equal(sim.traceHash(), native.json.trace_hash);
    const result = sim.result();
    assert.ok(native.json.history.length > 10, `${native.json.history.length} ops`);
    assert.deepEqual(result.history, native.json.history);
    assert.deepEqual(sim.history(), native.json.history);
    assert.deepEqual(result.consistency, native.json.consistency);
    assert.deepEqual(result.stats, native.json.stats);
    // One canonical text whatever order the params were written in.
    const reordered = { ...scenario, params: Object.fromEntries(Object.entries(scenario.params).reverse()) };
    assert.equal(simulation(JSON.stringify(reordered)).scenarioJson(), sim.scenarioJson());
  });
}

/** A value for each command argument, of the type the registry declares. */
function argValue(arg, nodes) {
  return { node: nodes - 1, uint: 1, text: 'x', bool: true }[arg.type];
}

/**
 * Scenarios built from what each protocol declares in the registry: its
 * membership events, every command with every argument, client operations and
 * a client workload, and each variant. A protocol added to the registry is
 * covered without a line here.
 */
function declaredScenarios(p) {
  const nodes = p.default_nodes;
  const base = { version: 1, protocol: p.name, nodes, seed: 21, run_until_ms: 4000 };
  const out = [];
  if (p.membership && nodes >= 3) {
    out.push(['membership', {
      ...base,
      members: [...Array(nodes - 1).keys()],
      events: [
        { at_ms: 300, type: 'client_request', value: 'k=v' },
        { at_ms: 800, type: 'join', node: nodes - 1 },
        { at_ms: 2000, type: 'leave', node: 1 },
      ],
    }]);
  }
  if (p.commands.length) {
    const events = p.commands.map((c, i) => ({
      at_ms: 500 + 300 * i,
      type: 'command',
      name: c.name,
      args: Object.fromEntries(c.args.map((a) => [a.name, argValue(a, nodes)])),
    }));
    out.push(['commands', { ...base, events }]);
  }
  if (p.clients) {
    out.push(['client operations', {
      ...base,
      clients: { count: 2, ops: ['read', 'write', 'cas'], keys: ['x'], think_ms: [0, 100], timeout_ms: 1000, from_ms: 0, until_ms: 3000 },
      events: [
        { at_ms: 700, type: 'client_op', f: 'write', key: 'y', value: '1' },
        { at_ms: 900, type: 'client_op', f: 'read', key: 'y' },
        { at_ms: 1200, type: 'crash', node: 0 },
      ],
    }]);
  }
  for (const v of p.variants) out.push([`variant ${v.name}`, { ...base, params: v.params, events: [{ at_ms: 300, type: 'client_request', value: 'k=v' }] }]);
  return out;
}

for (const p of protocols) {
  for (const [what, scenario] of declaredScenarios(p)) {
    test(`${p.name}, ${what}: the same trace natively and in wasm`, () => {
      const native = runCli(scenario);
      assert.equal(native.status, 0, native.stderr);
      const sim = simulation(scenario);
      sim.runUntil(runUntil(scenario));
      assert.equal(sim.traceHash(), native.json.trace_hash);
      const wasm = sim.result();
      assert.deepEqual(wasm.nodes, native.json.nodes);
      assert.deepEqual(wasm.history ?? null, native.json.history ?? null);
      assert.deepEqual(wasm.consistency ?? null, native.json.consistency ?? null);
    });
  }
}

test('the registry declares what the scenarios above exercise', () => {
  // Fails if the registry stopped declaring any client-serving protocol or
  // variant, which would leave the tests above with nothing to compare.
  assert.ok(protocols.some((p) => p.clients), 'a protocol serves client operations');
  assert.ok(protocols.some((p) => p.variants.length), 'a protocol has variants');
});
