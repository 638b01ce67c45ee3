// What the charts draw, read from the engine at evenly spaced moments of the
// run, from 0 to the furthest moment reached: every series the protocol
// declares (the engine samples them itself, from its checkpoints:
// Simulation.series, asked only for moments not read yet), and the messages sent so far by kind (the engine's
// stats at each moment, read from a replay of the run, replay.js, since the
// engine keeps no history of its counters). The run on screen never moves.
// Acting on the run forgets the counts after that moment; loading another
// run forgets everything.
import { protocolInfo } from '../engine.js';
import { Replay } from './replay.js';

/** About how many samples a chart has. */
const SAMPLES = 150;
/** The spacings samples may have, in ms. */
const STEPS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];
/** How often the engine's series are sampled again while the run plays, in ms of real time. */
const PLAY_REFRESH_MS = 300;
/** How long one frame may spend reading counts, in ms of real time. */
const FRAME_BUDGET_MS = 8;

/** The spacing of samples for a run that reached `head` ms. */
export function stepFor(head) {
  return STEPS.find((s) => s * SAMPLES >= head) ?? STEPS[STEPS.length - 1];
}

export class ChartsData {
  /** @param lab the Lab (engine.js) */
  constructor(lab) {
    this.lab = lab;
    this.replay = new Replay(lab);
    this.reset();
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.reset();
      else if (e.detail === 'inject') this.cut(lab.displayTime);
    });
  }

  reset() {
    this.replay.free();
    /** Sample time → { kind: messages sent so far }. */
    this.counts = new Map();
    /** The engine's series read so far: { step, sim, times, series: { name: values }, real }. */
    this.sampled = null;
  }

  /** The run changed at `t`: the counts from then on are read again. */
  cut(t) {
    this.replay.free();
    for (const at of this.counts.keys()) if (at >= t) this.counts.delete(at);
    const s = this.sampled;
    if (s) {
      const keep = s.times.findIndex((at) => at >= t);
      if (keep >= 0) {
        s.times.length = keep;
        for (const values of Object.values(s.series)) values.length = keep;
        s.real = 0;
      }
    }
  }

  /**
   * The engine's series at every sample time up to `head`: the samples
   * already read are kept (the past of a run does not change, but for an
   * inject, which cuts them) and only the newer ones are asked for, at most
   * every PLAY_REFRESH_MS while the run plays. A protocol that declares no
   * series is not sampled at all.
   */
  series(step, head) {
    const lab = this.lab;
    let s = this.sampled;
    if (!s || s.step !== step || s.sim !== lab.sim) {
      s = this.sampled = { step, sim: lab.sim, times: [], series: {}, real: 0 };
    }
    const last = s.times.length ? s.times[s.times.length - 1] : -step;
    const now = performance.now();
    if (last + step > head || (lab.playing && now - s.real < PLAY_REFRESH_MS)) return s;
    s.real = now;
    const from = last + step;
    const declared = protocolInfo(lab.sim.protocol())?.series?.length > 0;
    const got = declared ? lab.sim.series(from, head, step) : { times: [], series: {} };
    if (!declared) for (let t = from; t <= head; t += step) got.times.push(t);
    const before = s.times.length;
    s.times.push(...got.times);
    for (const [name, values] of Object.entries(got.series)) {
      s.series[name] ??= new Array(before).fill(null);
      s.series[name].push(...values);
    }
    for (const values of Object.values(s.series)) while (values.length < s.times.length) values.push(null);
    return s;
  }

  /**
   * The messages sent so far by kind at each of `times` (null where not read
   * yet). Reads for at most `budgetMs` of real time; `complete` is false when
   * some are left for the next call.
   */
  kinds(times, budgetMs = FRAME_BUDGET_MS) {
    const deadline = performance.now() + budgetMs;
    let complete = true;
    for (const t of times) {
      if (this.counts.has(t)) continue;
      if (performance.now() > deadline) {
        complete = false;
        break;
      }
      const r = this.replay.at(t, deadline);
      if (!r) {
        complete = false;
        break;
      }
      const sent = {};
      for (const [kind, c] of Object.entries(r.stats().by_kind ?? {})) sent[kind] = c.sent;
      this.counts.set(t, sent);
    }
    const names = new Set();
    for (const t of times) for (const k of Object.keys(this.counts.get(t) ?? {})) names.add(k);
    const out = {};
    for (const k of [...names].sort()) out[k] = times.map((t) => (this.counts.has(t) ? (this.counts.get(t)[k] ?? 0) : null));
    return { kinds: out, complete };
  }

  /**
   * Everything the charts show: the sample times (0 to `head`, every
   * `step`), the engine's series by name and the messages sent by kind.
   */
  model(budgetMs = FRAME_BUDGET_MS) {
    const head = Math.floor(this.lab.headMs());
    const step = stepFor(head);
    const sampled = this.series(step, head);
    const times = sampled.times;
    const { kinds, complete } = this.kinds(times, budgetMs);
    return { head, step, times, series: sampled.series, kinds, complete };
  }
}
