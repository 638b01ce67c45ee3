// Charts of the run over time, under the cluster, with the run's figures
// beside them (metrics.js): the messages sent so far by kind, and every
// series the protocol declares (the protocol list names them and says what
// each means), sampled by the engine (charts-data.js). A line marks the
// moment on screen and follows the shared clock; clicking a chart goes to
// that moment. For a protocol with client operations, one more chart is not
// over time: the share of reads that were fresh against the time since the
// newest completed write of their key (PBS-style staleness, measured by the
// engine: Simulation.staleness). The chart library (uPlot, vendored in www/vendor/uplot/) is
// fetched the first time the charts are shown. A button shows or hides the
// view (remembered in this browser, not in links).
import { protocolInfo } from '../engine.js';
import { rendererFor, styleOf } from '../render.js';
import { palette } from '../draw/common.js';
import { timeText } from '../names.js';
import { ChartsData } from './charts-data.js';
import { MetricsPanel } from './metrics.js';
import { uiPref, setUiPref } from './ui-state.js';
import { t } from '../i18n.js';

const CHART_HEIGHT = 150;
/** Colours for the lines of one series family (a rumor each, say). */
const LINE_COLORS = palette.groups;
/** Declared series drawn as a dashed reference line on the chart before them. */
const REFERENCE_LINES = new Set(['threshold']);
/** The page's words for a curve's x axis, by curve name (the engine's English otherwise). */
const CURVE_X = { load_by_tokens: 'charts.curve_x.load_by_tokens' };
/** The staleness chart's bins: 10 ms wide up to 200 ms, then one for later reads. */
export const STALENESS_BIN_MS = 10;
export const STALENESS_MAX_MS = 200;

let library = null;

/** Loads uPlot and its style sheet (once). */
function loadLibrary() {
  if (!library) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    // From the page's address: the bundle moves this module, not the page.
    link.href = new URL('www/vendor/uplot/uPlot.min.css', document.baseURI).href;
    const css = new Promise((resolve) => {
      link.onload = resolve;
      link.onerror = resolve;
    });
    document.head.append(link);
    library = Promise.all([import('../vendor/uplot/uPlot.esm.js'), css]).then(([m]) => m.default);
  }
  return library;
}

/**
 * The charts a protocol's run shows: { id, title, lines: [{ label, values }] }.
 * A declared series named `prefix:<value>` gathers every engine series with
 * that prefix, a line each. A declared `threshold` (the failure detectors'
 * timeout or φ threshold) is not a chart of its own: it is the dashed line
 * the chart declared just before it is compared with.
 */
