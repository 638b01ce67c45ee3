// The Explore panel: a fault campaign (`consensus-lab explore`) over the
// protocol on screen, run by a worker (www/explore-worker.js) with an engine
// of its own, so the page keeps playing while it works. An "Explore…" button
// in the side panel's Network row (beside Partition… and Heal, where there is
// room, so the panel grows no taller) opens the form at the end of that
// group: variant, fault profile, number of runs and first seed; Start /
// Stop; a progress bar with runs per second and violations found. The first
// failing run is shrunk to a small scenario that "Open the shrunk run" loads
// in the main view at the moment of the violation, with its link ready to
// copy. Run i of a campaign from seed S is the CLI's run of seed S + i, so
// the panel says the command that finds the same run.
import { protocolInfo } from './engine.js';
import { encodeLink } from './link.js';
import { variantOf } from './params.js';
import { el, docText, plainError, say } from './forms.js';
import { t, withLang } from './i18n.js';
import { readerText } from './names.js';

/** How many runs a campaign makes unless the reader asks otherwise. */
const DEFAULT_RUNS = 300;
const MAX_RUNS = 1_000_000;

/** A whole number from a field within [lo, hi], or null. */
function wholeIn(text, lo, hi) {
  const t = String(text).trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= lo && n <= hi ? n : null;
}

const invariantText = (name) => name.replaceAll('_', ' ');

/** What a failure was, in a sentence's words: `single value chosen at 1,312 ms`. */
const foundText = (f) => t('explore.found_at', { invariant: invariantText(f.invariant), ms: f.at_ms.toLocaleString('en-US') });

/** The CLI command that runs the same campaign. */
function cliCommand(c) {
  const parts = ['consensus-lab explore', `--protocol ${c.protocol}`];
  if (c.variant) parts.push(`--variant ${c.variant}`);
  parts.push(`--faults ${c.profile}`, `--runs ${c.runs}`, `--seed ${c.from}`);
  return parts.join(' ');
}

