// Turns what the reader does (buttons, sliders, keys, clicks on the canvas)
// into inject commands and playback changes on the Lab. It holds only UI
// state: the selected node and a partition being drawn. Keyboard shortcuts
// work wherever the focus is, except for the keys a focused control needs
// (typing in a text field, arrows on a slider); a menu, field or slider gives
// the focus back to the page once used, so no shortcut is swallowed.
import { thingAt, nodeAt } from './render.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** Speed slider position (0–100) ↔ simulated ms per real ms (0.01×–10×). */
export const speedFromSlider = (v) => 10 ** (-2 + (3 * v) / 100);
export const sliderFromSpeed = (s) => Math.round(((Math.log10(s) + 2) * 100) / 3);

export function formatSpeed(s) {
  return s >= 1 ? `${s.toFixed(s >= 3 ? 0 : 1)}×` : `${s.toPrecision(s < 0.1 ? 1 : 2)}×`;
}

const KEYS = ['x', 'y', 'z', 'w'];

export class Controls {
  /**
   * @param lab the Lab (engine.js)
   * @param hooks { show(error|string), newRun(), layout(), card: the MessageCard (set later) }
   */
  constructor(lab, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.selected = null;
    this.draft = null;
    this.requests = 1;
    this.bind();
  }

  /** Runs an action; a failure becomes a plain message on the page. */
  act(fn) {
    try {
      fn();
      this.hooks.show(null);
    } catch (e) {
      this.hooks.show(e);
    }
  }

  /** Applies an inject; false (with the reason on the page) when it fails. */
  inject(event) {
    try {
      this.lab.inject(event);
      this.hooks.show(null);
      return true;
    } catch (e) {
      this.hooks.show(e);
      return false;
    }
  }

  /** One step forward; says so when nothing is left to happen. */
  step() {
    this.act(() => {
      if (!this.lab.step()) throw new Error(t('controls.nothing_more', { ms: this.lab.sim.timeMs().toLocaleString('en-US') }));
    });
  }

  nextValue() {
    const k = KEYS[(this.requests - 1) % KEYS.length];
    return `${k}=${this.requests}`;
  }

  sendRequest(node) {
    const input = $('client-value');
    const value = input.value.trim() || this.nextValue();
    const event = { type: 'client_request', value };
    if (node != null) event.node = node;
    this.inject(event);
    this.requests += 1;
    input.value = this.nextValue();
  }

  select(id) {
    this.selected = id;
    this.lab.changed('select');
  }

  nodeAction(act) {
    const id = this.selected;
    if (id == null) {
      this.hooks.show(t('controls.select_first'));
      return;
    }
    switch (act) {
      case 'crash':
        return this.inject({ type: 'crash', node: id });
      case 'restart':
        return this.inject({ type: 'restart', node: id });
      case 'timeout':
        return this.inject({ type: 'timeout', node: id });
      case 'pause':
        return this.inject({ type: 'pause', node: id, for_ms: 1000 });
      case 'isolate':
        return this.inject({ type: 'partition', groups: [[id]] });
      case 'request':
        return this.sendRequest(id);
    }
  }

  /** The keyboard's way to a message (M): opens the card of the next message in flight, its Drop button focused. */
  openNextMessage() {
    const ids = this.lab.snapshot().messages.map((m) => m.id).sort((a, b) => a - b);
    if (!ids.length) {
      this.hooks.show(t('controls.no_message'), 'info');
      return;
    }
    const card = this.hooks.card;
    const next = ids.find((id) => card.id == null || id > card.id) ?? ids[0];
    card.show(next);
    card.el.querySelector('[data-msg="drop"]')?.focus();
  }

  togglePlay() {
    if (this.lab.playing) this.lab.pause();
    else this.lab.play();
  }

  setSpeed(s) {
    const clamped = Math.min(10, Math.max(0.01, s));
    this.lab.setSpeed(clamped);
    $('speed').value = String(sliderFromSpeed(clamped));
  }

  startPartition() {
    const n = this.lab.sim.nodes();
    this.draft = [Array.from({ length: n }, (_, i) => i), []];
    $('partition-tool').hidden = false;
    this.lab.changed('draft');
  }

  endPartition(apply) {
    if (apply && this.draft) {
      const groups = this.draft.filter((g) => g.length > 0);
      if (groups.length < 2) {
        this.hooks.show(t('controls.move_one'));
        return;
      }
      this.inject({ type: 'partition', groups });
    }
    this.draft = null;
    $('partition-tool').hidden = true;
    this.lab.changed('draft');
  }

  toggleDraft(id) {
    const [a, b] = this.draft;
    const from = a.includes(id) ? a : b;
    const to = from === a ? b : a;
    from.splice(from.indexOf(id), 1);
    to.push(id);
    to.sort((x, y) => x - y);
    this.lab.changed('draft');
  }

  onCanvasClick(ev) {
    const rect = ev.currentTarget.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    if (this.draft) {
      const id = nodeAt(this.hooks.layout(), x, y);
      if (id != null) this.toggleDraft(id);
      return;
    }
    // Fingers are wider than a glyph: a tap near a message counts.
    const touch = ev.pointerType === 'touch' || this.lastPointer === 'touch';
    const hit = thingAt(this.hooks.layout(), x, y, touch ? 12 : 4);
    if (hit?.kind === 'message') {
      this.hooks.card.show(hit.id);
      return;
    }
    const cell = this.hooks.layout()?.scene?.hitAt(x, y, ['cell']);
    if (touch && cell) {
      this.hooks.card.showTip(cell, x, y);
      return;
    }
    this.hooks.card.hideTip();
    this.hooks.card.close();
    this.select(hit?.kind === 'node' ? hit.id : null);
  }

