// Draws a snapshot onto a canvas: partitions, links, messages travelling
// between their send and delivery times, nodes (through the protocol's
// renderer) and the protocol's detail panel. It never calls the engine; the
// same snapshot and time always give the same picture.
import { palette, ringLayout, glyph, cross, text, hashedStyle } from './draw/common.js';
import * as raft from './draw/raft.js';
import * as generic from './draw/generic.js';

// Raft's drawing comes with the page; the others load with their protocol,
// like the engines do, so the first page stays small.
const renderers = { raft };
const loaders = {
  paxos: () => import('./draw/paxos.js'),
  'multi-paxos': () => import('./draw/multipaxos.js'),
  '2pc': () => import('./draw/commit.js').then((m) => m.twoPc),
  '3pc': () => import('./draw/commit.js').then((m) => m.threePc),
};

export function rendererFor(protocol) {
  return renderers[protocol] ?? generic;
}

/** Loads (once) the drawing module of a protocol; unknown ones draw plainly. */
export async function loadRenderer(protocol) {
  if (!renderers[protocol] && loaders[protocol]) renderers[protocol] = await loaders[protocol]();
  return rendererFor(protocol);
}

/** Registers a renderer for a protocol (protocol drawing modules call this). */
export function registerRenderer(protocol, module) {
  renderers[protocol] = module;
}

/**
 * Draws `snap` at display time `view.time` into a rect of `width`×`height`
 * CSS pixels. Returns the layout used, for hit testing.
 */