export class ExplorePanel {
  /**
   * @param lab the Lab
   * @param row the row of buttons the opener goes in; the form goes at the end of the row's group
   * @param hooks { load(scenario) → Promise (the page's, honouring open_at_ms), show(message|null), copy(text, button) }
   */
  constructor(lab, row, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.worker = null;
    this.campaign = null;
    this.shrunk = null;
    this.key = null;
    this.variant = el('select', { id: 'explore-variant', name: 'variant' });
    this.profile = el('select', { id: 'explore-profile', name: 'profile' });
    this.runs = el('input', { id: 'explore-runs', name: 'runs', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: String(DEFAULT_RUNS) });
    this.from = el('input', { id: 'explore-seed', name: 'seed', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: '1' });
    this.what = el('p', { class: 'op-doc', id: 'explore-doc' });
    this.start = el('button', { type: 'submit', id: 'explore-start', class: 'primary', text: t('explore.start') });
    this.bar = el('progress', { id: 'explore-progress', max: '1', value: '0', 'aria-label': t('explore.progress') });
    this.status = el('p', { id: 'explore-status', class: 'explore-status', role: 'status', 'aria-live': 'polite', text: t('explore.none_yet') });
    this.error = el('p', { id: 'explore-error', class: 'form-error', role: 'alert', hidden: true });
    this.found = el('div', { id: 'explore-found', class: 'explore-found', hidden: true });
    const field = (words, control) => el('label', { class: 'op-field' }, el('span', { class: 'op-label', text: words }), control);
    const form = el(
      'form',
      { id: 'explore-form', class: 'op-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.toggle(); } },
      el('div', { class: 'op-grid' }, field(t('explore.variant'), this.variant), field(t('explore.faults'), this.profile), field(t('explore.runs'), this.runs), field(t('explore.first_seed'), this.from)),
      this.what,
      el('div', { class: 'row explore-run' }, this.start, this.bar),
    );
    this.section = el(
      'section',
      { id: 'explore', class: 'ops explore', 'aria-labelledby': 'explore-h', hidden: true },
      el('h3', { id: 'explore-h', text: t('explore.heading') }),
      form,
      this.status,
      this.error,
      this.found,
    );
    this.opener = el('button', {
      type: 'button', id: 'explore-open', class: 'ops-toggle', 'aria-expanded': 'false', 'aria-controls': 'explore', text: t('explore.open'),
      title: t('explore.open_title'),
      onclick: () => {
        this.section.hidden = !this.section.hidden;
        this.opener.setAttribute('aria-expanded', String(!this.section.hidden));
      },
    });
    row.append(this.opener);
    row.closest('.group').append(this.section);
    this.variant.addEventListener('change', () => this.describe());
    this.profile.addEventListener('change', () => this.describe());
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.render();
    });
  }

  /** The pickers for the protocol on screen (left alone while a campaign runs). */
  render() {
    if (this.worker) return;
    const sc = this.lab.sim.scenario();
    const info = protocolInfo(sc.protocol);
    if (!info) return;
    if (info.name !== this.key) {
      this.key = info.name;
      this.variant.textContent = '';
      this.variant.append(el('option', { value: '', text: t('rules.as_published') }), ...info.variants.map((v) => el('option', { value: v.name, text: v.name, title: docText(v.doc) })));
      this.variant.disabled = info.variants.length === 0;
      if (this.profile.options.length === 0) {
        for (const p of this.lab.mod.Campaign.profiles()) this.profile.append(el('option', { value: p.name, text: p.name, title: p.doc }));
      }
    }
    // The rules the run on screen follows, when they are one of the variants.
    this.variant.value = variantOf(info, sc.params ?? {})?.name ?? '';
    this.describe();
  }

  /** The line under the fields: what a run is, with the profile's doc (the variant's is its option's title). */
  describe() {
    const profile = [...this.profile.options].find((o) => o.value === this.profile.value);
    this.variant.title = this.variant.selectedOptions[0]?.title || t('explore.as_reference', { protocol: this.key });
    this.what.textContent = t('explore.each_run', { faults: profile?.title ?? t('explore.every_kind') });
  }

  toggle() {
    if (this.worker) this.stop();
    else this.begin();
  }

  begin() {
    const runs = wholeIn(this.runs.value, 1, MAX_RUNS);
    const from = wholeIn(this.from.value, 0, Number.MAX_SAFE_INTEGER - MAX_RUNS);
    if (runs === null) return say(this.error, t('explore.bad_runs', { max: MAX_RUNS.toLocaleString('en-US') }));
    if (from === null) return say(this.error, t('explore.bad_seed'));
    const info = protocolInfo(this.key);
    const c = { family: info.family, protocol: info.name, variant: this.variant.value || null, profile: this.profile.value, from, runs };
    say(this.error, null);
    this.campaign = c;
    this.shrunk = null;
    this.found.hidden = true;
    this.found.textContent = '';
    this.bar.max = runs;
    this.bar.value = 0;
    this.status.textContent = t('explore.starting', { n: runs, protocol: c.protocol });
    this.worker = new Worker(new URL('./explore-worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.finish(t('explore.worker_stopped', { why: e.message || t('explore.no_worker') }));
    };
    this.worker.postMessage({ type: 'start', ...c });
    this.setRunning(true);
  }

  /** Stop: the worker ends after its batch (and still shrinks what it found); while shrinking, at once. */
  stop() {
    if (this.shrinking) {
      const line = this.found.querySelector('#explore-shrinking');
      if (line) line.textContent = t('explore.not_shrunk');
      this.finish(t('explore.stopped_shrinking', { status: this.status.textContent }));
      return;
    }
    this.worker.postMessage({ type: 'stop' });
    this.start.disabled = true;
    this.start.textContent = t('explore.stopping');
  }

  setRunning(on) {
    this.start.textContent = on ? t('explore.stop') : t('explore.start');
    this.start.classList.toggle('primary', !on);
    this.start.disabled = false;
    for (const f of [this.variant, this.profile, this.runs, this.from]) f.disabled = on || (f === this.variant && this.variant.options.length < 2);
  }

  progressText(m) {
    const rate = m.perSecond >= 10 ? Math.round(m.perSecond).toLocaleString('en-US') : m.perSecond.toFixed(1);
    return [t('explore.done_of', { done: m.done.toLocaleString('en-US'), n: m.runs }), t('explore.rate', { rate }), t('explore.violations', { n: m.violations })].join(' · ');
  }

  onMessage(m) {
    if (m.type === 'progress') {
      this.bar.value = m.done;
      this.status.textContent = this.progressText(m);
      this.last = m;
    } else if (m.type === 'shrinking') {
      this.shrinking = true;
      this.start.disabled = false;
      this.start.textContent = t('explore.stop');
      this.showFound(m.first, null);
    } else if (m.type === 'shrunk') {
      this.shrinking = false;
      if (m.result) this.showFound(m.result, m.result.shrunk);
    } else if (m.type === 'done') {
      const c = this.campaign;
      const head = m.stopped ? t('explore.stopped_after', { done: m.done.toLocaleString('en-US'), n: m.runs }) : t('explore.done', { n: m.done });
      const rate = this.last ? ` (${this.progressText(this.last).split(' · ')[1]})` : '';
      const verdict = m.violations === 0 ? t('explore.no_violation') : t('explore.runs_broke', { n: m.violations, protocol: c.protocol });
      this.finish(t('explore.finished', { head, rate, verdict }));
    } else if (m.type === 'error') {
      this.finish(null);
      say(this.error, t('explore.error', { why: plainError(m.message) }));
    }
  }

  /** Ends the campaign (the worker with it) and says `text`. */
  finish(text) {
    this.worker?.terminate();
    this.worker = null;
    this.shrinking = false;
    this.last = null;
    if (text) this.status.textContent = text;
    this.setRunning(false);
    this.render();
  }

  /** The first failing run (`first`), and once shrunk (`small`) how to open it. */
  showFound(first, small) {
    const c = this.campaign;
    this.found.textContent = '';
    this.found.hidden = false;
    this.found.append(el('p', { class: 'explore-first' },
      el('strong', { text: t('explore.seed', { seed: first.seed }) }),
      t('explore.broke', { what: foundText(first), events: t('explore.events', { n: first.events }), detail: readerText(first.detail) })));
    if (!small) {
      this.found.append(el('p', { class: 'op-doc', id: 'explore-shrinking', text: t('explore.shrinking') }));
      return;
    }
    const scenario = JSON.parse(small.scenario);
    scenario.open_at_ms = small.at_ms;
    scenario.caption = t('explore.caption', { seed: first.seed, command: cliCommand(c), events: t('explore.events', { n: small.events }), ms: small.at_ms.toLocaleString('en-US'), invariant: invariantText(small.invariant) });
    const text = JSON.stringify(scenario);
    this.shrunk = { text, at: small.at_ms };
    const link = el('input', { id: 'explore-link', type: 'text', readonly: true, 'aria-label': t('explore.link_label'), value: '' });
    const copy = el('button', { type: 'button', id: 'explore-copy', text: t('page.copy_link'), disabled: true, onclick: () => this.hooks.copy(link.value, copy) });
    const open = el('button', { type: 'button', id: 'explore-open-run', class: 'primary', text: t('explore.open_shrunk'), onclick: () => this.openShrunk() });
    this.found.append(
      el('p', { class: 'explore-small' }, t('explore.shrunk_to', { events: t('explore.events', { n: small.events }), what: foundText(small) })),
      el('div', { class: 'row wrap' }, open, copy),
      link,
      el('p', { class: 'op-doc' }, t('explore.cli'), el('code', { text: cliCommand(c) })),
    );
    this.found.scrollIntoView({ block: 'nearest' });
    encodeLink(text, { t: small.at_ms, play: false }).then((fragment) => {
      const url = new URL(location.href);
      url.hash = withLang(fragment);
      link.value = url.href;
      copy.disabled = false;
    }, (e) => say(this.error, t('explore.no_link', { why: plainError(e) })));
  }

  /** Loads the shrunk run in the main view, paused at the violation. */
  openShrunk() {
    if (!this.shrunk) return;
    this.hooks.load(this.shrunk.text).then(() => {
      this.hooks.show(null);
    }, (e) => say(this.error, t('explore.no_open', { why: plainError(e) })));
  }

  /** What the panel shows, for tests and the console. */
  state() {
    return {
      running: !!this.worker,
      shrinking: !!this.shrinking,
      status: this.status.textContent,
      progress: { value: Number(this.bar.value), max: Number(this.bar.max) },
      shrunk: this.shrunk?.text ?? null,
      link: this.found.querySelector('#explore-link')?.value || null,
    };
  }
}

/** Builds the panel, its opener in `row` (see ExplorePanel); returns it. */
export function setupExplore(lab, row, hooks) {
  return new ExplorePanel(lab, row, hooks);
}
