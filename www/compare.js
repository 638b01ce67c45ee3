// Compare mode: a second run beside the one on screen, under one clock and
// one fault timeline. The second run (B) has a protocol (and params) of its
// own, the same nodes, seed and network, and the same faults and client
// operations: the shared events of the first run's scenario when comparing
// starts, and then every shared inject as it is made (a crash, a partition,
// a client operation…), applied to B at the same moment. B follows A's clock
// frame by frame (it runs forward or seeks back to A's moment), so seeking,
// stepping and forking A move B too. Each side shows its own figures:
// messages, client operations answered, and the consistency verdict. A link
// carries both runs (`vs=` holds B's scenario, encoded as `s=` is). This is
// how a reader sees the same partition on a CP and an AP store.
//
// The engine decides everything on both sides; this module only chooses
// which of A's events B also receives, keeps the clocks together and draws B.
import { Lab, protocolInfo, protocols } from './engine.js';
import { drawScene, loadRenderer, prefersReducedMotion } from './render.js';
import { RING_MAX } from './draw/dots.js';
import { t } from './i18n.js';
import { el } from './forms.js';

const $ = (id) => document.getElementById(id);

/** Event types both runs receive: faults, membership and client operations. */
export const SHARED = new Set(['crash', 'restart', 'pause', 'partition', 'heal', 'link', 'network', 'join', 'leave', 'client_request', 'client_op']);

/** Whether B (described by `info`) takes event `ev` too. */
export function sharedEvent(ev, info) {
  if (!SHARED.has(ev?.type)) return false;
  if (ev.type === 'client_op' && !info?.clients) return false;
  if ((ev.type === 'join' || ev.type === 'leave') && !info?.membership) return false;
  return true;
}

/**
 * The scenario B starts from: `protocol` with its defaults, A's nodes, seed,
 * network, members and workload, and A's shared events. Throws a readable
 * Error when B cannot run with A's nodes.
 */
export function pairedScenario(a, protocol) {
  const info = protocolInfo(protocol);
  if (!info) throw new Error(t('compare.unknown', { protocol: String(protocol).slice(0, 40) }));
  if (a.nodes < info.min_nodes || a.nodes > info.max_nodes) {
    throw new Error(t('compare.nodes', { protocol, nodes: a.nodes, min: info.min_nodes, max: info.max_nodes }));
  }
  const b = { version: 1, protocol, nodes: a.nodes, seed: a.seed, title: `${protocol}`, events: (a.events ?? []).filter((ev) => sharedEvent(ev, info)) };
  if (a.network) b.network = a.network;
  if (a.members && info.membership) b.members = a.members;
  if (a.clients && info.clients) b.clients = a.clients;
  return b;
}

/**
 * What tells two runs of one protocol apart: the params whose values differ
 * between the two scenarios, as `name value` for `mine` (empty for two
 * protocols, whose names already differ).
 */
