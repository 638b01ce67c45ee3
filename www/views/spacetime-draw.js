// Draws the space-time diagram: a vertical line per node with time running
// down, each message an arrow from (sender, sent_at) to (receiver, arrival)
// in its protocol's message style (render.js styleOf, as in the cluster and
// the legend), lost messages ending in ✕, crashes, restarts, pauses,
// partitions and the timeline's other markers on the lines, and the moment on
// screen as a horizontal cursor. It draws onto a canvas context or onto an
// SvgContext (the SVG export) alike, only what falls in the time window, and
// follows draw/scene.js: labels are recorded in the frame's scene and never
// cover a name, another label or a ✕; while the run plays only a few show.
import { palette, glyph, cross, text, font, fit } from '../draw/common.js';
import { beginScene, endScene, placeMessageLabels, circleBox, textBox } from '../draw/scene.js';
import { styleOf } from '../render.js';
import { markerShape, MARKERS } from '../timeline.js';
import { nodeName, timeText, readerText } from '../names.js';
import { group, endGroup } from './svg-context.js';
import { t } from '../i18n.js';

const TOP = 30;
const BOTTOM = 8;
/** The narrowest time gutter; it widens to fit the cursor's time. */
const GUTTER = 56;
const RIGHT = 14;

/** Where things go: columns per node, rows per millisecond. */
export function geometry(width, height, n, t0, t1, gutter = GUTTER) {
  const colW = (width - gutter - RIGHT) / Math.max(1, n);
  const plotH = Math.max(10, height - TOP - BOTTOM);
  const span = Math.max(1, t1 - t0);
  return {
    width,
    height,
    top: TOP,
    bottom: height - BOTTOM,
    left: gutter,
    right: width - RIGHT,
    colW,
    t0,
    t1,
    x: (i) => gutter + colW * (i + 0.5),
    y: (t) => TOP + ((t - t0) / span) * plotH,
    timeAt: (y) => t0 + ((y - TOP) / plotH) * span,
  };
}

/** A round step for time ticks, so that labels are at least `minPx` apart. */
function tickStep(g, minPx) {
  const msPerPx = (g.t1 - g.t0) / Math.max(1, g.bottom - g.top);
  const want = msPerPx * minPx;
  for (const base of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000]) {
    if (base >= want) return base;
  }
  return 600_000 * Math.ceil(want / 600_000);
}

/** A point a fraction `f` of the way from a to b. */
const lerp = (a, b, f) => ({ x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f });

/**
 * Where message `m` is drawn at `now`: its start, where it ends (or has got
 * to), whether it arrived, and whether it ends in ✕. Null when it has no
 * place yet.
 */
export function arrowOf(m, g, now) {
  if (m.from == null || m.to == null || m.sent_at == null) return null;
  const a = { x: g.x(m.from), y: g.y(m.sent_at) };
  const planned = m.deliver_at ?? m.end;
  const ended = m.end != null && m.end <= now;
  if (planned == null) return null;
  const b = { x: g.x(m.to), y: g.y(planned) };
  const span = Math.max(1, planned - m.sent_at);
  if (ended && m.outcome === 'delivered') return { a, b: { x: g.x(m.to), y: g.y(m.end) }, arrived: true, crossed: false, moving: false };
  if (ended) {
    // Lost: a partition cuts it half-way (as the cluster draws it); a crash
    // or a hand drop where it had got to; the network just before arrival.
    let f = m.lost === 'partition' ? 0.5 : m.end < planned ? (m.end - m.sent_at) / span : 0.92;
    f = Math.min(1, Math.max(0, f));
    return { a, b: lerp(a, b, f), arrived: false, crossed: true, moving: false };
  }
  // On the wire at `now`: as far as it has got, marked ✕ once it is visibly
  // doomed (the cluster view's rule).
  let f = Math.min(1, Math.max(0, (now - m.sent_at) / span));
  if (m.lost === 'partition') f = Math.min(f, 0.5);
  const crossed = !!m.lost && f > (m.lost === 'partition' ? 0.45 : 0.7);
  return { a, b: lerp(a, b, f), arrived: false, crossed, moving: true };
}

/** Intervals [from, to) in which each node is down, from crash/restart (and leave/join) markers. */
function downIntervals(markers, n, now) {
  const out = Array.from({ length: n }, () => []);
  const open = new Array(n).fill(null);
  for (const mk of markers) {
    if (mk.node == null || mk.node >= n) continue;
    if ((mk.kind === 'crash' || mk.kind === 'leave') && open[mk.node] == null) open[mk.node] = mk.time_ms;
    if ((mk.kind === 'restart' || mk.kind === 'join') && open[mk.node] != null) {
      out[mk.node].push([open[mk.node], mk.time_ms]);
      open[mk.node] = null;
    }
  }
  open.forEach((t, i) => t != null && out[i].push([t, now]));
  return out;
}

