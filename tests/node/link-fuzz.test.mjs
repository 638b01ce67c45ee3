// Fuzzes the page's link decoder (www/link.js) with 100,000 generated inputs
// — arbitrary text, link-shaped text, mutated links, random and damaged
// DEFLATE data, zip bombs — and checks that it throws nothing but LinkError,
// always one line, and that it agrees with the CLI's decoder on every one of
// them (same text, extras, or the same message). LINK_FUZZ_SEED picks another
// run; LINK_FUZZ_COUNT another size.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { root } from '../../scripts/lib/run.mjs';

const { encodeLink, decodeLink, LinkError } = await import('../../www/link.js');

const SEED = Number(process.env.LINK_FUZZ_SEED) || 20240611;
const COUNT = Number(process.env.LINK_FUZZ_COUNT) || 100_000;
const cliPath = path.join(root, 'target', 'release', process.platform === 'win32' ? 'consensus-lab.exe' : 'consensus-lab');

/** A small deterministic generator (xorshift32). */
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13, x >>>= 0, x ^= x >>> 17, x ^= x << 5, x >>>= 0;
    return x;
  };
  const int = (n) => next() % n;
  return { int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() / 2 ** 32 < p };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const BLANKS = [' ', '\n', '\r\n', '\t', '\u00a0', '\u200b', '\u00ad', '\u2028', '\ufeff', '%20', '%0A'];
const EXTRAS = ['', '&t=500', '&speed=0.5', '&play=1&embed=1', '&t=-1&speed=NaN', '&amp;t=9', '&s=1.AAAA',
  '&t=99999999999999999', '&speed=10.0000000000000000001', '&embed=', '&=&&t'];
const WORDS = ['s=', '#s=', 's=1.', 's=2.', '#', '&', '%', '%2', '%23', '%3D', '=', '.', 'https://', '{', '"', '\\'];

function randomText(r) {
  let s = '';
  const n = r.int(r.chance(0.1) ? 2000 : 60);
  for (let i = 0; i < n; i++) {
    const k = r.int(10);
    if (k < 4) s += String.fromCharCode(32 + r.int(95));
    else if (k < 5) s += String.fromCharCode(r.int(32));
    else if (k < 6) s += r.pick(BLANKS);
    else if (k < 7) s += String.fromCodePoint(r.int(0x3000));
    else if (k < 8) s += String.fromCharCode(0xd800 + r.int(0x800));
    else if (k < 9) s += String.fromCodePoint(0x10000 + r.int(0x1000));
    else s += r.pick(WORDS);
  }
  return s;
}

/** Scenario-like texts to pack: small, varied, sometimes not JSON at all. */
function payloadText(r) {
  const events = Array.from({ length: r.int(60) }, (_, i) => ({ at_ms: i * 100, type: 'client_request', value: `k${r.int(100)}` }));
  const doc = { version: 1, protocol: r.pick(['raft', 'paxos', '2pc']), nodes: 1 + r.int(7), seed: r.int(1e6), events };
  if (r.chance(0.2)) doc.title = randomText(r);
  return r.chance(0.1) ? randomText(r).toWellFormed() : JSON.stringify(doc);
}

function mutate(r, s) {
  const at = r.int(s.length + 1);
  switch (r.int(8)) {
    case 0: return s.slice(0, at);
    case 1: return s.slice(0, at) + r.pick(B64) + s.slice(at + 1);
    case 2: return s.slice(0, at) + s.slice(at + 1 + r.int(4));
    case 3: return s.slice(0, at) + r.pick([...WORDS, ...BLANKS, '!', '+', '/', '=']) + s.slice(at);
    case 4: return s.replace(/.{1,20}/g, (x) => x + r.pick(BLANKS));
    case 5: return s.replaceAll('=', '%3D').replaceAll('#', '%23').replaceAll('&', r.pick(['%26', '&amp;']));
    case 6: return s.replace('s=1.', r.pick(['s=2.', 's=0.', 's=1', 's=01.', 's=1..', 's=9999999999.']));
    default: return s;
  }
}

/** Bytes that look like DEFLATE: valid streams with damage, or noise with a plausible first block header. */
function deflateBytes(r, packs) {
  let bytes = Uint8Array.from(r.pick(packs));
  const k = r.int(6);
  if (k === 0) bytes = bytes.subarray(0, r.int(bytes.length + 1));
  else if (k === 1) for (let i = 0, n = 1 + r.int(3); i < n && bytes.length; i++) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
  else if (k === 2 && bytes.length) bytes[r.int(bytes.length)] = r.int(256);
  else if (k === 3) {
    bytes = Uint8Array.from({ length: 1 + r.int(80) }, () => r.int(256));
    bytes[0] = (bytes[0] & ~6) | (r.int(3) << 1);
  }
  return bytes;
}

