// A plain drawing for protocols without a renderer of their own: the node's
// id, whether it is up, and its first few fields as text.
import { palette, text, labelLines, crashMark } from './common.js';
import { roleWord } from '../i18n.js';

export const messageStyles = {};

export function messageStyle() {
  return null;
}

function short(v) {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.length <= 3 ? `[${v.map(short).join(',')}]` : `[${v.length}]`;
  if (typeof v === 'object') return `{${Object.keys(v).length}}`;
  const s = String(v);
  return s.length > 14 ? `${s.slice(0, 13)}…` : s;
}

export function drawNode(ctx, node, p, r) {
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = node.up ? '#eef3f8' : '#f0f0f0';
  ctx.fill();
  ctx.setLineDash(node.up ? [] : [4, 3]);
  ctx.strokeStyle = node.up ? palette.roles.follower.stroke : palette.down;
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.setLineDash([]);
  text(ctx, `n${node.id}`, p.x, p.y, { px: Math.max(10, r * 0.5), weight: 650 });
  if (!node.up) crashMark(ctx, p, r);
  const skip = new Set(['id', 'up', 'timers', 'paused_until']);
  const lines = Object.entries(node)
    .filter(([k]) => !skip.has(k))
    .slice(0, 3)
    .map(([k, v]) => `${k}: ${short(v)}`);
  if (!node.up) lines.unshift(roleWord('crashed'));
  labelLines(ctx, p, r, lines.map((l) => ({ s: l, px: 11 })));
}

export function split(rect) {
  return { ring: rect, detail: null };
}

export function drawDetail() {}
