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
      this._snap = this.sim.snapshot();
      this._snapVersion = this.version;
    }
    return this._snap;
  }

  /** The speed playback runs at now: the reader's, slowed around a story's key moments. */
  effectiveSpeed() {
    return this.pacer ? this.pacer.speedAt(this.displayTime, this.speed) : this.speed;
  }

  /** Advances the display clock by `realMs` of wall time when playing. */
  tick(realMs) {
    if (!this.playing || !this.sim) return;
    const from = this.displayTime;
    let target = from + Math.min(realMs, 250) * this.effectiveSpeed();
    const stop = this.pacer?.stopAt(from, target);
    if (stop != null) target = stop;
    this.runUntil(target);
    this.displayTime = target;
    if (stop != null) this.pause();
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
