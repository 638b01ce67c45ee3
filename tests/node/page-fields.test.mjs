// The two scenario fields only the page uses (open_at_ms, moments) and the
// message payloads its message card shows: the fields travel through the
// engine and back, never change a run (same trace hash natively and in wasm,
// with and without them), and a message's payload is readable while it is on
// the wire and gone once it is not.
import test from 'node:test';
import assert from 'node:assert/strict';
import { simulation, runCli } from './engine.mjs';

const base = {
  version: 1, protocol: 'raft', nodes: 5, seed: 11,
  events: [{ at_ms: 300, type: 'client_request', value: 'x=1' }, { at_ms: 900, type: 'crash', node: 2 }],
  run_until_ms: 2000,
};
const withFields = { ...base, open_at_ms: 1200, moments: [{ at_ms: 900, caption: 'n2 crashes', pause: true }, { at_ms: 1500 }] };

test('open_at_ms and moments round-trip and change no trace hash', () => {
  const plain = runCli(base);
  const fields = runCli(withFields);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(fields.status, 0, fields.stderr);
  assert.equal(fields.json.trace_hash, plain.json.trace_hash, 'the CLI ignores them');
  const sim = simulation(withFields);
  sim.runUntil(2000);
  assert.equal(sim.traceHash(), plain.json.trace_hash, 'so does the engine');
  const back = sim.scenario();
  assert.equal(back.open_at_ms, 1200);
  assert.deepEqual(back.moments, [{ at_ms: 900, caption: 'n2 crashes', pause: true }, { at_ms: 1500 }]);
  sim.free();
});

test('bad moments are refused with the field path', () => {
  const bad = runCli({ ...base, moments: [{ at_ms: 5, caption: 7 }] });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /moments\[0\]\.caption: must be a string/);
  assert.throws(() => simulation({ ...base, open_at_ms: -3 }), /open_at_ms: must not be negative/);
});

test('a message in flight shows its payload; an arrived one shows null', () => {
  for (const protocol of ['raft', 'paxos', 'multi-paxos', '2pc', '3pc']) {
    const sim = simulation({ version: 1, protocol, nodes: protocol.endsWith('pc') ? 4 : 5, seed: 2, events: [{ at_ms: 200, type: 'client_request', value: 't1' }] });
    let seen = 0;
    for (let i = 0; i < 400 && seen < 3; i++) {
      sim.step();
      for (const m of sim.snapshot().messages) {
        const p = sim.message(m.id);
        assert.ok(p && typeof p.type === 'string', `${protocol} #${m.id}`);
        assert.doesNotMatch(JSON.stringify(p), /undefined/);
        seen += 1;
      }
    }
    assert.ok(seen > 0, `${protocol}: messages were in flight`);
    assert.equal(sim.message(1e9), null);
    assert.equal(sim.message(-1), null);
    sim.free();
  }
  const sim = simulation(base);
  let m = null;
  for (let t = 1000; !m && t < 2000; t += 5) {
    sim.runUntil(t);
    m = sim.snapshot().messages.find((x) => x.kind === 'Heartbeat');
  }
  assert.deepEqual(Object.keys(sim.message(m.id)), ['type', 'term', 'leader', 'prev_log_index', 'prev_log_term', 'entries', 'leader_commit']);
  sim.runUntil(m.deliver_at);
  assert.equal(sim.message(m.id), null, 'delivered');
  sim.free();
});
