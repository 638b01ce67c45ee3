// Drawing helpers shared by every protocol's renderer: the palette, text,
// shapes for message kinds, ring geometry, labels beside nodes. Pure
// functions of their arguments, except that text and labels are recorded in
// the frame's scene (scene.js states the rules they enforce).
import { activeScene, textBox, circleBox } from './scene.js';

export const palette = {
  bg: '#fbfcfd',
  ink: '#1d2733',
  muted: '#6b7785',
  faint: '#d9dee5',
  edge: '#e6eaef',
  selected: '#2f6fde',
  down: '#a3aab3',
  paused: '#8a4fd1',
  danger: '#c62f2f',
  ok: '#23874a',
  roles: {
    follower: { fill: '#eaf0f6', stroke: '#5b6b7f' },
    candidate: { fill: '#fde9c4', stroke: '#b8740a' },
    leader: { fill: '#d3eedb', stroke: '#1f7a42' },
  },
  groups: ['#2f6fde', '#d1572f', '#2b9b8f', '#a347c2', '#b8940a', '#5b6b7f'],
};

/** A distinct, readable fill for a term (or any small integer). */
export function termColor(term, alpha = 1) {
  const hue = (term * 47 + 200) % 360;
  return `hsla(${hue}, 62%, 78%, ${alpha})`;
}

export function termStroke(term) {
  const hue = (term * 47 + 200) % 360;
  return `hsl(${hue}, 55%, 38%)`;
}

// The font each context was last given through font(), and what the context
// made of it: setting a font parses it, which adds up over a frame's labels.
const lastFont = new WeakMap();

export function font(ctx, px, weight = 400) {
  const want = `${weight} ${px}px system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif`;
  const last = lastFont.get(ctx);
  // Unchanged since (nothing else set ctx.font in between): nothing to parse.
  if (last && last.want === want && last.got === ctx.font) return;
  ctx.font = want;
  lastFont.set(ctx, { want, got: ctx.font });
}

export function text(ctx, s, x, y, { px = 12, weight = 400, color = palette.ink, align = 'center', baseline = 'middle' } = {}) {
  font(ctx, px, weight);
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.fillText(s, x, y);
  const sc = activeScene();
  if (sc && s !== '') sc.texts.push({ ...textBox(x, y, ctx.measureText(s).width, px, align, baseline), s: String(s) });
}

export function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

/** Positions of `n` nodes on a ring inside `rect`, node 0 at the top, clockwise. */
export function ringLayout(n, rect) {
  const cx = rect.x + rect.w / 2;
  const cy = rect.y + rect.h / 2;
  const size = Math.min(rect.w, rect.h);
  const nodeR = Math.max(9, Math.min(34, size * 0.085, (Math.PI * size * 0.36) / Math.max(n, 1) * 0.38));
  const ringR = n === 1 ? 0 : Math.max(nodeR * 1.5, size / 2 - nodeR - 26);
  const pos = [];
  for (let i = 0; i < n; i++) {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    pos.push({ x: cx + ringR * Math.cos(a), y: cy + ringR * Math.sin(a), angle: a });
  }
  return { pos, nodeR, cx, cy, ringR };
}

/** Draws a message glyph of `shape` centred at (x, y). */
export function glyph(ctx, shape, x, y, s, fill, stroke) {
  ctx.beginPath();
  glyphPath(ctx, shape, x, y, s);
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill();
  }
  if (stroke) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  if (shape === 'noentry') {
    // A refusal: the white bar of a no-entry sign reads as "no" without colour.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(x - s * 0.7, y - s * 0.24, s * 1.4, s * 0.48);
  }
}

/**
 * Adds the outline of glyph `shape` at (x, y) to the current path as a
 * subpath of its own, so that many glyphs of one style fill in one call.
 */
