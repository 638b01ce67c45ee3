// The timeline under the canvas: the run from 0 to the furthest moment
// reached, the moment on screen, a marker for each notable event and each
// key moment of a story, and a small legend of the markers shown. Every kind
// of marker has its own shape and colour (a crash is not drawn like a
// violation; partition, heal and pause differ; an abort is not drawn like a
// commit). Click or drag to go to any moment; it asks the Lab to seek and
// never touches the engine itself.
import { palette, font } from './draw/common.js';
import { readerText, timeText } from './names.js';
import { MomentTrack, TAIL_MS } from './moments.js';
import { t } from './i18n.js';

/** Marker kinds: shape, colour and the legend's words. */
export const MARKERS = {
  milestone: { shape: 'up', color: palette.ok, name: t('marker.milestone') },
  setback: { shape: 'down', color: '#c2571a', name: t('marker.setback') },
  crash: { shape: 'x', color: palette.danger, name: t('marker.crash') },
  restart: { shape: 'dot', color: '#2b9b8f', name: t('marker.restart') },
  partition: { shape: 'square', color: palette.paused, name: t('marker.partition') },
  heal: { shape: 'ring', color: palette.paused, name: t('marker.heal') },
  pause: { shape: 'bars', color: '#b8740a', name: t('marker.pause') },
  violation: { shape: 'diamond', color: '#8f1d1d', name: t('marker.violation') },
  moment: { shape: 'star', color: palette.selected, name: t('marker.moment') },
};

/** Draws marker `kind`'s shape centred at (x, y), `s` its half size. */
export function markerShape(ctx, kind, x, y, s) {
  const m = MARKERS[kind] ?? MARKERS.milestone;
  ctx.fillStyle = m.color;
  ctx.strokeStyle = m.color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  switch (m.shape) {
    case 'up':
      ctx.moveTo(x, y - s);
      ctx.lineTo(x + s, y + s * 0.8);
      ctx.lineTo(x - s, y + s * 0.8);
      ctx.closePath();
      ctx.fill();
      break;
    case 'down':
      ctx.moveTo(x, y + s);
      ctx.lineTo(x + s, y - s * 0.8);
      ctx.lineTo(x - s, y - s * 0.8);
      ctx.closePath();
      ctx.fill();
      break;
    case 'x':
      ctx.lineWidth = 2.2;
      ctx.moveTo(x - s * 0.85, y - s * 0.85);
      ctx.lineTo(x + s * 0.85, y + s * 0.85);
      ctx.moveTo(x + s * 0.85, y - s * 0.85);
      ctx.lineTo(x - s * 0.85, y + s * 0.85);
      ctx.stroke();
      break;
    case 'dot':
      ctx.arc(x, y, s * 0.8, 0, 2 * Math.PI);
      ctx.fill();
      break;
    case 'square':
      ctx.rect(x - s * 0.75, y - s * 0.75, s * 1.5, s * 1.5);
      ctx.fill();
      break;
    case 'ring':
      ctx.lineWidth = 1.8;
      ctx.arc(x, y, s * 0.75, 0, 2 * Math.PI);
      ctx.stroke();
      break;
    case 'bars':
      ctx.fillRect(x - s * 0.8, y - s, s * 0.6, 2 * s);
      ctx.fillRect(x + s * 0.2, y - s, s * 0.6, 2 * s);
      break;
    case 'diamond':
      ctx.moveTo(x, y - s * 1.15);
      ctx.lineTo(x + s, y);
      ctx.lineTo(x, y + s * 1.15);
      ctx.lineTo(x - s, y);
      ctx.closePath();
      ctx.fill();
      break;
    case 'star':
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const d = i % 2 ? s * 0.45 : s * 1.1;
        ctx.lineTo(x + d * Math.cos(a), y + d * Math.sin(a));
      }
      ctx.closePath();
      ctx.fill();
      break;
  }
}

