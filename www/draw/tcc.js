// How try / confirm / cancel looks (www/draw/flex.js draws it): the coordinator
// (n0) shows the transaction in focus (trying, confirming, cancelling,
// confirmed, cancelled) with the reservations or acknowledgements it has;
// each participant shows what it holds for it (reserved, confirmed,
// cancelled, an empty rollback, refused) and its seats as a row of boxes —
// sold dark green, held amber, free white. A reservation still held after its
// transaction ended (a hanging try) is hatched red and says so.
import { flexDrawing } from './flex.js';
import { palette, roundRect } from './common.js';

const STATES = {
  none: { fill: '#f1f3f6', stroke: '#8793a1', word: '–' },
  trying: { fill: '#e3ecf9', stroke: '#3d5a80', word: 'trying' },
  reserved: { fill: '#fff3c4', stroke: '#9a7400', word: 'reserved' },
  refused: { fill: '#f6e0e0', stroke: '#b02a2a', word: 'refused' },
  confirming: { fill: '#dff2e5', stroke: '#1f7a42', word: 'confirming', short: 'conf…' },
  cancelling: { fill: '#f8e3e3', stroke: '#b02a2a', word: 'cancelling', short: 'canc…' },
  confirmed: { fill: '#d3eedb', stroke: '#1f7a42', word: 'confirmed', mark: 'check' },
  cancelled: { fill: '#f8d7d7', stroke: '#b02a2a', word: 'cancelled', mark: 'cross' },
  'empty-cancel': { fill: '#eceff3', stroke: '#5b6b7f', word: 'empty cancel', short: 'empty', mark: 'cross' },
  hanging: { fill: '#fbd0d0', stroke: '#c62f2f', word: 'HANGING', hatch: '#e06060' },
};

const head = (snap, name) => snap.nodes.find((d) => d.id === 0)?.transactions?.[name] ?? null;

function stateKey(node, tx, name, snap) {
  if (!tx) return 'none';
  if (node.id !== 0 && tx.state === 'reserved' && head(snap, name)?.ended) return 'hanging';
  return STATES[tx.state] ? tx.state : 'trying';
}

function seatLine(s) {
  return `seats: ${s.free} free · ${s.held} held · ${s.sold} sold`;
}

const explain = {
  reserved: (a) => `${a} held, waiting for confirm or cancel`,
  refused: () => 'refused: nothing reserved',
  confirmed: (a) => `${a} sold`,
  cancelled: (a) => `${a} released`,
  'empty-cancel': () => 'cancel before any try: nothing released',
  hanging: (a) => `${a} held after the end: a hanging try`,
};

const kit = {
  STATES,
  open: (snap, name) => !head(snap, name)?.ended,
  stateKey,
  lines(node, tx, name, snap, key) {
    const out = [];
    if (node.id === 0) {
      if (!tx) return out;
      const acks = tx.acks ?? [];
      const parts = Math.max(0, snap.nodes.length - 1);
      const what = tx.decision ? `${tx.decision} · acks ${acks.length}/${parts}` : `reserved ${acks.length}/${parts}`;
      out.push({ s: `${name}: ${tx.ended ? `${tx.state}, ended` : what}` });
      return out;
    }
    const a = node.seats?.amount ?? 1;
    if (tx) out.push({ s: `${name}: ${explain[key]?.(a) ?? STATES[key].word}`, bad: key === 'hanging' });
    if (node.seats) out.push({ s: seatLine(node.seats), bad: node.seats.held < 0 || node.seats.free > node.seats.capacity });
    return out;
  },
  cell(node, tx, name, snap, key) {
    return key === 'hanging' ? 'HANGING' : STATES[key].word;
  },
  /** The seats as boxes inside a participant: sold, held, free. */
  inside(ctx, node, p, r) {
    const s = node.seats;
    if (!s || s.capacity <= 0 || s.capacity > 12) return;
    const n = s.capacity;
    const w = Math.min(9, (r * 1.5) / n);
    const x0 = p.x - (w * n) / 2;
    const y = p.y + r * 0.42;
    for (let i = 0; i < n; i++) {
      const kind = i < s.sold ? 'sold' : i < s.sold + s.held ? 'held' : 'free';
      roundRect(ctx, x0 + i * w + 0.5, y, w - 1.5, w - 1.5, 1.5);
      ctx.fillStyle = kind === 'sold' ? '#1f7a42' : kind === 'held' ? '#e0a81a' : '#ffffff';
      ctx.fill();
      ctx.strokeStyle = s.held < 0 ? palette.danger : '#5b6b7f';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  },
  describeMore: (node) => (node.seats ? [seatLine(node.seats)] : []),
  gridNote: 'seat boxes in a node: green sold · amber held · white free · empty cancel = cancel before its try (empty rollback) · HANGING = reserved after the end',
  hint: 'Send a client request (C): its value names a transaction, and coordinator n0 asks every participant to reserve seats for it.',
  bad: /cancel|refus|hanging|again|never reserved/,
  styles: {
    Try: { shape: 'ring', fill: '#e8eef7', stroke: '#3d5a80', legend: 'try', explain: '“try t1”: reserve seats for t1' },
    Reserved: { shape: 'circle', fill: '#f4d57a', stroke: '#9a7400', legend: 'reserved', explain: '“reserved t1”: seats held' },
    Refused: { shape: 'triangle', fill: '#f3b5b5', stroke: '#b02a2a', legend: 'refused', explain: '“refused t1”: none held (no seats, or cancelled already)' },
    Confirm: { shape: 'star', fill: '#3fae66', stroke: '#1f6b3c', legend: 'confirm', explain: '“confirm t1”: sell the held seats' },
    Cancel: { shape: 'noentry', fill: '#d64545', stroke: '#8f1d1d', legend: 'cancel', explain: '“cancel t1”: release them, if any' },
    Confirmed: { shape: 'diamond', fill: '#d9dee5', stroke: '#1f6b3c', small: true, legend: 'confirmed', explain: '“confirmed t1”: ack' },
    Cancelled: { shape: 'square', fill: '#d9dee5', stroke: '#8f1d1d', small: true, legend: 'cancelled', explain: '“cancelled t1”: ack' },
  },
};

export default flexDrawing(kit);