export function glyphPath(ctx, shape, x, y, s) {
  switch (shape) {
    case 'square':
      ctx.rect(x - s, y - s, 2 * s, 2 * s);
      break;
    case 'diamond':
      ctx.moveTo(x, y - s * 1.3);
      ctx.lineTo(x + s * 1.3, y);
      ctx.lineTo(x, y + s * 1.3);
      ctx.lineTo(x - s * 1.3, y);
      ctx.closePath();
      break;
    case 'triangle':
      ctx.moveTo(x, y - s * 1.3);
      ctx.lineTo(x + s * 1.2, y + s);
      ctx.lineTo(x - s * 1.2, y + s);
      ctx.closePath();
      break;
    case 'star':
      // Five points: a decision, a value that is now chosen.
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const d = i % 2 ? s * 0.62 : s * 1.5;
        if (i === 0) ctx.moveTo(x + d * Math.cos(a), y + d * Math.sin(a));
        else ctx.lineTo(x + d * Math.cos(a), y + d * Math.sin(a));
      }
      ctx.closePath();
      break;
    case 'hexagon':
      for (let i = 0; i < 6; i++) {
        const a = (i * Math.PI) / 3;
        if (i === 0) ctx.moveTo(x + s * 1.25 * Math.cos(a), y + s * 1.25 * Math.sin(a));
        else ctx.lineTo(x + s * 1.25 * Math.cos(a), y + s * 1.25 * Math.sin(a));
      }
      ctx.closePath();
      break;
    case 'noentry':
      ctx.moveTo(x + s * 1.15, y);
      ctx.arc(x, y, s * 1.15, 0, 2 * Math.PI);
      break;
    case 'ring':
    case 'circle':
    default:
      ctx.moveTo(x + s, y);
      ctx.arc(x, y, s, 0, 2 * Math.PI);
  }
}

/** An X of half-size `s`; `round` gives it round ends. */
export function cross(ctx, x, y, s, color = palette.danger, width = 2, round = false) {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  if (round) ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(x - s, y - s);
  ctx.lineTo(x + s, y + s);
  ctx.moveTo(x + s, y - s);
  ctx.lineTo(x - s, y + s);
  ctx.stroke();
  if (round) ctx.lineCap = 'butt';
}

/** A short fallback style for message kinds a renderer does not know. */
export function hashedStyle(kind) {
  let h = 0;
  for (const c of kind) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hue = h % 360;
  return { shape: ['circle', 'square', 'diamond', 'triangle'][h % 4], fill: `hsl(${hue}, 60%, 55%)`, stroke: `hsl(${hue}, 60%, 30%)` };
}

/** Characters a line may break after without a space (Chinese, Japanese, full-width punctuation). */
const WIDE = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

/**
 * `s` wrapped to lines of at most `w` pixels at the current font: between
 * words, and between any two Chinese characters (which have no spaces).
 */
