// The space-time diagram beside the cluster: the same run, the same clock and
// the same selection, drawn as a line per node with time running down and an
// arrow per message (spacetime-draw.js draws it; spacetime-data.js reads the
// messages from the engine). Wheel scrolls in time, Ctrl+wheel (or a pinch)
// and the − / + buttons zoom, a drag scrolls too; while the run plays the
// window follows the clock. Clicking an arrow goes to the moment it was sent
// and opens its card, clicking a marker goes to it, clicking a name selects
// the node. A button shows or hides the view (remembered in this browser, not
// in links) and another exports the picture as SVG.
import { rendererFor } from '../render.js';
import { nodeName, timeText } from '../names.js';
import { download, baseName } from '../files.js';
import { SpacetimeData } from './spacetime-data.js';
import { drawSpacetime } from './spacetime-draw.js';
import { SvgContext } from './svg-context.js';
import { uiPref, setUiPref } from './ui-state.js';
import { t } from '../i18n.js';

const MIN_SPAN = 20;
const MAX_SPAN = 120_000;
/** Where the cursor sits while the window follows the clock (fraction of the height). */
const FOLLOW_AT = 0.85;

function button(label, title, data, extra = {}) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.dataset.st = data;
  for (const [k, v] of Object.entries(extra)) b.setAttribute(k, v);
  return b;
}

/** The distance from (x, y) to the segment (x0, y0)–(x1, y1). */
function toSegment(x, y, s) {
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const len2 = dx * dx + dy * dy || 1;
  const f = Math.max(0, Math.min(1, ((x - s.x0) * dx + (y - s.y0) * dy) / len2));
  return Math.hypot(x - (s.x0 + f * dx), y - (s.y0 + f * dy));
}

