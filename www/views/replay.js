// A second Simulation that replays the run on screen, for views that read
// the run at moments other than the one shown (a run is a function of its
// scenario: the replay is the same run). It is built from the run's own
// scenario when first asked for, and moved to any moment on request; the
// run on screen never moves. The space-time diagram reads its messages from
// one, the charts their message counts.

/** How much simulated time a fresh replay catches up in one piece. */
const CATCH_UP_MS = 1_000;

export class Replay {
  /** @param lab the Lab (engine.js) */
  constructor(lab) {
    this.lab = lab;
    this.sim = null;
    this.of = null;
    /** True when the replay was built or moved since the caller last cleared it. */
    this.moved = false;
  }

  /** Drops the replay (the next call builds a fresh one). */
  free() {
    if (this.sim) this.sim.free();
    this.sim = null;
    this.of = null;
  }

  /**
   * The replay Simulation at `t`, built from the run's scenario when needed;
   * null when getting there needs more time than is left before `deadline`
   * (a fresh replay of a long run catches up a second of simulated time at a
   * time, so that acting on a long run never freezes the page: the next call
   * goes on from there).
   */
  at(t, deadline = Infinity) {
    if (this.of !== this.lab.sim) this.free();
    if (!this.sim) {
      const Sim = this.lab.sim.constructor;
      this.sim = new Sim(this.lab.sim.scenarioJson());
      this.of = this.lab.sim;
      this.moved = true;
    }
    const r = this.sim;
    if (r.timeMs() !== t) {
      // Catching up beyond anything it has reached: by pieces, not recording.
      r.recordTrace(0);
      while (r.headMs() < t - CATCH_UP_MS) {
        if (performance.now() > deadline) return null;
        r.runUntil(Math.max(r.timeMs(), r.headMs()) + CATCH_UP_MS);
      }
      if (r.timeMs() > t || t - r.timeMs() > 2000) r.seek(t);
      else r.runUntil(t);
      this.moved = true;
    }
    return r;
  }
}