export function wrapText(ctx, s, w) {
  const tokens = String(s).match(new RegExp(`${WIDE.source}|[^\\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|\\s+`, 'g')) ?? [];
  const lines = [];
  let cur = '';
  for (const tok of tokens) {
    if (/^\s+$/.test(tok)) {
      if (cur) cur += ' ';
      continue;
    }
    const next = cur + tok;
    if (cur.trim() && ctx.measureText(next).width > w) {
      lines.push(cur.trimEnd());
      cur = tok;
    } else cur = next;
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines;
}

/** `s` shortened with an ellipsis so that it fits in `maxW` pixels at the current font. */
export function fit(ctx, s, maxW) {
  const str = String(s);
  if (ctx.measureText(str).width <= maxW) return str;
  let lo = 0;
  let hi = str.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${str.slice(0, mid)}…`).width <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '…' : `${str.slice(0, lo)}…`;
}

/** Diagonal hatching inside the current path, which lies within `box` {x, y, w, h}. */
export function hatch(ctx, box, color, gap = 6, width = 1.5) {
  ctx.save();
  ctx.clip();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  for (let d = 0; d < box.w + box.h; d += gap) {
    ctx.moveTo(box.x + d, box.y);
    ctx.lineTo(box.x + d - box.h, box.y + box.h);
  }
  ctx.stroke();
  ctx.restore();
}

/** The arc that counts down a node's `name` timer (election, leader timeout…). */
export function countdownArc(ctx, node, p, r, time, name, color) {
  const timer = node.timers?.find((t) => t.name === name);
  if (!node.up || !timer || node.paused_until) return;
  const total = Math.max(1, timer.fire_at - timer.set_at);
  const left = Math.min(1, Math.max(0, (timer.fire_at - time) / total));
  ctx.strokeStyle = color;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(p.x, p.y, r + 5, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * left);
  ctx.stroke();
}

/** A node's body in its role's colours: dashed and grey when down, a second
 *  inner ring for a leader, so leadership reads without colour. */
export function roleCircle(ctx, p, r, style, up, leader) {
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = up ? style.fill : '#eef0f2';
  ctx.fill();
  ctx.setLineDash(up ? [] : [4, 3]);
  ctx.lineWidth = leader ? 4 : 2;
  ctx.strokeStyle = up ? style.stroke : palette.down;
  ctx.stroke();
  ctx.setLineDash([]);
  if (leader) {
    activeScene()?.cues.push({ kind: 'leader', cx: p.x, cy: p.y });
    ctx.beginPath();
    ctx.arc(p.x, p.y, Math.max(2, r - 5), 0, 2 * Math.PI);
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

/** The grey cross over a crashed node (recorded in the scene's cues: state is never colour alone). */
export function crashMark(ctx, p, r) {
  activeScene()?.cues.push({ kind: 'crashed', cx: p.x, cy: p.y });
  ctx.strokeStyle = palette.down;
  ctx.lineWidth = 2;
  const s = r * 0.72;
  ctx.beginPath();
  ctx.moveTo(p.x - s, p.y - s);
  ctx.lineTo(p.x + s, p.y + s);
  ctx.moveTo(p.x + s, p.y - s);
  ctx.lineTo(p.x - s, p.y + s);
  ctx.stroke();
}

/** A check mark (done, yes, commit) centred at (x, y), `s` half its width. */
export function checkMark(ctx, x, y, s, color, width = 2) {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(x - s, y);
  ctx.lineTo(x - s * 0.3, y + s * 0.7);
  ctx.lineTo(x + s, y - s * 0.7);
  ctx.stroke();
  ctx.lineCap = 'butt';
}

/**
 * Text lines outside the ring next to a node: above the node in the upper
 * half, below it in the lower half, towards the left or right on the sides.
 * With `bounds` (the ring's rect) the lines stay inside it. The lines never
 * cover a node, another label or a ✕ (scene.js, rule 2): when their side is
 * taken they try the other sides, then only the first line, and when no
 * spot is free they are left to the node's tooltip. Each line is
 * { s, short?, color, weight, px }; `short` is a shorter wording to use when
 * the whole line has no room. Returns whether the lines were drawn in full.
 */
export function labelLines(ctx, p, r, lines, bounds) {
  if (!lines.length) return true;
  const sc = activeScene();
  const out = { x: Math.cos(p.angle ?? -Math.PI / 2), y: Math.sin(p.angle ?? -Math.PI / 2) };
  const natural = Math.abs(out.x) >= 0.3 ? (out.x > 0 ? 'right' : 'left') : out.y > 0 ? 'below' : 'above';
  const down = out.y >= -0.05 ? 'below' : 'above';
  const right = out.x >= 0 ? 'right' : 'left';
  const flip = { below: 'above', above: 'below', left: 'right', right: 'left' };
  const sides = natural === 'left' || natural === 'right'
    ? [natural, down, flip[down], flip[natural]]
    : [natural, right, flip[right], flip[natural]];
  // Whole lines on a free side first; then shortened lines; then the first line alone.
  // Clear of the node's rings (selection, partition halo): the obstacle blockNodes() set.
  const ring = sc?.obstacles.find((o) => o.kind === 'node' && o.cx === p.x && o.cy === p.y);
  const gap = ring ? ring.r - r + 1 : 8;
  // Whole lines first, then each line's shorter form (`short`), then the
  // first line alone, and only then lines shortened with an ellipsis.
  const shorter = lines.map((l) => (l.short ? { ...l, s: l.short } : l));
  const tries = [[lines, false]];
  if (shorter.some((l, i) => l !== lines[i])) tries.push([shorter, false]);
  if (lines.length > 1) tries.push([lines.slice(0, 1), false], [shorter.slice(0, 1), false]);
  tries.push([lines, true], [shorter.slice(0, 1), true]);
  for (const [ls, shorten] of tries) {
    for (const side of sides) {
      const lay = layoutLines(ctx, p, r + gap - 8, ls, side, side === natural, out, bounds);
      if (!lay || (lay.cut && !shorten)) continue;
      if (sc && lay.boxes.some((b) => sc.collides(b))) continue;
      for (const d of lay.draw) text(ctx, d.s, d.x, d.y, d.opts);
      if (sc) for (const [i, b] of lay.boxes.entries()) sc.addLabel(b, lay.draw[i].s, 'node');
      return ls === lines;
    }
  }
  return false;
}

/** Where `lines` go on `side` of a node, or null when they leave `bounds`. */
function layoutLines(ctx, p, r, lines, side, natural, out, bounds) {
  const heights = lines.map((l) => (l.px ?? 11) + 3);
  const total = heights.reduce((a, b) => a + b, 0);
  let lx;
  let y;
  let align;
  if (natural && (side === 'left' || side === 'right')) {
    // Out along the node's angle.
    align = side === 'right' ? 'left' : 'right';
    lx = p.x + out.x * (r + 12);
    const ly = p.y + out.y * (r + 12);
    y = out.y > 0.3 ? ly + 2 : ly - total - 2;
  } else if (side === 'left' || side === 'right') {
    align = side === 'right' ? 'left' : 'right';
    lx = p.x + (side === 'right' ? 1 : -1) * (r + 12);
    y = p.y - total / 2;
  } else {
    // Near the top or bottom of the ring, lean away from the neighbour that
    // sits on the other side of the vertical axis.
    const lean = natural && Math.abs(out.x) >= 0.08 ? Math.sign(out.x) : 0;
    align = lean > 0 ? 'left' : lean < 0 ? 'right' : 'center';
    lx = p.x - lean * r * 0.6;
    y = side === 'below' ? p.y + r + 8 : p.y - r - 8 - total;
  }
  if (bounds) {
    if (total > bounds.h) return null;
    y = Math.max(bounds.y + 2, Math.min(y, bounds.y + bounds.h - total - 2));
  }
  const draw = [];
  const boxes = [];
  let cut = false;
  for (const [i, l] of lines.entries()) {
    const px = l.px ?? 11;
    const weight = l.weight ?? 400;
    font(ctx, px, weight);
    let x = lx;
    let s = l.s;
    if (bounds) {
      // Keep the whole line inside: shorten it, then slide it inwards.
      const room = align === 'left' ? bounds.x + bounds.w - x - 2 : align === 'right' ? x - bounds.x - 2 : bounds.w - 4;
      s = fit(ctx, s, Math.max(24, room));
      if (s !== l.s) cut = true;
      const w = ctx.measureText(s).width;
      const left = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
      x += Math.max(0, bounds.x + 2 - left) - Math.max(0, left + w - (bounds.x + bounds.w - 2));
    }
    const w = ctx.measureText(s).width;
    boxes.push(textBox(x, y, w, heights[i], align, 'top'));
    draw.push({ s, x, y, opts: { px, weight, color: l.color ?? palette.muted, align, baseline: 'top' } });
    y += heights[i];
  }
  return { draw, boxes, cut };
}

/**
 * Marks node bodies, with their arcs and rings, as places labels must not
 * cover: `extra(i)` is how far node i's rings reach beyond its arcs (its
 * selection ring, a partition halo).
 */
export function blockNodes(pos, r, extra = () => 0) {
  const sc = activeScene();
  if (!sc) return;
  pos.forEach((p, i) => sc.block(circleBox(p.x, p.y, r + 7 + extra(i)), 'node'));
}

/** How many lines note() takes for `text` at width `w` (10 px text, about 5.4 px a character). */
export function noteLineCount(text, w) {
  let lines = 1;
  let cur = 0;
  for (const part of text.split(' · ')) {
    // About 5.4 px a Latin character and 10 px a Chinese one at the notes' 10 px.
    const len = [...part].reduce((n, c) => n + (WIDE.test(c) ? 10 : 5.4), 0);
    if (cur && cur + 9 + len > w) {
      lines += 1;
      cur = len;
    } else cur += (cur ? 9 : 0) + len;
  }
  return lines;
}

/**
 * A detail panel beside the ring, on a canvas wide enough that a round ring
 * would waste the width: { ring, detail } or null. The panel has `rows` rows
 * (its header counted) and a note of `note` text under them.
 */
export function sidePanel(rect, rows, note, { minW = 280, maxW = 460, maxRowH = 24, minRowH = 9, force = false } = {}) {
  if (!(rect.w >= 620 && (force ? rect.w >= rect.h * 1.2 : rect.w >= rect.h * 1.55))) return null;
  const w = Math.round(Math.min(maxW, Math.max(minW, rect.w * 0.4)));
  const noteLines = noteLineCount(note, w);
  const avail = rect.h - 44 - 10;
  const foot = noteLines * 13 + 12;
  const rowH = Math.min(maxRowH, Math.floor((avail - foot) / rows));
  if (rowH < minRowH) return null;
  const h = rowH * rows + foot;
  return {
    ring: { x: rect.x, y: rect.y, w: rect.w - w - 18, h: rect.h },
    detail: { x: rect.x + rect.w - w - 10, y: rect.y + 44 + Math.max(0, (avail - h) / 2), w, h, rowH, noteLines },
  };
}

/**
 * A transaction grid of `n` node rows for up to 12 nodes: beside the ring on
 * a wide canvas, else below it when the canvas is tall enough, else none
 * ({ ring, detail: null }). Shared by the atomic-commit and the flexible
 * transaction drawings.
 */
export function gridPanel(rect, n, note) {
  if (n > 12) return { ring: rect, detail: null };
  const beside = sidePanel(rect, n + 0.9, note, { minRowH: 15 });
  if (beside) return beside;
  if (rect.h < 360) return { ring: rect, detail: null };
  const rowH = Math.min(24, Math.max(18, (rect.h * 0.34) / (n + 2.6)));
  const noteLines = rect.w < 640 ? 2 : 1;
  const h = rowH * (n + 1.2) + noteLines * 13 + 12;
  return {
    ring: { x: rect.x, y: rect.y, w: rect.w, h: rect.h - h },
    detail: { x: rect.x + 12, y: rect.y + rect.h - h, w: rect.w - 24, h: h - 6, rowH },
  };
}

/** The white card behind a detail panel. */
export function card(ctx, area) {
  ctx.fillStyle = '#ffffff';
  roundRect(ctx, area.x - 6, area.y - 4, area.w + 12, area.h + 4, 8);
  ctx.fill();
  ctx.strokeStyle = palette.edge;
  ctx.lineWidth = 1;
  ctx.stroke();
}

/**
 * A footnote under a detail panel, wrapped at " · " so that it fits `w`;
 * draws at most `maxLines` lines and returns how many it drew.
 */
export function note(ctx, s, x, y, w, maxLines = 2, px = 10) {
  font(ctx, px);
  const parts = s.split(' · ');
  const lines = [];
  let cur = '';
  for (const part of parts) {
    const next = cur ? `${cur} · ${part}` : part;
    if (cur && ctx.measureText(next).width > w) {
      lines.push(cur);
      cur = part;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown[maxLines - 1] = `${shown[maxLines - 1]} · ${lines.slice(maxLines).join(' · ')}`;
  shown.forEach((l, i) => text(ctx, fit(ctx, l, w), x, y + i * (px + 3), { px, color: palette.muted, align: 'left' }));
  return shown.length;
}

/**
 * How much text fits beside each node of a ring drawn in `rect`: 'full'
 * (several lines), 'short' (one or two) or 'id' (the node id only).
 */
export function labelRoom(rect, n) {
  const size = Math.min(rect.w, rect.h);
  const spacing = n <= 1 ? Infinity : (2 * Math.PI * Math.max(20, size / 2 - 60)) / n;
  if (n <= 9 && spacing >= 80 && size >= 300) return 'full';
  return spacing >= 60 ? 'short' : 'id';
}

/** Where node labels may go: the ring's rect, less the time and partition captions on a narrow canvas. */
export function labelBounds(rect) {
  if (rect.w >= 600) return rect;
  return { x: rect.x, y: rect.y + 36, w: rect.w, h: Math.max(10, rect.h - 36) };
}

/**
 * The empty middle of the ring, for a short summary when the cluster is too
 * crowded for a detail panel. `rect` is the ring's part of the canvas.
 */
export function centerArea(rect, n) {
  const size = Math.min(rect.w - 20, rect.h - 36);
  const w = Math.min(280, size * (n > 12 ? 0.62 : 0.5));
  const cx = rect.x + rect.w / 2;
  const cy = rect.y + 28 + (rect.h - 36) / 2;
  return { x: cx - w / 2, y: cy - w / 2, w, h: w, summary: true };
}

/** Centred lines on a translucent card in `area` (each { s, color, weight, px }). */
export function summary(ctx, area, lines) {
  if (!lines.length) return;
  const heights = lines.map((l) => (l.px ?? 12) + 5);
  const total = heights.reduce((a, b) => a + b, 0);
  const widths = lines.map((l) => {
    font(ctx, l.px ?? 12, l.weight ?? 400);
    return Math.min(area.w, ctx.measureText(l.s).width);
  });
  const w = Math.max(...widths) + 20;
  const cx = area.x + area.w / 2;
  let y = area.y + area.h / 2 - total / 2;
  ctx.globalAlpha = 0.88;
  ctx.fillStyle = '#ffffff';
  roundRect(ctx, cx - w / 2, y - 6, w, total + 10, 8);
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = palette.edge;
  ctx.lineWidth = 1;
  ctx.stroke();
  lines.forEach((l, i) => {
    const px = l.px ?? 12;
    font(ctx, px, l.weight ?? 400);
    text(ctx, fit(ctx, l.s, area.w), cx, y + heights[i] / 2, { px, weight: l.weight ?? 400, color: l.color ?? palette.muted });
    y += heights[i];
  });
}
