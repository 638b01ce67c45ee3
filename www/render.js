// Draws a snapshot onto a canvas: partitions, links, messages travelling
// between their send and delivery times, nodes (through the protocol's
// renderer), the protocol's detail panel, an empty-state hint and the
// message labels, following the rules in draw/scene.js. It never calls the
// engine; the same snapshot and view always give the same picture.
//
// A protocol's renderer (www/draw/<protocol>.js) exports:
//   messageStyles   every style messageStyle() can return, each with its
//                   `legend` name and an `explain` for its label
//   messageStyle(m) the style of one message in flight
//   drawNode, split, drawDetail   the node, the layout, the panel below
//   describe(node, snap)          the details panel's lines (optional)
//   emptyHint(snap)               what to do first, when nothing happened yet
//   hintAction(snap)              the hint's button: { label, event } (default:
//                                 send a client request)
//   messageFields(payload)        the message card's rows (optional)
//   milestoneTone(record)         'bad' for milestones that are failures
//   milestoneLegend               what a milestone marker stands for
//   stateWord(node)               the node's state in a word, for the canvas's
//                                 text alternative (announce.js; optional)
import { palette, ringLayout, glyph, cross, text, hashedStyle, blockNodes } from './draw/common.js';
import { beginScene, endScene, activeScene, placeMessageLabels, circleBox } from './draw/scene.js';
import { groupsText } from './names.js';
import { RING_MAX, dotsLayout, drawDots } from './draw/dots.js';
import * as raft from './draw/raft.js';
import * as generic from './draw/generic.js';
import { t } from './i18n.js';

// Raft's drawing comes with the page; the others load with their protocol,
// like the engines do, so the first page stays small. A protocol's drawing is
// `www/draw/<protocol>.js` by convention (a new protocol adds only that file),
// exporting its parts by name or as one `default` object; the build lists the
// protocols that have one in www/draw/index.json, so a protocol without a
// drawing is never fetched for. What a drawing does not export falls back to
// the generic drawing's.
const renderers = { raft };
let drawings = null;

/** The protocols with a drawing of their own (fetched once). */
function ownDrawings() {
  drawings ??= fetch(new URL('./draw/index.json', import.meta.url))
    .then((res) => (res.ok ? res.json() : []))
    .catch(() => []);
  return drawings;
}

async function importDrawing(protocol) {
  if (!(await ownDrawings()).includes(protocol)) return null;
  // Registry names are lower-case words joined by hyphens; anything else never
  // becomes a path.
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(protocol)) return null;
  const mod = await import(`./draw/${protocol}.js`);
  return mod.default ?? mod;
}

export function rendererFor(protocol) {
  return Object.hasOwn(renderers, protocol) ? renderers[protocol] : generic;
}

/** Loads (once) the drawing module of a protocol; unknown ones draw plainly. */
export async function loadRenderer(protocol) {
  if (!Object.hasOwn(renderers, protocol)) {
    const own = await importDrawing(protocol);
    renderers[protocol] = own ? { ...generic, ...own } : generic;
  }
  return rendererFor(protocol);
}

/** The style a message is drawn with (never null). */
export function styleOf(r, m) {
  return r.messageStyle(m) ?? { ...hashedStyle(m.kind), legend: m.kind };
}

/**
 * Draws `snap` at display time `view.time` into a rect of `width`×`height`
 * CSS pixels. `view.selected` rings a node, `view.paused` lets every message
 * label that finds room show, `view.reducedMotion` draws messages without
 * travelling. Returns the layout used, with the frame's
 * scene (for hit testing, and its empty-state `hint` for the page).
 */
export function drawScene(ctx, snap, view) {
  const { width, height } = view;
  const r = rendererFor(snap.protocol);
  const scene = beginScene(width, height);
  try {
    ctx.fillStyle = palette.bg;
    ctx.fillRect(0, 0, width, height);
    header(ctx, snap, view);
    const area = { x: 0, y: 0, w: width, h: height };
    const parts = r.split(area, snap);
    const n = snap.nodes.length;
    const groupOf = groupIndex(snap.network.groups, n);
    const draft = view.draftGroups ? groupIndex(view.draftGroups, n) : null;
    if (parts.detail) scene.block(rectBox(parts.detail), 'panel');
    if (n > RING_MAX) {
      // Too many for the ring: dots, state by colour and shape (draw/dots.js).
      // Below the header (the simulated time, y 4–40), so the first row never runs into it.
      const layout = dotsLayout(n, inset(parts.ring, 10, 44));
      drawDots(ctx, snap, layout, view, r, draft ?? groupOf, styleOf);
      if (parts.detail) r.drawDetail(ctx, snap, parts.detail, { time: view.time, n, selected: view.selected });
      scene.hint = r.emptyHint?.(snap) ?? null;
      scene.hintAction = scene.hint ? r.hintAction?.(snap) ?? null : null;
      return { ...layout, nodes: snap.nodes.map((d) => d.id), scene };
    }
    const layout = ringLayout(n, inset(parts.ring, 10, 28));

    drawLinks(ctx, layout, groupOf);
    drawHalos(ctx, layout, groupOf, false);
    if (draft) drawHalos(ctx, layout, draft, true);
    drawMessages(ctx, snap, layout, view, r);
    blockNodes(layout.pos, layout.nodeR, (i) => Math.max(groupOf || draft ? (draft ? 10 : 7) : 0, snap.nodes[i]?.id === view.selected ? 5 : 0));
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
      const tip = (r.describe?.(node, snap) ?? []).slice(0, 4).join('\n');
      scene.hit(circleBox(p.x, p.y, layout.nodeR + 8), { kind: 'node', id: node.id, tip, cx: p.x, cy: p.y, r: layout.nodeR + 8 });
    });
    if (parts.detail) r.drawDetail(ctx, snap, parts.detail, nodeView);
    scene.hint = r.emptyHint?.(snap) ?? null;
    scene.hintAction = scene.hint ? r.hintAction?.(snap) ?? null : null;
    placeMessageLabels(ctx, scene, { paused: !!view.paused, budget: n > 9 ? 3 : 6 });
    return { ...layout, nodes: snap.nodes.map((d) => d.id), scene };
  } finally {
    endScene();
  }
}

