// The layout for clusters too large for the ring (more than 25 nodes, up to
// the thousand a gossip run uses): every node a small dot, its state by colour
// and shape, on one circle while the dots still have room there and on a grid
// beyond that; messages drawn as short strokes along their path, with no
// labels (a tooltip names each one). A protocol's drawing may export
// `dotStyle(node, snap)` → { fill, stroke, shape: 'circle' | 'square' |
// 'diamond' | 'ring' }; the default shows only whether the node is up.
import { palette, glyphPath, cross } from './common.js';
import { activeScene, circleBox } from './scene.js';
import { t } from '../i18n.js';
import { wholeNode } from '../describe.js';

/** The most nodes the ring layout draws in full. */
export const RING_MAX = 25;

/** Node positions for `n` dots in `rect`: { pos, nodeR, dots: true }. */
export function dotsLayout(n, rect) {
  const cx = rect.x + rect.w / 2;
  const cy = rect.y + rect.h / 2;
  const size = Math.min(rect.w, rect.h);
  const ringR = size / 2 - 12;
  // On one circle while each dot keeps about 7 px of arc.
  if ((2 * Math.PI * ringR) / n >= 7) {
    const nodeR = Math.max(2, Math.min(6, (Math.PI * ringR) / n - 1));
    const pos = [];
    for (let i = 0; i < n; i++) {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
      pos.push({ x: cx + ringR * Math.cos(a), y: cy + ringR * Math.sin(a), angle: a });
    }
    return { pos, nodeR, cx, cy, ringR, dots: true };
  }
  const cols = Math.max(1, Math.ceil(Math.sqrt((n * rect.w) / Math.max(1, rect.h))));
  const rows = Math.ceil(n / cols);
  const step = Math.min(rect.w / cols, rect.h / rows);
  const x0 = cx - (step * (cols - 1)) / 2;
  const y0 = cy - (step * (rows - 1)) / 2;
  const nodeR = Math.max(1.5, Math.min(6, step * 0.32));
  const pos = [];
  for (let i = 0; i < n; i++) pos.push({ x: x0 + step * (i % cols), y: y0 + step * Math.floor(i / cols), angle: 0 });
  return { pos, nodeR, cx, cy, ringR: 0, dots: true };
}

function defaultDotStyle(node) {
  return node.up ? { fill: palette.roles.follower.stroke, stroke: null, shape: 'circle' } : { fill: null, stroke: palette.down, shape: 'ring' };
}

/** A batch of dots, or of strokes, drawn in one style: one path, one fill or stroke call. */
function batchOf(batches, key, make) {
  let b = batches.get(key);
  if (!b) batches.set(key, (b = make()));
  return b;
}

/** Adds the dot at `p` to its style's batch (a hollow ring strokes; every other shape fills). */
function addDot(batches, p, r, style) {
  if (style.shape === 'ring' || !style.fill) {
    const stroke = style.stroke ?? palette.down;
    const b = batchOf(batches, `ring|${stroke}`, () => ({ path: new Path2D(), stroke, width: Math.max(1, r * 0.45) }));
    b.path.moveTo(p.x + r, p.y);
    b.path.arc(p.x, p.y, r, 0, 2 * Math.PI);
    return;
  }
  const circle = style.shape === 'circle';
  const stroke = style.stroke ?? (circle ? null : style.fill);
  const b = batchOf(batches, `${style.shape}|${style.fill}|${stroke}`, () => ({ path: new Path2D(), fill: style.fill, stroke, width: circle ? 1 : 1.5 }));
  if (circle) {
    b.path.moveTo(p.x + r, p.y);
    b.path.arc(p.x, p.y, r, 0, 2 * Math.PI);
  } else glyphPath(b.path, style.shape, p.x, p.y, r * 0.9);
}

function drawBatches(ctx, batches) {
  for (const b of batches.values()) {
    ctx.globalAlpha = b.alpha ?? 1;
    if (b.fill) {
      ctx.fillStyle = b.fill;
      ctx.fill(b.path);
    }
    if (b.stroke) {
      ctx.strokeStyle = b.stroke;
      ctx.lineWidth = b.width;
      ctx.stroke(b.path);
    }
  }
  ctx.globalAlpha = 1;
}

