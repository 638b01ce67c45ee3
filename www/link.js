// Scenario links for the page: the scenario carried in the URL fragment
// (`#s=1.<base64url of raw DEFLATE of the canonical JSON>` plus optional
// `&t=`, `&speed=`, `&play=`, `&embed=`). The CLI's decoder (crate/src/link.rs)
// follows the same steps in the same order and gives the same text, extras
// and messages; docs/LINKS.md describes the format and its limits.
// Compression is the platform's own (CompressionStream and
// DecompressionStream with raw DEFLATE, in every current browser and in
// Node), so the page carries no compression code; a stream is checked by
// www/deflate-check.js before the platform unpacks it. Reading and making a
// link are therefore asynchronous.

export const LINK_VERSION = 1;
/** The longest `s=` payload accepted, in characters, checked before decoding. */
export const MAX_PAYLOAD_CHARS = 64 * 1024;
/** The largest scenario text a link may unpack to, in bytes (zip-bomb guard). */
export const MAX_SCENARIO_BYTES = 2 * 1024 * 1024;
export const MIN_SPEED = 0.01;
export const MAX_SPEED = 10;
const MAX_TIME_MS = 2 ** 53 - 1;

/** A link that cannot be read or made: `message` is one plain line, `kind`
 *  one of not_a_link, version, too_long, cut_short, damaged, too_large,
 *  invalid, scenario. */
export class LinkError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'LinkError';
    this.kind = kind;
  }
}

const NOT_A_LINK = 'this is not a Consensus Lab link: it has no scenario (#s=…)';
const NO_DATA = 'this link is cut short: it holds no scenario data';
const NO_VERSION = 'this link is damaged: it does not start with a link version (s=1.…)';
const BAD_CHARS = 'this link is damaged: it contains characters that do not belong in a link';
const ENDS_EARLY = 'this link is cut short: its scenario data ends too early (copy the whole link)';
const CANNOT_UNPACK = 'this link is damaged: its scenario data cannot be unpacked';
const NOT_TEXT = 'this link is damaged: its scenario is not text';
const UNPACKS_TOO_LARGE = "this link's scenario is too large: it unpacks to more than 2 MiB (2,097,152 bytes)";

// Characters that chat apps and blog editors slip into text they wrap or
// reflow (spaces, line breaks, soft hyphens, zero-width and direction marks).
const BLANKS = /[\t\n\v\f\r \u0085\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]/g;

/** Decodes `%XY` once where it stands for an ASCII character. */
const percentDecodeAscii = (s) => s.replace(/%([0-7][0-9a-fA-F])/g, (_, h) => String.fromCharCode(parseInt(h, 16)));

/** The text a decoder reads: blanks removed, `%XY` decoded once, blanks
 *  removed again, and an HTML-escaped `&amp;` read as `&`. */
export function normalize(input) {
  return percentDecodeAscii(String(input).replace(BLANKS, '')).replace(BLANKS, '').replaceAll('&amp;', '&');
}

/** Whether text is meant as a link (a URL, a text with `#s=`, or a fragment
 *  starting `#` or `s=`) rather than a JSON document. */
export function looksLikeLink(input) {
  const n = normalize(input);
  const url = /^(https?|file):\/\//.test(n);
  return !n.startsWith('{') && (url || n.startsWith('s=') || n.startsWith('#') || n.includes('#s='));
}

/** "1.9 MB", "66 KB" or "812 characters", as the CLI writes them. */
function sizeText(chars) {
  if (chars >= 1_000_000) {
    const tenths = Math.floor((chars + 50_000) / 100_000);
    return `${Math.floor(tenths / 10)}.${tenths % 10} MB`;
  }
  if (chars >= 1_000) return `${Math.floor((chars + 500) / 1_000)} KB`;
  return `${chars} characters`;
}

/** Counts code points without copying the string. */
function codePoints(s) {
  let n = s.length;
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) n--, i++;
    }
  }
  return n;
}

const parseT = (v) => (/^[0-9]{1,16}$/.test(v) && Number(v) <= MAX_TIME_MS ? Number(v) : undefined);
const parseSpeed = (v) => {
  if (!/^[0-9]{1,3}(\.[0-9]{1,20})?$/.test(v)) return undefined;
  const x = Number(v);
  return x >= MIN_SPEED && x <= MAX_SPEED ? x : undefined;
};
const parseFlag = (v) => (v === '1' ? true : v === '0' ? false : undefined);
const EXTRAS = { t: parseT, speed: parseSpeed, play: parseFlag, embed: parseFlag };

const STOPPED = { cut_short: ENDS_EARLY, damaged: CANNOT_UNPACK, too_large: UNPACKS_TOO_LARGE };

/** Runs bytes through a platform (de)compression stream. */
async function pipe(bytes, transform) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Unpacks a link's data: checked as strictly as the CLI checks it first
 *  (www/deflate-check.js, which also stops a zip bomb at the limit without
 *  writing anything), then inflated by the platform, given exactly the bytes
 *  the check walked. */