/** Partitions as bands [from, to) with their words, from partition/heal markers. */
function partitionBands(markers, now) {
  const out = [];
  let open = null;
  for (const mk of markers) {
    if (mk.kind === 'partition') {
      if (open) out.push({ ...open, to: mk.time_ms });
      open = { from: mk.time_ms, text: mk.text };
    } else if (mk.kind === 'heal' && open) {
      out.push({ ...open, to: mk.time_ms });
      open = null;
    }
  }
  if (open) out.push({ ...open, to: now });
  return out;
}

function segment(ctx, x, y0, y1, color, width, dash = []) {
  if (y1 <= y0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.moveTo(x, y0);
  ctx.lineTo(x, y1);
  ctx.stroke();
  ctx.setLineDash([]);
}

function arrowHead(ctx, a, b, color, size = 6) {
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const ux = (b.x - a.x) / len;
  const uy = (b.y - a.y) / len;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(b.x, b.y);
  ctx.lineTo(b.x - ux * size - uy * size * 0.45, b.y - uy * size + ux * size * 0.45);
  ctx.lineTo(b.x - ux * size + uy * size * 0.45, b.y - uy * size - ux * size * 0.45);
  ctx.closePath();
  ctx.fill();
}

/**
 * Draws the diagram. `model`: { n, messages, markers, pauses(node, t) →
 * until|null, renderer, now, head (the furthest moment reached), t0, t1,
 * selectedNode, selectedMessage, paused }.
 * Returns the frame: { g, arrows, marks, scene } (arrows and marks with
 * their hit geometry).
 */
export function drawSpacetime(ctx, width, height, model) {
  const { n, now, renderer } = model;
  const nowText = `${Math.floor(now).toLocaleString('en-US')} ms`;
  font(ctx, 11, 650);
  const g = geometry(width, height, n, model.t0, model.t1, Math.max(GUTTER, Math.ceil(ctx.measureText(nowText).width) + 16));
  const scene = beginScene(width, height);
  const arrows = [];
  const marks = [];
  try {
    ctx.fillStyle = palette.bg;
    ctx.fillRect(0, 0, width, height);
    const yNow = g.y(now);
    const visible = (t) => t >= g.t0 && t <= g.t1;

    // Partitions: a tinted band across every line while they last.
    for (const band of partitionBands(model.markers, now)) {
      if (band.to < g.t0 || band.from > g.t1) continue;
      const y0 = Math.max(g.top, g.y(band.from));
      const y1 = Math.min(g.bottom, g.y(band.to));
      ctx.globalAlpha = 0.08;
      ctx.fillStyle = MARKERS.partition.color;
      ctx.fillRect(g.left, y0, g.right - g.left, Math.max(1, y1 - y0));
      ctx.globalAlpha = 1;
    }

    // Time ticks in the gutter.
    const step = tickStep(g, 46);
    font(ctx, 10);
    for (let t = Math.max(0, Math.ceil(g.t0 / step) * step); t <= g.t1; t += step) {
      const y = g.y(t);
      if (y < g.top + 6 || y > g.bottom - 4) continue;
      ctx.strokeStyle = palette.edge;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(g.left - 4, y);
      ctx.lineTo(g.right, y);
      ctx.stroke();
      text(ctx, timeText(t), g.left - 8, y, { px: 10, color: palette.muted, align: 'right' });
    }
    scene.block({ x0: 0, y0: 0, x1: g.left - 2, y1: height }, 'header');

    // A line per node: solid up to the moment on screen, grey and dashed
    // while the node is down, purple while it is paused.
    const down = downIntervals(model.markers, n, now);
    const lineEnd = Math.min(g.bottom, yNow);
    const lineStart = Math.max(g.top, g.y(0));
    for (let i = 0; i < n; i++) {
      const x = g.x(i);
      const sel = model.selectedNode === i;
      segment(ctx, x, lineStart, lineEnd, sel ? palette.selected : '#8794a3', sel ? 2.5 : 1.5);
      segment(ctx, x, Math.max(lineStart, yNow), g.bottom, palette.faint, 1, [2, 4]);
      for (const [a, b] of down[i]) {
        const y0 = Math.max(lineStart, g.y(a));
        const y1 = Math.min(lineEnd, g.y(b));
        if (y1 <= y0) continue;
        ctx.fillStyle = palette.bg;
        ctx.fillRect(x - 3, y0, 6, y1 - y0);
        segment(ctx, x, y0, y1, palette.down, 1.5, [4, 4]);
      }
      for (const mk of model.markers) {
        if (mk.kind !== 'pause' || mk.node !== i) continue;
        const until = model.pauses(i, mk.time_ms) ?? mk.time_ms;
        const y0 = Math.max(lineStart, g.y(mk.time_ms));
        const y1 = Math.min(lineEnd, g.y(Math.min(until, now)));
        segment(ctx, x, y0, y1, palette.paused, 4);
      }
    }

    // Messages. What the run did after the moment on screen (up to the
    // furthest moment reached, after a seek back) shows faint.
    const head = Math.max(now, model.head ?? now);
    for (const m of model.messages) {
      const future = m.sent_at > now;
      const at = arrowOf(m, g, future ? head : now);
      if (!at) continue;
      const m2 = { kind: m.kind ?? '', label: m.label ?? '' };
      const style = styleOf(renderer, m2);
      const color = style.stroke ?? style.fill ?? palette.ink;
      const lost = at.crossed || (m.lost && !at.arrived);
      const selected = model.selectedMessage === m.id;
      group(ctx, { class: future ? 'arrow future' : 'arrow', 'data-id': m.id, 'data-from': m.from, 'data-to': m.to, 'data-kind': m.kind ?? '', 'data-lost': at.crossed ? 'true' : 'false' });
      const alpha = future ? 0.28 : lost ? 0.6 : 1;
      if (selected) {
        ctx.strokeStyle = palette.selected;
        ctx.lineWidth = 5;
        ctx.globalAlpha = 0.35;
        ctx.beginPath();
        ctx.moveTo(at.a.x, at.a.y);
        ctx.lineTo(at.b.x, at.b.y);
        ctx.stroke();
      }
      ctx.globalAlpha = alpha;
      ctx.strokeStyle = color;
      ctx.lineWidth = selected ? 2 : 1.3;
      ctx.beginPath();
      ctx.moveTo(at.a.x, at.a.y);
      ctx.lineTo(at.b.x, at.b.y);
      ctx.stroke();
      if (at.arrived) arrowHead(ctx, at.a, at.b, color);
      // On the wire now: the rest of its way, faint, when the run went on past here.
      const rest = !future && at.moving && head > now ? arrowOf(m, g, head) : null;
      if (rest && (rest.b.x !== at.b.x || rest.b.y !== at.b.y)) {
        ctx.globalAlpha = 0.28;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(at.b.x, at.b.y);
        ctx.lineTo(rest.b.x, rest.b.y);
        ctx.stroke();
        ctx.setLineDash([]);
        if (rest.arrived) arrowHead(ctx, at.a, rest.b, color);
        if (rest.crossed && !rest.moving) cross(ctx, rest.b.x, rest.b.y, 4.5);
      }
      ctx.globalAlpha = future ? alpha : 1;
      // The kind's glyph: where it is now while on the wire, else part-way
      // (not half-way, where it would sit on the middle node's line).
      const mid = at.moving ? at.b : lerp(at.a, at.b, 0.42);
      const s = (style.small ? 0.75 : 1) * (at.moving ? 4 : 3);
      if (!at.crossed || at.moving) glyph(ctx, style.shape, mid.x, mid.y, s, style.fill, style.stroke);
      if (selected && at.moving) {
        ctx.strokeStyle = palette.selected;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(mid.x, mid.y, s + 4, 0, 2 * Math.PI);
        ctx.stroke();
      }
      if (at.crossed) {
        cross(ctx, at.b.x, at.b.y, 4.5);
        scene.crosses.push(circleBox(at.b.x, at.b.y, 5.5));
        scene.block(circleBox(at.b.x, at.b.y, 5.5), 'cross');
      }
      ctx.globalAlpha = 1;
      endGroup(ctx);
      const len = Math.hypot(at.b.x - at.a.x, at.b.y - at.a.y) || 1;
      const entry = { id: m.id, from: m.from, to: m.to, kind: m.kind, label: m.label, sent_at: m.sent_at, end: m.end, deliver_at: m.deliver_at, outcome: m.outcome, lost: m.lost, why: m.why, x0: at.a.x, y0: at.a.y, x1: at.b.x, y1: at.b.y, arrived: at.arrived, crossed: at.crossed, future, legend: style.legend ?? m.kind };
      arrows.push(entry);
      // Labels only where arrows are steep enough to read one beside them.
      if (!future && len >= 70 && Math.abs(at.b.y - at.a.y) >= 14 && mid.y > g.top + 8 && mid.y < g.bottom - 8) {
        scene.messages.push({ id: m.id, x: mid.x, y: mid.y, ux: (at.b.x - at.a.x) / len, uy: (at.b.y - at.a.y) / len, s, label: m.label, legend: style.legend, lost: m.lost ?? null, labelShown: false });
      }
    }

    // Markers on the lines (partitions and heals across them all).
    for (const mk of model.markers) {
      if (!visible(mk.time_ms) || mk.time_ms > head) continue;
      const later = mk.time_ms > now;
      const kind = MARKERS[mk.kind] ? mk.kind : 'milestone';
      const y = g.y(mk.time_ms);
      if (y < g.top) continue;
      const across = mk.node == null || mk.node >= n;
      const x = across ? g.left + 6 : g.x(mk.node);
      group(ctx, { class: 'marker', 'data-kind': kind, 'data-time': mk.time_ms });
      ctx.globalAlpha = later ? 0.4 : 1;
      if (across) {
        ctx.strokeStyle = MARKERS[kind].color;
        ctx.lineWidth = 1;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(g.left, y);
        ctx.lineTo(g.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = palette.bg;
      ctx.beginPath();
      ctx.arc(x, y, 6.5, 0, 2 * Math.PI);
      ctx.fill();
      markerShape(ctx, kind, x, y, 5);
      ctx.globalAlpha = 1;
      endGroup(ctx);
      scene.block(circleBox(x, y, 7), 'marker');
      const words = readerText(mk.node != null && kind === 'milestone' ? `${nodeName(mk.node)} ${mk.text}` : mk.text);
      marks.push({ kind, time_ms: mk.time_ms, node: mk.node ?? null, x, y, text: words, later });
    }
    // Marker words beside them where there is room (thinned while playing).
    markerLabels(ctx, scene, marks, g, model.paused ? Infinity : 3);

    // The moment on screen.
    if (yNow >= g.top && yNow <= g.bottom) {
      ctx.strokeStyle = palette.selected;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(g.left - 4, yNow);
      ctx.lineTo(g.right, yNow);
      ctx.stroke();
      ctx.fillStyle = palette.bg;
      ctx.fillRect(2, yNow - 8, g.left - 6, 16);
      text(ctx, nowText, g.left - 8, yNow, { px: 11, weight: 650, color: palette.selected, align: 'right' });
    }

    // The names on top, over anything that runs above the window.
    ctx.fillStyle = palette.bg;
    ctx.fillRect(0, 0, width, g.top);
    ctx.strokeStyle = palette.edge;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, g.top - 0.5);
    ctx.lineTo(width, g.top - 0.5);
    ctx.stroke();
    scene.block({ x0: 0, y0: 0, x1: width, y1: g.top + 2 }, 'header');
    for (let i = 0; i < n; i++) {
      const sel = model.selectedNode === i;
      const px = g.colW >= 26 ? 12 : 10;
      text(ctx, nodeName(i), g.x(i), g.top / 2, { px, weight: 650, color: sel ? palette.selected : palette.ink });
      scene.hit({ x0: g.x(i) - g.colW / 2, y0: 0, x1: g.x(i) + g.colW / 2, y1: g.top }, { kind: 'node', id: i, tip: `${nodeName(i)}: click to select it` });
    }
    text(ctx, t('st.time_down'), g.left - 8, g.top / 2, { px: 10, color: palette.muted, align: 'right' });

    placeMessageLabels(ctx, scene, { paused: !!model.paused, budget: n > 9 ? 2 : 4 });
    return { g, arrows, marks, scene };
  } finally {
    endScene();
  }
}

/** Each marker's words to the right of it when they fit and cover nothing. */
function markerLabels(ctx, scene, marks, g, budget) {
  let shown = 0;
  const px = 10;
  font(ctx, px);
  for (const mk of marks) {
    if (shown >= budget) break;
    if (mk.later) continue;
    const room = (mk.node == null ? g.right - mk.x : g.colW) - 14;
    if (room < 40) continue;
    const s = fit(ctx, mk.text, room);
    const w = ctx.measureText(s).width;
    // To the right of the marker, or to its left (the last line has no right).
    for (const [x, align] of [[mk.x + 9, 'left'], [mk.x - 9, 'right']]) {
      const box = textBox(x, mk.y, w, px, align);
      const padded = { x0: box.x0 - 1, y0: box.y0 - 1, x1: box.x1 + 1, y1: box.y1 + 1 };
      if (!scene.inside(padded) || scene.collides(padded)) continue;
      ctx.lineJoin = 'round';
      ctx.strokeStyle = 'rgba(251,252,253,0.92)';
      ctx.lineWidth = 3;
      ctx.textAlign = align;
      ctx.textBaseline = 'middle';
      ctx.strokeText(s, x, mk.y);
      ctx.lineJoin = 'miter';
      text(ctx, s, x, mk.y, { px, color: MARKERS[mk.kind]?.color ?? palette.muted, align });
      scene.addLabel(padded, s, 'marker');
      shown += 1;
      break;
    }
  }
}