  setNetwork(changes) {
    this.inject({ type: 'set_network', ...changes });
  }

  bind() {
    $('play').addEventListener('click', () => this.togglePlay());
    $('step').addEventListener('click', () => this.step());
    $('step-back').addEventListener('click', () => this.act(() => this.lab.stepBack()));
    $('speed').addEventListener('input', (e) => this.lab.setSpeed(speedFromSlider(Number(e.target.value))));
    $('client-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.sendRequest(null);
    });
    $('bar-request').addEventListener('click', () => this.sendRequest(null));
    for (const id of ['node-actions', 'bar-node']) {
      $(id).addEventListener('click', (e) => {
        const act = e.target.closest('button')?.dataset.act;
        if (act) this.nodeAction(act);
      });
    }
    for (const b of document.querySelectorAll('[data-act]')) b.dataset.title = b.title ?? '';
    // A menu, a number field or a checkbox hands the focus back to the page
    // once it has changed, a slider once the pointer lets go of it, so the
    // next shortcut reaches the page.
    document.addEventListener('pointerdown', (e) => {
      this.lastPointer = e.pointerType;
    }, true);
    document.addEventListener('change', (e) => {
      const el = e.target;
      if (el.tagName === 'SELECT' || el.type === 'number' || el.type === 'checkbox') el.blur();
    });
    document.addEventListener('pointerup', (e) => {
      if (e.target?.type === 'range') e.target.blur();
    });
    $('partition').addEventListener('click', () => (this.draft ? this.endPartition(false) : this.startPartition()));
    $('partition-apply').addEventListener('click', () => this.endPartition(true));
    $('partition-cancel').addEventListener('click', () => this.endPartition(false));
    $('heal').addEventListener('click', () => this.inject({ type: 'heal' }));
    $('latency').addEventListener('input', (e) => {
      $('latency-out').textContent = t('unit.approx_ms', { n: Number(e.target.value) });
    });
    $('latency').addEventListener('change', (e) => {
      const m = Number(e.target.value);
      this.setNetwork({ latency_ms: [Math.max(1, Math.round(m * 0.6)), Math.max(1, Math.round(m * 1.4))] });
    });
    $('drop').addEventListener('input', (e) => {
      $('drop-out').textContent = `${e.target.value}%`;
    });
    $('drop').addEventListener('change', (e) => this.setNetwork({ drop_rate: Number(e.target.value) / 100 }));
    $('canvas').addEventListener('click', (e) => this.onCanvasClick(e));
    $('new-run').addEventListener('click', () => this.hooks.newRun());
    $('help-open').addEventListener('click', () => $('help').showModal());
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target;
    const tag = el?.tagName;
    const typing = tag === 'TEXTAREA' || el?.isContentEditable || (tag === 'INPUT' && !['range', 'checkbox', 'button', 'radio'].includes(el.type));
    // The keys a focused control needs for itself; every other key is a shortcut.
    const own = typing
      || tag === 'SELECT'
      || (el?.type === 'range' && /^(Arrow|Page|Home$|End$)/.test(e.key))
      || (el?.type === 'checkbox' && e.key === ' ')
      || ((tag === 'BUTTON' || tag === 'A') && e.key === 'Enter');
    if (own) {
      if (e.key === 'Escape') el.blur();
      return;
    }
    if ($('help').open && e.key !== '?') return;
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const handlers = {
      ' ': () => this.togglePlay(),
      ArrowRight: () => this.step(),
      '.': () => this.step(),
      ArrowLeft: () => this.act(() => this.lab.stepBack()),
      ',': () => this.act(() => this.lab.stepBack()),
      Home: () => this.act(() => this.lab.seek(0)),
      End: () => this.act(() => this.lab.seek(this.lab.headMs())),
      '+': () => this.setSpeed(this.lab.speed * 2),
      '=': () => this.setSpeed(this.lab.speed * 2),
      '-': () => this.setSpeed(this.lab.speed / 2),
      c: () => this.sendRequest(null),
      m: () => this.openNextMessage(),
      x: () => this.nodeAction('crash'),
      r: () => this.nodeAction('restart'),
      t: () => this.nodeAction('timeout'),
      p: () => this.nodeAction('pause'),
      h: () => this.inject({ type: 'heal' }),
      n: () => this.hooks.newRun(),
      '?': () => ($('help').open ? $('help').close() : $('help').showModal()),
      Escape: () => {
        if (this.hooks.card?.open) this.hooks.card.close();
        else if (this.draft) this.endPartition(false);
        else this.select(null);
      },
    };
    if (/^[0-9]$/.test(k)) {
      // Digits typed within a second of each other name one node (1 then 2: n12), so every node of a big cluster can be selected.
      const now = e.timeStamp;
      const joined = this.digits && now - this.digits.at < 1000 ? Number(`${this.digits.s}${k}`) : null;
      const n = this.lab.sim ? this.lab.sim.nodes() : 0;
      const join = joined != null && joined < n;
      const id = join ? joined : Number(k);
      // While a partition is drawn a digit moves that node to the other side (the second digit of two undoes the first's move).
      if (this.draft && id < n) {
        if (join && this.digits.moved != null) this.toggleDraft(this.digits.moved);
        this.toggleDraft(id);
      } else if (id < n) {
        this.select(id);
      }
      this.digits = { s: String(id), at: now, moved: this.draft && id < n ? id : null };
      e.preventDefault();
      return;
    }
    const h = handlers[k];
    if (h) {
      e.preventDefault();
      h();
    }
  }
}
