// How try / confirm / cancel looks (www/draw/flex.js draws it): the coordinator
// (n0) shows the transaction in focus (trying, confirming, cancelling,
// confirmed, cancelled) with the reservations or acknowledgements it has;
// each participant shows what it holds for it (reserved, confirmed,
// cancelled, an empty rollback, refused) and its seats as a row of boxes —
// sold dark green, held amber, free white. A reservation still held after its
// transaction ended (a hanging try) is hatched red and says so.
import { flexDrawing } from './flex.js';
import { palette, roundRect } from './common.js';
import { t } from '../i18n.js';

const STATES = {
  none: { fill: '#f1f3f6', stroke: '#8793a1', word: '–' },
  trying: { fill: '#e3ecf9', stroke: '#3d5a80', word: t('tcc.s_trying') },
  reserved: { fill: '#fff3c4', stroke: '#9a7400', word: t('tcc.s_reserved') },
  refused: { fill: '#f6e0e0', stroke: '#b02a2a', word: t('tcc.s_refused') },
  confirming: { fill: '#dff2e5', stroke: '#1f7a42', word: t('tcc.s_confirming'), short: t('tcc.s_confirming_short') },
  cancelling: { fill: '#f8e3e3', stroke: '#b02a2a', word: t('tcc.s_cancelling'), short: t('tcc.s_cancelling_short') },
  confirmed: { fill: '#d3eedb', stroke: '#1f7a42', word: t('tcc.s_confirmed'), mark: 'check' },
  cancelled: { fill: '#f8d7d7', stroke: '#b02a2a', word: t('tcc.s_cancelled'), mark: 'cross' },
  'empty-cancel': { fill: '#eceff3', stroke: '#5b6b7f', word: t('tcc.s_empty'), short: t('tcc.s_empty_short'), mark: 'cross' },
  hanging: { fill: '#fbd0d0', stroke: '#c62f2f', word: t('tcc.s_hanging'), hatch: '#e06060' },
};

/** The coordinator's decision, in words. */
const DECISIONS = { confirm: t('tcc.w_confirm'), cancel: t('tcc.w_cancel') };

const head = (snap, name) => snap.nodes.find((d) => d.id === 0)?.transactions?.[name] ?? null;

function stateKey(node, tx, name, snap) {
  if (!tx) return 'none';
  if (node.id !== 0 && tx.state === 'reserved' && head(snap, name)?.ended) return 'hanging';
  return STATES[tx.state] ? tx.state : 'trying';
}

function seatLine(s) {
  return t('tcc.seats', { free: s.free, held: s.held, sold: s.sold });
}

const explain = {
  reserved: (a) => t('tcc.x_reserved', { a }),
  refused: () => t('tcc.x_refused'),
  confirmed: (a) => t('tcc.x_confirmed', { a }),
  cancelled: (a) => t('tcc.x_cancelled', { a }),
  'empty-cancel': () => t('tcc.x_empty'),
  hanging: (a) => t('tcc.x_hanging', { a }),
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
      const counts = { acks: acks.length, parts };
      const what = tx.decision ? `${DECISIONS[tx.decision] ?? tx.decision} · ${t('commit.acks', counts)}` : t('tcc.reserved_n', counts);
      out.push({ s: `${name}: ${tx.ended ? t('tcc.state_ended', { state: STATES[tx.state]?.word ?? tx.state }) : what}` });
      return out;
    }
    const a = node.seats?.amount ?? 1;
    if (tx) out.push({ s: `${name}: ${explain[key]?.(a) ?? STATES[key].word}`, bad: key === 'hanging' });
    // The node's own line (node: true): the details panel shows it once, not per transaction.
    if (node.seats) out.push({ s: seatLine(node.seats), bad: node.seats.held < 0 || node.seats.free > node.seats.capacity, node: true });
    return out;
  },
  cell(node, tx, name, snap, key) {
    return STATES[key].word;
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
  gridNote: t('tcc.note'),
  hint: t('tcc.hint'),
  bad: /cancel|refus|hanging|again|never reserved/,
  styles: {
    Try: { shape: 'ring', fill: '#e8eef7', stroke: '#3d5a80', legend: t('tcc.try'), explain: t('tcc.try_explain') },
    Reserved: { shape: 'circle', fill: '#f4d57a', stroke: '#9a7400', legend: t('tcc.s_reserved'), explain: t('tcc.reserved_explain') },
    Refused: { shape: 'triangle', fill: '#f3b5b5', stroke: '#b02a2a', legend: t('tcc.s_refused'), explain: t('tcc.refused_explain') },
    Confirm: { shape: 'star', fill: '#3fae66', stroke: '#1f6b3c', legend: t('tcc.confirm'), explain: t('tcc.confirm_explain') },
    Cancel: { shape: 'noentry', fill: '#d64545', stroke: '#8f1d1d', legend: t('tcc.cancel'), explain: t('tcc.cancel_explain') },
    Confirmed: { shape: 'diamond', fill: '#d9dee5', stroke: '#1f6b3c', small: true, legend: t('tcc.s_confirmed'), explain: t('tcc.confirmed_explain') },
    Cancelled: { shape: 'square', fill: '#d9dee5', stroke: '#8f1d1d', small: true, legend: t('tcc.s_cancelled'), explain: t('tcc.cancelled_explain') },
  },
};

export default flexDrawing(kit);
