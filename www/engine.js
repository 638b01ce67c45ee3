// The one module that talks to the wasm engines. Each protocol family has its
// own module (www/pkg/<family>/), fetched the first time one of its protocols
// is shown, so a reader downloads only the engine they watch. The Lab owns the
// current Simulation and the display clock (simulated time on screen,
// advanced by real time × speed), and tells listeners when the run changed.
// It never decides protocol behaviour: it steps the engine and forwards
// injects.
import { t } from './i18n.js';

const modules = new Map();
const memories = new Map();
let manifest = [];

/** Reads the list of protocols and which module carries each. */
export async function loadManifest() {
  const res = await fetch(new URL('./pkg/protocols.json', import.meta.url));
  if (!res.ok) throw new Error(t('engine.no_list', { status: res.status }));
  manifest = await res.json();
  return manifest;
}

export function protocols() {
  return manifest;
}

export function protocolInfo(name) {
  return manifest.find((p) => p.name === name) ?? null;
}

/** Loads (once) the wasm module of a protocol family. */
export async function loadFamily(family) {
  if (!modules.has(family)) {
    const mod = await import(`./pkg/${family}/consensus_lab.js`);
    const exports = await mod.default({ module_or_path: new URL(`./pkg/${family}/consensus_lab_bg.wasm`, import.meta.url) });
    modules.set(family, mod);
    memories.set(mod, exports.memory);
  }
  return modules.get(family);
}

/** A fresh random seed (from any loaded engine). */
export function freshSeed() {
  const mod = modules.values().next().value;
  return mod ? mod.Simulation.freshSeed() : Math.floor(Math.random() * 2 ** 32);
}

