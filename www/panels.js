// The page around the canvas, kept in step with the run: the status line,
// the safety banner, the selected node's title, details and buttons (in the
// side panel and in the play bar), and the event log. It reads the snapshot
// and the trace records; it never steps the engine.
import { rendererFor } from './render.js';
import { describeNode } from './describe.js';
import { formatSpeed } from './controls.js';
import { nodeName, readerText } from './names.js';
import { t, roleWord } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** Trace kinds the event log hides unless "messages" is ticked. */
const QUIET = new Set(['send', 'deliver', 'drop', 'timer', 'start']);

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
    $('play').firstChild.textContent = lab.playing ? '❚❚' : '▶';
    $('play').lastChild.textContent = lab.playing ? t('panels.pause') : t('page.play');
    $('play').setAttribute('aria-pressed', String(lab.playing));
    $('speed-out').textContent = formatSpeed(lab.speed);
    $('status-time').textContent = `${snap.time_ms.toLocaleString('en-US')} ms`;
    $('status-steps').textContent = t('panels.steps', { n: snap.steps });
    $('status-flight').textContent = t('panels.in_flight', { n: snap.messages.length });
    $('status-hash').textContent = t('panels.trace', { hash: lab.sim.traceHash().slice(0, 12) });
    const v = snap.violations;
    const banner = $('violations');
    if (v.length) {
      const last = v[v.length - 1];
      banner.textContent = t('panels.violated', { n: v.length, invariant: last.invariant.replaceAll('_', ' '), at: last.at_ms, detail: readerText(last.detail) });
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    const sel = this.controls.selected;
    const node = sel == null ? null : snap.nodes.find((d) => d.id === sel);
    const renderer = rendererFor(snap.protocol);
    $('node-title').textContent = node ? `${nodeName(node.id)}${node.up ? '' : ` · ${roleWord('crashed')}`}${node.paused_until != null ? ` · ${roleWord('paused')}` : ''}` : t('panels.click_one');
    $('node-details').textContent = node ? describeNode(renderer, node, snap) : '';
    for (const b of document.querySelectorAll('#node-actions button, #bar-node button')) {
      const { disabled, why } = actionState(b.dataset.act, node);
      b.disabled = disabled;
      if (why) b.title = why;
      else if (b.dataset.title) b.title = b.dataset.title;
    }
    $('bar-node').hidden = !node;
    if (node) $('bar-node-name').textContent = nodeName(node.id);
    $('partition').textContent = this.controls.draft ? t('panels.partition_drawing') : t('panels.partition');
    this.appendEvents();
  }

  appendEvents() {
    const list = $('events');
    const showAll = $('show-messages').checked;
    const recs = this.lab.sim.eventsSince(this.lastSeq);
    if (recs.length === 0) return;
    this.lastSeq = recs[recs.length - 1].seq + 1;
    const renderer = rendererFor(this.lab.sim.protocol());
    const frag = document.createDocumentFragment();
    const shown = showAll ? recs : recs.filter((r) => !QUIET.has(r.kind));
    for (const r of shown.slice(-150)) {
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
    while (list.childElementCount > 150) list.firstElementChild.remove();
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
