// How a saga looks (www/draw/flex.js draws it): the orchestrator (n0) shows the
// saga in focus as its sequence so far, T1✓ T2✓ T3✗ then C2✓ C1…, and the next
// step it waits for; each participant i shows its step Ti and its compensation
// Ci (done, failed, compensated), and, in red, when its step read the partial
// result of another saga that was later compensated (no isolation). The grid
// shows the same per node and per saga.
import { flexDrawing } from './flex.js';
import { t } from '../i18n.js';

const STATES = {
  none: { fill: '#f1f3f6', stroke: '#8793a1', word: '–' },
  running: { fill: '#e3ecf9', stroke: '#3d5a80', word: t('saga.s_running') },
  working: { fill: '#eaf0f6', stroke: '#3d5a80', word: t('commit.s_working') },
  done: { fill: '#d3eedb', stroke: '#1f7a42', word: t('saga.s_done') },
  failed: { fill: '#f8d7d7', stroke: '#b02a2a', word: t('saga.s_failed'), mark: 'cross' },
  compensating: { fill: '#eee4fa', stroke: '#6a43a3', word: t('saga.s_compensating'), short: t('saga.s_compensating_short') },
  compensated: { fill: '#e2d6f5', stroke: '#5b3a8f', word: t('saga.s_compensated'), short: t('saga.s_compensated_short'), mark: 'check' },
  committed: { fill: '#bfe6cb', stroke: '#1f6b3c', word: t('commit.s_committed'), mark: 'check' },
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
    default: return STATES[tx.state]?.word ?? tx.state;
  }
}

const kit = {
  STATES,
  open: (snap, name) => !ended(snap, name),
  stateKey: (node, tx) => (tx ? (STATES[tx.state] ? tx.state : 'running') : 'none'),
  lines(node, tx, name, snap) {
    if (!tx) return [];
    if (node.id === 0) {
      const out = [{ s: `${name}: ${chain(tx) || t('saga.begun')}` }];
      if (tx.outcome) out.push({ s: tx.outcome === 'committed' ? t('saga.all_committed') : t('saga.all_compensated') });
      else out.push({ s: tx.state === 'compensating' ? t('saga.compensating_reverse') : t('saga.running_forward') });
      return out;
    }
    const out = [{ s: `${name}: ${participantWords(node, tx)}` }];
    const d = dirty(node, tx, snap);
    if (d.length) out.push({ s: t('saga.read_compensated', { step: `T${node.id}`, names: d.join(', ') }), bad: true });
    else if (tx.saw?.length) out.push({ s: t('saga.read_partial', { step: `T${node.id}`, names: tx.saw.join(', ') }) });
    return out;
  },
  cell(node, tx, name, snap) {
    if (node.id === 0) return chain(tx) || (STATES[tx.state]?.word ?? tx.state);
    const d = dirty(node, tx, snap);
    return `${participantWords(node, tx)}${d.length ? t('saga.cell_read', { names: d.join(',') }) : ''}`;
  },
  describeMore: (node) => (node.applied ? [t('saga.applied_now', { list: node.applied.join(', ') || t('word.nothing') })] : []),
  gridNote: t('saga.note'),
  hint: t('saga.hint'),
  bad: /fail|compensat/,
  styles: {
    Do: { shape: 'ring', fill: '#e8eef7', stroke: '#3d5a80', legend: t('saga.do'), explain: t('saga.do_explain') },
    Done: { shape: 'circle', fill: '#7cc695', stroke: '#1f6b3c', legend: t('saga.done'), explain: t('saga.done_explain') },
    Failed: { shape: 'triangle', fill: '#f3b5b5', stroke: '#b02a2a', legend: t('saga.failed'), explain: t('saga.failed_explain') },
    Compensate: { shape: 'hexagon', fill: '#b79ae0', stroke: '#5b3a8f', legend: t('saga.compensate'), explain: t('saga.compensate_explain') },
    Compensated: { shape: 'diamond', fill: '#eee4fa', stroke: '#7a4fb3', small: true, legend: t('saga.s_compensated'), explain: t('saga.compensated_explain') },
  },
};

export default flexDrawing(kit);