export function chartsOf(model, protocol) {
  const renderer = rendererFor(protocol);
  const out = [];
  const kinds = Object.keys(model.kinds);
  out.push({
    id: 'messages',
    title: t('charts.messages_title'),
    lines: kinds.map((k) => ({ label: kindStyle(renderer, k).legend, name: k, values: model.kinds[k], color: kindStyle(renderer, k).color })),
  });
  for (const decl of protocolInfo(protocol)?.series ?? []) {
    const last = out.at(-1);
    if (REFERENCE_LINES.has(decl.name) && last && last.id !== 'messages') {
      if (model.series[decl.name]) last.lines.push({ label: t('charts.threshold'), name: decl.name, values: model.series[decl.name], color: palette.danger, dash: true });
      continue;
    }
    const star = decl.name.indexOf('<');
    const prefix = star >= 0 ? decl.name.slice(0, star) : null;
    const names = Object.keys(model.series).filter((n) => (prefix != null ? n.startsWith(prefix) : n === decl.name));
    out.push({
      id: `series-${decl.name}`,
      title: decl.doc.charAt(0).toUpperCase() + decl.doc.slice(1),
      name: decl.name,
      lines: names.map((n, i) => ({ label: prefix != null ? n.slice(prefix.length) : n, name: n, values: model.series[n], color: LINE_COLORS[i % LINE_COLORS.length] })),
    });
  }
  const st = model.staleness;
  if (st && st.reads > 0) {
    // x: each bin's start (the last bin, "later", at its start too); y: the share of its reads that were fresh.
    out.push({
      id: 'staleness',
      title: t('charts.staleness_title', { reads: st.reads, fresh: st.fresh }),
      xs: st.bins.map((b) => b.from_ms),
      x: { label: t('charts.staleness_x'), min: 0, max: STALENESS_MAX_MS, text: (v) => (v >= STALENESS_MAX_MS ? `≥ ${v} ms` : `${v} ms`) },
      y: { range: [0, 1], text: (v) => `${Math.round(v * 100)}%` },
      lines: [{ label: t('charts.staleness_line'), name: 'fresh', values: st.bins.map((b) => (b.reads ? b.fresh / b.reads : null)), color: palette.ok }],
      reads: st.bins.map((b) => b.reads),
    });
  }
  // The curves the protocol declares (figures not over time), as the engine reports them now.
  for (const curve of model.curves ?? []) {
    const decl = (protocolInfo(protocol)?.curves ?? []).find((d) => d.name === curve.name);
    if (!decl || !curve.xs.length) continue;
    const dashed = (label) => label.includes('√');
    // The engine names the x axis in English; the page's words stand in where it has them.
    const xLabel = CURVE_X[curve.name] ? t(CURVE_X[curve.name]) : curve.x_label;
    out.push({
      id: `curve-${curve.name}`,
      title: decl.doc.charAt(0).toUpperCase() + decl.doc.slice(1),
      name: curve.name,
      xs: curve.xs,
      x: { label: xLabel, min: curve.xs[0], max: curve.xs.at(-1), log: curve.xs[0] > 0 && curve.xs.at(-1) / curve.xs[0] >= 16 ? 2 : 0, text: (v) => String(Number(v.toPrecision(3))) },
      y: { range: null, text: (v) => String(Number(v.toPrecision(2))) },
      lines: curve.lines.map((l, i) => ({ label: l.label, name: l.label, values: l.values, color: dashed(l.label) ? palette.muted : LINE_COLORS[i % LINE_COLORS.length], dash: dashed(l.label) })),
    });
  }
  return out;
}

/** Whether a #rrggbb colour is too light for a line on white. */
function light(color) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color ?? '');
  if (!m) return false;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.72;
}

/** The legend's name for messages of `kind` and a line colour near the page's (its fill, or its outline when the fill is pale). */
export function kindStyle(renderer, kind) {
  let st = {};
  try {
    st = styleOf(renderer, { kind, label: kind }) ?? {};
  } catch {
    // A renderer that needs more than the kind: the engine's name and ink.
  }
  const color = st.fill && !light(st.fill) ? st.fill : (st.stroke ?? palette.ink);
  return { legend: st.legend ?? kind, color };
}

