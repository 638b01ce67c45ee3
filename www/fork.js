// Stories stay honest. Acting at an earlier moment than the furthest one
// reached discards the run's later events (the engine's fork); this says
// which ones went ("3 story events after 1.18 s were dropped"), offers Undo
// (the run as it was, at the same moment), and marks a story's caption as no
// longer describing the run once the reader has changed it.
import { timeText, nodeName } from './names.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** A few words for a dropped timeline event. */
function eventWords(e) {
  const who = e.node != null ? ` ${nodeName(e.node)}` : '';
  const what = {
    client_request: () => t('fork.client_request', { value: e.value }),
    partition: () => t('fork.partition'),
    heal: () => t('fork.heal'),
    set_network: () => t('fork.set_network'),
    drop_message: () => t('fork.drop_message', { id: e.id }),
    duplicate_message: () => t('fork.duplicate_message', { id: e.id }),
    crash: () => t('fork.crash', { who }),
    restart: () => t('fork.restart', { who }),
    timeout: () => t('fork.timeout', { who }),
    pause: () => t('fork.pause', { who }),
  }[e.type]?.() ?? `${e.type.replaceAll('_', ' ')}${who}`;
  return t('fork.at', { what, at: timeText(e.at_ms) });
}

export class StoryGuard {
  /**
   * @param lab the Lab (it reports forks as 'fork' events)
   * @param hooks { load(scenario) → Promise }
   */
  constructor(lab, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.undo = null;
    this.pristine = null;
    this.restoring = false;
    this.changedAt = null;
    lab.addEventListener('fork', (e) => this.onFork(e.detail));
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.onLoad();
      if (e.detail === 'inject') this.onInject();
    });
    $('notice-undo').addEventListener('click', () => this.doUndo());
    $('notice-close').addEventListener('click', () => this.hideNotice());
  }

  onLoad() {
    const sc = this.lab.sim.scenario();
    if (!this.restoring) {
      this.pristine = JSON.stringify(sc.events);
      this.changedAt = null;
      this.hideNotice();
    } else {
      this.changedAt = JSON.stringify(sc.events) === this.pristine ? null : this.changedAt;
    }
    this.markCaption();
  }

  onInject() {
    if (this.changedAt == null) this.changedAt = this.lab.displayTime;
    this.markCaption();
  }

  /** The caption says so once the run is no longer the story it describes. */
  markCaption() {
    const sc = this.lab.sim.scenario();
    const el = $('caption-changed');
    const changed = this.changedAt != null && (sc.title || sc.caption);
    $('caption').classList.toggle('changed', !!changed);
    el.hidden = !changed;
    if (changed) {
      el.textContent = t('fork.changed', { at: timeText(this.changedAt) });
    }
  }

  onFork({ dropped, before, at, head }) {
    if (!dropped.length) return;
    const story = !!(JSON.parse(before).title);
    const list = dropped.slice(0, 4).map(eventWords).join(t('fork.comma'));
    const more = dropped.length > 4 ? t('fork.more', { n: dropped.length - 4 }) : '';
    $('notice-text').textContent = t(story ? 'fork.dropped_story' : 'fork.dropped_later', { n: dropped.length, at: timeText(at), list, more });
    $('notice').hidden = false;
    this.undo = { before, at, head };
  }

  hideNotice() {
    $('notice').hidden = true;
    this.undo = null;
  }

  /** Back to the run before the fork, at the same moment, with its known future on the timeline. */
  async doUndo() {
    const u = this.undo;
    if (!u) return;
    this.hideNotice();
    this.restoring = true;
    try {
      await this.hooks.load(u.before);
      this.lab.pause();
      // Replay the old future so the timeline shows it again (bounded: a
      // long run only comes back up to ten simulated minutes).
      this.lab.runUntil(Math.min(u.head, u.at + 600_000));
      this.lab.seek(u.at);
    } finally {
      this.restoring = false;
    }
    this.changedAt = JSON.stringify(this.lab.sim.scenario().events) === this.pristine ? null : this.changedAt;
    this.markCaption();
  }
}
