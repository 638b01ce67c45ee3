// The history of client operations under the cluster, for protocols that
// serve a key-value store: a lane per client with each operation a bar from
// its call to its return (green: it took effect; grey: refused or a failed
// cas; amber and dashed: no answer yet, drawn to the moment on screen), and
// beside it every consistency check the engine runs on that history with its
// sentence. When the history is not linearizable the counterexample's
// operations are outlined in red and the engine's sentence says why they
// cannot be ordered. Clicking an operation (or ←/→ on the focused lanes)
// picks it and goes to the moment it returned; its description is read out.
// After going back in time the operations still to come on this timeline
// stay in their lanes, faded, so ← → walk the whole run.
// The history downloads as the contract's JSON, which `consensus-lab check`
// reads. A button shows or hides the view (remembered in this browser, not in
// links). The engine decides everything shown; this module only draws it.
import { protocolInfo } from '../engine.js';
import { font, palette } from '../draw/common.js';
import { timeText } from '../names.js';
import { download, baseName } from '../files.js';
import { el } from '../forms.js';
import { uiPref, setUiPref } from './ui-state.js';
import { t } from '../i18n.js';

const ROW = 22;
const AXIS = 22;
const GUTTER = 64;
/** Checks in the order the engine reports them, with their names' keys. */
const CHECK_NAMES = {
  linearizable: 'history.check_linearizable',
  sequential: 'history.check_sequential',
  read_your_writes: 'history.check_read_your_writes',
  monotonic_reads: 'history.check_monotonic_reads',
  converged: 'history.check_converged',
};
export const CHECKS = Object.keys(CHECK_NAMES);
const VERDICTS = { holds: 'history.verdict_holds', fails: 'history.verdict_fails', unknown: 'history.verdict_unknown' };
const OP_TEXTS = { read: 'history.op_read', write: 'history.op_write', append: 'history.op_append', cas: 'history.op_cas' };
const OUTCOMES = { ok: 'history.outcome_ok', refused: 'history.outcome_refused', pending: 'history.outcome_pending' };
/** Recompute the checks at most this often while the run plays (ms of wall time). */
const CHECK_EVERY_MS = 250;

const LOOK = {
  ok: { fill: '#d3eedb', stroke: palette.ok },
  refused: { fill: '#eef0f3', stroke: palette.muted },
  pending: { fill: '#fde9c4', stroke: '#b8740a' },
};

/** An operation's outcome: `ok`, `refused` (ok: false) or `pending` (no answer). */
export function outcome(op) {
  if (op.return_ms == null) return 'pending';
  return op.ok === false ? 'refused' : 'ok';
}

const show = (v) => (v == null ? '∅' : String(v));

/** The short label inside a bar: "w 1", "r → 1", "cas 1 → 2", "a 3"; the key first when there are several. */
export function opLabel(op, withKey) {
  const k = withKey ? `${op.key}: ` : '';
  if (op.f === 'read') return `${k}r${op.return_ms == null ? '' : ` → ${show(op.value)}`}`;
  if (op.f === 'cas') return `${k}cas ${show(op.expect)} → ${show(op.value)}`;
  return `${k}${op.f === 'append' ? 'a' : 'w'} ${show(op.value)}`;
}

/** One sentence on an operation for the tooltip and the screen reader. */
export function opText(op) {
  const when = op.return_ms == null ? t('history.when_pending', { call: timeText(op.call_ms) }) : t('history.when', { call: timeText(op.call_ms), ret: timeText(op.return_ms) });
  return t(OP_TEXTS[op.f] ?? OP_TEXTS.write, { id: op.id, client: op.client, key: op.key, value: show(op.value), expect: show(op.expect) }) + ` · ${when} · ${t(OUTCOMES[outcome(op)])}`;
}

/** Rows per client so that overlapping operations of one client do not hide each other. */
export function lanes(history) {
  const byClient = new Map();
  for (const op of [...history].sort((a, b) => a.call_ms - b.call_ms || a.id - b.id)) {
    if (!byClient.has(op.client)) byClient.set(op.client, []);
    byClient.get(op.client).push(op);
  }
  const out = [];
  let row = 0;
  for (const client of [...byClient.keys()].sort((a, b) => a - b)) {
    const ends = [];
    const placed = [];
    for (const op of byClient.get(client)) {
      const end = op.return_ms ?? Infinity;
      let r = ends.findIndex((e) => e <= op.call_ms);
      if (r < 0) r = ends.push(end) - 1;
      else ends[r] = end;
      placed.push({ op, row: row + r });
    }
    out.push({ client, row, rows: ends.length, ops: placed });
    row += ends.length;
  }
  return { lanes: out, rows: row };
}

