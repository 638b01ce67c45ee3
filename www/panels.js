// The page around the canvas, kept in step with the run: the status line,
// the safety banner, the selected node's title, details and buttons (in the
// side panel and in the play bar), and the event log. It reads the snapshot
// and the trace records; it never steps the engine.
import { rendererFor } from './render.js';
import { describeNode, wholeNode } from './describe.js';
import { formatSpeed } from './controls.js';
import { nodeName, readerText } from './names.js';
import { t, roleWord } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** The most records the event log holds. */
const LOG_MAX = 150;
/** The most records one catch-up adds while a run plays. */
const LOG_PLAYING = 40;
/** How often (wall-clock ms) the log catches up while a run plays. */
const LOG_EVERY_MS = 200;

/** Sets an element's text only when it changed (an unchanged page needs no new layout). */
function setText(el, s) {
  if (el.textContent !== s) el.textContent = s;
}

export class Panels {
  constructor(lab, controls) {
    this.lab = lab;
    this.controls = controls;
    this.lastSeq = 0;
    $('show-messages').addEventListener('change', () => this.resetEvents());
  }

  /** Empties the event log; it refills from the records still kept. */
  resetEvents() {
    $('events').textContent = '';
    this.lastSeq = 0;
    this.appendEvents();
  }

  update(snap) {
    const lab = this.lab;
    setText($('play').firstChild, lab.playing ? '❚❚' : '▶');
    setText($('play').lastChild, lab.playing ? t('panels.pause') : t('page.play'));
    $('play').setAttribute('aria-pressed', String(lab.playing));
    const slowed = lab.playing && performance.now() < lab.behindUntil;
    setText($('speed-out'), slowed ? `${formatSpeed(lab.speed)} · ${t('panels.behind')}` : formatSpeed(lab.speed));
    const why = slowed ? t('panels.behind_title') : '';
    if ($('speed-out').title !== why) $('speed-out').title = why;
    setText($('status-time'), `${snap.time_ms.toLocaleString('en-US')} ms`);
    setText($('status-steps'), t('panels.steps', { n: snap.steps }));
    setText($('status-flight'), t('panels.in_flight', { n: snap.messages.length }));
    setText($('status-hash'), t('panels.trace', { hash: lab.sim.traceHash().slice(0, 12) }));
    const v = snap.violations;
    const banner = $('violations');
    if (v.length) {
      const last = v[v.length - 1];
      setText(banner, t('panels.violated', { n: v.length, invariant: last.invariant.replaceAll('_', ' '), at: last.at_ms, detail: readerText(last.detail) }));
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    const sel = this.controls.selected;
    const node = wholeNode(snap, sel);
    const renderer = rendererFor(snap.protocol);
    setText($('node-title'), node ? `${nodeName(node.id)}${node.up ? '' : ` · ${roleWord('crashed')}`}${node.paused_until != null ? ` · ${roleWord('paused')}` : ''}` : t('panels.click_one'));
    setText($('node-details'), node ? describeNode(renderer, node, snap) : '');
    for (const b of document.querySelectorAll('#node-actions button, #bar-node button')) {
      const { disabled, why } = actionState(b.dataset.act, node);
      if (b.disabled !== disabled) b.disabled = disabled;
      const title = why ?? b.dataset.title;
      if (title && b.title !== title) b.title = title;
    }
    $('bar-node').hidden = !node;
    if (node) setText($('bar-node-name'), nodeName(node.id));
    setText($('partition'), this.controls.draft ? t('panels.partition_drawing') : t('panels.partition'));
    this.appendEvents();
  }

  appendEvents() {
    const list = $('events');
    const showAll = $('show-messages').checked;
    const next = this.lab.sim.traceSeq();
    if (next <= this.lastSeq) return;
    // While a run plays, the log catches up a few times a second rather than
    // every frame: nobody reads faster, and a large cluster's notes would
    // rebuild the list each frame. Paused, stepped or seeked, it shows at once.
    const now = performance.now();
    if (this.lab.playing && now - (this.lastLogAt ?? -Infinity) < LOG_EVERY_MS) return;
    this.lastLogAt = now;
    // Only what the list can hold: a large cluster makes thousands of records a frame.
    // Playing, the newest few: the list scrolls past the rest faster than anyone reads.
    const shown = this.lab.sim.eventsSince(this.lastSeq, this.lab.playing ? LOG_PLAYING : LOG_MAX, showAll);
    this.lastSeq = next;
    if (shown.length === 0) return;
    const renderer = rendererFor(this.lab.sim.protocol());
    const frag = document.createDocumentFragment();
    for (const r of shown) {
      const li = document.createElement('li');
      li.className = `ev ev-${r.kind}`;
      if (r.kind === 'milestone' && renderer.milestoneTone?.(r) === 'bad') li.classList.add('tone-bad');
      const t = document.createElement('span');
      t.className = 'ev-time';
      t.textContent = `${r.time_ms}`;
      // Protocol notes speak for their node; the simulator's own texts name it.
      const who = r.node != null && (r.kind === 'note' || r.kind === 'milestone') ? `${nodeName(r.node)} ` : '';
      li.append(t, document.createTextNode(` ${who}${readerText(r.text)}`));
      frag.append(li);
    }
    list.append(frag);
    while (list.childElementCount > LOG_MAX) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }
}

/** Whether a node action can apply to `node`, and if not, why. */
export function actionState(act, node) {
  if (!node) return { disabled: true, why: t('controls.select_first') };
  if (act === 'isolate' || act === 'request') return { disabled: act === 'request' && !node.up, why: null };
  const name = nodeName(node.id);
  if (act === 'restart') return node.up ? { disabled: true, why: t('panels.is_running', { name }) } : { disabled: false, why: null };
  if (!node.up) return { disabled: true, why: t('panels.is_crashed', { name }) };
  if (act === 'timeout' && node.paused_until != null) return { disabled: true, why: t('panels.is_paused', { name, until: node.paused_until }) };
  return { disabled: false, why: null };
}
