// What the space-time diagram draws, read from the engine: every message
// with its sender, receiver, kind, label, send time, planned arrival and what
// became of it (arrived, or lost and why), and each node's pauses.
//
// The facade has no call that lists the messages sent over a time range, and
// the page's trace keeps only recent records, without message kinds. So this
// replays the run on a second Simulation built from the run's own scenario
// (a run is a function of its scenario: the replay is the same run), only
// over the time ranges the diagram asks for (replay.js): it seeks the replay to a range's
// start (the engine's checkpoints make that cheap) and then goes event time
// by event time, reading the snapshot's messages in flight (kind, label,
// deliver_at, planned loss) and the trace's send, deliver and drop records
// (exact arrival and loss times). The run on screen never moves. Acting on
// the run (an inject, or a fork in the past) forgets what lies after that
// moment; loading another run forgets everything.

/** How many trace records the replay keeps between two reads (far more than one event time makes). */
const RING = 20_000;
/** How many messages are kept before those far from the window are forgotten (read again if needed). */
const KEEP = 60_000;
/** How far around the window messages are kept when forgetting, in ms. */
const MARGIN_MS = 30_000;
/** How long one request may read, in ms of real time, so that a frame stays short. */
const FRAME_BUDGET_MS = 10;

/** A send record's text "#12 vote yes t1 n0 → n4 (duplicate of #9)" → "vote yes t1". */
function labelOf(text, id) {
  let s = String(text);
  const head = `#${id} `;
  if (s.startsWith(head)) s = s.slice(head.length);
  s = s.replace(/ \(duplicate of #\d+\)$/, '');
  return s.replace(/ n\d+ → n\d+$/, '');
}

/** A drop record's reason: "… lost: the receiver is down" → "the receiver is down". */
function whyOf(text) {
  const s = String(text);
  const i = s.lastIndexOf(' lost: ');
  if (i >= 0) return s.slice(i + 7);
  return s.endsWith('dropped by hand') ? 'dropped by hand' : 'lost';
}

import { Replay } from './replay.js';

export class SpacetimeData {
  /** @param lab the Lab (engine.js): its run, its module and its change events */
  constructor(lab) {
    this.lab = lab;
    this.replay = new Replay(lab);
    this.reset();
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.reset();
      else if (e.detail === 'inject') this.cut(lab.displayTime);
    });
  }

  /** Forgets everything (a new run). */
  reset() {
    this.freeReplay();
    /** Messages by id (ids grow with send time). */
    this.byId = new Map();
    /** The messages sorted by id, rebuilt when stale. */
    this.sorted = [];
    this.stale = false;
    /** Time ranges fully read: sorted, disjoint [from, to]. */
    this.covered = [];
    /** Pauses seen: node → [{ from, until }]. */
    this.pauses = new Map();
    /** The longest time any message spent on the wire (for range queries). */
    this.maxSpan = 0;
    this.sim = this.lab.sim;
  }

  freeReplay() {
    this.replay.free();
    this.seq = 0;
  }

  /** The run changed at `t` (an inject): what came after is no longer known. */
  cut(t) {
    this.freeReplay();
    for (const [id, m] of this.byId) {
      if (m.sent_at >= t) this.byId.delete(id);
      else if (m.end != null && m.end >= t) {
        m.end = null;
        m.outcome = null;
        m.why = null;
      }
    }
    this.stale = true;
    this.covered = this.covered.filter((c) => c[0] < t).map((c) => [c[0], Math.min(c[1], t - 1)]).filter((c) => c[1] >= c[0]);
    for (const list of this.pauses.values()) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].from >= t) list.splice(i, 1);
    }
  }

  /**
   * The replay Simulation at `t`, built from the run's scenario when needed;
   * null when getting there needs more time than is left before `deadline`
   * (a fresh replay of a long run catches up a second of simulated time at a
   * time, over several frames, so that acting on a long run never freezes
   * the page).
   */
  replayAt(t, deadline = Infinity) {
    if (this.sim !== this.lab.sim) this.reset();
    const r = this.replay.at(t, deadline);
    if (!r) return null;
    if (this.replay.moved) {
      // Only records from here on matter: the ring starts empty.
      r.recordTrace(0);
      r.recordTrace(RING);
      this.seq = 0;
      this.replay.moved = false;
    }
    return r;
  }

  /**
   * Makes sure every message on the wire at any time in [from, to] is known
   * (`to` at most the furthest moment reached). Reads for at most
   * `budgetMs` of real time; returns false when the range could not all be
   * read (the next call goes on where this one stopped).
   */
  ensure(from, to, budgetMs = FRAME_BUDGET_MS) {
    from = Math.max(0, Math.floor(from));
    to = Math.floor(to);
    if (to < from) return true;
    const deadline = performance.now() + budgetMs;
    for (const [a, b] of this.gaps(from, to)) {
      if (!this.read(a, b, deadline)) return false;
    }
    return true;
  }

  /** The parts of [from, to] not read yet. */
  gaps(from, to) {
    const out = [];
    let t = from;
    for (const [a, b] of this.covered) {
      if (b < t) continue;
      if (a > to) break;
      if (a > t) out.push([t, a - 1]);
      t = Math.max(t, b + 1);
    }
    if (t <= to) out.push([t, to]);
    return out;
  }

  markCovered(a, b) {
    const list = [...this.covered, [a, b]].sort((x, y) => x[0] - y[0]);
    const out = [];
    for (const c of list) {
      const last = out[out.length - 1];
      if (last && c[0] <= last[1] + 1) last[1] = Math.max(last[1], c[1]);
      else out.push([c[0], c[1]]);
    }
    this.covered = out;
  }

  /** Reads [a, b] event time by event time; false when the deadline came first. */
  read(a, b, deadline) {
    // From just before `a`, so that what happens at `a` itself is recorded.
    const r = this.replayAt(Math.max(0, a - 1), deadline);
    if (!r) return false;
    for (;;) {
      // Past the ring's size, the compact frame (labels fetched once per message, below).
      const snap = this.lab.snapshotOf(r);
      this.takeRecords(r);
      this.takeSnapshot(snap);
      const next = snap.next_event_ms;
      if (next == null || next > b) {
        this.markCovered(a, b);
        return true;
      }
      if (performance.now() > deadline) {
        // Everything before `next` is read; the next call starts there.
        if (next - 1 >= a) this.markCovered(a, next - 1);
        return false;
      }
      r.runUntil(next);
    }
  }

  message(id) {
    let m = this.byId.get(id);
    if (!m) {
      m = { id, from: null, to: null, kind: null, label: '', sent_at: null, deliver_at: null, lost: null, end: null, outcome: null, why: null };
      this.byId.set(id, m);
      this.stale = true;
    }
    return m;
  }

  takeRecords(r) {
    const recs = r.eventsSince(this.seq);
    if (!recs.length) return;
    this.seq = recs[recs.length - 1].seq + 1;
    for (const rec of recs) {
      if (rec.msg == null) continue;
      if (rec.kind === 'send') {
        const m = this.message(rec.msg);
        m.from = rec.node;
        m.to = rec.peer;
        m.sent_at = rec.time_ms;
        if (!m.label) m.label = labelOf(rec.text, rec.msg);
      } else if (rec.kind === 'deliver' || rec.kind === 'drop') {
        const m = this.message(rec.msg);
        m.from ??= rec.peer;
        m.to ??= rec.node;
        m.end = rec.time_ms;
        m.outcome = rec.kind === 'deliver' ? 'delivered' : 'lost';
        m.why = rec.kind === 'drop' ? whyOf(rec.text) : null;
        if (m.sent_at != null) this.maxSpan = Math.max(this.maxSpan, m.end - m.sent_at);
      }
    }
  }

  takeSnapshot(snap) {
    for (const f of snap.messages) {
      const m = this.message(f.id);
      m.from = f.from;
      m.to = f.to;
      m.kind = f.kind;
      if (!snap.compact || !m.label) m.label = f.label;
      m.sent_at = f.sent_at;
      m.deliver_at = f.deliver_at;
      m.lost = f.lost ?? null;
      this.maxSpan = Math.max(this.maxSpan, f.deliver_at - f.sent_at);
    }
    for (const n of snap.nodes) {
      if (n.paused_until == null) continue;
      let list = this.pauses.get(n.id);
      if (!list) this.pauses.set(n.id, (list = []));
      const last = list[list.length - 1];
      if (last && last.until === n.paused_until) last.from = Math.min(last.from, snap.time_ms);
      else if (!list.some((p) => p.until === n.paused_until)) list.push({ from: snap.time_ms, until: n.paused_until });
    }
  }

  /**
   * Bounds memory on long runs: past KEEP messages, forgets those wholly
   * outside [t0 − MARGIN_MS, t1 + MARGIN_MS] and marks their time as not read.
   */
  trim(t0, t1) {
    if (this.byId.size <= KEEP) return;
    const lo = Math.max(0, t0 - MARGIN_MS);
    const hi = t1 + MARGIN_MS;
    for (const [id, m] of this.byId) {
      const last = m.end ?? m.deliver_at ?? m.sent_at ?? 0;
      if (last < lo || (m.sent_at ?? 0) > hi) this.byId.delete(id);
    }
    this.stale = true;
    // What was forgotten is read again when shown: a range starting at or
    // after `lo` still has every message that reaches into it.
    this.covered = this.covered.map((c) => [Math.max(c[0], lo), Math.min(c[1], hi)]).filter((c) => c[1] >= c[0]);
  }

  /** Messages sorted by id (and so by send time). */
  all() {
    if (this.stale) {
      this.sorted = [...this.byId.values()].filter((m) => m.sent_at != null && m.from != null).sort((a, b) => a.id - b.id);
      this.stale = false;
    }
    return this.sorted;
  }

  /** The messages on the wire at some time in [from, to], sent at or before `now`. */
  between(from, to, now) {
    const list = this.all();
    const start = from - this.maxSpan - 1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].sent_at < start) lo = mid + 1;
      else hi = mid;
    }
    const out = [];
    for (let i = lo; i < list.length; i++) {
      const m = list[i];
      if (m.sent_at > to || m.sent_at > now) break;
      const last = m.end ?? m.deliver_at ?? now;
      if (last < from) continue;
      out.push(m);
    }
    return out;
  }

  /** The pause of `node` that starts at `t` (from a pause marker), if one was seen. */
  pauseUntil(node, t) {
    const list = this.pauses.get(node) ?? [];
    const p = list.filter((x) => x.until > t && x.from >= t).sort((a, b) => a.from - b.from)[0];
    return p ? p.until : null;
  }
}