export class HistoryView {
  /**
   * @param mount the element the view builds itself in
   * @param lab the Lab
   * @param hooks { show(error|null) }
   */
  constructor(mount, lab, hooks) {
    this.mount = mount;
    this.lab = lab;
    this.hooks = hooks;
    this.open = !!uiPref('history', false);
    this.history = [];
    // The longest history seen on this timeline: after seeking back, the
    // operations still to come are drawn faded, and ← → reach them.
    this.known = [];
    this.later = [];
    this.checks = null;
    this.checkedKey = null;
    this.checkedAt = 0;
    this.picked = null;
    this.bars = [];
    this.drawn = { version: -1, time: -1, w: 0 };
    this.build();
    this.setOpen(this.open, false);
    // A new future from an earlier moment: what was to come is gone.
    lab.addEventListener('fork', () => {
      this.known = [];
    });
    lab.addEventListener('change', (e) => {
      if (e.detail !== 'load') return;
      this.picked = null;
      this.known = [];
      this.checks = null;
      this.checkedKey = null;
      this.drawn.version = -1;
      this.mount.hidden = !protocolInfo(lab.sim.protocol())?.clients;
      document.body.classList.toggle('history-open', this.open && !this.mount.hidden);
      this.draw();
    });
  }

  build() {
    this.toggle = el('button', { type: 'button', title: t('history.toggle_title'), 'aria-expanded': 'false', 'aria-controls': 'hi-body', onclick: () => this.setOpen(!this.open) });
    this.note = el('span', { class: 'hi-note', text: t('history.note') });
    this.saveButton = el('button', { type: 'button', text: t('history.save'), title: t('history.save_title'), onclick: () => this.save() });
    const bar = el('div', { class: 'hi-bar' }, this.toggle, this.note, this.saveButton);
    this.empty = el('p', { class: 'hi-empty', text: t('history.empty') });
    this.canvas = el('canvas', { id: 'history-canvas', tabindex: 0, role: 'img', 'aria-label': t('history.canvas') });
    this.tip = el('div', { class: 'tip', role: 'tooltip', hidden: true });
    this.pickedOut = el('p', { class: 'hi-picked', 'aria-live': 'polite' });
    const left = el('div', { class: 'hi-lanes' }, this.empty, this.canvas, this.tip, this.pickedOut);
    this.checksBox = el('div', { class: 'hi-checks' });
    this.body = el('div', { class: 'hi-body', id: 'hi-body' }, left, this.checksBox);
    this.mount.append(bar, this.body);
    this.canvas.addEventListener('pointermove', (e) => this.hover(this.point(e)));
    this.canvas.addEventListener('pointerleave', () => {
      this.tip.hidden = true;
    });
    this.canvas.addEventListener('click', (e) => {
      const bar = this.barAt(this.point(e));
      if (bar) this.pick(bar.op.id);
    });
    this.canvas.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      e.stopPropagation();
      const order = this.all().sort((a, b) => a.call_ms - b.call_ms || a.id - b.id);
      if (!order.length) return;
      const at = order.findIndex((op) => op.id === this.picked);
      const next = at < 0 ? (e.key === 'ArrowRight' ? 0 : order.length - 1) : Math.max(0, Math.min(order.length - 1, at + (e.key === 'ArrowRight' ? 1 : -1)));
      this.pick(order[next].id);
    });
    new ResizeObserver(() => this.draw(true)).observe(left);
  }

  setOpen(open, remember = true) {
    this.open = open;
    this.body.hidden = !open;
    this.note.hidden = !open;
    this.saveButton.hidden = !open;
    document.body.classList.toggle('history-open', open && !this.mount.hidden);
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.textContent = `${open ? '▾' : '▸'} ${t('page.history')}`;
    if (remember) setUiPref('history', open);
    this.draw(true);
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  barAt(p) {
    return this.bars.find((b) => p.x >= b.x - 2 && p.x <= b.x + b.w + 2 && p.y >= b.y && p.y <= b.y + b.h) ?? null;
  }

  hover(p) {
    const bar = this.barAt(p);
    if (!bar) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = opText(bar.op);
    this.tip.hidden = false;
    this.tip.style.left = `${Math.min(p.x + 12, Math.max(0, this.canvas.clientWidth - 260))}px`;
    this.tip.style.top = `${p.y + 14}px`;
  }

  /** Picks an operation and goes to the moment it returned (or was called, with no answer). */
  pick(id) {
    const op = this.all().find((o) => o.id === id);
    if (!op) return;
    this.picked = id;
    this.pickedOut.textContent = opText(op);
    try {
      this.lab.seek(op.return_ms ?? op.call_ms);
      this.hooks.show(null);
    } catch (e) {
      this.hooks.show(e);
    }
    this.draw(true);
  }

  /** The history as the contract's check input, `{ model: "kv", ops }`. */
  document() {
    return { model: 'kv', ops: this.lab.sim.history() };
  }

  save() {
    const text = `${JSON.stringify(this.document(), null, 2)}\n`;
    download(`${baseName(this.lab)}-history.json`, new Blob([text], { type: 'application/json' }));
  }

  /**
   * Reads the history, and the checks when it changed: at once when paused,
   * at most every CHECK_EVERY_MS while playing. Whether replicas converged
   * can change with no new operation, so a playing run is checked again
   * every second even then.
   */
  read() {
    const sim = this.lab.sim;
    this.history = sim.history();
    const h = this.history;
    if (h.length >= this.known.length) this.known = h;
    const have = new Set(h.map((op) => op.id));
    this.later = this.known.filter((op) => !have.has(op.id));
    const last = h.at(-1);
    const opsKey = `${h.length}:${h.filter((op) => op.return_ms != null).length}:${last ? `${last.id}@${last.call_ms}` : ''}`;
    const time = Math.floor(this.lab.displayTime);
    const now = performance.now();
    const playing = this.lab.playing;
    const stale = opsKey !== this.checkedKey || (playing ? now - this.checkedAt >= 1000 : time !== this.checkedTime);
    if (!stale && this.checks) return;
    if (playing && this.checks && now - this.checkedAt < CHECK_EVERY_MS) {
      this.again();
      return;
    }
    this.checks = sim.consistency();
    this.checkedKey = opsKey;
    this.checkedTime = time;
    this.checkedAt = now;
    this.showChecks();
  }

  again() {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.draw(true);
    }, CHECK_EVERY_MS);
  }

  showChecks() {
    const c = this.checks;
    const items = CHECKS.map((name) => {
      const v = c[name];
      const verdict = v === true ? 'holds' : v === false ? 'fails' : 'unknown';
      const why = c.details?.[name];
      return el(
        'li',
        { 'data-check': name, 'data-verdict': verdict },
        el('span', { class: 'hi-mark', 'aria-label': t(VERDICTS[verdict]), text: v === true ? '✓' : v === false ? '✗' : '?' }),
        ' ',
        el('strong', { text: t(CHECK_NAMES[name]) }),
        why ? el('p', { lang: 'en', text: why }) : null,
      );
    });
    const ce = c.counterexample;
    this.checksBox.replaceChildren(
      el('h3', { class: 'hi-h', text: t('history.checks', { ops: this.history.length }) }),
      el('ul', { class: 'hi-verdicts' }, ...items),
      ...(ce ? [el('div', { class: 'hi-counter' }, el('strong', { text: t('history.counterexample', { key: ce.key, ids: ce.ops.map((op) => `#${op.id}`).join(', ') }) }), el('p', { lang: 'en', text: ce.detail }))] : []),
    );
  }

  /** Draws the view (when open); the page calls it every frame the run changed. */
  draw(force = false) {
    if (!this.open || !this.lab.sim || this.mount.hidden) return;
    const lab = this.lab;
    const w = Math.max(200, Math.floor(this.canvas.parentElement.clientWidth));
    const time = lab.displayTime;
    if (!force && this.drawn.version === lab.version && this.drawn.time === time && this.drawn.w === w) return;
    try {
      this.read();
      this.paint(w, time);
      this.drawn = { version: lab.version, time, w };
    } catch (e) {
      this.hooks.show(e);
    }
  }

  /** The operations so far and those still to come on this timeline. */
  all() {
    return [...this.history, ...this.later];
  }

  paint(w, time) {
    const later = new Set(this.later.map((op) => op.id));
    const { lanes: ls, rows } = lanes(this.all());
    this.empty.hidden = this.history.length > 0;
    this.canvas.hidden = this.history.length === 0;
    this.bars = [];
    if (!this.history.length) return;
    const h = AXIS + rows * ROW + 6;
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const span = Math.max(100, this.lab.headMs(), time, ...this.all().map((op) => op.return_ms ?? op.call_ms));
    const x = (ms) => GUTTER + ((w - GUTTER - 8) * ms) / span;
    this.axis(ctx, x, span, w);
    const bad = new Set((this.checks?.counterexample?.ops ?? []).map((op) => op.id));
    const withKey = new Set(this.history.map((op) => op.key)).size > 1;
    font(ctx, 11);
    ctx.textBaseline = 'middle';
    for (const lane of ls) {
      const y0 = AXIS + lane.row * ROW;
      ctx.fillStyle = palette.muted;
      ctx.textAlign = 'left';
      ctx.fillText(t('history.client', { id: lane.client }), 4, y0 + ROW / 2);
      ctx.strokeStyle = palette.edge;
      ctx.beginPath();
      ctx.moveTo(GUTTER, y0 + lane.rows * ROW + 0.5);
      ctx.lineTo(w - 8, y0 + lane.rows * ROW + 0.5);
      ctx.stroke();
      for (const { op, row } of lane.ops) {
        const kind = outcome(op);
        const x0 = x(op.call_ms);
        const bw = Math.max(3, x(op.return_ms ?? Math.max(time, op.call_ms)) - x0);
        const by = AXIS + row * ROW + 3;
        const bar = { op, x: x0, y: by, w: bw, h: ROW - 6, later: later.has(op.id) };
        this.bars.push(bar);
        ctx.globalAlpha = bar.later ? 0.35 : 1;
        const look = LOOK[kind];
        ctx.fillStyle = look.fill;
        ctx.fillRect(x0, by, bw, bar.h);
        ctx.setLineDash(kind === 'pending' ? [4, 3] : []);
        ctx.lineWidth = bad.has(op.id) ? 2.5 : 1;
        ctx.strokeStyle = bad.has(op.id) ? palette.danger : look.stroke;
        ctx.strokeRect(x0 + 0.5, by + 0.5, bw - 1, bar.h - 1);
        ctx.setLineDash([]);
        if (op.id === this.picked) {
          ctx.lineWidth = 2;
          ctx.strokeStyle = palette.selected;
          ctx.strokeRect(x0 - 2, by - 2, bw + 4, bar.h + 4);
        }
        const label = opLabel(op, withKey);
        if (ctx.measureText(label).width + 6 <= bw) {
          ctx.fillStyle = palette.ink;
          ctx.textAlign = 'left';
          ctx.fillText(label, x0 + 3, by + bar.h / 2);
        }
        ctx.globalAlpha = 1;
      }
    }
    // The moment on screen.
    ctx.strokeStyle = palette.selected;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(Math.round(x(time)) + 0.5, AXIS - 4);
    ctx.lineTo(Math.round(x(time)) + 0.5, h);
    ctx.stroke();
    this.span = span;
  }

  axis(ctx, x, span, w) {
    const steps = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 60_000, 120_000, 300_000];
    const every = steps.find((s) => (w - GUTTER) / (span / s) >= 70) ?? steps.at(-1);
    font(ctx, 10.5);
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'center';
    for (let ms = 0; ms <= span; ms += every) {
      const px = Math.round(x(ms)) + 0.5;
      ctx.strokeStyle = palette.edge;
      ctx.beginPath();
      ctx.moveTo(px, AXIS - 4);
      ctx.lineTo(px, AXIS);
      ctx.stroke();
      ctx.fillStyle = palette.muted;
      ctx.fillText(timeText(ms), Math.min(w - 24, Math.max(GUTTER + 14, px)), AXIS - 8);
    }
  }

  /** For tests and the console: what the view shows. */
  api() {
    return {
      state: () => {
        if (!this.open) return { open: false, hidden: this.mount.hidden };
        const r = this.canvas.getBoundingClientRect();
        return JSON.parse(JSON.stringify({
          open: true,
          hidden: this.mount.hidden,
          ops: this.history.length,
          picked: this.picked,
          canvas: { x: r.left, y: r.top },
          bars: this.bars.map((b) => ({ id: b.op.id, client: b.op.client, outcome: outcome(b.op), later: b.later, x: b.x, y: b.y, w: b.w, h: b.h, marked: !!this.checks?.counterexample?.ops.some((o) => o.id === b.op.id) })),
          verdicts: Object.fromEntries([...this.checksBox.querySelectorAll('li[data-check]')].map((li) => [li.dataset.check, li.dataset.verdict])),
          counterexample: this.checksBox.querySelector('.hi-counter')?.textContent ?? null,
        }));
      },
      show: (open = true) => this.setOpen(open),
      document: () => this.document(),
    };
  }
}

/** Builds the view in `mount` (the page leaves it out of an embedded frame). */
export function setupHistory(mount, lab, hooks) {
  if (!mount) return null;
  return new HistoryView(mount, lab, hooks);
}
