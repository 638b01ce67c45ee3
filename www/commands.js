// What a reader can ask of the protocol on screen beyond the fixed inject
// vocabulary, each shown only when its registry entry says the protocol
// supports it, each behind a button that opens its form below (so the
// side panel stays short): a form per declared command (arguments typed as declared;
// node arguments pick among the page's node names), client operations on
// the key-value store (`clients`), and join / leave (`membership`). Each
// sends one inject through the Lab — `command`, `client_op`, `join`,
// `leave` as the scenario format names them — so it is recorded in the
// scenario and replays from the share link. The engine checks every
// event; what it refuses is shown in plain words beside the form.
import { protocolInfo } from './engine.js';
import { el, docText, typedNumber, typedList, nodePicker, pickedNode, plainError, say } from './forms.js';
import { t } from './i18n.js';

const OPS = [
  { f: 'read', doc: t('ops.read') },
  { f: 'write', doc: t('ops.write') },
  { f: 'append', doc: t('ops.append') },
  { f: 'cas', doc: t('ops.cas') },
];

const AUTOMATIC = t('ops.automatic_title');

/** A labelled field: the label's words, then the control. */
const field = (words, control, extra = null) => el('label', { class: 'op-field' }, el('span', { class: 'op-label', text: words }), control, extra);

/** An argument's input: { field, read() → value or undefined to leave out }. */
function argControl(cmd, a, nodes) {
  const id = `cmd-${cmd.name}-${a.name}`;
  const props = { id, name: a.name, 'aria-describedby': a.doc ? `${id}-doc` : null };
  if (a.type === 'node') {
    const pick = nodePicker(props, nodes, a.required ? null : '—');
    return { control: pick, read: () => pickedNode(pick) };
  }
  if (a.type === 'bool') {
    const box = el('input', { ...props, type: 'checkbox' });
    return { control: box, read: () => (box.checked || a.required ? box.checked : undefined) };
  }
  const input = el('input', { ...props, type: 'text', autocomplete: 'off', inputmode: a.type === 'uint' ? 'numeric' : null });
  return { control: input, read: () => (a.type === 'uint' ? typedNumber(input.value) : input.value === '' ? undefined : input.value) };
}

export class CommandsPanel {
  /**
   * @param lab the Lab
   * @param row the element the buttons that open each form go in
   * @param mount the element the forms go in
   * @param hooks { show(message|null) }: the page's message line, cleared when an event is sent
   */
  constructor(lab, row, mount, hooks) {
    this.lab = lab;
    this.hooks = hooks;
    this.key = null;
    this.row = row;
    this.mount = mount;
    this.toggles = [];
    lab.addEventListener('change', (e) => {
      if (e.detail === 'load') this.render();
    });
  }

  render() {
    const sc = this.lab.sim.scenario();
    const key = `${sc.protocol}/${sc.nodes}`;
    if (key === this.key) return;
    this.key = key;
    this.mount.textContent = '';
    for (const b of this.toggles) b.remove();
    this.toggles = [];
    const info = protocolInfo(sc.protocol);
    if (!info) return;
    if (info.clients) this.mount.append(this.clientSection(sc.nodes));
    if (info.commands?.length) this.mount.append(this.commandSection(info, sc.nodes));
    if (info.membership) this.mount.append(this.membershipSection(sc.nodes));
  }

  /**
   * A form's panel (hidden until its button in the row opens it) with its
   * heading and one message line for what the engine refuses.
   */
  section(id, title, body) {
    const line = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const s = el('section', { id, class: 'ops', 'aria-labelledby': `${id}-h`, hidden: true }, el('h3', { id: `${id}-h`, text: title }), ...body(line), line);
    const toggle = el('button', {
      type: 'button', class: 'ops-toggle', 'aria-expanded': 'false', 'aria-controls': id, text: title,
      onclick: () => {
        s.hidden = !s.hidden;
        toggle.setAttribute('aria-expanded', String(!s.hidden));
      },
    });
    this.toggles.push(toggle);
    this.row.append(toggle);
    return s;
  }

  /** Sends `event` now; a refusal is said on `line`. True when it went in. */
  send(event, line) {
    try {
      this.lab.inject(event);
    } catch (e) {
      say(line, t('ops.not_sent', { why: plainError(e) }));
      return false;
    }
    say(line, null);
    this.hooks.show(null);
    return true;
  }