/** An Error whose message is meant for the page. */
function readable(e, mod) {
  if (e instanceof WebAssembly.RuntimeError) {
    const p = mod?.lastPanic?.();
    return new Error(t('engine.internal', { detail: p ? `: ${p}` : '' }));
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** The protocol a scenario names, if it can be read. */
function protocolOf(scenario) {
  try {
    const doc = typeof scenario === 'string' ? JSON.parse(scenario) : scenario;
    return typeof doc?.protocol === 'string' ? doc.protocol : null;
  } catch {
    return null;
  }
}

/** A message on the wire in a compact frame; its label is asked for only when shown. */
class FrameMessage {
  constructor(sim, rows, o, kinds, losses) {
    this.sim = sim;
    this.id = rows[o];
    this.from = rows[o + 1];
    this.to = rows[o + 2];
    this.kind = kinds[rows[o + 3]] ?? '?';
    this.sent_at = rows[o + 4];
    this.deliver_at = rows[o + 5];
    if (rows[o + 6] >= 0) this.lost = losses[rows[o + 6]];
  }

  get label() {
    if (this._label === undefined) {
      try {
        this._label = this.sim.messageLabel(this.id);
      } catch {
        this._label = ''; // the run was replaced since
      }
    }
    return this._label;
  }
}

/**
 * The snapshot of a large cluster, from the engine's compact frame: each
 * node as { id, up, absent?, paused_until?, look: { the protocol's columns } },
 * messages without their labels until asked, and `node(id)` for one node's
 * whole view (what a panel or tooltip shows). `compact` is true.
 */
export function compactSnapshot(sim, kinds) {
  const f = sim.frame();
  const cols = f.node_columns;
  const w = cols.length;
  const nums = f.nodes;
  const nodes = new Array(f.node_count);
  for (let i = 0; i < f.node_count; i++) {
    const o = i * w;
    const node = { id: i, up: nums[o] === 1, look: {} };
    if (nums[o + 1] === 1) node.absent = true;
    if (nums[o + 2] >= 0) node.paused_until = nums[o + 2];
    for (let c = 3; c < w; c++) node.look[cols[c]] = nums[o + c];
    nodes[i] = node;
  }
  const mw = f.message_columns.length;
  const rows = f.messages;
  const messages = new Array(rows.length / mw);
  for (let k = 0; k < messages.length; k++) messages[k] = new FrameMessage(sim, rows, k * mw, kinds, f.losses);
  const whole = new Map();
  return {
    ...f,
    nodes,
    messages,
    node(id) {
      if (!whole.has(id)) {
        try {
          whole.set(id, sim.node(id));
        } catch {
          whole.set(id, null);
        }
      }
      return whole.get(id);
    },
  };
}

/** Steps the engine takes between two looks at the frame's budget. */
const STEP_SLICE = 256;

export class Lab extends EventTarget {
  constructor() {
    super();
    this.sim = null;
    this.mod = null;
    this.displayTime = 0;
    this.playing = false;
    /** Simulated milliseconds per real millisecond. */
    this.speed = 0.1;
    this.version = 0;
    this._snap = null;
    this._snapVersion = -1;
    /**
     * Shapes playback (a story's key moments): { speedAt(t, speed) → speed,
     * stopAt(from, to) → a time to pause at, or null }.
     */
    this.pacer = null;
    /**
     * Past this many nodes the snapshot is built from the engine's compact
     * frame (see compactSnapshot); the page sets it to what its ring draws.
     */
    this.compactAbove = Infinity;
    /** Wall-clock milliseconds the engine may take per frame while playing. */
    this.stepBudgetMs = 5;
    /** Until when (wall clock) the page says the run is slowed (a second after the last cut). */
    this.behindUntil = 0;
  }

  /**
   * Replaces the run with one built from `scenario` (object or JSON text).
   * When the scenario's engine is already loaded the new run is in place
   * before this returns (and a bad scenario throws at once); otherwise the
   * engine is fetched first. Either way the returned promise resolves when
   * the run is ready, or rejects with a readable Error.
   */
  load(scenario) {
    const protocol = protocolOf(scenario);
    const info = protocol ? protocolInfo(protocol) : null;
    if (protocol && !info) {
      const names = manifest.map((p) => p.name).join(', ');
      throw new Error(`protocol: unknown protocol "${protocol.slice(0, 40)}" (this lab runs: ${names})`);
    }
    // A document without a readable protocol goes to the engine on screen,
    // which explains what is wrong with it.
    const family = info?.family ?? (this.mod ? null : manifest[0]?.family);
    const mod = family ? modules.get(family) : this.mod;
    if (mod) {
      this.swap(mod, scenario);
      return Promise.resolve(this);
    }
    return loadFamily(family).then((m) => {
      this.swap(m, scenario);
      return this;
    });
  }

  swap(mod, scenario) {
    let sim;
    try {
      sim = new mod.Simulation(scenario);
    } catch (e) {
      throw readable(e, mod);
    }
    if (this.sim) this.sim.free();
    this.sim = sim;
    this.mod = mod;
    this.displayTime = 0;
    this.changed('load');
  }

  changed(why) {
    this.version += 1;
    this.dispatchEvent(new CustomEvent('change', { detail: why }));
  }

  /** The current snapshot (computed once per change). */
  snapshot() {
    if (this._snapVersion !== this.version || !this._snap) {
      this._snap = this.snapshotOf(this.sim);
      this._snapVersion = this.version;
    }
    return this._snap;
  }

  /** A snapshot of `sim` (this run or a replay of it): compact past `compactAbove` nodes. */
  snapshotOf(sim) {
    return sim.nodes() > this.compactAbove ? compactSnapshot(sim, this.kindNames()) : sim.snapshot();
  }

  /** The message kinds of the protocol on screen, as the registry lists them (a frame's `kind` indexes these). */
  kindNames() {
    const name = this.sim.protocol();
    if (this._kinds?.name !== name) this._kinds = { name, list: (protocolInfo(name)?.kinds ?? []).map((k) => k.name) };
    return this._kinds.list;
  }

  /** The speed playback runs at now: the reader's, slowed around a story's key moments. */
  effectiveSpeed() {
    return this.pacer ? this.pacer.speedAt(this.displayTime, this.speed) : this.speed;
  }

  /**
   * Advances the display clock by `realMs` of wall time when playing. The
   * engine gets at most `stepBudgetMs` of it per frame: when a moment is too
   * heavy for that (a round of a thousand gossiping nodes), the clock stops
   * where the engine got to and goes on from there next frame, so the run
   * plays slower for a moment instead of the page stuttering; `behindUntil` says so.
   */
  tick(realMs) {
    if (!this.playing || !this.sim) return;
    const from = this.displayTime;
    let target = from + Math.min(realMs, 250) * this.effectiveSpeed();
    const stop = this.pacer?.stopAt(from, target);
    if (stop != null) target = stop;
    const reached = this.runBudgeted(target);
    if (!reached) this.behindUntil = performance.now() + 1000;
    this.displayTime = reached ? target : Math.max(from, this.sim.timeMs());
    if (stop != null && reached) this.pause();
  }

  /** Runs toward `ms` for at most `stepBudgetMs` of wall time; true when it got there. */
  runBudgeted(ms) {
    const before = this.sim.timeMs();
    const start = performance.now();
    let reached = false;
    try {
      do reached = this.sim.runSteps(ms, STEP_SLICE);
      while (!reached && performance.now() - start < this.stepBudgetMs);
    } catch (e) {
      this.changed('run');
      throw readable(e, this.mod);
    }
    if (this.sim.timeMs() !== before || !reached) this.changed('run');
    return reached;
  }

  runUntil(ms) {
    const before = this.sim.timeMs();
    try {
      this.sim.runUntil(ms);
    } catch (e) {
      this.changed('run');
      throw readable(e, this.mod);
    }
    this.displayTime = Math.max(this.displayTime, this.sim.timeMs());
    if (this.sim.timeMs() !== before) this.changed('run');
  }

  /** Takes one event; the clock jumps to it. False when nothing was left to happen. */
  step() {
    this.playing = false;
    let more;
    try {
      more = this.sim.step();
    } catch (e) {
      this.changed('step');
      throw readable(e, this.mod);
    }
    this.displayTime = this.sim.timeMs();
    this.changed('step');
    return more;
  }

  /** Goes to any moment of the run; playback pauses. */
  seek(ms) {
    this.playing = false;
    const t = Math.max(0, Math.floor(ms));
    try {
      this.sim.seek(t);
    } catch (e) {
      this.changed('seek');
      throw readable(e, this.mod);
    }
    this.displayTime = t;
    this.changed('seek');
  }

  /** Goes back one event; playback pauses. At the very start it says why nothing happened. */
  stepBack() {
    this.playing = false;
    if (this.sim.stats().events === 0) {
      this.changed('pause');
      throw new Error(t('engine.at_start'));
    }
    try {
      this.sim.stepBack();
    } catch (e) {
      this.changed('seek');
      throw readable(e, this.mod);
    }
    this.displayTime = this.sim.timeMs();
    this.changed('seek');
  }

  /** The size of the current engine's wasm memory in bytes (it only grows). */
  memoryBytes() {
    return memories.get(this.mod)?.buffer.byteLength ?? 0;
  }

  /** The furthest moment reached (the end of the timeline). */
  headMs() {
    return Math.max(this.sim.headMs(), this.displayTime);
  }

  /**
   * Applies an inject now (see the inject vocabulary); in the past this
   * forks the run, and a 'fork' event then lists the timeline events the
   * engine discarded. Throws a readable Error.
   */
  inject(event) {
    let fork = null;
    try {
      this.sim.runUntil(Math.floor(this.displayTime));
      const before = this.sim.scenarioJson();
      const head = this.sim.headMs();
      const was = JSON.parse(before).events;
      this.sim.inject(event);
      const now = this.sim.scenario().events;
      // A fork keeps the applied events and adds the new one; anything else
      // that was in the timeline is gone.
      if (now.length <= was.length) fork = { dropped: was.slice(now.length - 1), before, at: this.displayTime, head };
    } catch (e) {
      this.changed('inject');
      throw readable(e, this.mod);
    }
    this.changed('inject');
    // What was applied, for whoever mirrors it (compare mode's second run).
    this.dispatchEvent(new CustomEvent('injected', { detail: event }));
    if (fork) this.dispatchEvent(new CustomEvent('fork', { detail: fork }));
  }

  play() {
    this.playing = true;
    this.changed('play');
  }

  pause() {
    this.playing = false;
    this.changed('pause');
  }

  setSpeed(x) {
    this.speed = x;
    this.changed('speed');
  }
}