export class TimelineBar {
  /**
   * @param canvas the timeline's canvas
   * @param lab the Lab
   * @param onError shows a failure (or clears it with null)
   * @param context () → { renderer, moments: [{ at_ms, caption }], legend: element }
   */
  constructor(canvas, lab, onError, context) {
    this.canvas = canvas;
    this.lab = lab;
    this.onError = onError;
    this.context = context;
    this.marks = [];
    this.markersVersion = -1;
    this.legendKey = '';
    this.dragging = false;
    // The bar's size, read once per resize: reading it every frame, after the
    // panels changed their text, would make the browser lay the page out again.
    this.size = null;
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        this.size = null;
      }).observe(canvas);
    }
    canvas.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      canvas.setPointerCapture(e.pointerId);
      this.seekAt(e);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.dragging) this.seekAt(e);
      else this.hover(e);
    });
    const stop = () => {
      this.dragging = false;
    };
    canvas.addEventListener('pointerup', stop);
    canvas.addEventListener('pointercancel', stop);
  }

  /** Geometry of the bar in CSS pixels. */
  geometry() {
    if (!this.size || typeof ResizeObserver !== 'function') this.size = { w: this.canvas.clientWidth, h: this.canvas.clientHeight };
    const { w, h } = this.size;
    const x0 = 8;
    const x1 = w - 8;
    // A story's moments still ahead stay on the bar, past the part reached.
    const moments = this.context().moments ?? [];
    const ahead = moments.length ? moments[moments.length - 1].at_ms + TAIL_MS : 0;
    const head = this.lab.headMs();
    const end = Math.max(1000, head, ahead);
    return { w, h, x0, x1, end, head, y: h * 0.55 };
  }

  timeAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const g = this.geometry();
    const f = Math.min(1, Math.max(0, (e.clientX - r.left - g.x0) / (g.x1 - g.x0)));
    return Math.round(f * g.end);
  }

  seekAt(e) {
    try {
      // A press on a key moment's star goes to where its slow motion starts.
      const g = this.geometry();
      const x = e.clientX - this.canvas.getBoundingClientRect().left;
      const star = !this.dragging || e.type === 'pointerdown'
        ? (this.context().moments ?? []).find((m) => Math.abs(g.x0 + (m.at_ms / g.end) * (g.x1 - g.x0) - x) < 6 && e.clientY - this.canvas.getBoundingClientRect().top < g.y - 6)
        : null;
      this.lab.seek(star ? MomentTrack.startOf(star) : this.timeAt(e));
      this.onError(null);
    } catch (err) {
      this.onError(err);
    }
  }

  hover(e) {
    const g = this.geometry();
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const near = this.marks.find((m) => Math.abs(g.x0 + (m.time_ms / g.end) * (g.x1 - g.x0) - x) < 5);
    this.canvas.title = near ? `${near.time_ms} ms · ${MARKERS[near.kind].name}: ${near.text}` : t('timeline.go_there', { ms: this.timeAt(e) });
  }

  /** The marks shown: the engine's markers, each with its kind, and the story's key moments. */
  collect() {
    const { renderer, moments } = this.context();
    const marks = [...this.engineMarks(renderer)];
    for (const mo of moments ?? []) marks.push({ kind: 'moment', time_ms: mo.at_ms, text: mo.caption ?? t('timeline.moment_at', { at: timeText(mo.at_ms) }) });
    return marks;
  }

  /**
   * The engine's markers as marks, read incrementally: each marker crosses
   * from the engine once (a long run has tens of thousands), read again only
   * after a fork took some away, or for a new run or drawing.
   */
  engineMarks(renderer) {
    const sim = this.lab.sim;
    const epoch = sim.markerEpoch();
    const count = sim.markerCount();
    const c = this.engineCache;
    if (!c || c.sim !== sim || c.epoch !== epoch || c.renderer !== renderer || count < c.list.length) {
      this.engineCache = { sim, epoch, renderer, list: [] };
    }
    const list = this.engineCache.list;
    if (count > list.length) {
      for (const m of sim.markersFrom(list.length)) {
        let kind = MARKERS[m.kind] ? m.kind : 'milestone';
        if (kind === 'milestone' && renderer?.milestoneTone?.(m) === 'bad') kind = 'setback';
        list.push({ kind, time_ms: m.time_ms, text: readerText(m.node != null && m.kind === 'milestone' ? `n${m.node} ${m.text}` : m.text) });
      }
    }
    return list;
  }

  /** The marks shown, collected once per change of the run (the bar and the announcer read them). */
  currentMarks() {
    if (!this.lab.sim) return [];
    if (this.markersVersion !== this.lab.version) {
      this.marks = this.collect();
      this.markersVersion = this.lab.version;
      this.updateLegend();
    }
    return this.marks;
  }

  /** Lists the kinds of marker on the bar under it. */
  updateLegend() {
    const el = this.context().legend;
    if (!el) return;
    const kinds = Object.keys(MARKERS).filter((k) => this.marks.some((m) => m.kind === k));
    const { renderer } = this.context();
    const key = `${kinds.join()}|${renderer?.milestoneLegend ?? ''}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    el.textContent = '';
    for (const k of kinds) {
      const item = document.createElement('span');
      item.className = 'tl-item';
      item.dataset.kind = k;
      const c = document.createElement('canvas');
      const dpr = window.devicePixelRatio || 1;
      c.width = 12 * dpr;
      c.height = 12 * dpr;
      c.setAttribute('aria-hidden', 'true');
      const g = c.getContext('2d');
      g.scale(dpr, dpr);
      markerShape(g, k, 6, 6, 4);
      const name = k === 'milestone' ? renderer?.milestoneLegend ?? MARKERS[k].name : MARKERS[k].name;
      item.append(c, document.createTextNode(name));
      el.append(item);
    }
  }

  draw() {
    if (!this.lab.sim) return;
    this.currentMarks();
    const dpr = window.devicePixelRatio || 1;
    const g = this.geometry();
    if (this.canvas.width !== Math.round(g.w * dpr) || this.canvas.height !== Math.round(g.h * dpr)) {
      this.canvas.width = Math.round(g.w * dpr);
      this.canvas.height = Math.round(g.h * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.w, g.h);
    const xOf = (t) => g.x0 + (Math.min(t, g.end) / g.end) * (g.x1 - g.x0);
    const now = this.lab.displayTime;
    // Track: the known run, and the part before the moment on screen.
    ctx.lineCap = 'round';
    ctx.lineWidth = 6;
    ctx.strokeStyle = '#e3e8ee';
    ctx.beginPath();
    ctx.moveTo(g.x0, g.y);
    ctx.lineTo(xOf(g.head), g.y);
    ctx.stroke();
    if (g.head < g.end) {
      // Not reached yet (a story's later moments): a thinner, dashed track.
      ctx.lineWidth = 2;
      ctx.setLineDash([3, 4]);
      ctx.beginPath();
      ctx.moveTo(xOf(g.head), g.y);
      ctx.lineTo(g.x1, g.y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 6;
    }
    ctx.strokeStyle = '#9fbbe8';
    ctx.beginPath();
    ctx.moveTo(g.x0, g.y);
    ctx.lineTo(xOf(now), g.y);
    ctx.stroke();
    ctx.lineCap = 'butt';
    // Slow-motion spans around key moments, on the track.
    for (const z of this.context().zones ?? []) {
      ctx.fillStyle = 'rgba(47,111,222,0.28)';
      ctx.fillRect(xOf(z.from), g.y - 4, Math.max(2, xOf(z.to) - xOf(z.from)), 8);
    }
    // Markers above the track; key moments a little higher.
    for (const m of this.marks) {
      const x = xOf(m.time_ms);
      markerShape(ctx, m.kind, x, m.kind === 'moment' ? g.y - 15 : g.y - 11, m.kind === 'violation' ? 4.5 : 4);
    }
    // The moment on screen.
    const x = xOf(now);
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = palette.selected;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(x, g.y, 7, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    font(ctx, 10);
    ctx.fillStyle = palette.muted;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'right';
    ctx.fillText(`${Math.round(g.end).toLocaleString('en-US')} ms`, g.x1, g.h);
    ctx.textAlign = 'left';
    ctx.fillText('0', g.x0, g.h);
  }
}