export function drawScene(ctx, snap, view) {
  const { width, height } = view;
  const r = rendererFor(snap.protocol);
  ctx.fillStyle = palette.bg;
  ctx.fillRect(0, 0, width, height);
  const area = { x: 0, y: 0, w: width, h: height };
  const parts = r.split(area, snap);
  const layout = ringLayout(snap.nodes.length, inset(parts.ring, 10, 28));
  const n = snap.nodes.length;
  const groupOf = groupIndex(snap.network.groups, n);
  const draft = view.draftGroups ? groupIndex(view.draftGroups, n) : null;

  drawLinks(ctx, layout, groupOf);
  drawHalos(ctx, layout, groupOf, false);
  if (draft) drawHalos(ctx, layout, draft, true);
  drawMessages(ctx, snap, layout, view, r);
  const nodeView = { time: view.time, n, selected: view.selected };
  snap.nodes.forEach((node, i) => {
    const p = layout.pos[i];
    if (view.selected === node.id) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, layout.nodeR + 10, 0, 2 * Math.PI);
      ctx.strokeStyle = palette.selected;
      ctx.lineWidth = 2.5;
      ctx.setLineDash([5, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    r.drawNode(ctx, node, p, layout.nodeR, nodeView);
  });
  if (parts.detail) r.drawDetail(ctx, snap, parts.detail, nodeView);

  text(ctx, `${Math.floor(view.time).toLocaleString('en-US')} ms`, 12, 16, { px: 15, weight: 650, align: 'left', color: palette.ink });
  text(ctx, 'simulated time', 12, 33, { px: 10, align: 'left', color: palette.muted });
  if (snap.network.groups.length) {
    const desc = snap.network.groups.map((g) => `{${g.join(',')}}`).join(' | ');
    text(ctx, `partitioned ${desc}`, width - 12, 16, { px: 12, weight: 600, align: 'right', color: palette.groups[1] });
  }
  return { ...layout, nodes: snap.nodes.map((d) => d.id) };
}

function inset(rect, dx, dy) {
  return { x: rect.x + dx, y: rect.y + dy, w: Math.max(10, rect.w - 2 * dx), h: Math.max(10, rect.h - dy - 8) };
}

function groupIndex(groups, n) {
  if (!groups || groups.length === 0) return null;
  const of = new Array(n).fill(-1);
  groups.forEach((g, gi) => g.forEach((id) => (of[id] = gi)));
  return of;
}

function drawLinks(ctx, layout, groupOf) {
  const { pos } = layout;
  if (pos.length > 9) return;
  ctx.lineWidth = 1;
  for (let i = 0; i < pos.length; i++) {
    for (let j = i + 1; j < pos.length; j++) {
      const cut = groupOf && groupOf[i] !== groupOf[j];
      ctx.strokeStyle = cut ? 'rgba(198,47,47,0.18)' : palette.edge;
      ctx.setLineDash(cut ? [3, 5] : []);
      ctx.beginPath();
      ctx.moveTo(pos[i].x, pos[i].y);
      ctx.lineTo(pos[j].x, pos[j].y);
      ctx.stroke();
    }
  }
  ctx.setLineDash([]);
}

function drawHalos(ctx, layout, groupOf, draft) {
  if (!groupOf) return;
  layout.pos.forEach((p, i) => {
    const g = groupOf[i];
    const color = palette.groups[Math.max(0, g) % palette.groups.length];
    ctx.beginPath();
    ctx.arc(p.x, p.y, layout.nodeR + (draft ? 16 : 13), 0, 2 * Math.PI);
    ctx.globalAlpha = draft ? 0.08 : 0.13;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = draft ? 2 : 1.5;
    ctx.setLineDash(draft ? [4, 3] : []);
    ctx.stroke();
    ctx.setLineDash([]);
  });
}

function drawMessages(ctx, snap, layout, view, r) {
  const { pos, nodeR } = layout;
  const many = snap.messages.length > 40;
  const showLabels = view.labels !== false && snap.messages.length <= 16 && snap.nodes.length <= 9 && nodeR >= 16;
  const placed = [];
  for (const m of snap.messages) {
    const a = pos[m.from];
    const b = pos[m.to];
    if (!a || !b) continue;
    const span = Math.max(1, m.deliver_at - m.sent_at);
    let t = Math.min(1, Math.max(0, (view.time - m.sent_at) / span));
    if (m.lost === 'partition') t = Math.min(t, 0.5);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // Opposite directions travel on slightly different tracks.
    const off = Math.min(5, nodeR * 0.25);
    const sx = a.x + ux * (nodeR + 3) - uy * off;
    const sy = a.y + uy * (nodeR + 3) + ux * off;
    const ex = b.x - ux * (nodeR + 3) - uy * off;
    const ey = b.y - uy * (nodeR + 3) + ux * off;
    const x = sx + (ex - sx) * t;
    const y = sy + (ey - sy) * t;
    const style = r.messageStyle(m) ?? hashedStyle(m.kind);
    const s = (style.small ? 0.72 : 1) * Math.max(3.5, Math.min(7, nodeR * 0.24)) * (many ? 0.8 : 1);
    ctx.globalAlpha = m.lost ? 0.5 : 1;
    glyph(ctx, style.shape, x, y, s, style.shape === 'ring' ? style.fill : style.fill, style.stroke);
    ctx.globalAlpha = 1;
    if (m.lost && t > (m.lost === 'partition' ? 0.45 : 0.7)) cross(ctx, x, y, s + 2);
    if (showLabels) {
      // Greedy placement: a label that would overlap one already drawn is skipped.
      const lx = x - uy * 12;
      const ly = y + ux * 12;
      const w = m.label.length * 5.4 + 4;
      const box = { x0: lx - w / 2, x1: lx + w / 2, y0: ly - 7, y1: ly + 7 };
      if (!placed.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) {
        placed.push(box);
        text(ctx, m.label, lx, ly, { px: 10, color: palette.muted });
      }
    }
  }
}

/** The node under (x, y), if any. */
export function nodeAt(layout, x, y) {
  if (!layout) return null;
  for (let i = 0; i < layout.pos.length; i++) {
    const p = layout.pos[i];
    if (Math.hypot(p.x - x, p.y - y) <= layout.nodeR + 8) return layout.nodes[i];
  }
  return null;
}
