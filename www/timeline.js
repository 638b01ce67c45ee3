// The timeline under the canvas: the run from 0 to the furthest moment
// reached, the moment on screen, and markers for leader changes, crashes,
// restarts, partitions, pauses and violations. Click or drag to go to any
// moment; it asks the Lab to seek and never touches the engine itself.
import { palette, font } from './draw/common.js';

const MARKER_COLORS = {
  milestone: palette.ok,
  crash: palette.danger,
  restart: '#2b9b8f',
  partition: palette.paused,
  heal: palette.paused,
  pause: palette.paused,
  violation: palette.danger,
};

export class TimelineBar {
  constructor(canvas, lab, onError) {
    this.canvas = canvas;
    this.lab = lab;
    this.onError = onError;
    this.markers = [];
    this.markersVersion = -1;
    this.dragging = false;
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
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    const x0 = 8;
    const x1 = w - 8;
    const end = Math.max(1000, this.lab.headMs());
    return { w, h, x0, x1, end, y: h * 0.55 };
  }

  timeAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const g = this.geometry();
    const f = Math.min(1, Math.max(0, (e.clientX - r.left - g.x0) / (g.x1 - g.x0)));
    return Math.round(f * g.end);
  }

  seekAt(e) {
    try {
      this.lab.seek(this.timeAt(e));
      this.onError(null);
    } catch (err) {
      this.onError(err);
    }
  }

  hover(e) {
    const g = this.geometry();
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const near = this.markers.find((m) => Math.abs(g.x0 + (m.time_ms / g.end) * (g.x1 - g.x0) - x) < 5);
    this.canvas.title = near ? `${near.time_ms} ms: ${near.text}` : `${this.timeAt(e)} ms — click or drag to go there`;
  }

  draw() {
    if (!this.lab.sim) return;
    if (this.markersVersion !== this.lab.version) {
      this.markers = this.lab.sim.markers();
      this.markersVersion = this.lab.version;
    }
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
    ctx.lineTo(g.x1, g.y);
    ctx.stroke();
    ctx.strokeStyle = '#9fbbe8';
    ctx.beginPath();
    ctx.moveTo(g.x0, g.y);
    ctx.lineTo(xOf(now), g.y);
    ctx.stroke();
    // Markers above the track.
    for (const m of this.markers) {
      const x = xOf(m.time_ms);
      ctx.strokeStyle = MARKER_COLORS[m.kind] ?? palette.muted;
      ctx.lineWidth = m.kind === 'violation' ? 3 : 2;
      ctx.beginPath();
      ctx.moveTo(x, g.y - 13);
      ctx.lineTo(x, g.y - 5);
      ctx.stroke();
      if (m.kind === 'crash' || m.kind === 'violation') {
        ctx.fillStyle = ctx.strokeStyle;
        ctx.beginPath();
        ctx.arc(x, g.y - 14, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
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