async function generate(r, packs, fragments) {
  const inputs = [];
  for (let i = 0; i < COUNT; i++) {
    const k = r.int(20);
    let s;
    if (k < 4) s = randomText(r);
    else if (k < 6) s = `s=1.${Array.from({ length: r.int(300) }, () => r.pick(B64)).join('')}`;
    else if (k < 12) s = mutate(r, r.pick(fragments) + r.pick(EXTRAS));
    else if (k < 17) s = `s=1.${b64url(deflateBytes(r, packs))}${r.pick(EXTRAS)}`;
    else if (k < 19) s = mutate(r, `https://example.org/lab/#${r.pick(fragments)}`);
    else s = await encodeLink(payloadText(r));
    if (r.chance(0.05)) s = mutate(r, s);
    if (r.chance(0.001)) s = `s=1.${'A'.repeat(65_530 + r.int(100))}`;
    inputs.push(s);
  }
  return inputs;
}

/** The 32-bit FNV-1a hash of a text's UTF-8 bytes (as the CLI's `unlink --each-line`). */
function fnv1a(text) {
  const bytes = Buffer.from(text, 'utf8');
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

let inputs;
let results;

test(`the JS decoder takes ${COUNT} generated inputs with nothing but one-line LinkErrors`, async () => {
  const r = rng(SEED);
  const enc = new TextEncoder();
  const texts = Array.from({ length: 40 }, () => payloadText(r));
  const packs = texts.map((t) => deflateRawSync(enc.encode(t), { level: r.int(10) }));
  const MAX = 2 * 1024 * 1024;
  for (const n of [MAX - 1, MAX, MAX + 1, 3 * MAX]) packs.push(deflateRawSync(Buffer.alloc(n, 32), { level: 9 }));
  packs.push(deflateRawSync(Buffer.from(Array.from({ length: 3000 }, () => r.int(256))), { level: 0 }));
  const fragments = await Promise.all(texts.map((t) => encodeLink(t)));
  const started = performance.now();
  inputs = await generate(r, packs, fragments);
  // Decoded in batches: each link waits on the platform's inflater, and
  // overlapping the waits keeps 100,000 of them quick. Results keep input order.
  results = [];
  for (let i = 0; i < inputs.length; i += 1000) {
    results.push(...(await Promise.all(inputs.slice(i, i + 1000).map(decodeOne))));
  }
  async function decodeOne(input) {
    try {
      const d = await decodeLink(input);
      return { ok: d };
    } catch (e) {
      if (!(e instanceof LinkError)) {
        assert.fail(`seed ${SEED}: ${e?.name}: ${e?.message} for input ${JSON.stringify(input).slice(0, 600)}`);
      }
      assert.ok(e.message && !/[\n\r]/.test(e.message), `multi-line message ${JSON.stringify(e.message)} for ${JSON.stringify(input).slice(0, 600)}`);
      return { error: e };
    }
  }
  const counts = {};
  for (const x of results) counts[x.ok ? 'ok' : x.error.kind] = (counts[x.ok ? 'ok' : x.error.kind] ?? 0) + 1;
  console.log(`seed ${SEED}: ${inputs.length} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
  assert.equal(inputs.length, COUNT);
  // The mix reaches every outcome, so the comparison below means something.
  for (const kind of ['ok', 'not_a_link', 'version', 'too_long', 'cut_short', 'damaged', 'too_large']) {
    assert.ok(counts[kind] > 0, `no input gave ${kind}: ${JSON.stringify(counts)}`);
  }
  // Packed texts come back exactly.
  for (let i = 0; i < texts.length; i++) assert.equal((await decodeLink(fragments[i])).scenarioText, texts[i]);
});

test('the JS and CLI decoders agree on every generated input', async () => {
  assert.ok(inputs, 'the fuzz test ran first');
  // One input per line: a line break inside an input is a blank both
  // decoders remove, and lone surrogates cannot travel as UTF-8.
  const lines = inputs.map((s) => s.replaceAll('\n', '').toWellFormed());
  const started = performance.now();
  const r = spawnSync(cliPath, ['unlink', '--each-line', '-'], { input: lines.join('\n'), encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr);
  const native = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(native.length, lines.length);
  let same = 0;
  for (let i = 0; i < lines.length; i++) {
    let js;
    try {
      const d = lines[i] === inputs[i] && results[i].ok ? results[i].ok : await decodeLink(lines[i]);
      const bytes = Buffer.byteLength(d.scenarioText, 'utf8');
      const long = bytes > 4096;
      js = {
        // A short text is compared whole (the hash then adds nothing); a long one by its hash.
        text: long ? null : d.scenarioText, length: bytes, fnv1a: long ? fnv1a(d.scenarioText) : native[i].fnv1a,
        extras: { t: d.extras.t ?? null, speed: d.extras.speed ?? null, play: d.extras.play ?? null, embed: d.extras.embed ?? null },
      };
    } catch (e) {
      js = { error: e.message, kind: e.kind };
    }
    const agree = js.error !== undefined
      ? native[i].error === js.error && native[i].kind === js.kind
      : native[i].text === js.text && native[i].length === js.length && native[i].fnv1a === js.fnv1a
        && JSON.stringify(native[i].extras) === JSON.stringify(js.extras);
    if (!agree) assert.deepEqual(native[i], js, `seed ${SEED}, input ${JSON.stringify(lines[i]).slice(0, 600)}`);
    same++;
  }
  console.log(`JS and CLI agree on ${same} of ${lines.length} inputs (CLI and comparison ${((performance.now() - started) / 1000).toFixed(1)} s)`);
});
