// Scenario links on the page: opening the link the page was loaded with,
// keeping the URL fragment in step with the run (every action — from a
// button, a key or the console — pushes a history entry, so Back undoes it;
// the moment, speed and play state replace the current entry, so a reload
// keeps them), Back and Forward, "Copy link" and the embed snippet. In
// compare mode the link carries the second run too (`vs=`, see compare.js).
import { encodeLink, decodeLink, normalize } from './link.js';
import { t as tr, lang, linkLang, withLang } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** The furthest moment a link may ask to open at (replaying there takes time). */
export const MAX_LINK_T_MS = 4 * 3_600_000;

/** The embed snippet's height, for hosts that strip its sizing script (embed.js DEFAULT_HEIGHT). */
export const EMBED_HEIGHT = 640;

/** Whether the page was opened with a scenario in its fragment. */
export function hasLink() {
  return /(^|[#&])s=/.test(location.hash);
}

/** Escapes text for an HTML attribute in the snippet readers paste. */
function attr(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Why a link did not open: the decoder's own line in English (the CLI says the same), its kind in other languages. */
function linkWhy(e) {
  if (lang() === 'en' || !LINK_KINDS[e?.kind]) return e?.message ?? String(e);
  return tr(LINK_KINDS[e.kind]);
}

const LINK_KINDS = {
  not_a_link: 'link.not_a_link',
  version: 'link.version',
  too_long: 'link.too_long',
  cut_short: 'link.cut_short',
  damaged: 'link.damaged',
  too_large: 'link.too_large',
  scenario: 'link.scenario',
  invalid: 'link.invalid',
};

export class Share {
  /**
   * @param lab the Lab
   * @param hooks { load(text) → Promise, show(message|Error|null), embedded: bool, defaultScenario(), compare() → the Compare or null }
   */
  constructor(lab, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.applying = false;
    this.chain = Promise.resolve();
    this.timer = null;
    this.lastPlayMark = 0;
    lab.addEventListener('change', (e) => this.onChange(e.detail));
    window.addEventListener('popstate', () => this.openFromLocation({ fromHistory: true }));
    $('copy-link').addEventListener('click', () => this.copyLink());
    $('embed-button').addEventListener('click', () => this.openEmbedDialog());
    $('embed-copy').addEventListener('click', () => this.copy($('embed-snippet').value, $('embed-copy')));
  }

  /**
   * The fragment (without '#') for the run as it is now, with the page's
   * language (`lang=zh`, see i18n.js linkLang) unless `lang` says otherwise.
   */
  async fragment({ embed = this.hooks.embedded, lang = linkLang() } = {}) {
    const extras = { t: Math.floor(this.lab.displayTime), speed: Number(this.lab.speed.toPrecision(3)), play: this.lab.playing };
    if (embed) extras.embed = true;
    let out = await encodeLink(this.lab.sim.scenarioJson(), extras);
    // Compare mode: the second run rides along as `vs=`, encoded as `s=` is.
    const paired = this.hooks.compare?.()?.scenarioJson();
    if (paired) out += `&vs=${(await encodeLink(paired)).slice(2)}`;
    return withLang(out, lang);
  }

  /** Pushes a history entry for the run as it is now (compare mode starting or stopping). */
  pushNow() {
    if (this.applying || !this.lab.sim) return;
    clearTimeout(this.timer);
    this.enqueue(async () => history.pushState(null, '', `#${await this.fragment()}`));
  }

  /** Runs URL updates one after another, in the order they were asked for. */
  enqueue(task) {
    this.chain = this.chain.then(task).catch((e) => {
      // A run too large for a link keeps working; only its URL stops following.
      this.hooks.show(tr('share.address_full', { why: e.message }));
    });
    return this.chain;
  }

  onChange(why) {
    if (this.applying || !this.lab.sim) return;
    if (why === 'inject' || why === 'load') {
      clearTimeout(this.timer);
      this.enqueue(async () => history.pushState(null, '', `#${await this.fragment()}`));
    } else if (why === 'seek' || why === 'step' || why === 'pause' || why === 'play' || why === 'speed') {
      this.replaceSoon(250);
    } else if (why === 'run' && this.lab.playing && performance.now() - this.lastPlayMark > 2000) {
      // While playing, keep the moment roughly current without busy work.
      this.lastPlayMark = performance.now();
      this.replaceSoon(0);
    }
  }

  replaceSoon(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.enqueue(async () => history.replaceState(null, '', `#${await this.fragment()}`)), ms);
  }

  /**
   * Opens the run the address names. Resolves true when a link was opened;
   * a bad link shows one plain message and opens the default run instead.
   */
  async openFromLocation({ fromHistory = false } = {}) {
    if (!hasLink()) {
      if (fromHistory) await this.apply(() => this.hooks.load(this.hooks.defaultScenario()));
      return false;
    }
    let decoded;
    try {
      decoded = await decodeLink(location.href);
    } catch (e) {
      await this.fallBack(tr('share.bad_link', { why: linkWhy(e) }));
      return false;
    }
    try {
      await this.apply(() => this.hooks.load(decoded.scenarioText));
    } catch (e) {
      await this.fallBack(tr('share.bad_scenario', { why: e.message }));
      return false;
    }
    const paired = /(?:^|[#&])vs=([^&]*)/.exec(normalize(location.hash));
    if (paired && this.hooks.compare?.()) {
      try {
        const b = await decodeLink(`s=${paired[1]}`);
        await this.apply(() => this.hooks.compare().start(null, b.scenarioText));
      } catch (e) {
        this.hooks.show(tr('share.bad_compare', { why: e.message }));
      }
    }
    const { t, speed, play } = decoded.extras;
    this.applying = true;
    try {
      if (speed !== undefined) this.lab.setSpeed(speed);
      if (t !== undefined && t > 0) {
        if (t > MAX_LINK_T_MS) {
          const h = (ms) => tr('share.hours', { h: Number((ms / 3_600_000).toFixed(2)), ms: ms.toLocaleString('en-US') });
          this.hooks.show(tr('share.too_late', { asked: h(t), max: h(MAX_LINK_T_MS) }));
        } else {
          this.lab.seek(t);
        }
      }
      if (play === false) this.lab.pause();
      else this.lab.play();
    } catch (e) {
      this.hooks.show(e);
    } finally {
      this.applying = false;
    }
    return true;
  }

  /** Applies a change that came from the address itself, without writing it back. */
  async apply(fn) {
    this.applying = true;
    try {
      await fn();
    } finally {
      this.applying = false;
    }
  }

  async fallBack(message) {
    await this.apply(() => this.hooks.load(this.hooks.defaultScenario()));
    this.hooks.show(message);
    this.lab.play();
  }

  async copyLink() {
    const url = new URL(location.href);
    url.hash = await this.fragment({ embed: false });
    await this.copy(url.href, $('copy-link'));
  }

  async copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
      const was = button.textContent;
      button.textContent = tr('share.copied');
      setTimeout(() => (button.textContent = was), 1500);
    } catch {
      // Without clipboard access, show the text to copy by hand.
      window.prompt(tr('share.copy_this'), text);
    }
  }

  async openEmbedDialog() {
    const url = new URL('index.html', location.href);
    url.hash = await this.fragment({ embed: true });
    const title = this.lab.sim.scenario().title ?? tr('share.embed_title', { protocol: this.lab.sim.protocol() });
    // The height suits a 700 px column for hosts that strip the script; the
    // script then sets the frame's real height.
    const snippet = `<iframe src="${attr(url.href)}" title="${attr(title)}" width="100%" height="${EMBED_HEIGHT}" style="border:0;max-width:760px" loading="lazy"></iframe>\n`
      + '<script>addEventListener("message",function(e){if(e.data&&e.data.type==="consensus-lab:height"){document.querySelectorAll("iframe").forEach(function(f){if(f.contentWindow===e.source)f.height=e.data.height;});}});</script>';
    $('embed-snippet').value = snippet;
    $('embed-dialog').showModal();
  }
}
