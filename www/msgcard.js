// Messages are first-class: clicking (or tapping) a message in flight opens
// a small card with its fields, in its protocol's words, and Drop /
// Duplicate buttons that inject drop_message / duplicate_message. Playback
// pauses while the card is open, so the message stays where the reader
// clicked it. Hovering anything drawn with a tooltip (a message, a node, a
// log cell) shows it; on a touch screen a tap on a log cell does. The card only reads the engine (Simulation.message)
// and forwards the reader's choice as an inject.
import { rendererFor, styleOf } from './render.js';
import { messageRows } from './describe.js';
import { nodeName, timeText } from './names.js';
import { t, fieldWord } from './i18n.js';

const $ = (id) => document.getElementById(id);

const LOST = {
  random: t('card.lost_random'),
  partition: t('card.lost_partition'),
  crash: t('card.lost_crash'),
  injected: t('card.lost_injected'),
  absent: t('card.lost_absent'),
  superseded: t('card.lost_superseded'),
};

export class MessageCard {
  /**
   * @param lab the Lab
   * @param hooks { inject(event) → bool, layout(), show(message) }
   */
  constructor(lab, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.id = null;
    this.el = $('msg-card');
    this.tip = $('tip');
    this.el.addEventListener('click', (e) => {
      const act = e.target.closest('[data-msg]')?.dataset.msg;
      if (act === 'close') this.close();
      else if (act === 'drop') this.act('drop_message');
      else if (act === 'duplicate') this.act('duplicate_message');
    });
    const canvas = $('canvas');
    canvas.addEventListener('pointermove', (e) => this.hover(e));
    canvas.addEventListener('pointerleave', () => {
      this.tip.hidden = true;
    });
  }

  get open() {
    return this.id != null;
  }

  /** Opens the card for message `id` (pausing playback). */
  show(id) {
    const m = this.lab.snapshot().messages.find((x) => x.id === id);
    const payload = m ? this.lab.sim.message(id) : null;
    if (!m || !payload) {
      this.close();
      return;
    }
    if (this.lab.playing) this.lab.pause();
    this.id = id;
    this.tip.hidden = true;
    const r = rendererFor(this.lab.sim.protocol());
    const style = styleOf(r, m);
    const el = this.el;
    el.textContent = '';
    const head = document.createElement('header');
    const name = document.createElement('strong');
    name.textContent = style.legend ?? m.kind;
    const route = document.createElement('span');
    route.className = 'muted';
    route.textContent = `#${m.id} · ${nodeName(m.from)} → ${nodeName(m.to)}`;
    const x = document.createElement('button');
    x.type = 'button';
    x.dataset.msg = 'close';
    x.setAttribute('aria-label', t('page.close'));
    x.textContent = '×';
    head.append(name, route, x);
    const table = document.createElement('table');
    for (const [k, v] of [[t('card.label'), m.label], ...messageRows(r, payload)]) {
      const tr = document.createElement('tr');
      const a = document.createElement('td');
      const b = document.createElement('td');
      a.textContent = fieldWord(k);
      b.textContent = String(v);
      tr.append(a, b);
      table.append(tr);
    }
    const when = document.createElement('p');
    when.textContent = m.lost
      ? t('card.will_not_arrive', { sent: m.sent_at, why: LOST[m.lost] ?? m.lost })
      : t('card.arrives', { sent: m.sent_at, at: m.deliver_at, left: timeText(m.deliver_at - this.lab.displayTime) });
    const row = document.createElement('div');
    row.className = 'row';
    for (const [act, label, title] of [
      ['drop', t('card.drop'), t('card.drop_title')],
      ['duplicate', t('card.duplicate'), t('card.duplicate_title')],
    ]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.msg = act;
      b.textContent = label;
      b.title = title;
      row.append(b);
    }
    el.append(head, table, when, row);
    el.hidden = false;
    this.place();
    this.lab.changed('select');
  }

  close() {
    if (this.id == null) return;
    this.id = null;
    this.el.hidden = true;
    this.lab.changed('select');
  }

  act(type) {
    const id = this.id;
    this.close();
    if (this.hooks.inject({ type, id })) {
      this.hooks.show(type === 'drop_message' ? t('card.dropped', { id }) : t('card.duplicated', { id }), 'info');
    }
  }

  /** Keeps the card beside its message, or closes it once the message is gone. */
  update(snap) {
    if (this.id == null) return;
    if (!snap.messages.some((m) => m.id === this.id)) {
      this.close();
      return;
    }
    this.place();
  }

  place() {
    const sc = this.hooks.layout()?.scene;
    const m = sc?.messages.find((x) => x.id === this.id);
    const wrap = this.el.parentElement;
    const W = wrap.clientWidth;
    const H = wrap.clientHeight;
    const w = this.el.offsetWidth;
    const h = this.el.offsetHeight;
    let x = m ? m.x + 14 : 8;
    let y = m ? m.y - h / 2 : 8;
    if (m && x + w > W - 8) x = m.x - 14 - w;
    x = Math.max(8, Math.min(x, W - w - 8));
    y = Math.max(8, Math.min(y, H - h - 8));
    this.el.style.left = `${Math.round(x)}px`;
    this.el.style.top = `${Math.round(y)}px`;
  }

  /** Shows hit area `h`'s tooltip at (x, y): for a tap, where there is no hover. */
  showTip(h, x, y) {
    this.tip.textContent = h.tip;
    this.tip.hidden = false;
    const W = this.tip.parentElement.clientWidth;
    const tw = this.tip.offsetWidth;
    const left = x + 14 + tw > W - 4 ? x - 14 - tw : x + 14;
    this.tip.style.left = `${Math.max(4, Math.round(left))}px`;
    this.tip.style.top = `${Math.max(4, Math.round(y + 14))}px`;
  }

  hideTip() {
    this.tip.hidden = true;
  }

  hover(e) {
    if (e.pointerType === 'touch') return;
    const sc = this.hooks.layout()?.scene;
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const h = sc?.hitAt(x, y, ['message']) ?? sc?.hitAt(x, y);
    if (!h?.tip) {
      this.tip.hidden = true;
      e.currentTarget.style.cursor = h ? 'pointer' : 'default';
      return;
    }
    e.currentTarget.style.cursor = h.kind === 'cell' ? 'help' : 'pointer';
    this.showTip(h, x, y);
  }
}
