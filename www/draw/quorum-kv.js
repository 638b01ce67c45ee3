// How quorum-kv looks. Each node is a circle with, inside, how many keys it
// keeps; beside it one line per key, "x=2 {4:2}" (value and vector clock),
// several versions of a key shown as siblings "x=a|b", hints kept for other
// replicas marked "hint→n0", and the operations it coordinates with their
// replies or acknowledgements counted. With room, a table lists every
// node's versions of every key side by side, so stale replicas stand out.
import { palette, text, font, fit, labelLines, labelRoom, crashMark, card, note, sidePanel } from './common.js';
import { commonLines } from '../describe.js';
import { t } from '../i18n.js';

export const milestoneLegend = t('marker.milestone');

export const messageStyles = {
  Get: { shape: 'ring', fill: '#eef3f8', stroke: '#5b6b7f', legend: t('qkv.get'), explain: t('qkv.get_explain') },
  GetReply: { shape: 'circle', fill: '#9fc0ee', stroke: '#1f4f99', legend: t('qkv.versions'), explain: t('qkv.versions_explain') },
  Put: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: t('qkv.put'), explain: '“put x=2{4:2}”' },
  HintedPut: { shape: 'square', fill: '#e0a43a', stroke: '#8a5606', legend: t('qkv.hinted'), explain: t('qkv.hinted_explain') },
  PutAck: { shape: 'diamond', fill: '#d3eedb', stroke: '#1f7a42', legend: t('qkv.stored'), explain: t('qkv.stored_explain') },
  Repair: { shape: 'star', fill: '#3fae66', stroke: '#1f6b3c', legend: t('qkv.repair'), explain: '“repair x=2{4:2}”' },
  Handoff: { shape: 'diamond', fill: '#e0a43a', stroke: '#8a5606', legend: t('qkv.handoff'), explain: t('qkv.handoff_explain') },
  HandoffAck: { shape: 'circle', fill: '#f3d9a6', stroke: '#8a5606', legend: t('qkv.handoff_ack'), explain: '“took x”' },
  Sync: { shape: 'ring', fill: '#f1e6f8', stroke: '#7d3fa8', legend: t('gossip.ae'), explain: t('qkv.sync_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

function clockText(c) {
  return `{${Object.entries(c ?? {}).map(([n, k]) => `${n}:${k}`).join(',')}}`;
}

/** "2{4:2}", or siblings "a|b". */
export function versionsText(vs, withClock = true) {
  if (!vs?.length) return '–';
  if (vs.length === 1) return withClock ? `${vs[0].value}${clockText(vs[0].clock)}` : String(vs[0].value);
  return vs.map((v) => v.value).join('|');
}

function keyLines(node) {
  const lines = Object.entries(node.store ?? {}).map(([k, vs]) => ({ s: `${k}=${versionsText(vs)}`, px: 11, color: vs.length > 1 ? '#a347c2' : palette.ink }));
  for (const h of node.hints ?? []) lines.push({ s: `hint→n${h.for} ${h.key}=${versionsText(h.versions, false)}`, px: 11, color: '#8a5606' });
  for (const c of node.coordinating ?? []) lines.push({ s: c, px: 10, color: palette.selected });
  return lines;
}

export function drawNode(ctx, node, p, r, view) {
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = node.up ? (node.coordinating?.length ? '#e6effb' : '#ffffff') : '#eef0f2';
  ctx.fill();
  ctx.setLineDash(node.up ? [] : [4, 3]);
  ctx.strokeStyle = node.up ? '#5b6b7f' : palette.down;
  ctx.lineWidth = node.hints?.length ? 4 : 2;
  if (node.hints?.length && node.up) ctx.strokeStyle = '#b8740a';
  ctx.stroke();
  ctx.setLineDash([]);
  text(ctx, `n${node.id}`, p.x, p.y - (r >= 20 ? r * 0.18 : 0), { px: Math.max(10, r * 0.45), weight: 650 });
  if (r >= 20) text(ctx, t('qkv.n_keys', { n: Object.keys(node.store ?? {}).length }), p.x, p.y + r * 0.35, { px: 10, color: palette.muted });
  if (!node.up) crashMark(ctx, p, r);
  const room = view?.rect ? labelRoom(view.rect, view.n ?? 5) : 'full';
  const lines = keyLines(node);
  labelLines(ctx, p, r, room === 'full' ? lines.slice(0, 4) : lines.slice(0, 1));
}

function allKeys(snap) {
  const keys = new Set();
  for (const n of snap.nodes) for (const k of Object.keys(n.store ?? {})) keys.add(k);
  return [...keys].sort().slice(0, 6);
}

export function split(rect, snap) {
  const parts = sidePanel(rect, (snap?.nodes.length ?? 5) + 1, t('qkv.panel'), {});
  return parts ?? { ring: rect, detail: null };
}

/** One row per node, one column per key: the versions it keeps. */
export function drawDetail(ctx, snap, area, view) {
  const keys = allKeys(snap);
  const { rowH } = area;
  card(ctx, area);
  const firstW = 0.14 * area.w;
  const colW = keys.length ? (area.w - firstW) / keys.length : area.w - firstW;
  text(ctx, t('ops.node'), area.x, area.y + rowH * 0.45, { px: 10, color: palette.muted, align: 'left' });
  keys.forEach((k, j) => text(ctx, fit(ctx, k, colW - 6), area.x + firstW + j * colW, area.y + rowH * 0.45, { px: 10, color: palette.muted, align: 'left' }));
  snap.nodes.forEach((node, i) => {
    const y = area.y + rowH * (i + 1) + rowH / 2;
    const ink = node.up ? palette.ink : palette.muted;
    if (view?.selected === node.id) {
      ctx.fillStyle = 'rgba(47,111,222,0.08)';
      ctx.fillRect(area.x - 4, y - rowH / 2, area.w + 8, rowH);
    }
    text(ctx, `n${node.id}${node.up ? '' : ' ✕'}`, area.x, y, { px: 11, weight: 600, color: ink, align: 'left' });
    keys.forEach((k, j) => {
      const vs = node.store?.[k];
      font(ctx, 11);
      const s = fit(ctx, versionsText(vs), colW - 6);
      text(ctx, s, area.x + firstW + j * colW, y, { px: 11, color: vs?.length > 1 ? '#a347c2' : ink, align: 'left' });
    });
  });
  note(ctx, t('qkv.note'), area.x, area.y + rowH * (snap.nodes.length + 1) + 10, area.w, area.noteLines ?? 1);
}

export function emptyHint(snap) {
  if (snap.nodes.some((d) => Object.keys(d.store ?? {}).length)) return null;
  return [t('qkv.hint_none'), t('qkv.hint_send')];
}

export function describe(node) {
  const lines = [];
  if (!node.up) lines.push(t('qkv.d_crashed', { n: Object.keys(node.store ?? {}).length }));
  const store = Object.entries(node.store ?? {});
  if (!store.length) lines.push(t('qkv.d_no_keys'));
  for (const [k, vs] of store) lines.push(`${k}: ${vs.map((v) => `"${v.value}" ${clockText(v.clock)}`).join(t('qkv.d_and'))}${vs.length > 1 ? t('qkv.d_siblings') : ''}`);
  for (const h of node.hints ?? []) lines.push(`${t('qkv.d_hint', { name: `n${h.for}` })}: ${h.key}=${versionsText(h.versions)}`);
  for (const c of node.coordinating ?? []) lines.push(t('qkv.d_coordinates', { op: c }));
  lines.push(...commonLines(node));
  return lines;
}

export function messageFields(p) {
  const vs = (list) => (list ?? []).map((v) => `"${v.value}" ${clockText(v.clock)}`).join(', ') || t('word.none');
  switch (p.type) {
    case 'Get':
      return [['operation', `#${p.op}`], ['key', p.key]];
    case 'GetReply':
      return [['operation', `#${p.op}`], ['versions', vs(p.versions)]];
    case 'Put':
      return [['operation', `#${p.op}`], ['key', p.key], ['versions', vs(p.versions)], ['kept for', p.hint == null ? t('qkv.itself') : `n${p.hint}`]];
    case 'PutAck':
      return [['operation', `#${p.op}`]];
    case 'Repair':
    case 'Handoff':
    case 'HandoffAck':
      return [['key', p.key], ['versions', vs(p.versions)]];
    case 'Sync':
      return [['keys', p.entries.map(([k, l]) => `${k}=${versionsText(l)}`).join(', ') || t('word.none')], ['wants a reply', p.reply ? t('word.yes') : t('word.no')]];
    default:
      return null;
  }
}