export function differences(mine, other) {
  if (mine.protocol !== other.protocol) return [];
  const a = mine.params ?? {};
  const b = other.params ?? {};
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k} ${a[k] === undefined ? t('compare.default') : JSON.stringify(a[k]).replace(/^"|"$/g, '')}`);
}

/** One side's figures: messages sent, operations answered, and whether its history is linearizable (`check()` runs the checks, only when there is a history). */
export function figures(sim, check) {
  const stats = sim.stats();
  const history = sim.history();
  const answered = history.filter((op) => op.return_ms != null).length;
  return {
    protocol: sim.protocol(),
    messages: stats.messages_sent,
    ops: history.length,
    answered,
    linearizable: history.length ? (check()?.linearizable ?? null) : null,
  };
}

export class Compare {
  /**
   * @param lab the run on screen (A)
   * @param hooks { show(message|Error|null), changed() (the link should follow),
   *   tip(hit, x, y) and hideTip() (the page's tooltip, placed in the canvases' box) }
   */
  constructor(lab, hooks) {
    this.a = lab;
    this.hooks = hooks;
    this.b = null;
    this.active = false;
    this.drawn = { version: -1, time: -1, w: 0, h: 0 };
    this.checks = { a: null, b: null, at: 0 };
    // A new run on screen ends the comparison (its own load updates the link).
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.stop({ quiet: true });
    });
    lab.addEventListener('injected', (e) => this.mirror(e.detail));
    this.build();
  }

  /**
   * The form lives with the registry's tools (index.html puts it in
   * #registry-controls): a "Compare…" button in their row opens it, kept
   * last in the row as the row is rebuilt for each protocol.
   */
  build() {
    const section = $('compare');
    const group = section.closest('.group');
    this.opener = el('button', {
      type: 'button', id: 'compare-open', class: 'ops-toggle', 'aria-controls': 'compare', 'aria-expanded': 'false', text: t('page.compare_open'),
      title: t('page.compare_open_title'), onclick: () => this.showForm(section.hidden),
    });
    const place = () => {
      group.querySelector('.tools-row')?.append(this.opener);
      group.append(section);
    };
    place();
    this.a.addEventListener('change', (e) => {
      if (e.detail === 'load') place();
    });
    const select = $('compare-protocol');
    for (const p of protocols()) {
      const o = document.createElement('option');
      o.value = p.name;
      o.textContent = p.name;
      select.append(o);
    }
    $('compare-start').addEventListener('click', () => {
      this.start(select.value).catch((e) => this.hooks.show(e));
    });
    $('compare-stop').addEventListener('click', () => this.stop());
    const canvas = $('canvas-b');
    new ResizeObserver(() => this.draw(true)).observe(canvas);
    canvas.addEventListener('pointermove', (e) => this.hover(e));
    canvas.addEventListener('pointerleave', () => this.hooks.hideTip?.());
  }

  /**
   * Hovering the second run shows what hovering the first does: the
   * tooltip of the node or message under the pointer, from B's own drawing.
   */
  hover(e) {
    if (!this.active || e.pointerType === 'touch') return;
    const canvas = e.currentTarget;
    const rect = canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const sc = this.layout?.scene;
    const h = sc?.hitAt(x, y, ['message']) ?? sc?.hitAt(x, y);
    canvas.style.cursor = h?.tip ? 'help' : 'default';
    if (!h?.tip) {
      this.hooks.hideTip?.();
      return;
    }
    // The tooltip lives in the box both canvases share.
    const box = canvas.parentElement.getBoundingClientRect();
    this.hooks.tip?.(h, e.clientX - box.left, e.clientY - box.top);
  }

  /** Opens or closes the form under the tools row. */
  showForm(open) {
    $('compare').hidden = !open;
    this.opener.setAttribute('aria-expanded', String(open));
  }

  /** Starts comparing A with a new run of `protocol` built from A's scenario (or with `scenarioB` as it is). */
  async start(protocol, scenarioB = null) {
    const a = this.a.sim.scenario();
    const doc = scenarioB ?? pairedScenario(a, protocol);
    const b = this.b ?? new Lab();
    b.compactAbove = RING_MAX;
    await b.load(doc);
    await loadRenderer(b.sim.protocol());
    if (b.sim.nodes() !== this.a.sim.nodes()) {
      throw new Error(t('compare.same_nodes', { a: this.a.sim.nodes(), b: b.sim.nodes() }));
    }
    this.b = b;
    // Params stay as they are while comparing (changing A's reloads it, which ends the comparison).
    const sb = b.sim.scenario();
    this.differs = { a: differences(a, sb), b: differences(sb, a) };
    this.active = true;
    this.note = null;
    this.checks = { a: null, b: null, at: 0 };
    document.body.classList.add('comparing');
    $('compare-panes').hidden = false;
    $('compare-stop').hidden = false;
    this.showForm(true);
    $('compare-protocol').value = b.sim.protocol();
    this.sync();
    this.draw(true);
    this.hooks.changed();
    this.hooks.show(null);
  }

  stop({ quiet = false } = {}) {
    if (!this.active) return;
    this.active = false;
    document.body.classList.remove('comparing');
    $('compare-panes').hidden = true;
    $('compare-stop').hidden = true;
    if (!quiet) this.hooks.changed();
  }

  /** B's scenario as JSON text, while comparing (for the link). */
  scenarioJson() {
    return this.active ? this.b.sim.scenarioJson() : null;
  }

  /** Applies A's inject to B at the same moment, when B shares that kind of event. */
  mirror(ev) {
    if (!this.active || !sharedEvent(ev, protocolInfo(this.b.sim.protocol()))) return;
    try {
      this.sync();
      this.b.inject(ev);
      this.note = null;
    } catch (e) {
      this.note = t('compare.refused', { why: e.message });
    }
    this.draw(true);
  }

  /** Brings B to A's moment. */
  sync() {
    if (!this.active) return;
    const want = Math.floor(this.a.displayTime);
    const b = this.b;
    try {
      if (b.sim.timeMs() > want) b.seek(want);
      else if (b.sim.timeMs() < want) b.runUntil(want);
      b.displayTime = this.a.displayTime;
    } catch (e) {
      this.note = e.message;
    }
  }

  /** The figures of both sides; a playing run's checks are redone at most every 250 ms of wall time. */
  sides() {
    const now = performance.now();
    const fresh = !this.a.playing || now - this.checks.at > 250;
    if (fresh) this.checks.at = now;
    const check = (side, sim) => {
      if (fresh || !this.checks[side]) this.checks[side] = sim.consistency();
      return this.checks[side];
    };
    return { a: figures(this.a.sim, () => check('a', this.a.sim)), b: figures(this.b.sim, () => check('b', this.b.sim)) };
  }

  /** Syncs and draws B; the page calls it every frame. */
  draw(force = false) {
    if (!this.active) return;
    this.sync();
    const canvas = $('canvas-b');
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    const b = this.b;
    const time = b.displayTime;
    if (!force && this.drawn.version === b.version && this.drawn.time === time && this.drawn.w === w && this.drawn.h === h && this.drawn.aVersion === this.a.version) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.layout = drawScene(ctx, b.snapshot(), { width: w, height: h, time, selected: null, selectedMessage: null, paused: !this.a.playing, reducedMotion: prefersReducedMotion() });
    const { a: fa, b: fb } = this.sides();
    fa.differs = this.differs.a;
    fb.differs = this.differs.b;
    this.shown = { a: fa, b: fb };
    $('compare-a').textContent = summary(fa);
    $('compare-b').textContent = summary(fb);
    $('compare-note').textContent = this.note ?? '';
    $('compare-note').hidden = !this.note;
    this.drawn = { version: b.version, time, w, h, aVersion: this.a.version };
  }

  /** For tests and the console. */
  api() {
    return {
      state: () => {
        if (!this.active) return { active: false };
        const sc = this.layout?.scene;
        return JSON.parse(JSON.stringify({ active: true, time: this.b.displayTime, scenario: this.b.sim.scenario(), traceHash: this.b.sim.traceHash(), shown: this.shown, note: this.note ?? null, scene: sc ? { w: sc.w, h: sc.h, labels: sc.labels, texts: sc.texts, hits: sc.hits, messages: sc.messages, crosses: sc.crosses } : null }));
      },
      start: (protocol, scenario) => this.start(protocol, scenario ?? null),
      stop: () => this.stop(),
      simulation: () => this.b?.sim ?? null,
    };
  }
}

function summary(f) {
  const verdict = f.linearizable === true ? t('compare.lin_yes') : f.linearizable === false ? t('compare.lin_no') : null;
  const parts = [f.differs?.length ? `${f.protocol} (${f.differs.join(', ')})` : f.protocol, t('compare.messages', { n: f.messages })];
  if (f.ops) parts.push(t('compare.answered', { answered: f.answered, ops: f.ops }));
  if (verdict) parts.push(verdict);
  return parts.join(' · ');
}

/** Builds compare mode (once the protocol list is loaded; the page leaves it out of an embedded frame). */
export function setupCompare(lab, hooks) {
  return new Compare(lab, hooks);
}
