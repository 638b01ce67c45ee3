// How a saga looks (www/draw/flex.js draws it): the orchestrator (n0) shows the
// saga in focus as its sequence so far, T1✓ T2✓ T3✗ then C2✓ C1…, and the next
// step it waits for; each participant i shows its step Ti and its compensation
// Ci (done, failed, compensated), and, in red, when its step read the partial
// result of another saga that was later compensated (no isolation). The grid
// shows the same per node and per saga.
import { flexDrawing } from './flex.js';

const STATES = {
  none: { fill: '#f1f3f6', stroke: '#8793a1', word: '–' },
  running: { fill: '#e3ecf9', stroke: '#3d5a80', word: 'running' },
  working: { fill: '#eaf0f6', stroke: '#3d5a80', word: 'working' },
  done: { fill: '#d3eedb', stroke: '#1f7a42', word: 'done' },
  failed: { fill: '#f8d7d7', stroke: '#b02a2a', word: 'failed', mark: 'cross' },
  compensating: { fill: '#eee4fa', stroke: '#6a43a3', word: 'compensating', short: 'comp…' },
  compensated: { fill: '#e2d6f5', stroke: '#5b3a8f', word: 'compensated', short: 'comp.', mark: 'check' },
  committed: { fill: '#bfe6cb', stroke: '#1f6b3c', word: 'committed', mark: 'check' },
};

const ended = (snap, name) => snap.nodes.find((d) => d.id === 0)?.transactions?.[name]?.outcome ?? null;

/** The orchestrator's sequence so far: T1✓ T2✓ T3✗ C2✓ C1… */
function chain(tx) {
  const steps = tx.steps ?? [];
  const fwd = steps.filter((s) => s.state !== 'pending').map((s) => {
    if (s.state === 'running') return `T${s.step}…`;
    if (s.state === 'failed') return `T${s.step}✗`;
    return `T${s.step}✓`;
  });
  const comp = steps.filter((s) => s.state === 'compensated').reverse().map((s) => `C${s.step}✓`);
  const next = tx.state === 'compensating' ? steps.filter((s) => s.state === 'compensating').map((s) => s.step) : [];
  if (next.length) comp.push(`C${Math.max(...next)}…`);
  return [...fwd, ...comp].join(' ');
}

function dirty(node, tx, snap) {
  return (tx?.saw ?? []).filter((o) => ended(snap, o) === 'compensated');
}

function participantWords(node, tx) {
  const i = node.id;
  switch (tx.state) {
    case 'working': return `T${i}…`;
    case 'done': return `T${i}✓`;
    case 'failed': return `T${i}✗`;
    case 'compensating': return `T${i}✓ C${i}…`;
    case 'compensated': return `T${i}✓ C${i}✓`;
    default: return tx.state;
  }
}

const kit = {
  STATES,
  open: (snap, name) => !ended(snap, name),
  stateKey: (node, tx) => (tx ? (STATES[tx.state] ? tx.state : 'running') : 'none'),
  lines(node, tx, name, snap) {
    if (!tx) return [];
    if (node.id === 0) {
      const out = [{ s: `${name}: ${chain(tx) || 'begun'}` }];
      if (tx.outcome) out.push({ s: tx.outcome === 'committed' ? 'every step committed' : 'every completed step compensated' });
      else out.push({ s: tx.state === 'compensating' ? 'compensating in reverse' : 'running forward' });
      return out;
    }
    const out = [{ s: `${name}: ${participantWords(node, tx)}` }];
    const d = dirty(node, tx, snap);
    if (d.length) out.push({ s: `T${node.id} read ${d.join(', ')}, since compensated`, bad: true });
    else if (tx.saw?.length) out.push({ s: `T${node.id} read ${tx.saw.join(', ')} (partial)` });
    return out;
  },
  cell(node, tx, name, snap) {
    if (node.id === 0) return chain(tx) || tx.state;
    const d = dirty(node, tx, snap);
    return `${participantWords(node, tx)}${d.length ? ` read ${d.join(',')}!` : ''}`;
  },
  describeMore: (node) => (node.applied ? [`applied here now: ${node.applied.join(', ') || 'nothing'}`] : []),
  gridNote: 'Ti✓ step done · Ti✗ step failed · Ci✓ compensated (in reverse) · “read t1!”: a step saw a saga later compensated (no isolation)',
  hint: 'Send a client request (C): its value names a saga, and orchestrator n0 runs its steps T1, T2, … one participant at a time.',
  bad: /fail|compensat/,
  styles: {
    Do: { shape: 'ring', fill: '#e8eef7', stroke: '#3d5a80', legend: 'do Ti', explain: '“T2 t1”: run step T2 of saga t1' },
    Done: { shape: 'circle', fill: '#7cc695', stroke: '#1f6b3c', legend: 'step done', explain: '“T2 done t1”: committed locally' },
    Failed: { shape: 'triangle', fill: '#f3b5b5', stroke: '#b02a2a', legend: 'step failed', explain: '“T3 failed t1”: compensate the steps done' },
    Compensate: { shape: 'hexagon', fill: '#b79ae0', stroke: '#5b3a8f', legend: 'compensate Ci', explain: '“C2 t1”: undo step T2' },
    Compensated: { shape: 'diamond', fill: '#eee4fa', stroke: '#7a4fb3', small: true, legend: 'compensated', explain: '“C2 done t1”: T2 undone' },
  },
};

export default flexDrawing(kit);