async function inflateChecked(packed) {
  // Only opening a link needs the checker: it loads then, not with the page.
  const { checkDeflate } = await import('./deflate-check.js');
  const checked = checkDeflate(packed, MAX_SCENARIO_BYTES);
  if (checked.error) throw new LinkError(checked.error, STOPPED[checked.error]);
  let bytes;
  try {
    bytes = await pipe(packed.subarray(0, checked.consumed), new DecompressionStream('deflate-raw'));
  } catch {
    throw new LinkError('damaged', CANNOT_UNPACK);
  }
  if (bytes.length !== checked.length) throw new LinkError('damaged', CANNOT_UNPACK);
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a link: a whole URL or a fragment (`#s=…` or `s=…`), with whatever
 * blanks and `%`-encoding copying added. Resolves to `{ scenarioText, extras }`;
 * `extras` holds only the known extras present and valid (`t`, `speed`,
 * `play`, `embed`). Rejects with a LinkError, one plain line, for anything else.
 * With `options.check` (for instance `(text) => new Simulation(text)`), a
 * scenario that check refuses is a LinkError of kind `scenario` too.
 */
export async function decodeLink(urlOrFragment, options = {}) {
  if (typeof urlOrFragment !== 'string') throw new LinkError('not_a_link', NOT_A_LINK);
  const text = normalize(urlOrFragment);
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : text;
  let payload;
  const extras = {};
  for (const part of fragment.split('&')) {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const value = eq >= 0 ? part.slice(eq + 1) : '';
    if (key === 's') {
      payload ??= value;
    } else if (Object.hasOwn(EXTRAS, key) && !Object.hasOwn(extras, key)) {
      // The first valid value of each extra counts.
      const v = EXTRAS[key](value);
      if (v !== undefined) extras[key] = v;
    }
  }
  if (payload === undefined) throw new LinkError('not_a_link', NOT_A_LINK);
  const chars = codePoints(payload);
  if (chars > MAX_PAYLOAD_CHARS) {
    throw new LinkError('too_long',
      `this link is too long: ${sizeText(chars)} of text (a link holds at most 64 KiB, 65,536 characters)`);
  }
  if (payload === '') throw new LinkError('cut_short', NO_DATA);
  const dot = payload.indexOf('.');
  if (dot < 0) {
    if (/^[0-9]+$/.test(payload)) throw new LinkError('cut_short', NO_DATA);
    throw new LinkError('damaged', NO_VERSION);
  }
  const version = payload.slice(0, dot);
  let body = payload.slice(dot + 1);
  if (version !== '1') {
    if (/^[1-9][0-9]{0,8}$/.test(version)) {
      throw new LinkError('version', `this link was made by a newer version of Consensus Lab (link version ${version})`);
    }
    throw new LinkError('damaged', NO_VERSION);
  }
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new LinkError('damaged', BAD_CHARS);
  // A last character alone carries no whole byte: copying added it or cut
  // its neighbours off, and the inflater below tells which mattered.
  if (body.length % 4 === 1) body = body.slice(0, -1);
  if (body === '') throw new LinkError('cut_short', NO_DATA);
  const binary = atob(body.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (body.length % 4)) % 4));
  const packed = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) packed[i] = binary.charCodeAt(i);
  let scenarioText;
  try {
    scenarioText = utf8.decode(await inflateChecked(packed));
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError('damaged', NOT_TEXT);
  }
  if (options.check) {
    try {
      options.check(scenarioText);
    } catch (e) {
      const why = String(e?.message ?? e).split('\n')[0];
      throw new LinkError('scenario', `this link's scenario is not valid: ${why}`);
    }
  }
  return { scenarioText, extras };
}

/**
 * Makes a link fragment (without the `#`) for a scenario's canonical JSON
 * text, e.g. `sim.scenarioJson()`. `extras` may hold `t` (ms), `speed`,
 * `play` and `embed`. Refuses a scenario too large for a link and
 * out-of-range extras, so every link it makes opens.
 */
export async function encodeLink(scenarioJsonText, extras = {}) {
  if (typeof scenarioJsonText !== 'string') throw new LinkError('invalid', 'a link needs the scenario as JSON text');
  // A lone surrogate has no UTF-8 form: the link would not give the text back.
  if (/\p{Cs}/u.test(scenarioJsonText)) throw new LinkError('invalid', 'the scenario text is not well-formed Unicode');
  const bytes = new TextEncoder().encode(scenarioJsonText);
  if (bytes.length > MAX_SCENARIO_BYTES) {
    throw new LinkError('too_large',
      `this scenario is too large for a link: ${bytes.length} bytes of JSON (at most 2 MiB, 2,097,152 bytes)`);
  }
  const packed = await pipe(bytes, new CompressionStream('deflate-raw'));
  let binary = '';
  for (let i = 0; i < packed.length; i += 0x8000) binary += String.fromCharCode(...packed.subarray(i, i + 0x8000));
  const body = btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  const payloadChars = 2 + body.length;
  if (payloadChars > MAX_PAYLOAD_CHARS) {
    throw new LinkError('too_long',
      `this scenario is too large for a link: its link would be ${sizeText(payloadChars)} of text (at most 64 KiB, 65,536 characters)`);
  }
  let out = `s=${LINK_VERSION}.${body}`;
  const { t, speed, play, embed } = extras ?? {};
  if (t !== undefined) {
    if (!Number.isSafeInteger(t) || t < 0) throw new LinkError('invalid', `t must be a whole number of ms from 0 to ${MAX_TIME_MS}`);
    out += `&t=${t}`;
  }
  if (speed !== undefined) {
    if (typeof speed !== 'number' || !(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
      throw new LinkError('invalid', 'speed must be between 0.01 and 10');
    }
    out += `&speed=${speed}`;
  }
  if (play !== undefined) out += `&play=${play ? 1 : 0}`;
  if (embed !== undefined) out += `&embed=${embed ? 1 : 0}`;
  return out;
}