export class SpacetimeView {
  /**
   * @param mount the element the view builds itself in
   * @param lab the Lab
   * @param hooks { controls (the node selection), card (the message selection), show(error|null) }
   */
  constructor(mount, lab, hooks) {
    this.mount = mount;
    this.lab = lab;
    this.hooks = hooks;
    this.data = new SpacetimeData(lab);
    this.span = 400;
    this.t0 = 0;
    this.follow = true;
    this.wasPlaying = false;
    this.frame = null;
    this.picked = null;
    this.open = !!uiPref('spacetime', false);
    this.build();
    this.setOpen(this.open, false);
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') {
        this.t0 = 0;
        this.follow = true;
        this.picked = null;
      }
    });
  }

  build() {
    const bar = document.createElement('div');
    bar.className = 'st-bar';
    this.toggle = button(t('page.spacetime'), t('st.toggle_title'), 'toggle', { 'aria-expanded': 'false', 'aria-controls': 'st-body' });
    this.tools = document.createElement('span');
    this.tools.className = 'st-tools';
    this.rangeOut = document.createElement('output');
    this.rangeOut.className = 'st-range';
    this.rangeOut.setAttribute('aria-label', t('st.time_shown'));
    this.followButton = button(t('st.follow'), t('st.follow_title'), 'follow', { 'aria-pressed': 'true' });
    this.tools.append(
      button(t('st.earlier'), t('st.earlier_title'), 'earlier'),
      button(t('st.later'), t('st.later_title'), 'later'),
      button('−', t('st.zoom_out_title'), 'zoom-out', { 'aria-label': t('st.zoom_out') }),
      this.rangeOut,
      button('+', t('st.zoom_in_title'), 'zoom-in', { 'aria-label': t('st.zoom_in') }),
      this.followButton,
      button(t('st.svg'), t('st.svg_title'), 'svg'),
      button(t('st.shiviz'), t('st.shiviz_title'), 'shiviz', { id: 'export-shiviz' }),
    );
    bar.append(this.toggle, this.tools);
    this.body = document.createElement('div');
    this.body.className = 'st-body';
    this.body.id = 'st-body';
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'spacetime-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', t('st.canvas'));
    this.tip = document.createElement('div');
    this.tip.className = 'tip';
    this.tip.setAttribute('role', 'tooltip');
    this.tip.hidden = true;
    this.body.append(this.canvas, this.tip);
    this.mount.append(bar, this.body);

    bar.addEventListener('click', (e) => {
      const act = e.target.closest('[data-st]')?.dataset.st;
      if (act) this.act(act);
    });
    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    this.canvas.addEventListener('pointercancel', () => {
      this.drag = null;
    });
    this.canvas.addEventListener('pointerleave', () => {
      this.tip.hidden = true;
    });
    this.canvas.addEventListener('keydown', (e) => {
      if (e.key === 'PageUp' || e.key === 'PageDown') {
        e.preventDefault();
        this.act(e.key === 'PageUp' ? 'earlier' : 'later');
      }
    });
    new ResizeObserver(() => this.draw()).observe(this.body);
  }

  setOpen(open, remember = true) {
    this.open = open;
    this.body.hidden = !open;
    document.body.classList.toggle('spacetime-open', open);
    this.tools.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.textContent = `${open ? '▾' : '▸'} ${t('page.spacetime')}`;
    if (remember) setUiPref('spacetime', open);
    this.draw();
  }

  act(what) {
    if (what === 'toggle') return this.setOpen(!this.open);
    if (what === 'zoom-in' || what === 'zoom-out') return this.zoom(what === 'zoom-in' ? 0.5 : 2, this.anchorTime());
    if (what === 'earlier' || what === 'later') return this.scrollBy((what === 'earlier' ? -0.4 : 0.4) * this.span);
    if (what === 'follow') {
      this.follow = true;
      return this.draw();
    }
    if (what === 'svg') return this.exportSvg();
    if (what === 'shiviz') return this.exportShiviz();
    return undefined;
  }

  /** The moment zooming keeps in place: the cursor when it is in view, else the middle. */
  anchorTime() {
    const now = this.lab.displayTime;
    return now >= this.t0 && now <= this.t0 + this.span ? now : this.t0 + this.span / 2;
  }

  zoom(factor, at) {
    const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, this.span * factor));
    const f = (at - this.t0) / this.span;
    this.t0 = Math.max(0, at - f * span);
    this.span = span;
    this.draw();
  }

  scrollBy(ms) {
    this.follow = false;
    this.t0 = Math.max(0, Math.min(this.lab.headMs(), this.t0 + ms));
    this.draw();
  }

  onWheel(e) {
    if (!this.frame) return;
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.canvas.clientHeight : 1;
    const dy = e.deltaY * unit;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      const r = this.canvas.getBoundingClientRect();
      this.zoom(Math.exp(dy * 0.002), this.frame.g.timeAt(e.clientY - r.top));
      return;
    }
    // At either end of the run the wheel scrolls the page instead.
    if ((dy < 0 && this.t0 <= 0) || (dy > 0 && this.t0 >= this.lab.headMs())) return;
    e.preventDefault();
    const msPerPx = this.span / Math.max(1, this.frame.g.bottom - this.frame.g.top);
    this.scrollBy(dy * msPerPx);
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  onDown(e) {
    this.drag = { ...this.point(e), t0: this.t0, moved: false, id: e.pointerId };
    this.canvas.setPointerCapture(e.pointerId);
  }

  onMove(e) {
    const p = this.point(e);
    if (this.drag) {
      const dy = p.y - this.drag.y;
      if (Math.abs(dy) > 4) this.drag.moved = true;
      if (this.drag.moved && this.frame) {
        const msPerPx = this.span / Math.max(1, this.frame.g.bottom - this.frame.g.top);
        this.follow = false;
        this.t0 = Math.max(0, Math.min(this.lab.headMs(), this.drag.t0 - dy * msPerPx));
        this.draw();
      }
      return;
    }
    this.hover(p, e.pointerType === 'touch');
  }

  onUp(e) {
    const d = this.drag;
    this.drag = null;
    if (!d || d.moved) return;
    this.tip.hidden = true;
    this.pick(this.thingAt(this.point(e), e.pointerType === 'touch' ? 10 : 5));
  }

  /** What is under p: an arrow, a marker or a node's name. */
  thingAt(p, slop) {
    const f = this.frame;
    if (!f) return null;
    let best = null;
    for (const mk of f.marks) {
      const d = Math.hypot(mk.x - p.x, mk.y - p.y);
      if (d <= 7 + slop && (!best || d < best.d)) best = { kind: 'marker', mark: mk, d };
    }
    if (best) return best;
    for (const a of f.arrows) {
      const d = toSegment(p.x, p.y, a);
      if (d <= slop && (!best || d < best.d)) best = { kind: 'arrow', arrow: a, d };
    }
    if (best) return best;
    const h = f.scene.hitAt(p.x, p.y, ['node']);
    return h ? { kind: 'node', id: h.id } : null;
  }

  /** Selects what was clicked: the Lab goes there. */
  pick(thing) {
    const { controls, card, show } = this.hooks;
    try {
      if (thing?.kind === 'arrow') {
        const a = thing.arrow;
        this.follow = false;
        this.picked = a.id;
        this.lab.seek(a.sent_at);
        card.show(a.id);
      } else if (thing?.kind === 'marker') {
        this.follow = false;
        this.lab.seek(thing.mark.time_ms);
        if (thing.mark.node != null) controls.select(thing.mark.node);
      } else if (thing?.kind === 'node') {
        controls.select(controls.selected === thing.id ? null : thing.id);
      }
      show(null);
    } catch (err) {
      show(err);
    }
    this.draw();
  }

  hover(p, touch) {
    if (touch) return;
    const hit = this.thingAt(p, 5);
    let words = null;
    if (hit?.kind === 'arrow') words = arrowWords(hit.arrow);
    else if (hit?.kind === 'marker') words = `${timeText(hit.mark.time_ms)} · ${hit.mark.text} · ${t('st.click_there')}`;
    else if (hit?.kind === 'node') words = t('st.click_node', { name: nodeName(hit.id) });
    this.canvas.style.cursor = hit ? 'pointer' : 'default';
    if (!words) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = words;
    this.tip.hidden = false;
    const W = this.body.clientWidth;
    const tw = this.tip.offsetWidth;
    this.tip.style.left = `${Math.max(4, Math.round(p.x + 14 + tw > W - 4 ? p.x - 14 - tw : p.x + 14))}px`;
    this.tip.style.top = `${Math.max(4, Math.round(p.y + 14))}px`;
  }

  /** The time window shown now, following the clock when asked to. */
  window() {
    const now = this.lab.displayTime;
    if (this.lab.playing && !this.wasPlaying) this.follow = true;
    this.wasPlaying = this.lab.playing;
    if (this.follow) this.t0 = Math.max(0, now - FOLLOW_AT * this.span);
    return { t0: this.t0, t1: this.t0 + this.span, now };
  }

  /** What the diagram shows: the engine's messages and markers in the window. */
  model(width, height, budgetMs = undefined) {
    const lab = this.lab;
    const { t0, t1, now } = this.window();
    // Up to the furthest moment reached: after a seek back, what the run did
    // next shows faint below the cursor.
    const head = Math.max(now, lab.headMs());
    const upTo = Math.min(t1, head);
    // The replay reads for a few milliseconds per frame; the rest comes in
    // the next frames.
    const complete = this.data.ensure(t0, upTo, budgetMs);
    this.data.trim(t0, t1);
    if (!complete) this.again();
    const selectedMessage = this.hooks.card.id ?? this.picked;
    return {
      n: lab.sim.nodes(),
      now,
      t0,
      t1,
      width,
      height,
      renderer: rendererFor(lab.sim.protocol()),
      head,
      messages: this.data.between(t0, t1, head),
      markers: this.markers(),
      pauses: (node, t) => this.data.pauseUntil(node, t),
      selectedNode: this.hooks.controls.selected,
      selectedMessage,
      paused: !lab.playing,
      complete,
    };
  }

  /** The engine's markers (read once per change of the run). */
  markers() {
    if (this.markersAt !== this.lab.version || this.markersOf !== this.lab.sim) {
      this.markerList = this.lab.sim.markers();
      this.markersAt = this.lab.version;
      this.markersOf = this.lab.sim;
    }
    return this.markerList;
  }

  again() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.draw();
    });
  }

  /**
   * Draws the view (when open); the page calls it every frame the run or the
   * selection changed. `budgetMs` bounds the reading of new messages
   * (Infinity reads the whole window first, for the export).
   */
  draw(budgetMs = undefined) {
    if (!this.open || !this.lab.sim) return;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w < 10 || h < 10) return;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    try {
      this.lastModel = this.model(w, h, budgetMs);
      this.frame = drawSpacetime(ctx, w, h, this.lastModel);
    } catch (e) {
      this.hooks.show(e);
      return;
    }
    this.followButton.setAttribute('aria-pressed', String(this.follow));
    const range = `${timeText(this.t0)} – ${timeText(this.t0 + this.span)}`;
    if (this.rangeOut.textContent !== range) this.rangeOut.textContent = range;
  }

  /** The diagram as it is shown, as SVG text (built from the same data and drawing). */
  svg() {
    const m = this.lastModel;
    if (!m) return null;
    const ctx = new SvgContext(m.width, m.height);
    drawSpacetime(ctx, m.width, m.height, { ...m, messages: this.data.between(m.t0, m.t1, m.head) });
    return ctx.toString();
  }

  exportSvg() {
    this.draw(Infinity);
    const text = this.svg();
    if (text) download(`${baseName(this.lab)}-spacetime.svg`, new Blob([text], { type: 'image/svg+xml' }));
  }

  /** The run so far as a ShiViz log (vector clocks; crate/src/shiviz.rs), for ShiViz's own space-time diagram. */
  exportShiviz() {
    try {
      const text = this.lab.sim.shivizLog(500_000);
      download(`${baseName(this.lab)}-shiviz.log`, new Blob([text], { type: 'text/plain' }));
      this.hooks.show?.(null);
    } catch (e) {
      this.hooks.show?.(e);
    }
  }

  /** For tests and the console: what the last frame drew and where. */
  api() {
    return {
      state: () => {
        const f = this.frame;
        if (!f || !this.open) return { open: this.open };
        const { g } = f;
        return JSON.parse(JSON.stringify({
          open: this.open,
          follow: this.follow,
          t0: g.t0,
          t1: g.t1,
          now: this.lastModel.now,
          complete: this.lastModel.complete,
          head: this.lastModel.head,
          selectedMessage: this.lastModel.selectedMessage,
          selectedNode: this.lastModel.selectedNode,
          columns: Array.from({ length: this.lastModel.n }, (_, i) => g.x(i)),
          top: g.top,
          pxPerMs: (g.y(g.t0 + 1000) - g.y(g.t0)) / 1000,
          arrows: f.arrows,
          marks: f.marks,
          labels: f.scene.labels,
          texts: f.scene.texts,
          crosses: f.scene.crosses,
          obstacles: f.scene.obstacles,
          w: f.scene.w,
          h: f.scene.h,
        }));
      },
      setWindow: (t0, t1) => {
        this.follow = false;
        this.t0 = Math.max(0, t0);
        this.span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, t1 - t0));
        this.draw();
      },
      show: (open = true) => this.setOpen(open),
      svg: () => {
        this.draw(Infinity);
        return this.svg();
      },
      redraw: () => this.draw(),
    };
  }
}

/** A message's tooltip. */
function arrowWords(a) {
  const route = `${nodeName(a.from)} → ${nodeName(a.to)}`;
  const fate = a.arrived ? t('st.arrived', { ms: a.end }) : a.crossed && a.end != null ? t('st.lost_at', { ms: a.end, why: a.why ? ` (${a.why})` : '' }) : a.lost ? t('st.will_be_lost') : t('st.arrives', { ms: a.deliver_at });
  return `#${a.id} ${a.label} · ${route}\n${t('st.sent_at', { ms: a.sent_at })} · ${fate}\n${t('st.click_arrow')}`;
}

/** Builds the view in `mount` (the page leaves it out of an embedded frame, which shows the cluster only). */
export function setupSpacetime(mount, lab, hooks) {
  if (!mount) return null;
  return new SpacetimeView(mount, lab, hooks);
}
