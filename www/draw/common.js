// Drawing helpers shared by every protocol's renderer: the palette, text,
// shapes for message kinds, ring geometry. Pure functions of their arguments.

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

export function font(ctx, px, weight = 400) {
  ctx.font = `${weight} ${px}px system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif`;
}

export function text(ctx, s, x, y, { px = 12, weight = 400, color = palette.ink, align = 'center', baseline = 'middle' } = {}) {
  font(ctx, px, weight);
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.fillText(s, x, y);
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
    case 'ring':
    case 'circle':
    default:
      ctx.arc(x, y, s, 0, 2 * Math.PI);
  }
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill();
  }
  if (stroke) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

export function cross(ctx, x, y, s, color = palette.danger) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x - s, y - s);
  ctx.lineTo(x + s, y + s);
  ctx.moveTo(x + s, y - s);
  ctx.lineTo(x - s, y + s);
  ctx.stroke();
}

/** A short fallback style for message kinds a renderer does not know. */
export function hashedStyle(kind) {
  let h = 0;
  for (const c of kind) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hue = h % 360;
  return { shape: ['circle', 'square', 'diamond', 'triangle'][h % 4], fill: `hsl(${hue}, 60%, 55%)`, stroke: `hsl(${hue}, 60%, 30%)` };
}
