// The page's languages: English and Simplified Chinese. Every word a reader
// sees in the page chrome (and the role and state words the drawings put on
// the canvas) is looked up here by key: t('key', { n: 3 }) gives the text in
// the page's language, with `{name}` placeholders filled in. The engine
// stays language-free; only the page translates.
//
// The language is fixed for one page load, so modules may translate their
// constants when they load: it is `lang=` in the address's fragment when
// present (links and embeds carry it), otherwise the browser's language
// (zh* → zh, anything else → en). The EN / 中文 switch rewrites the fragment
// and reopens the same run, at the same moment, in the other language.
// Dictionaries live in www/i18n/<code>.js; README.md says how to add one.
import en from './i18n/en.js';
import zh from './i18n/zh.js';

/** The languages the page speaks, in the switch's order; `name` is the switch's label. */
export const LANGUAGES = [
  { code: 'en', name: 'EN', html: 'en', dict: en },
  { code: 'zh', name: '中文', html: 'zh-CN', dict: zh },
];

const byCode = new Map(LANGUAGES.map((l) => [l.code, l]));

/** The language a fragment asks for (`lang=zh`), or null for none or an unknown one. */
export function langFromFragment(fragment) {
  for (const part of String(fragment ?? '').replace(/^#/, '').split('&')) {
    const [key, value] = part.split('=');
    // The first lang= counts, as for the link's other extras.
    if (key === 'lang') return byCode.has(value) ? value : null;
  }
  return null;
}

/** The language for a browser's preferred languages (navigator.languages). */
export function browserLang(preferred) {
  for (const tag of preferred ?? []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (byCode.has(base)) return base;
  }
  return 'en';
}

const hasWindow = typeof location !== 'undefined' && typeof navigator !== 'undefined';
const asked = hasWindow ? langFromFragment(location.hash) : null;
let current = asked ?? (hasWindow ? browserLang(navigator.languages?.length ? navigator.languages : [navigator.language]) : 'en');

/** The page's language code. */
export const lang = () => current;

/** Sets the language (for Node tests and tools; the page's language is fixed per load). */
export function setLang(code) {
  if (!byCode.has(code)) throw new Error(`unknown language ${code}`);
  current = code;
}

/** Fills `{name}` placeholders; the count `n` is written with thousands separators (1,234 steps), other values as given. */
function fill(s, vars) {
  return s.replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in vars)) return m;
    const v = vars[k];
    return k === 'n' && typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
  });
}

/**
 * The text for `key` in the page's language (English when that language
 * lacks it), placeholders filled from `vars`. A value may be
 * `{ one, other }`: `vars.n === 1` picks `one`.
 */
export function t(key, vars = {}) {
  let s = byCode.get(current).dict[key] ?? en[key];
  if (s === undefined) return key;
  if (typeof s === 'object') s = vars.n === 1 ? s.one : s.other;
  return fill(s, vars);
}

/** The `lang` a link made now should carry: zh on a Chinese page, en only when English was asked for. */
export function linkLang() {
  if (current !== 'en') return current;
  return asked === 'en' ? 'en' : null;
}

/** `fragment` (without '#') with this page's `lang=` added (see linkLang). */
export function withLang(fragment, code = linkLang()) {
  const rest = String(fragment).split('&').filter((p) => p && !p.startsWith('lang=')).join('&');
  return code ? `${rest}${rest ? '&' : ''}lang=${code}` : rest;
}

/** Translates the page's fixed text: data-i18n (text), data-i18n-title, -aria-label, -placeholder. */
export function translatePage(root = document) {
  document.documentElement.lang = byCode.get(current).html;
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const attr of ['title', 'aria-label', 'placeholder']) {
    for (const e of root.querySelectorAll(`[data-i18n-${attr}]`)) e.setAttribute(attr, t(e.getAttribute(`data-i18n-${attr}`)));
  }
}

