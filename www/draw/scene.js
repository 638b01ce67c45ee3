// What one frame drew and where, and the drawing rules every protocol's
// renderer follows. They live here, not in each renderer, so that a new
// protocol gets them by using these helpers:
//
// 1. Nothing leaves the canvas. Every text drawn through common.text() is
//    recorded with its box; labels beside nodes stay inside the ring's
//    bounds (labelLines) and message labels inside the canvas.
// 2. Labels never sit on nodes, on other labels or on ✕ marks. Node bodies,
//    node labels, ✕ marks, the header texts, hints and the detail panel are
//    obstacles; a label takes the first free spot among a few candidates,
//    with fewer lines if need be, or is not drawn.
// 3. Crowded means thinner, never overlapping: while the run plays only a
//    few message labels show (one per distinct text); paused, every label
//    that finds room shows; every message and node has a tooltip, so what is
//    not drawn shows on hover.
// 4. No empty picture without a hint: a renderer's emptyHint(snap) says what
//    to do first; the page shows it just above the cluster with a button
//    that does it (never over the drawing, so it cannot hide anything).
//
// The scene also keeps hit areas (a message to click, a log cell to hover)
// and is what the browser tests read to check these rules.
// A leaf module: common.js draws through it, so it imports nothing.

const FAMILY = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif';
const font = (ctx, px, weight = 400) => {
  ctx.font = `${weight} ${px}px ${FAMILY}`;
};
const MUTED = '#6b7785';

let current = null;

/** Starts recording a frame of `width`×`height` CSS pixels. */
export function beginScene(width, height) {
  current = new Scene(width, height);
  return current;
}

/** Stops recording and returns the frame's scene. */
export function endScene() {
  const s = current;
  current = null;
  return s;
}

/** The scene being drawn, or null outside a frame (legend glyphs, the timeline). */
export function activeScene() {
  return current;
}

/** Whether two boxes overlap; a box with `r` is a circle (centre cx, cy). */
export function overlaps(a, b) {
  if (!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1)) return false;
  if (a.r != null && b.r != null) return Math.hypot(a.cx - b.cx, a.cy - b.cy) < a.r + b.r;
  const c = a.r != null ? a : b.r != null ? b : null;
  if (!c) return true;
  const box = c === a ? b : a;
  const dx = Math.max(box.x0 - c.cx, 0, c.cx - box.x1);
  const dy = Math.max(box.y0 - c.cy, 0, c.cy - box.y1);
  return dx * dx + dy * dy < c.r * c.r;
}

/** A circle as a box (with its centre and radius, so overlaps() treats it as round). */
export function circleBox(x, y, r) {
  return { x0: x - r, y0: y - r, x1: x + r, y1: y + r, cx: x, cy: y, r };
}

/** The box of a text of width `w` and size `px` drawn at (x, y) with this alignment. */
export function textBox(x, y, w, px, align = 'center', baseline = 'middle') {
  const x0 = align === 'left' || align === 'start' ? x : align === 'right' || align === 'end' ? x - w : x - w / 2;
  let y0;
  if (baseline === 'top') y0 = y;
  else if (baseline === 'bottom') y0 = y - px;
  else if (baseline === 'middle') y0 = y - px / 2;
  else y0 = y - px * 0.8;
  return { x0, y0, x1: x0 + w, y1: y0 + px };
}

export class Scene {
  constructor(width, height) {
    this.w = width;
    this.h = height;
    /** Places labels must avoid: { x0, y0, x1, y1, kind }. */
    this.obstacles = [];
    /** Labels drawn beside nodes and messages: { x0, y0, x1, y1, s, kind }. */
    this.labels = [];
    /** Every text drawn: { x0, y0, x1, y1, s }. */
    this.texts = [];
    /** Things a pointer can point at: { x0, y0, x1, y1, kind, id, tip, cx?, cy?, r? }. */
    this.hits = [];
    /** Messages drawn: { id, x, y, ux, uy, t (0 at the sender, 1 at the receiver), instant (drawn without travelling), s, label, legend, lost, labelShown }. */
    this.messages = [];
    /** Shapes that tell a node's state besides its colour: { kind: 'crashed' | 'leader', cx, cy }. */
    this.cues = [];
    /** ✕ marks drawn over lost messages. */
    this.crosses = [];
    /** The empty-state hint shown, if any. */
    this.hint = null;
  }

