// The page around the canvas, kept in step with the run: the status line,
// the safety banner, the selected node's title, details and buttons (in the
// side panel and in the play bar), and the event log. It reads the snapshot
// and the trace records; it never steps the engine.
import { rendererFor } from './render.js';
import { describeNode } from './describe.js';
import { formatSpeed } from './controls.js';
import { nodeName, plural, readerText } from './names.js';

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
    $('play').lastChild.textContent = lab.playing ? ' Pause' : ' Play';
    $('play').setAttribute('aria-pressed', String(lab.playing));
    $('speed-out').textContent = formatSpeed(lab.speed);
    $('status-time').textContent = `${snap.time_ms.toLocaleString('en-US')} ms`;
    $('status-steps').textContent = plural(snap.steps, 'step');
    $('status-flight').textContent = `${plural(snap.messages.length, 'message')} in flight`;
    $('status-hash').textContent = `trace ${lab.sim.traceHash().slice(0, 12)}…`;
    const v = snap.violations;
    const banner = $('violations');
    if (v.length) {
      const last = v[v.length - 1];
      banner.textContent = `Safety violated (${v.length}): ${last.invariant.replaceAll('_', ' ')} at ${last.at_ms} ms — ${readerText(last.detail)}`;
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    const sel = this.controls.selected;
    const node = sel == null ? null : snap.nodes.find((d) => d.id === sel);
    const renderer = rendererFor(snap.protocol);
    $('node-title').textContent = node ? `${nodeName(node.id)}${node.up ? '' : ' · crashed'}${node.paused_until != null ? ' · paused' : ''}` : '— click one on the ring';
    $('node-details').textContent = node ? describeNode(renderer, node, snap) : '';
    for (const b of document.querySelectorAll('#node-actions button, #bar-node button')) {
      const { disabled, why } = actionState(b.dataset.act, node);
      b.disabled = disabled;
      if (why) b.title = why;
      else if (b.dataset.title) b.title = b.dataset.title;
    }
    $('bar-node').hidden = !node;
    if (node) $('bar-node-name').textContent = nodeName(node.id);
    $('partition').textContent = this.controls.draft ? 'Partition (drawing…)' : 'Partition…';
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
  if (!node) return { disabled: true, why: 'Select a node first: click it on the ring, or press its number.' };
  if (act === 'isolate' || act === 'request') return { disabled: act === 'request' && !node.up, why: null };
  if (act === 'restart') return node.up ? { disabled: true, why: `${nodeName(node.id)} is running.` } : { disabled: false, why: null };
  if (!node.up) return { disabled: true, why: `${nodeName(node.id)} is crashed: restart it first.` };
  if (act === 'timeout' && node.paused_until != null) return { disabled: true, why: `${nodeName(node.id)} is paused until ${node.paused_until} ms: its timers wait until it resumes.` };
  return { disabled: false, why: null };
}