  clientSection(nodes) {
    return this.section('kv', t('ops.kv'), (line) => {
      const f = el('select', { id: 'kv-f', name: 'f' }, ...OPS.map((o) => el('option', { value: o.f, text: o.f })));
      const key = el('input', { id: 'kv-key', name: 'key', value: 'x', autocomplete: 'off', maxlength: '200', placeholder: 'x' });
      const value = el('input', { id: 'kv-value', name: 'value', value: '1', autocomplete: 'off', maxlength: '200' });
      const expect = el('input', { id: 'kv-expect', name: 'expect', autocomplete: 'off', maxlength: '200', placeholder: t('ops.no_value') });
      const to = nodePicker({ id: 'kv-node', name: 'node', title: AUTOMATIC }, nodes, t('ops.automatic'));
      const what = el('p', { class: 'op-doc', id: 'kv-doc' });
      const valueField = field(t('ops.value'), value);
      const expectField = field(t('ops.expect'), expect);
      const sync = () => {
        const op = OPS.find((o) => o.f === f.value);
        valueField.hidden = op.f === 'read';
        expectField.hidden = op.f !== 'cas';
        what.textContent = t('ops.what', { f: op.f, doc: op.doc });
      };
      f.addEventListener('change', sync);
      sync();
      const submit = (e) => {
        e.preventDefault();
        const ev = { type: 'client_op', f: f.value };
        if (key.value !== '') ev.key = key.value;
        if (f.value !== 'read') ev.value = value.value;
        if (f.value === 'cas' && expect.value !== '') ev.expect = expect.value;
        const node = pickedNode(to);
        if (node !== undefined) ev.node = node;
        this.send(ev, line);
      };
      const form = el(
        'form',
        { id: 'kv-form', class: 'op-form', novalidate: true, onsubmit: submit },
        el('div', { class: 'op-grid' }, field(t('ops.operation'), f), field(t('ops.key'), key), valueField, expectField, field(t('ops.send_to'), to)),
        what,
        el('button', { type: 'submit', class: 'primary', text: t('ops.send_operation') }),
      );
      return [form];
    });
  }

  commandSection(info, nodes) {
    return this.section('commands', t('ops.commands'), (line) => info.commands.map((cmd) => {
      const args = cmd.args.map((a) => ({ a, ...argControl(cmd, a, nodes) }));
      const to = nodePicker({ id: `cmd-${cmd.name}--node`, name: 'node', title: AUTOMATIC }, nodes, t('ops.automatic'));
      const submit = (e) => {
        e.preventDefault();
        const ev = { type: 'command', name: cmd.name, args: {} };
        for (const { a, read } of args) {
          const v = read();
          if (v !== undefined) ev.args[a.name] = v;
        }
        const node = pickedNode(to);
        if (node !== undefined) ev.node = node;
        this.send(ev, line);
      };
      return el(
        'form',
        { class: 'op-form cmd-form', 'data-command': cmd.name, novalidate: true, onsubmit: submit },
        el('p', { class: 'op-title' }, el('code', { text: cmd.name }), ` ${docText(cmd.doc)}`),
        el('div', { class: 'op-grid' },
          ...args.map(({ a, control }) => field(a.required ? a.name : t('ops.optional', { name: a.name }), control, a.doc ? el('span', { id: `${control.id}-doc`, class: 'op-doc', text: docText(a.doc) }) : null)),
          field(t('ops.send_to'), to)),
        el('button', { type: 'submit', class: 'primary', text: t('ops.run', { name: cmd.name }) }),
      );
    }));
  }

  membershipSection(nodes) {
    return this.section('membership', t('ops.membership'), (line) => {
      const who = nodePicker({ id: 'member-node', name: 'node' }, nodes);
      const contact = el('input', { id: 'member-contact', name: 'contact', autocomplete: 'off', placeholder: t('ops.every_running'), inputmode: 'numeric' });
      const join = () => {
        const ev = { type: 'join', node: pickedNode(who) };
        const c = typedList(contact.value.replace(/\bn(\d+)\b/g, '$1'));
        if (c !== undefined) ev.contact = c;
        this.send(ev, line);
      };
      return [
        el('div', { class: 'op-grid' }, field(t('ops.node'), who), field(t('ops.contacts'), contact)),
        el('p', { class: 'op-doc', text: t('ops.membership_doc') }),
        el('div', { class: 'row' },
          el('button', { type: 'button', id: 'member-join', class: 'primary', text: t('ops.join'), onclick: join }),
          el('button', { type: 'button', id: 'member-leave', text: t('ops.leave'), onclick: () => this.send({ type: 'leave', node: pickedNode(who) }, line) })),
      ];
    });
  }
}