export class ChartsView {
  /**
   * @param mount the element the view builds itself in
   * @param lab the Lab
   * @param hooks { show(error|null) }
   */
  constructor(mount, lab, hooks) {
    this.mount = mount;
    this.lab = lab;
    this.hooks = hooks;
    this.data = new ChartsData(lab);
    /** Chart id → { plot, key, box } */
    this.plots = new Map();
    this.uPlot = null;
    this.drawn = { version: -1, time: -1 };
    this.open = !!uiPref('charts', false);
    this.build();
    this.setOpen(this.open, false);
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.clear();
    });
  }

  build() {
    const bar = document.createElement('div');
    bar.className = 'ch-bar';
    this.toggle = document.createElement('button');
    this.toggle.type = 'button';
    this.toggle.title = t('charts.toggle_title');
    this.toggle.setAttribute('aria-expanded', 'false');
    this.toggle.setAttribute('aria-controls', 'ch-body');
    this.toggle.addEventListener('click', () => this.setOpen(!this.open));
    this.note = document.createElement('span');
    this.note.className = 'ch-note';
    this.note.textContent = t('charts.note');
    bar.append(this.toggle, this.note);
    this.body = document.createElement('div');
    this.body.className = 'ch-body';
    this.body.id = 'ch-body';
    this.figures = document.createElement('div');
    this.figures.className = 'ch-figures';
    this.figures.setAttribute('aria-live', 'off');
    this.chartsBox = document.createElement('div');
    this.chartsBox.className = 'ch-charts';
    this.body.append(this.chartsBox, this.figures);
    this.mount.append(bar, this.body);
    this.panel = new MetricsPanel(this.figures, this.lab, (kind) => kindStyle(rendererFor(this.lab.sim.protocol()), kind).legend);
    new ResizeObserver(() => this.resize()).observe(this.chartsBox);
  }

  setOpen(open, remember = true) {
    this.open = open;
    this.body.hidden = !open;
    this.note.hidden = !open;
    document.body.classList.toggle('charts-open', open);
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.textContent = `${open ? '▾' : '▸'} ${t('page.charts')}`;
    if (remember) setUiPref('charts', open);
    if (open && !this.uPlot) {
      loadLibrary().then((u) => {
        this.uPlot = u;
        this.draw();
      }, (e) => this.hooks.show(new Error(t('charts.no_library', { why: e.message }))));
    }
    this.draw();
  }

  clear() {
    this.stale = null;
    this.curvesRead = null;
    for (const p of this.plots.values()) {
      p.plot.destroy();
      p.box.remove();
    }
    this.plots.clear();
    this.drawn = { version: -1, time: -1 };
  }

  resize() {
    const w = this.width();
    for (const p of this.plots.values()) p.plot.setSize({ width: w, height: CHART_HEIGHT });
  }

  width() {
    return Math.max(200, Math.floor(this.chartsBox.clientWidth));
  }

  /** Draws the view (when open); the page calls it every frame the run changed. */
  draw() {
    if (!this.open || !this.lab.sim) return;
    const lab = this.lab;
    try {
      if (this.drawn.version !== lab.version || !this.complete) this.panel.update();
      if (!this.uPlot) return;
      const time = lab.displayTime;
      if (this.drawn.version === lab.version && this.complete && this.drawn.time === time) return;
      const model = this.data.model();
      if (protocolInfo(lab.sim.protocol())?.clients) model.staleness = this.staleness();
      if (protocolInfo(lab.sim.protocol())?.curves?.length) model.curves = this.curves();
      this.complete = model.complete;
      if (!model.complete) this.again();
      this.model = model;
      const charts = chartsOf(model, lab.sim.protocol());
      this.show(charts, model);
      this.drawn = { version: lab.version, time };
    } catch (e) {
      this.hooks.show(e);
    }
  }

  /**
   * The engine's staleness figures and curves: read again when the run or
   * the moment changed, and while playing at most every 300 ms of real time.
   */
  staleness() {
    return this.cached('stale', () => this.lab.sim.staleness(STALENESS_BIN_MS, STALENESS_MAX_MS));
  }

  curves() {
    return this.cached('curvesRead', () => this.lab.sim.curves());
  }

  cached(slot, read) {
    const now = performance.now();
    const c = this[slot];
    const same = c && c.version === this.lab.version && c.time === this.lab.displayTime;
    if (!c || (!same && (!this.lab.playing || now - c.at > 300))) {
      this[slot] = { at: now, version: this.lab.version, time: this.lab.displayTime, value: read() };
    }
    return this[slot].value;
  }

  again() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.draw();
    });
  }

  /** Builds, updates or removes the uPlot charts. */
  show(charts, model) {
    const keep = new Set();
    for (const c of charts) {
      keep.add(c.id);
      const key = JSON.stringify(c.lines.map((l) => [l.label, l.color, !!l.dash]));
      let p = this.plots.get(c.id);
      if (p && p.key !== key) {
        p.plot.destroy();
        p.box.remove();
        p = null;
      }
      const data = [c.xs ?? model.times, ...c.lines.map((l) => l.values)];
      if (!p) p = this.create(c, key, data);
      else p.plot.setData(data);
      p.chart = c;
      if (p.cap.textContent !== c.title) p.cap.textContent = c.title;
      if (c.xs) p.plot.setScale('x', { min: c.x.min, max: c.x.max });
      else p.plot.setScale('x', { min: 0, max: Math.max(model.step, model.head) });
      p.empty.hidden = c.lines.length > 0;
    }
    for (const [id, p] of this.plots) {
      if (keep.has(id)) continue;
      p.plot.destroy();
      p.box.remove();
      this.plots.delete(id);
    }
    // In the order of `charts`.
    this.chartsBox.append(...charts.map((c) => this.plots.get(c.id).box));
  }

  create(c, key, data) {
    const box = document.createElement('figure');
    box.className = 'ch-chart';
    box.dataset.chart = c.id;
    const cap = document.createElement('figcaption');
    cap.textContent = c.title;
    const empty = document.createElement('p');
    empty.className = 'ch-empty';
    empty.textContent = c.id === 'messages' ? t('charts.no_message') : t('charts.nothing');
    box.append(cap, empty);
    const area = document.createElement('div');
    area.className = 'ch-plot';
    area.setAttribute('role', 'img');
    area.setAttribute('aria-label', t('a11y.chart', { title: c.title }));
    box.append(area);
    const axis = { stroke: palette.muted, grid: { stroke: palette.edge, width: 1 }, ticks: { stroke: palette.faint, width: 1 }, font: '11px system-ui, sans-serif' };
    // A chart over time has the moment's line and goes there on a click; the
    // others (staleness, a protocol's curves) bring their own x and y.
    const overTime = !c.xs;
    const xScale = overTime ? { time: false } : { time: false, ...(c.x.log ? { distr: 3, log: c.x.log } : {}) };
    const opts = {
      width: this.width(),
      height: CHART_HEIGHT,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false }, y: false },
      scales: overTime || !c.y.range ? { x: xScale } : { x: xScale, y: { range: c.y.range } },
      axes: [
        overTime
          ? { ...axis, values: (u, ticks) => ticks.map((v) => timeText(v)) }
          : { ...axis, label: c.x.label, labelSize: 16, labelFont: axis.font, values: (u, ticks) => ticks.map((v) => c.x.text(v)) },
        overTime ? { ...axis, size: 44 } : { ...axis, size: 44, values: (u, ticks) => ticks.map((v) => c.y.text(v)) },
      ],
      series: [
        { label: overTime ? t('charts.time') : c.x.label },
        ...c.lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, spanGaps: !overTime, points: { show: !overTime, size: 5, fill: l.color }, ...(l.dash ? { dash: [6, 4] } : {}) })),
      ],
      hooks: {
        draw: overTime ? [(u) => this.drawCursor(u)] : [],
      },
    };
    const plot = new this.uPlot(opts, data, area);
    if (overTime) this.seekOnClick(plot);
    const p = { plot, key, box, empty, chart: c, cap };
    this.plots.set(c.id, p);
    return p;
  }

  /** Clicking a chart over time goes to that moment. */
  seekOnClick(plot) {
    const lab = this.lab;
    plot.over.addEventListener('click', (e) => {
      const t = plot.posToVal(e.offsetX, 'x');
      if (!Number.isFinite(t)) return;
      try {
        lab.seek(Math.max(0, Math.min(lab.headMs(), t)));
        this.hooks.show(null);
      } catch (err) {
        this.hooks.show(err);
      }
    });
  }

  /** The line at the moment on screen. */
  drawCursor(u) {
    const t = this.lab.displayTime;
    const x = u.valToPos(t, 'x', true);
    const { top, height, left, width } = u.bbox;
    if (!(x >= left - 1 && x <= left + width + 1)) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = palette.selected;
    ctx.lineWidth = 1.5 * (window.devicePixelRatio || 1);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, top);
    ctx.lineTo(Math.round(x) + 0.5, top + height);
    ctx.stroke();
    ctx.restore();
  }

  /** For tests and the console: what the charts show. */
  api() {
    return {
      state: () => {
        if (!this.open) return { open: false };
        const charts = [...this.plots.values()].map((p) => {
          const { left, top, width, height } = p.plot.bbox;
          const dpr = window.devicePixelRatio || 1;
          const r = p.plot.over.getBoundingClientRect();
          return {
            id: p.chart.id,
            title: p.chart.title,
            times: p.plot.data[0],
            lines: p.chart.lines.map((l, i) => ({ label: l.label, name: l.name ?? null, dash: !!l.dash, values: p.plot.data[i + 1] })),
            reads: p.chart.reads ?? null,
            cursorX: p.plot.valToPos(this.lab.displayTime, 'x'),
            plot: { x: r.left, y: r.top, w: r.width, h: r.height },
            bbox: { left: left / dpr, top: top / dpr, width: width / dpr, height: height / dpr },
            xMin: p.plot.scales.x.min,
            xMax: p.plot.scales.x.max,
          };
        });
        return JSON.parse(JSON.stringify({ open: true, loaded: !!this.uPlot, complete: !!this.complete, step: this.model?.step, head: this.model?.head, charts, figures: this.panel.shown }));
      },
      show: (open = true) => this.setOpen(open),
      redraw: () => this.draw(),
    };
  }
}

/** Builds the view in `mount` (the page leaves it out of an embedded frame). */
export function setupCharts(mount, lab, hooks) {
  if (!mount) return null;
  return new ChartsView(mount, lab, hooks);
}
