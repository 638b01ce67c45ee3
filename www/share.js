// Scenario links on the page: opening the link the page was loaded with,
// keeping the URL fragment in step with the run (every action — from a
// button, a key or the console — pushes a history entry, so Back undoes it;
// the moment, speed and play state replace the current entry, so a reload
// keeps them), Back and Forward, "Copy link" and the embed snippet.
import { encodeLink, decodeLink } from './link.js';

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

export class Share {
  /**
   * @param lab the Lab
   * @param hooks { load(text) → Promise, show(message|Error|null), embedded: bool, defaultScenario() }
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

  /** The fragment (without '#') for the run as it is now. */
  async fragment({ embed = this.hooks.embedded } = {}) {
    const extras = { t: Math.floor(this.lab.displayTime), speed: Number(this.lab.speed.toPrecision(3)), play: this.lab.playing };
    if (embed) extras.embed = true;
    return encodeLink(this.lab.sim.scenarioJson(), extras);
  }

  /** Runs URL updates one after another, in the order they were asked for. */
  enqueue(task) {
    this.chain = this.chain.then(task).catch((e) => {
      // A run too large for a link keeps working; only its URL stops following.
      this.hooks.show(`The address bar cannot hold this run: ${e.message}`);
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
      await this.fallBack(`This link could not be opened: ${e.message}.`);
      return false;
    }
    try {
      await this.apply(() => this.hooks.load(decoded.scenarioText));
    } catch (e) {
      await this.fallBack(`This link could not be opened: this link's scenario is not valid: ${e.message}.`);
      return false;
    }
    const { t, speed, play } = decoded.extras;
    this.applying = true;
    try {
      if (speed !== undefined) this.lab.setSpeed(speed);
      if (t !== undefined && t > 0) {
        if (t > MAX_LINK_T_MS) {
          const h = (ms) => `${Number((ms / 3_600_000).toFixed(2))} simulated hours (${ms.toLocaleString('en-US')} ms)`;
          this.hooks.show(`This link asks to open at ${h(t)}, beyond the ${h(MAX_LINK_T_MS)} the lab replays on opening; it starts from the beginning (0 ms) instead.`);
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
      button.textContent = 'Copied ✓';
      setTimeout(() => (button.textContent = was), 1500);
    } catch {
      // Without clipboard access, show the text to copy by hand.
      window.prompt('Copy this:', text);
    }
  }

  async openEmbedDialog() {
    const url = new URL('index.html', location.href);
    url.hash = await this.fragment({ embed: true });
    const title = this.lab.sim.scenario().title ?? `${this.lab.sim.protocol()} in Consensus Lab`;
    // The height suits a 700 px column for hosts that strip the script; the
    // script then sets the frame's real height.
    const snippet = `<iframe src="${attr(url.href)}" title="${attr(title)}" width="100%" height="${EMBED_HEIGHT}" style="border:0;max-width:760px" loading="lazy"></iframe>\n`
      + '<script>addEventListener("message",function(e){if(e.data&&e.data.type==="consensus-lab:height"){document.querySelectorAll("iframe").forEach(function(f){if(f.contentWindow===e.source)f.height=e.data.height;});}});</script>';
    $('embed-snippet').value = snippet;
    $('embed-dialog').showModal();
  }
}
