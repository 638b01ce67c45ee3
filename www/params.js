// The rules a run follows, built from the registry entry of the protocol on
// screen: a variant picker (each deliberately broken or alternative rule set
// with its description; choosing one starts a run with its params) and a
// panel listing every parameter with its default and its one-line doc.
// Applying either starts a new run of the current scenario (same seed,
// nodes, network and events) whose `params` carry the change, so the share
// link replays it. The engine checks every value; what it refuses is shown
// in plain words beside the form and the run on screen stays as it was.
import { protocolInfo } from './engine.js';
import { el, docText, typedNumber, typedList, wordList, valueText, nodePicker, pickedNode, plainError, say } from './forms.js';
import { t } from './i18n.js';

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A text field that passes on what was typed (`numeric`: the keyboard to offer). */
function textField(id, label, mode, describedBy) {
  return el('input', { id, type: 'text', inputmode: mode, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': describedBy, 'aria-label': label });
}

/**
 * One parameter's input(s) by its declared type: { field, read() → value
 * or undefined for "the default", write(value) }. Types the page does not
 * know get a text field read as JSON when it parses, else as text.
 */
function paramControl(p, nodes, describedBy) {
  const id = `param-${p.name}`;
  switch (p.type) {
    case 'boolean': {
      const box = el('input', { id, type: 'checkbox', 'aria-describedby': describedBy });
      return { field: box, read: () => box.checked, write: (v) => (box.checked = !!v) };
    }
    case 'range': {
      const lo = textField(id, `${p.name} from`, 'numeric', describedBy);
      const hi = textField(`${id}-max`, `${p.name} to`, 'numeric', describedBy);
      return {
        field: el('span', { class: 'param-range' }, lo, el('span', { class: 'muted', text: t('rules.to') }), hi),
        read: () => {
          const a = typedNumber(lo.value);
          const b = typedNumber(hi.value);
          return a === undefined && b === undefined ? undefined : [a ?? null, b ?? null];
        },
        write: (v) => {
          lo.value = Array.isArray(v) ? String(v[0]) : '';
          hi.value = Array.isArray(v) ? String(v[1]) : '';
        },
      };
    }
    case 'node': {
      const pick = nodePicker({ id, 'aria-describedby': describedBy }, nodes, p.default == null ? t('word.none') : null);
      return {
        field: pick,
        read: () => (pick.value === '' ? null : pickedNode(pick)),
        write: (v) => (pick.value = v == null ? '' : String(v)),
      };
    }
    case 'list':
    case 'list of words': {
      const input = textField(id, p.name, 'text', describedBy);
      input.placeholder = p.default == null ? t('rules.blank_none_set') : t('rules.blank_none');
      const words = p.type === 'list of words';
      return {
        field: input,
        read: () => (words ? wordList(input.value) : typedList(input.value)) ?? p.default,
        write: (v) => (input.value = Array.isArray(v) ? v.join(', ') : ''),
      };
    }
    case 'choice': {
      // One of the words the registry lists: a menu of them.
      const pick = el('select', { id, 'aria-describedby': describedBy, 'aria-label': p.name });
      for (const c of p.choices ?? []) pick.append(el('option', { value: c, text: c }));
      return { field: pick, read: () => pick.value, write: (v) => (pick.value = v == null ? p.default : String(v)) };
    }
    case 'whole number':
    case 'number': {
      const input = textField(id, p.name, p.type === 'number' ? 'decimal' : 'numeric', describedBy);
      return { field: input, read: () => typedNumber(input.value), write: (v) => (input.value = v == null ? '' : String(v)) };
    }
    default: {
      const input = textField(id, p.name, 'text', describedBy);
      const read = () => {
        const t = input.value.trim();
        if (t === '') return undefined;
        if (p.type === 'text') return input.value;
        try {
          return JSON.parse(t);
        } catch {
          return t;
        }
      };
      const write = (v) => (input.value = v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
      return { field: input, read, write };
    }
  }
}

/**
 * The variant the scenario's params choose, or null: of the variants whose
 * params all match (given or by default), the one that the scenario names
 * the most of explicitly — so a variant that only restates defaults never
 * hides the one the reader picked, and a scenario that sets nothing runs
 * the protocol as published.
 */
export function variantOf(info, params = {}) {
  const value = (k) => (k in params ? params[k] : info.params.find((p) => p.name === k)?.default);
  let best = null;
  let bestNamed = 0;
  for (const v of info.variants) {
    const keys = Object.keys(v.params);
    if (!keys.every((k) => same(value(k), v.params[k]))) continue;
    const named = keys.filter((k) => k in params).length;
    if (named > bestNamed) {
      best = v;
      bestNamed = named;
    }
  }
  return best;
}

export class ParamsPanel {
  /**
   * @param lab the Lab
   * @param mount the element the dialog goes in (`opener` is the button that opens it, for the caller to place)
   * @param hooks { show(message|null) }: the page's message line, cleared when a run starts
   */
  constructor(lab, mount, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.key = null;
    this.controls = [];
    this.variantList = el('div', { class: 'variants', role: 'group', 'aria-label': t('rules.variant') });
    this.variantError = el('p', { class: 'form-error', role: 'alert', hidden: true });
    this.variantBox = el('div', { class: 'variant-box' }, el('h3', { text: t('rules.variant') }), this.variantList, this.variantError);
    this.fields = el('div', { class: 'param-list' });
    this.error = el('p', { id: 'params-error', class: 'form-error', role: 'alert', hidden: true });
    this.summary = el('p', { id: 'params-summary', class: 'params-summary' });
    this.form = el(
      'form',
      { id: 'params-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.apply(); } },
      el('h3', { text: t('rules.parameters') }),
      this.summary,
      this.fields,
      this.error,
      el('div', { class: 'row wrap' },
        el('button', { type: 'submit', class: 'primary', id: 'params-apply', text: t('rules.apply') }),
        el('button', { type: 'button', id: 'params-reset', text: t('rules.defaults'), title: t('rules.defaults_title'), onclick: () => this.fill({}) })),
    );
    this.heading = el('h2', { id: 'rules-h', text: t('rules.rules') });
    this.dialog = el(
      'dialog',
      { id: 'rules-dialog', class: 'rules', 'aria-labelledby': 'rules-h' },
      el('div', { class: 'dialog-head' }, this.heading, el('button', { type: 'button', class: 'icon', id: 'rules-close', 'aria-label': t('page.close'), text: '×', onclick: () => this.dialog.close() })),
      el('p', { class: 'rules-intro', text: t('rules.intro') }),
      this.variantBox,
      this.form,
    );
    // Page shortcuts do not act behind the dialog: its keys are its own, and
    // its menus and boxes keep the focus once changed (the page hands it back
    // to itself, which a modal dialog must not lose).
    this.dialog.addEventListener('keydown', (e) => e.stopPropagation());
    this.dialog.addEventListener('change', (e) => e.stopPropagation());
    this.opener = el('button', { type: 'button', id: 'rules-open', 'aria-haspopup': 'dialog', onclick: () => this.dialog.showModal() });
    mount.append(this.dialog);
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.render();
    });
  }

  /** Rebuilds the fields when the protocol or cluster size changed; fills them from the scenario. */
  render() {
    const sc = this.lab.sim.scenario();
    const info = protocolInfo(sc.protocol);
    this.info = info;
    this.opener.hidden = !info || (info.params.length === 0 && info.variants.length === 0);
    if (!info) return;
    const key = `${sc.protocol}/${sc.nodes}`;
    if (key !== this.key) {
      this.key = key;
      this.build(info, sc.nodes);
    }
    say(this.error, null);
    say(this.variantError, null);
    this.fill(sc.params ?? {});
    this.markVariant(sc.params ?? {});
  }

  build(info, nodes) {
    this.heading.textContent = '';
    this.heading.append(`${t('rules.rules')} `, el('span', { class: 'muted', text: `— ${info.name}` }));
    this.variantBox.hidden = info.variants.length === 0;
    this.variantList.textContent = '';
    const choices = info.variants.length ? [{ name: null, doc: t('rules.reference') }, ...info.variants] : [];
    for (const v of choices) {
      this.variantList.append(el(
        'button',
        { type: 'button', class: 'variant', 'data-variant': v.name ?? '', 'aria-pressed': 'false', onclick: () => this.choose(v.name) },
        el('strong', { text: v.name ?? t('rules.as_published') }),
        el('span', { text: docText(v.doc) }),
      ));
    }
    this.fields.textContent = '';
    this.controls = info.params.map((p) => {
      const docId = `param-${p.name}-doc`;
      const c = paramControl(p, nodes, docId);
      const row = el(
        'div',
        { class: `param param-type-${p.type.replace(/\W+/g, '-')}`, 'data-param': p.name },
        el('label', { for: `param-${p.name}`, class: 'param-name' }, el('code', { text: p.name })),
        c.field,
        el('span', { class: 'param-default', text: t('rules.default', { value: valueText(p.type, p.default) }) }),
        el('p', { id: docId, class: 'param-doc', text: docText(p.doc) }),
      );
      this.fields.append(row);
      return { ...c, p, row };
    });
  }

  /** The fields show `params` (a missing key: its default). */
  fill(params) {
    for (const c of this.controls) c.write(c.p.name in params ? params[c.p.name] : c.p.default);
    const changed = this.controls.filter((c) => c.p.name in params && !same(params[c.p.name], c.p.default)).length;
    this.summary.textContent = `${t('rules.n_parameters', { n: this.controls.length })} · ${changed ? t('rules.n_changed', { n: changed }) : t('rules.all_default')}`;
  }

  /** Marks the variant in use, and says it (and how many other params changed) on the opener. */
  markVariant(params) {
    const v = variantOf(this.info, params);
    for (const b of this.variantList.children) b.setAttribute('aria-pressed', String(b.dataset.variant === (v?.name ?? '')));
    const own = this.controls.filter((c) => c.p.name in params && !(v && c.p.name in v.params) && !same(params[c.p.name], c.p.default)).length;
    const says = [v?.name, own ? t('rules.n_changed', { n: own }) : null].filter(Boolean).join(', ');
    this.opener.textContent = `${this.info.variants.length ? t('rules.rules') : t('rules.parameters')}${says ? `: ${says}` : ''}…`;
    this.opener.title = t('rules.opener_title');
  }

  /** The params the form says: only those that differ from their defaults. */
  formParams() {
    const out = {};
    for (const c of this.controls) {
      const v = c.read();
      if (v !== undefined && !same(v, c.p.default)) out[c.p.name] = v;
    }
    return out;
  }

  apply() {
    this.start(this.formParams(), this.error);
  }

  /** A run with variant `name` (null: none): its params over the scenario's, other variants' params back to their defaults. */
  choose(name) {
    const params = { ...(this.lab.sim.scenario().params ?? {}) };
    for (const v of this.info.variants) for (const k of Object.keys(v.params)) delete params[k];
    const v = this.info.variants.find((x) => x.name === name);
    Object.assign(params, v?.params ?? {});
    this.start(params, this.variantError);
  }

  /** A new run of the current scenario with `params`; a refusal is said on `line`. */
  start(params, line) {
    const next = { ...this.lab.sim.scenario(), params };
    if (Object.keys(params).length === 0) delete next.params;
    delete next.open_at_ms;
    const refused = (e) => say(line, t('rules.refused', { why: plainError(e) }));
    try {
      this.lab.load(next).then(() => {
        this.hooks.show(null);
        this.dialog.close();
      }, refused);
    } catch (e) {
      refused(e);
    }
  }
}