/**
 * The EN / 中文 switch in `mount`: choosing a language asks `fragment()` for
 * the fragment that names the run as it is now, writes it with the new
 * `lang=` into the address, and reloads, so the same run reopens at the same
 * moment in that language (each module translates its words as it loads).
 */
export function setupLanguageSwitch(mount, fragment) {
  mount.textContent = '';
  for (const l of LANGUAGES) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.lang = l.code;
    b.textContent = l.name;
    b.lang = l.html;
    b.setAttribute('aria-pressed', String(l.code === current));
    b.addEventListener('click', async () => {
      if (l.code === current) return;
      let frag = location.hash.slice(1);
      try {
        frag = await fragment();
      } catch {
        // Keep the address as it is: the run it names reopens.
      }
      history.replaceState(null, '', `#${withLang(frag, l.code)}`);
      location.reload();
    });
    mount.append(b);
  }
}

/** A role or state word for the canvas and panels (leader, follower, …); unknown words stay as they are. */
export function roleWord(role) {
  return ROLE_KEYS[role] ? t(ROLE_KEYS[role]) : role;
}

const ROLE_KEYS = {
  leader: 'role.leader',
  follower: 'role.follower',
  candidate: 'role.candidate',
  crashed: 'role.crashed',
  paused: 'role.paused',
  acceptor: 'role.acceptor',
  proposer: 'role.proposer',
  learner: 'role.learner',
  leading: 'role.leading',
  following: 'role.following',
  looking: 'role.looking',
  election: 'role.election',
  discovery: 'role.discovery',
  synchronization: 'role.synchronization',
  broadcast: 'role.broadcast',
  coordinator: 'role.coordinator',
  participant: 'role.participant',
  orchestrator: 'role.orchestrator',
};

/** A message field's name for the message card (a paper's own names, such as lastLogIndex, stay as they are). */
export function fieldWord(name) {
  return FIELD_KEYS[name] ? t(FIELD_KEYS[name]) : name;
}

const FIELD_KEYS = {
  'acknowledges batch': 'field.ack_batch',
  'already known': 'field.already_known',
  'asker has': 'field.asker_has',
  'ballot': 'field.ballot',
  'batch': 'field.batch',
  'candidate': 'field.candidate',
  'chosen': 'field.chosen',
  'chosen below': 'field.chosen_below',
  'chosen value': 'field.chosen_value',
  'committed through': 'field.committed_through',
  'decisions from': 'field.decisions_from',
  'entries': 'field.entries',
  'epoch': 'field.epoch',
  'for slots from': 'field.for_slots_from',
  'from': 'field.from',
  'had accepted': 'field.had_accepted',
  'heartbeat': 'field.heartbeat',
  'hot rumors': 'field.hot_rumors',
  'incarnation': 'field.incarnation',
  'initiator has': 'field.initiator_has',
  'kept for': 'field.kept_for',
  'key': 'field.key',
  'keys': 'field.keys',
  'last zxid': 'field.last_zxid',
  'leader': 'field.leader',
  'means': 'field.means',
  'members': 'field.members',
  'node': 'field.node',
  'of its pushes, already known': 'field.pushes_known',
  'operation': 'field.operation',
  'packet': 'field.packet',
  'piggybacked': 'field.piggybacked',
  'probe': 'field.probe',
  'promised instead': 'field.promised_instead',
  'pushed': 'field.pushed',
  'refused ballot': 'field.refused_ballot',
  'rumors it lacked': 'field.rumors_lacked',
  'seq': 'field.seq',
  'slot': 'field.slot',
  'state': 'field.state',
  'step': 'field.step',
  'success': 'field.success',
  'target': 'field.target',
  'term': 'field.term',
  'transaction': 'field.transaction',
  'transactions': 'field.transactions',
  'truncate after': 'field.truncate_after',
  'updates': 'field.updates',
  'value': 'field.value',
  'values': 'field.values',
  'values it lacked': 'field.values_lacked',
  'versions': 'field.versions',
  'vote': 'field.vote',
  'wants a reply': 'field.wants_reply',
  'whole database': 'field.whole_db',
};
