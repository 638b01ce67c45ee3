// The figures of the run so far, beside the charts: messages sent, delivered
// and dropped by kind (the engine's stats), how long client operations took
// (from the run's history of client operations, where the protocol serves
// clients) and the protocol's own metrics with what each means (the
// protocol list's docs). All of it read from the engine; nothing computed
// about the protocol here.
import { protocolInfo } from '../engine.js';
import { t } from '../i18n.js';

/** The `p`-th percentile of sorted `xs` (nearest rank), or null when empty. */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const i = Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1));
  return xs[i];
}

/** Client operations' latency from a history: { done, pending, p50, p95, max } (ms). */
export function latency(history) {
  const ms = history.filter((op) => op.return_ms != null).map((op) => op.return_ms - op.call_ms).sort((a, b) => a - b);
  return { ops: history.length, done: ms.length, pending: history.length - ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), max: ms.length ? ms[ms.length - 1] : null };
}

/** A metric's value as the panel shows it. */
export function valueText(v) {
  if (v == null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Math.round(v * 1000) / 1000);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

/** A table (`head`: the column names, or null); a row's first cell may be [text, title]. */
function table(caption, head, rows) {
  const t = el('table', { className: 'mx-table' });
  t.append(el('caption', { textContent: caption }));
  if (head) {
    const hr = el('tr');
    for (const [i, h] of head.entries()) hr.append(el('th', { textContent: h, scope: 'col', className: i ? 'num' : '' }));
    t.append(el('thead', {}, hr));
  }
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    for (const [i, c] of r.entries()) {
      if (i) tr.append(el('td', { textContent: c, className: 'num' }));
      else tr.append(Array.isArray(c) ? el('th', { textContent: c[0], title: c[1], scope: 'row' }) : el('th', { textContent: c, scope: 'row' }));
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

export class MetricsPanel {
  /**
   * @param mount the element the panel fills
   * @param kindName (kind) → the name the page's legend gives messages of that kind
   */
  constructor(mount, lab, kindName = (k) => k) {
    this.mount = mount;
    this.lab = lab;
    this.kindName = kindName;
    this.shown = null;
  }

  /** What the panel shows now, read from the engine. */
  read() {
    const sim = this.lab.sim;
    const stats = sim.stats();
    const history = sim.history();
    const metrics = sim.metrics();
    const docs = new Map((protocolInfo(sim.protocol())?.metrics ?? []).map((m) => [m.name, m.doc]));
    const kinds = Object.entries(stats.by_kind ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    return {
      time: sim.timeMs(),
      messages: [
        ...kinds.map(([k, c]) => ({ kind: k, sent: c.sent, delivered: c.delivered, dropped: c.dropped })),
        { kind: 'all', sent: stats.messages_sent, delivered: stats.messages_delivered, dropped: stats.messages_dropped },
      ],
      clients: history.length ? latency(history) : null,
      metrics: Object.entries(metrics).map(([name, value]) => ({ name, value, doc: docs.get(name) ?? '' })),
    };
  }

  /** Rebuilds the panel from the engine. */
  update() {
    if (!this.lab.sim) return;
    const m = this.read();
    const key = JSON.stringify(m);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.shown = m;
    const parts = [
      table(t('metrics.messages'), [t('metrics.kind'), t('metrics.sent'), t('metrics.delivered'), t('metrics.dropped')], m.messages.map((r) => [r.kind === 'all' ? t('metrics.all') : [this.kindName(r.kind), t('metrics.of_kind', { kind: r.kind })], valueText(r.sent), valueText(r.delivered), valueText(r.dropped)])),
    ];
    if (m.clients) {
      const c = m.clients;
      parts.push(table(t('metrics.client_ops'), null, [
        [t('metrics.answered'), t('metrics.done_of', { done: valueText(c.done), ops: valueText(c.ops) })],
        [t('metrics.p50'), c.p50 == null ? '—' : `${valueText(c.p50)} ms`],
        [t('metrics.p95'), c.p95 == null ? '—' : `${valueText(c.p95)} ms`],
        [t('metrics.max'), c.max == null ? '—' : `${valueText(c.max)} ms`],
      ]));
    }
    if (m.metrics.length) {
      const dl = el('dl', { className: 'mx-metrics' });
      for (const x of m.metrics) {
        dl.append(el('dt', {}, el('span', { textContent: x.name.replaceAll('_', ' ') }), el('span', { className: 'num', textContent: valueText(x.value) })));
        if (x.doc) dl.append(el('dd', { textContent: x.doc }));
      }
      parts.push(el('h3', { className: 'mx-h', textContent: t('metrics.figures', { protocol: this.lab.sim.protocol() }) }), dl);
    }
    this.mount.replaceChildren(...parts);
  }
}
