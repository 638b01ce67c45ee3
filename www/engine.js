// The one module that talks to the wasm engine. It owns the current
// Simulation and the display clock (simulated time shown on screen, advanced
// by real time × speed), and tells listeners when the run changed. It never
// decides protocol behaviour: it steps the engine and forwards injects.
import init, { Simulation, lastPanic } from './pkg/consensus_lab.js';

export { Simulation };

/** Loads the wasm module once. */
export async function loadEngine() {
  await init({ module_or_path: new URL('./pkg/consensus_lab_bg.wasm', import.meta.url) });
}

/** An Error whose message is meant for the page. */
function readable(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    const p = lastPanic();
    return new Error(`internal error in the engine${p ? `: ${p}` : ''}. Please report the scenario link.`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

export class Lab extends EventTarget {
  constructor() {
    super();
    this.sim = null;
    this.displayTime = 0;
    this.playing = false;
    /** Simulated milliseconds per real millisecond. */
    this.speed = 0.1;
    this.version = 0;
    this._snap = null;
    this._snapVersion = -1;
  }

  /** Replaces the run with one built from `scenario` (object or JSON text). Throws a readable Error. */
  load(scenario) {
    let sim;
    try {
      sim = new Simulation(scenario);
    } catch (e) {
      throw readable(e);
    }
    if (this.sim) this.sim.free();
    this.sim = sim;
    this.displayTime = 0;
    this.changed('load');
    return this;
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

  /** Advances the display clock by `realMs` of wall time when playing. */
  tick(realMs) {
    if (!this.playing || !this.sim) return;
    const target = this.displayTime + Math.min(realMs, 250) * this.speed;
    this.runUntil(target);
    this.displayTime = target;
  }

  runUntil(ms) {
    const before = this.sim.timeMs();
    try {
      this.sim.runUntil(ms);
    } catch (e) {
      this.changed('run');
      throw readable(e);
    }
    this.displayTime = Math.max(this.displayTime, this.sim.timeMs());
    if (this.sim.timeMs() !== before) this.changed('run');
  }

  /** Takes one event; the clock jumps to it. */
  step() {
    this.playing = false;
    let more;
    try {
      more = this.sim.step();
    } catch (e) {
      this.changed('step');
      throw readable(e);
    }
    this.displayTime = this.sim.timeMs();
    this.changed('step');
    return more;
  }

  /** Applies an inject now (see the inject vocabulary). Throws a readable Error. */
  inject(event) {
    try {
      this.sim.runUntil(Math.floor(this.displayTime));
      this.sim.inject(event);
    } catch (e) {
      this.changed('inject');
      throw readable(e);
    }
    this.changed('inject');
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
