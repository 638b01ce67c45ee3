// How broadcast looks: like gossip (www/draw/gossip.js), a node is coloured
// by the values it has (a pie for several, pale grey for none), past 25 nodes
// every node is a dot, and the middle (or a bottom strip) sums up who has each value.
// No node is ever "spreading" here; what it still owes its neighbors is its
// count of unacknowledged batches, in its label and its details.
import { drawNode, split, drawDetail, dotStyle, messageFields as gossipFields } from './gossip.js';
import { commonLines } from '../describe.js';
import { t } from '../i18n.js';

// Broadcast's nodes carry no `hot` field, so none wears gossip's ring.
export { drawNode, split, drawDetail, dotStyle };

export const milestoneLegend = t('bcast.milestone');

export const messageStyles = {
  Broadcast: { shape: 'circle', fill: '#4f86d9', stroke: '#1f4f99', legend: t('bcast.batch'), explain: t('bcast.batch_explain') },
  BroadcastOk: { shape: 'diamond', fill: '#d9dee5', stroke: '#5b6b7f', small: true, legend: t('commit.ack'), explain: t('bcast.ok_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

export function emptyHint(snap) {
  const started = snap.nodes.some((d) => (d.known ?? []).length);
  if (started || snap.pending_requests?.length) return null;
  return [t('bcast.hint_none'), t('bcast.hint_send')];
}

export function describe(node) {
  const known = node.known ?? [];
  const list = known.map((v) => `"${v}"`).join(', ');
  const lines = [];
  if (!node.up) {
    lines.push(t('bcast.d_crashed', { list: known.length ? list : t('bcast.d_none_yet') }));
  } else {
    lines.push(known.length ? t('bcast.d_has', { list }) : t('bcast.d_no_value'));
    lines.push(t('bcast.d_neighbors', { list: (node.neighbors ?? []).map((i) => `n${i}`).join(', ') || t('word.none') }));
    if (node.unacked) lines.push(t('bcast.d_unacked', { n: node.unacked }));
    if (node.buffered) lines.push(t('bcast.d_buffered', { n: node.buffered }));
  }
  lines.push(...commonLines(node));
  return lines;
}

export function messageFields(p) {
  switch (p.type) {
    case 'Broadcast':
      return [['batch', `#${p.batch}`], ['values', p.values.map((v) => `"${v}"`).join(', ')]];
    case 'BroadcastOk':
      return [['acknowledges batch', `#${p.batch}`]];
    default:
      return gossipFields(p);
  }
}