/**
 * Draws the nodes and messages of `snap` as dots. `groupOf` gives each node's
 * partition group (or null); `r` is the protocol's drawing, `styleOf` its
 * message style. Registers hit areas on the active scene.
 */
export function drawDots(ctx, snap, layout, view, r, groupOf, styleOf) {
  const sc = activeScene();
  const { pos, nodeR } = layout;
  const dotStyle = r.dotStyle ?? defaultDotStyle;
  // Messages: a short stroke from where the message is toward its target,
  // batched by style (a thousand strokes are a handful of draw calls).
  ctx.lineCap = 'round';
  const strokes = new Map();
  const crosses = [];
  for (const m of snap.messages) {
    const a = pos[m.from];
    const b = pos[m.to];
    if (!a || !b) continue;
    const span = Math.max(1, m.deliver_at - m.sent_at);
    // Reduced motion: at the receiver from the moment it is sent (render.js says why).
    let f = view.reducedMotion ? 1 : Math.min(1, Math.max(0, (view.time - m.sent_at) / span));
    if (m.lost === 'partition') f = Math.min(f, 0.5);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const tail = Math.min(10, len * 0.25) / len;
    const x = a.x + dx * f;
    const y = a.y + dy * f;
    const style = styleOf(r, m);
    const colour = style.stroke ?? style.fill ?? palette.muted;
    const selected = view.selectedMessage === m.id;
    const batch = batchOf(strokes, `${colour}|${m.lost ? 1 : 0}|${selected ? 1 : 0}`, () => ({ path: new Path2D(), stroke: colour, alpha: m.lost ? 0.35 : 0.8, width: selected ? 3 : 1.5 }));
    batch.path.moveTo(x - dx * tail, y - dy * tail);
    batch.path.lineTo(x, y);
    if (m.lost && f > 0.45) crosses.push([x, y]);
    sc.messages.push({ id: m.id, x, y, ux: dx / len, uy: dy / len, t: f, instant: !!view.reducedMotion, s: 2, label: '', legend: style.legend, lost: m.lost ?? null, labelShown: false });
    // Worked out only when pointed at, like the nodes' below (a compact frame fetches the label then).
    sc.hit(circleBox(x, y, 4), {
      kind: 'message', id: m.id, cx: x, cy: y, r: 4,
      get tip() {
        return `${m.label} · n${m.from} → n${m.to}${m.lost ? ` · ${t('dots.will_be_lost')}` : ''} · ${t('dots.click')}`;
      },
    });
  }
  drawBatches(ctx, strokes);
  for (const [x, y] of crosses) cross(ctx, x, y, 3);
  ctx.lineCap = 'butt';
  // Nodes: their partition group's halo, then the dots, each batched by style.
  const halos = new Map();
  const dots = new Map();
  let selectedAt = null;
  snap.nodes.forEach((node, i) => {
    const p = pos[i];
    if (!p) return;
    const g = groupOf ? groupOf[i] : -1;
    if (g >= 0) {
      const stroke = palette.groups[g % palette.groups.length];
      const b = batchOf(halos, stroke, () => ({ path: new Path2D(), stroke, width: 1.5 }));
      b.path.moveTo(p.x + nodeR + 2.5, p.y);
      b.path.arc(p.x, p.y, nodeR + 2.5, 0, 2 * Math.PI);
    }
    addDot(dots, p, nodeR, dotStyle(node, snap));
    if (view.selected === node.id) selectedAt = p;
    const hr = Math.max(nodeR + 2, 5);
    // The tooltip is worked out only when pointed at: a thousand describe()
    // calls a frame would cost more than the drawing.
    sc.hit(circleBox(p.x, p.y, hr), {
      kind: 'node', id: node.id, cx: p.x, cy: p.y, r: hr,
      get tip() {
        const whole = wholeNode(snap, node.id);
        return whole ? (r.describe?.(whole, snap) ?? []).slice(0, 4).join('\n') : '';
      },
    });
  });
  drawBatches(ctx, halos);
  drawBatches(ctx, dots);
  if (selectedAt) {
    ctx.beginPath();
    ctx.arc(selectedAt.x, selectedAt.y, nodeR + 5, 0, 2 * Math.PI);
    ctx.strokeStyle = palette.selected;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
}
