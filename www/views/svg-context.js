// A stand-in for a canvas 2D context that writes SVG: the drawing code that
// paints a view on screen paints the same picture into this, so an exported
// SVG is built from the same data and the same shapes (the palette's glyphs,
// the timeline's markers, the labels) without a second drawing of them. It
// supports the part of the canvas API the views use: paths (moveTo, lineTo,
// arc, rect, roundRect, closePath), fill and stroke, fillRect, text (with
// measureText from a real canvas), line dashes, alpha, save and restore.
// group(attrs) / endGroup() wrap what follows in a <g> (each arrow, each
// marker), so the file can be read and tested element by element.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const num = (x) => (Math.round(x * 100) / 100).toString();

export class SvgContext {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.parts = [];
    this.d = '';
    this.stack = [];
    this.depth = 0;
    this.fillStyle = '#000';
    this.strokeStyle = '#000';
    this.lineWidth = 1;
    this.globalAlpha = 1;
    this.font = '10px sans-serif';
    this.textAlign = 'start';
    this.textBaseline = 'alphabetic';
    this.lineCap = 'butt';
    this.lineJoin = 'miter';
    this.dash = [];
    this.measurer = document.createElement('canvas').getContext('2d');
  }

  // State.
  save() {
    const { fillStyle, strokeStyle, lineWidth, globalAlpha, font, textAlign, textBaseline, lineCap, lineJoin, dash } = this;
    this.stack.push({ fillStyle, strokeStyle, lineWidth, globalAlpha, font, textAlign, textBaseline, lineCap, lineJoin, dash });
  }

  restore() {
    Object.assign(this, this.stack.pop() ?? {});
  }

  setLineDash(d) {
    this.dash = [...d];
  }

  setTransform() {}

  clearRect() {}

  measureText(s) {
    this.measurer.font = this.font;
    return this.measurer.measureText(s);
  }

  // Paths.
  beginPath() {
    this.d = '';
  }

  moveTo(x, y) {
    this.d += `M${num(x)} ${num(y)}`;
    this.cur = [x, y];
  }

  lineTo(x, y) {
    this.d += this.d ? `L${num(x)} ${num(y)}` : `M${num(x)} ${num(y)}`;
    this.cur = [x, y];
  }

  closePath() {
    this.d += 'Z';
  }

  rect(x, y, w, h) {
    this.d += `M${num(x)} ${num(y)}h${num(w)}v${num(h)}h${num(-w)}Z`;
  }

  roundRect(x, y, w, h, r) {
    const k = Math.max(0, Math.min(Number(r) || 0, w / 2, h / 2));
    this.d += `M${num(x + k)} ${num(y)}H${num(x + w - k)}A${num(k)} ${num(k)} 0 0 1 ${num(x + w)} ${num(y + k)}V${num(y + h - k)}A${num(k)} ${num(k)} 0 0 1 ${num(x + w - k)} ${num(y + h)}H${num(x + k)}A${num(k)} ${num(k)} 0 0 1 ${num(x)} ${num(y + h - k)}V${num(y + k)}A${num(k)} ${num(k)} 0 0 1 ${num(x + k)} ${num(y)}Z`;
  }

  arc(x, y, r, a0, a1) {
    const sweep = a1 - a0;
    const start = [x + r * Math.cos(a0), y + r * Math.sin(a0)];
    this.d += this.d ? `L${num(start[0])} ${num(start[1])}` : `M${num(start[0])} ${num(start[1])}`;
    if (Math.abs(sweep) >= 2 * Math.PI - 1e-6) {
      // A full circle: two half arcs.
      const mid = [x - r * Math.cos(a0), y - r * Math.sin(a0)];
      this.d += `A${num(r)} ${num(r)} 0 1 1 ${num(mid[0])} ${num(mid[1])}A${num(r)} ${num(r)} 0 1 1 ${num(start[0])} ${num(start[1])}`;
      this.cur = start;
      return;
    }
    const end = [x + r * Math.cos(a1), y + r * Math.sin(a1)];
    this.d += `A${num(r)} ${num(r)} 0 ${Math.abs(sweep) > Math.PI ? 1 : 0} ${sweep > 0 ? 1 : 0} ${num(end[0])} ${num(end[1])}`;
    this.cur = end;
  }

  alpha() {
    return this.globalAlpha < 1 ? ` opacity="${num(this.globalAlpha)}"` : '';
  }

  strokeAttrs() {
    let a = ` stroke="${esc(this.strokeStyle)}" stroke-width="${num(this.lineWidth)}"`;
    if (this.dash.length) a += ` stroke-dasharray="${this.dash.map(num).join(' ')}"`;
    if (this.lineCap !== 'butt') a += ` stroke-linecap="${this.lineCap}"`;
    if (this.lineJoin !== 'miter') a += ` stroke-linejoin="${this.lineJoin}"`;
    return a;
  }

  fill() {
    if (this.d) this.parts.push(`<path d="${this.d}" fill="${esc(this.fillStyle)}"${this.alpha()}/>`);
  }

  stroke() {
    if (this.d) this.parts.push(`<path d="${this.d}" fill="none"${this.strokeAttrs()}${this.alpha()}/>`);
  }

  fillRect(x, y, w, h) {
    this.parts.push(`<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="${esc(this.fillStyle)}"${this.alpha()}/>`);
  }

  // Text.
  textAttrs() {
    const m = /(\d+)\s+(\d+(?:\.\d+)?)px\s+(.*)$/.exec(this.font) ?? [null, '400', '10', 'sans-serif'];
    const anchor = { left: 'start', start: 'start', right: 'end', end: 'end', center: 'middle' }[this.textAlign] ?? 'start';
    const base = { top: 'hanging', middle: 'central', bottom: 'text-after-edge', alphabetic: 'alphabetic' }[this.textBaseline] ?? 'alphabetic';
    return ` font-family="${esc(m[3])}" font-size="${m[2]}" font-weight="${m[1]}" text-anchor="${anchor}" dominant-baseline="${base}"`;
  }

  fillText(s, x, y) {
    this.parts.push(`<text x="${num(x)}" y="${num(y)}"${this.textAttrs()} fill="${esc(this.fillStyle)}"${this.alpha()}>${esc(s)}</text>`);
  }

  strokeText(s, x, y) {
    this.parts.push(`<text x="${num(x)}" y="${num(y)}"${this.textAttrs()} fill="none"${this.strokeAttrs()}${this.alpha()}>${esc(s)}</text>`);
  }

  // Groups (no-ops on a real canvas: see group() below).
  group(attrs) {
    const a = Object.entries(attrs)
      .map(([k, v]) => ` ${k}="${esc(v)}"`)
      .join('');
    this.parts.push(`<g${a}>`);
    this.depth += 1;
  }

  endGroup() {
    if (this.depth === 0) return;
    this.depth -= 1;
    this.parts.push('</g>');
  }

  /** The whole picture as an SVG document. */
  toString() {
    while (this.depth > 0) this.endGroup();
    const w = num(this.width);
    const h = num(this.height);
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">\n${this.parts.join('\n')}\n</svg>\n`;
  }
}

/** Opens a group on an SVG context (a canvas context ignores it). */
export function group(ctx, attrs) {
  ctx.group?.(attrs);
}

export function endGroup(ctx) {
  ctx.endGroup?.();
}
