// The canvas in words, for screen readers: a visually hidden description of
// the cluster at the moment on screen (each node's role or state as the
// engine reports it; a count by state for big clusters), which the canvas
// names with aria-describedby, and a polite live region that announces the
// timeline's leader changes and decisions, aborts, crashes, restarts and
// safety violations as the run reaches them, in the markers' own words. It
// reads the snapshot and the timeline's marks; it never steps the engine.
import { nodeName, timeText } from './names.js';
import { MARKERS } from './timeline.js';
import { t, roleWord } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** Above this many nodes the description counts nodes by state instead of naming each. */
export const LIST_MAX = 12;

/** Marker kinds worth interrupting a reader for. */
const ANNOUNCED = new Set(['milestone', 'setback', 'crash', 'restart', 'violation']);

/** At most this many announcements at once (a jump to the end reads only the latest). */
const MAX_SAID = 3;

/**
 * A node's state word: crashed, else the drawing's word for it (a renderer's
 * optional `stateWord(node)`) or the engine's role (or state, phase,
 * status), with paused on top.
 */
export function stateWord(node, renderer = null) {
  if (!node.up) return roleWord('crashed');
  const raw = [node.role, node.state, node.phase, node.status].find((v) => typeof v === 'string' && v);
  const word = renderer?.stateWord?.(node) ?? (raw ? roleWord(raw) : t('a11y.up'));
  return node.paused_until != null ? `${word}, ${roleWord('paused')}` : word;
}

/** The cluster at `snap` in sentences (`renderer`: the protocol's drawing, for its state words). */
export function describeCluster(snap, renderer = null) {
  const lines = [t('a11y.at', { at: timeText(snap.time_ms), protocol: snap.protocol, n: snap.nodes.length })];
  if (snap.nodes.length <= LIST_MAX) {
    for (const node of snap.nodes) {
      const term = node.up && typeof node.term === 'number' ? ` · ${t('a11y.term', { term: node.term })}` : '';
      lines.push(`${nodeName(node.id)}: ${stateWord(node, renderer)}${term}`);
    }
  } else {
    const count = new Map();
    for (const node of snap.nodes) {
      const w = stateWord(node, renderer);
      count.set(w, (count.get(w) ?? 0) + 1);
    }
    lines.push([...count].map(([w, k]) => `${w}: ${k}`).join(' · '));
  }
  lines.push(t('panels.in_flight', { n: snap.messages.length }));
  if (snap.network.groups.length) lines.push(t('a11y.partitioned'));
  if (snap.violations.length) lines.push(t('a11y.violations', { n: snap.violations.length }));
  return lines;
}

export class Announcer {
  /**
   * @param marks () => the timeline's marks ({ kind, time_ms, text })
   * @param milestoneName () => what the protocol's milestones stand for (its legend's words)
   * @param renderer () => the protocol's drawing
   */
  constructor({ marks, milestoneName, renderer }) {
    this.marks = marks;
    this.renderer = renderer;
    this.milestoneName = milestoneName;
    this.box = $('cluster-text');
    this.live = $('announce');
    this.lastTime = null;
    this.seen = new Set();
    this.lastText = '';
    this.lastWrite = -Infinity;
  }

  /** A new run: say nothing about what happened before it is on screen. */
  reset() {
    this.lastTime = null;
    this.live.textContent = '';
  }

  /** Brings the words up to `snap` at display time `time` (`now`: the wall clock, to write the description at most twice a second while playing). */
  update(snap, time, { now = performance.now(), playing = false } = {}) {
    if (!playing || now - this.lastWrite > 500) {
      const text = describeCluster(snap, this.renderer()).join('\n');
      if (text !== this.lastText) {
        this.box.textContent = text;
        this.lastText = text;
      }
      this.lastWrite = now;
    }
    const marks = this.marks().filter((m) => ANNOUNCED.has(m.kind) && m.time_ms <= time);
    const key = (m) => `${m.kind}|${m.time_ms}|${m.text}`;
    const back = this.lastTime == null || time < this.lastTime;
    this.lastTime = time;
    // A fresh run or a step back in time: what is already on the timeline is not news.
    if (back) {
      this.seen = new Set(marks.map(key));
      return;
    }
    const fresh = marks.filter((m) => !this.seen.has(key(m)));
    for (const m of fresh) this.seen.add(key(m));
    const said = fresh
      .slice(-MAX_SAID)
      .map((m) => t('a11y.event', { kind: m.kind === 'milestone' ? this.milestoneName() : MARKERS[m.kind].name, text: m.text, at: timeText(m.time_ms) }));
    if (said.length) this.live.textContent = said.join(' ');
  }

  /** What the live region said last. */
  get said() {
    return this.live.textContent;
  }
}
