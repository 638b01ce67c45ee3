// How consistent hashing looks. Each node is a circle in its own colour with
// its key count; beside the cluster, the hash ring: every node's tokens are
// ticks in that node's colour at their ring positions (0 at the top,
// clockwise), and every stored key is a small dot just inside the ring at
// its hash, coloured by the node whose token follows it (its coordinator).
// All positions come from the engine's view (tokens, key_positions).
import { palette, text, labelLines, labelBounds, crashMark, card, note, sidePanel } from './common.js';
import { commonLines } from '../describe.js';
import { t } from '../i18n.js';

export const milestoneLegend = t('ch.milestone');

export const messageStyles = {
  Put: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: t('qkv.put'), explain: t('ch.put_explain') },
  Join: { shape: 'ring', fill: '#d3eedb', stroke: '#1f7a42', legend: t('swim.join'), explain: '“n5 joins”' },
  Welcome: { shape: 'circle', fill: '#9fd3b0', stroke: '#1f7a42', legend: t('ch.welcome'), explain: t('ch.welcome_explain') },
  Leave: { shape: 'ring', fill: '#f6dada', stroke: '#a33', legend: t('ops.leave'), explain: '“n2 leaves”' },
  Transfer: { shape: 'diamond', fill: '#e0a43a', stroke: '#8a5606', legend: t('ch.transfer'), explain: t('ch.transfer_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

const TWO32 = 4294967296;

/** A node's colour (by id, stable across runs). */
export function nodeColor(id) {
  return palette.groups[id % palette.groups.length];
}

export function drawNode(ctx, node, p, r) {
  const absent = node.absent === true;
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = absent ? '#f7f8fa' : node.up ? '#ffffff' : '#eef0f2';
  ctx.fill();
  ctx.setLineDash(node.up && !absent ? [] : [4, 3]);
  ctx.strokeStyle = absent || !node.up ? palette.down : nodeColor(node.id);
  ctx.lineWidth = 3;
  ctx.stroke();
  ctx.setLineDash([]);
  text(ctx, `n${node.id}`, p.x, p.y - (r >= 20 ? r * 0.18 : 0), { px: Math.max(10, r * 0.45), weight: 650 });
  if (r >= 20 && !absent) text(ctx, t('qkv.n_keys', { n: node.keys?.length ?? 0 }), p.x, p.y + r * 0.35, { px: 10, color: palette.muted });
  if (!node.up && !absent) crashMark(ctx, p, r);
  const lines = absent ? [t('ch.not_on_ring')] : [t('ch.n_tokens', { n: node.tokens?.length ?? 0 })];
  labelLines(ctx, p, r, lines.map((s) => ({ s, px: 11, color: palette.muted })), ringBounds.get(node) ?? null);
}

// The ring's rect for each node of the snapshot being drawn, so its label stays on the canvas.
const ringBounds = new WeakMap();

export function split(rect, snap) {
  const parts = sidePanel(rect, 12, t('ch.panel'), { force: true, maxRowH: 40 }) ?? { ring: rect, detail: null };
  const bounds = labelBounds(parts.ring);
  for (const node of snap?.nodes ?? []) ringBounds.set(node, bounds);
  return parts;
}

/** The hash ring with every node's tokens and every stored key. */
export function drawDetail(ctx, snap, area) {
  card(ctx, area);
  const cx = area.x + area.w / 2;
  const R = Math.max(20, Math.min(area.w, area.h - 40) / 2 - 16);
  const cy = area.y + 12 + R;
  const angle = (pos) => -Math.PI / 2 + (2 * Math.PI * pos) / TWO32;
  ctx.beginPath();
  ctx.arc(cx, cy, R, 0, 2 * Math.PI);
  ctx.strokeStyle = palette.faint;
  ctx.lineWidth = 2;
  ctx.stroke();
  const tokens = [];
  for (const node of snap.nodes) {
    if (node.absent) continue;
    for (const t of node.tokens ?? []) tokens.push([t, node.id]);
  }
  tokens.sort((a, b) => a[0] - b[0]);
  for (const [t, id] of tokens) {
    const a = angle(t);
    ctx.beginPath();
    ctx.moveTo(cx + Math.cos(a) * (R - 6), cy + Math.sin(a) * (R - 6));
    ctx.lineTo(cx + Math.cos(a) * (R + 7), cy + Math.sin(a) * (R + 7));
    ctx.strokeStyle = nodeColor(id);
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  // Each key once, at its hash, coloured by the next token clockwise.
  const keys = new Map();
  for (const node of snap.nodes) {
    (node.keys ?? []).forEach((k, i) => keys.set(k, node.key_positions?.[i]));
  }
  for (const [, pos] of keys) {
    if (pos == null) continue;
    const next = tokens.find(([t]) => t >= pos) ?? tokens[0];
    const a = angle(pos);
    ctx.beginPath();
    ctx.arc(cx + Math.cos(a) * (R - 14), cy + Math.sin(a) * (R - 14), 3, 0, 2 * Math.PI);
    ctx.fillStyle = next ? nodeColor(next[1]) : palette.muted;
    ctx.fill();
  }
  text(ctx, `${t('qkv.n_keys', { n: keys.size })} · ${t('ch.n_tokens', { n: tokens.length })}`, cx, cy, { px: 12, color: palette.muted });
  note(ctx, t('ch.note'), area.x, area.y + area.h - 22, area.w, 2);
}

export function emptyHint(snap) {
  if (snap.nodes.some((d) => d.keys?.length)) return null;
  return [t('ch.hint_none'), t('ch.hint_send')];
}

export function describe(node) {
  const lines = [];
  if (node.absent) return [t('ch.d_absent')];
  if (!node.up) lines.push(t('ch.d_crashed', { n: node.keys?.length ?? 0 }));
  lines.push(`${t('ch.d_tokens', { n: node.tokens?.length ?? 0 })} · ${t('ch.d_members', { list: (node.members ?? []).map((m) => `n${m}`).join(', ') || '–' })}`);
  const pairs = (node.keys ?? []).map((k, i) => `${k}=${node.values?.[i] ?? ''}`);
  lines.push(pairs.length ? t('ch.d_stores', { list: `${pairs.slice(0, 12).join(', ')}${pairs.length > 12 ? ' …' : ''}` }) : t('ch.d_no_keys'));
  lines.push(...commonLines(node));
  return lines;
}

export function messageFields(p) {
  switch (p.type) {
    case 'Put':
      return [['key', p.key], ['value', `"${p.value}"`]];
    case 'Join':
    case 'Leave':
      return [['node', `n${p.node}`]];
    case 'Welcome':
      return [['members', p.members.map((m) => `n${m}`).join(', ')]];
    case 'Transfer':
      return [['keys', p.keys.map(([k, v]) => `${k}=${v}`).join(', ')]];
    default:
      return null;
  }
}
