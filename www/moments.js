// A story's key moments (the scenario's `moments`): the caption track of a
// run. Playback slows down around each moment so that it lasts a few
// seconds of real time whatever the speed (a follower's catch-up that takes
// 40 simulated ms would otherwise flash by), stops at moments marked
// `pause`, and the moment's caption shows while it plays. The track knows
// nothing of the engine; a guided tour can drive the same list (next(),
// prev(), activeAt()).
import { timeText } from './names.js';
import { t } from './i18n.js';

/** Simulated ms before and after a moment that play in slow motion. */
export const LEAD_MS = 40;
export const TAIL_MS = 200;
/** Real milliseconds the slow span lasts at most speeds. */
const SLOW_REAL_MS = 6000;
/** How long a moment's caption stays after its slow span ends. */
const HOLD_MS = 600;

export class MomentTrack {
  constructor(moments = []) {
    this.moments = [...moments].sort((a, b) => a.at_ms - b.at_ms);
  }

  get length() {
    return this.moments.length;
  }

  /** The slow-motion spans, for the timeline. */
  zones() {
    return this.moments.map((m) => ({ from: Math.max(0, m.at_ms - LEAD_MS), to: m.at_ms + TAIL_MS, moment: m }));
  }

  /** The playback speed at simulated time `t` for a reader's `speed`. */
  speedAt(t, speed) {
    const slow = (LEAD_MS + TAIL_MS) / SLOW_REAL_MS;
    for (const z of this.zones()) if (t >= z.from && t < z.to) return Math.min(speed, slow);
    return speed;
  }

  /**
   * Where playback from `from` to `to` must stop: the first `pause` moment
   * in (from, to], or null.
   */
  stopAt(from, to) {
    const m = this.moments.find((x) => x.pause && x.at_ms > from && x.at_ms <= to);
    return m ? m.at_ms : null;
  }

  /** The moment whose caption applies at `t`, or null. */
  activeAt(t) {
    let found = null;
    for (const m of this.moments) if (t >= m.at_ms - LEAD_MS && t < m.at_ms + TAIL_MS + HOLD_MS) found = m;
    return found;
  }

  /** The first moment after `t`, for stepping through a story. */
  next(t) {
    return this.moments.find((m) => m.at_ms > t) ?? null;
  }

  prev(t) {
    return [...this.moments].reverse().find((m) => m.at_ms < t) ?? null;
  }

  /** Where to seek to watch moment `m` from its start. */
  static startOf(m) {
    return Math.max(0, m.at_ms - LEAD_MS);
  }
}

/** The words shown for the moment on screen; `state` is 'slow', 'stopped' (paused at it) or null. */
export function momentText(m, state) {
  const caption = m.caption ?? t('moment.default');
  const tail = state === 'slow' ? t('moment.slow') : state === 'stopped' ? t('moment.stopped') : '';
  return `${timeText(m.at_ms)} · ${caption}${tail}`;
}