/** The simulated time (top left) and the partition (top right), which labels avoid. */
function header(ctx, snap, view) {
  const sc = activeScene();
  text(ctx, `${Math.floor(view.time).toLocaleString('en-US')} ms`, 12, 16, { px: 15, weight: 650, align: 'left', color: palette.ink });
  text(ctx, t('render.simulated_time'), 12, 33, { px: 10, align: 'left', color: palette.muted });
  sc.block({ x0: 8, y0: 4, x1: 104, y1: 40 }, 'header');
  if (snap.network.groups.length) {
    const s = t('render.partitioned', { groups: groupsText(snap.network.groups) });
    text(ctx, s, view.width - 12, 16, { px: 12, weight: 600, align: 'right', color: palette.groups[1] });
    const box = sc.texts[sc.texts.length - 1];
    sc.block({ x0: box.x0 - 4, y0: 4, x1: box.x1 + 4, y1: box.y1 + 4 }, 'header');
  }
}

function rectBox(a) {
  return { x0: a.x - 6, y0: a.y - 4, x1: a.x + a.w + 6, y1: a.y + a.h };
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

/**
 * Where message `m` is drawn at `time`: position, direction, progress. With
 * `instant` (the reader prefers reduced motion) a message does not travel:
 * it sits at its receiver from the moment it is sent (a lost one where it is
 * lost), and a still line from its sender says where it came from.
 */
function messagePlace(m, layout, time, instant = false) {
  const { pos, nodeR } = layout;
  const a = pos[m.from];
  const b = pos[m.to];
  if (!a || !b) return null;
  const span = Math.max(1, m.deliver_at - m.sent_at);
  let t = instant ? 1 : Math.min(1, Math.max(0, (time - m.sent_at) / span));
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
  return { x: sx + (ex - sx) * t, y: sy + (ey - sy) * t, ux, uy, t, sx, sy };
}

/** Whether the reader asked for reduced motion (read every frame: the setting can change while the page is open). */
export function prefersReducedMotion() {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function drawMessages(ctx, snap, layout, view, r) {
  const sc = activeScene();
  const many = snap.messages.length > 40;
  // Labels are for readable rings only; crowded rings rely on tooltips.
  const labelled = snap.nodes.length <= 12 && layout.nodeR >= 12;
  const instant = !!view.reducedMotion;
  for (const m of snap.messages) {
    const at = messagePlace(m, layout, view.time, instant);
    if (!at) continue;
    const style = styleOf(r, m);
    if (instant) {
      ctx.beginPath();
      ctx.moveTo(at.sx, at.sy);
      ctx.lineTo(at.x, at.y);
      ctx.strokeStyle = style.stroke ?? palette.edge;
      ctx.globalAlpha = 0.45;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    const s = (style.small ? 0.72 : 1) * Math.max(3.5, Math.min(7, layout.nodeR * 0.24)) * (many ? 0.8 : 1);
    ctx.globalAlpha = m.lost ? 0.5 : 1;
    glyph(ctx, style.shape, at.x, at.y, s, style.fill, style.stroke);
    ctx.globalAlpha = 1;
    if (view.selectedMessage === m.id) {
      ctx.beginPath();
      ctx.arc(at.x, at.y, s + 5, 0, 2 * Math.PI);
      ctx.strokeStyle = palette.selected;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    const crossed = m.lost && at.t > (m.lost === 'partition' ? 0.45 : 0.7);
    if (crossed) {
      cross(ctx, at.x, at.y, s + 2);
      sc.crosses.push(circleBox(at.x, at.y, s + 3));
      sc.block(circleBox(at.x, at.y, s + 3), 'cross');
    }
    const tip = `${m.label} · n${m.from} → n${m.to}${m.lost ? ' · will be lost' : ''} · click for details`;
    sc.messages.push({ id: m.id, x: at.x, y: at.y, ux: at.ux, uy: at.uy, t: at.t, instant, s, label: labelled ? m.label : '', legend: style.legend, lost: m.lost ?? null, labelShown: false });
    sc.hit(circleBox(at.x, at.y, s + 4), { kind: 'message', id: m.id, tip, cx: at.x, cy: at.y, r: s + 4 });
  }
}

/**
 * What is under (x, y): { kind: 'message' | 'node', id } or null. A message
 * wins when the point is on its glyph, a node otherwise; `slop` widens
 * message glyphs for fingers.
 */
export function thingAt(layout, x, y, slop = 0) {
  const sc = layout?.scene;
  if (!sc) return null;
  return sc.hitAt(x, y, ['message']) ?? sc.hitAt(x, y, ['node']) ?? (slop ? sc.hitAt(x, y, ['message'], slop) : null);
}

/** The node under (x, y), if any. */
export function nodeAt(layout, x, y) {
  const h = layout?.scene?.hitAt(x, y, ['node']);
  return h ? h.id : null;
}
