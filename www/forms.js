// The small toolkit the registry-built controls share (params.js,
// commands.js): building elements without HTML strings, reading what a
// reader typed as the JSON value the engine checks, a node picker in the
// page's node names, and an engine error in plain words. Nothing here
// judges a value: a number field passes on what was typed and the engine
// says what is wrong with it.
import { nodeName, readerText } from './names.js';
import { t } from './i18n.js';

/**
 * An element: `props` are attributes (`class`, `text` for the text, `on…`
 * for listeners, `true` for a bare attribute, null/false for none), then children.
 */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children.filter((c) => c != null && c !== false));
  return e;
}

/** Registry docs mark code with backticks; the page shows plain text. */
export const docText = (s) => String(s ?? '').replace(/`([^`]*)`/g, '$1');

/**
 * What a reader typed in a number field: a number when it reads as one,
 * otherwise the text itself (so the engine can say what it should be);
 * undefined when blank.
 */
export function typedNumber(text) {
  const s = String(text).trim();
  if (s === '') return undefined;
  return /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : s;
}

/** A comma- or space-separated list: numbers where they read as numbers; undefined when blank. */
export function typedList(text) {
  const s = String(text).trim();
  if (s === '') return undefined;
  return s.split(/[\s,]+/).filter(Boolean).map((x) => typedNumber(x));
}

/** A comma- or space-separated list of words, kept as text (a transaction named 7 is "7"); undefined when blank. */
export function wordList(text) {
  const s = String(text).trim();
  if (s === '') return undefined;
  return s.split(/[\s,]+/).filter(Boolean);
}

/** A value as the panel writes it: `on`/`off`, `150 to 300`, `0, 1`, `none`. */
export function valueText(type, v) {
  if (v == null || (Array.isArray(v) && v.length === 0)) return t('word.none');
  if (typeof v === 'boolean') return v ? t('word.on') : t('word.off');
  if (type === 'node') return nodeName(v);
  if (type === 'range' && Array.isArray(v)) return t('rules.range', { lo: v[0], hi: v[1] });
  if (Array.isArray(v)) return v.join(', ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * A node picker: n0 … n(N−1) under the page's names; with `none` (a label),
 * a first choice that means "no node" (value '').
 */
export function nodePicker(props, nodes, none = null) {
  const s = el('select', props);
  if (none != null) s.append(el('option', { value: '', text: none }));
  for (let i = 0; i < nodes; i += 1) s.append(el('option', { value: String(i), text: nodeName(i) }));
  return s;
}

/** A node picker's choice: its id, or undefined for none. */
export const pickedNode = (select) => (select.value === '' ? undefined : Number(select.value));

/**
 * An engine error in the page's words, without the engine's bookkeeping
 * ("at 500 ms: ", "params.", "inject."): `heartbeat_ms: must be a whole number, not a string`.
 */
export function plainError(e) {
  const raw = e instanceof Error ? e.message : String(e);
  const s = raw.replace(/^Error: /, '').replace(/^at \d+ ms: /, '').replace(/^(params|inject)(\.|: )/, '');
  return readerText(s);
}

/** Shows `text` in a form's message line (role=alert), or hides it with null. */
export function say(line, text) {
  line.textContent = text ?? '';
  line.hidden = !text;
}