  block(box, kind = 'obstacle') {
    this.obstacles.push({ ...box, kind });
  }

  /** Whether `box` touches an obstacle or a label (`except` is ignored: a label's own node). */
  collides(box, except = null) {
    for (const o of this.obstacles) if (o !== except && overlaps(o, box)) return true;
    for (const l of this.labels) if (overlaps(l, box)) return true;
    return false;
  }

  inside(box, bounds = { x: 0, y: 0, w: this.w, h: this.h }) {
    return box.x0 >= bounds.x - 0.5 && box.y0 >= bounds.y - 0.5 && box.x1 <= bounds.x + bounds.w + 0.5 && box.y1 <= bounds.y + bounds.h + 0.5;
  }

  addLabel(box, s, kind) {
    this.labels.push({ ...box, s, kind });
  }

  hit(box, info) {
    // Into `info` itself: spreading it would run a lazy `tip` getter now.
    this.hits.push(Object.assign(info, box));
  }

  /** The topmost hit area under (x, y) whose kind is in `kinds` (all when omitted). */
  hitAt(x, y, kinds = null, slop = 0) {
    for (let i = this.hits.length - 1; i >= 0; i--) {
      const h = this.hits[i];
      if (kinds && !kinds.includes(h.kind)) continue;
      const inBox = h.r != null ? Math.hypot(h.cx - x, h.cy - y) <= h.r + slop : x >= h.x0 - slop && x <= h.x1 + slop && y >= h.y0 - slop && y <= h.y1 + slop;
      if (inBox) return h;
    }
    return null;
  }
}

/** Text with a white halo, so that it reads over lines and glyphs. */
function haloText(ctx, s, x, y, px, color, weight = 400) {
  font(ctx, px, weight);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = 'rgba(251,252,253,0.92)';
  ctx.lineWidth = 3;
  ctx.strokeText(s, x, y);
  ctx.fillStyle = color;
  ctx.fillText(s, x, y);
}

/**
 * Labels for the messages recorded in the scene (rules 2 and 3): beside the
 * glyph, on either side of its track, wherever nothing else is. `paused`
 * shows every label that finds room; otherwise at most `budget`, one per
 * distinct text.
 */
export function placeMessageLabels(ctx, scene, { paused, budget = 6, px = 10 }) {
  const seen = new Set();
  let shown = 0;
  font(ctx, px);
  const all = { x: 0, y: 0, w: scene.w, h: scene.h };
  for (const m of scene.messages) {
    m.labelShown = false;
    if (!m.label) continue;
    if (!paused && (seen.has(m.label) || shown >= budget)) continue;
    const w = ctx.measureText(m.label).width + 4;
    const h = px + 3;
    // Out from the track on either side, just clear of the glyph, then a
    // step further out.
    const nx = -m.uy;
    const ny = m.ux;
    const off = m.s + 4 + Math.abs(nx) * (w / 2) + Math.abs(ny) * (h / 2);
    const far = off + Math.abs(nx) * w * 0.5 + Math.abs(ny) * h + 2;
    const spots = [[nx * off, ny * off], [-nx * off, -ny * off], [nx * far, ny * far], [-nx * far, -ny * far]];
    for (const [dx, dy] of spots) {
      const cx = m.x + dx;
      const cy = m.y + dy;
      const box = { x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 };
      if (!scene.inside(box, all) || scene.collides(box)) continue;
      haloText(ctx, m.label, cx, cy, px, MUTED);
      scene.addLabel(box, m.label, 'message');
      m.labelShown = true;
      shown += 1;
      seen.add(m.label);
      break;
    }
  }
}
