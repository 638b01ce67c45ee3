// Scenario links in the page's codec (www/link.js) against the CLI's: round
// trips, links made on one side opening on the other to the same run, the
// length of a 50-event link, and one clear LinkError for every kind of bad
// link. The fuzzing and the decoder comparison are in link-fuzz.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { root } from '../../scripts/lib/run.mjs';
import { Simulation, simulation, runCli, runUntil, sampleScenarios } from './engine.mjs';

const { encodeLink, decodeLink, LinkError, looksLikeLink } = await import('../../www/link.js');

const cliPath = path.join(root, 'target', 'release', process.platform === 'win32' ? 'consensus-lab.exe' : 'consensus-lab');
/** Runs the CLI: { status, stdout, stderr }. */
function cli(args, input = '') {
  const r = spawnSync(cliPath, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

/** Asserts that decoding throws a LinkError of `kind` whose one-line message matches `re`. */
async function refuses(input, kind, re, options) {
  await assert.rejects(decodeLink(input, options), (e) => {
    assert.ok(e instanceof LinkError, `${e?.name}: ${e?.message}`);
    assert.equal(e.name, 'LinkError');
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /[\n\r]/);
    return true;
  });
}

/** A 50-event Raft scenario of the kind a reader builds on the page. */
function fiftyEvents() {
  const events = [];
  for (let i = 0; i < 50; i++) {
    const at = 200 + 150 * i;
    const node = i % 5;
    const pick = i % 10;
    if (pick < 4) events.push({ at_ms: at, type: 'client_request', value: `k${i % 8}=${i}` });
    else if (pick === 4) events.push({ at_ms: at, type: 'crash', node });
    else if (pick === 5) events.push({ at_ms: at, type: 'restart', node: (i - 1) % 5 });
    else if (pick === 6) events.push({ at_ms: at, type: 'partition', groups: [[0, 1], [2, 3, 4]] });
    else if (pick === 7) events.push({ at_ms: at, type: 'heal' });
    else if (pick === 8) events.push({ at_ms: at, type: 'timeout', node });
    else events.push({ at_ms: at, type: 'pause', node, for_ms: 120 });
  }
  return { version: 1, protocol: 'raft', nodes: 5, seed: 20240611, network: { latency_ms: [10, 30] }, events, run_until_ms: 9000 };
}

/** Scenarios for the cross checks: the shared samples, a 50-event one and one per family. */
function scenarios() {
  return {
    ...sampleScenarios(),
    fifty: fiftyEvents(),
    paxos: { version: 1, protocol: 'paxos', nodes: 3, seed: 5, events: [{ at_ms: 10, type: 'client_request', value: 'v' }], run_until_ms: 3000 },
    twopc: { version: 1, protocol: '2pc', nodes: 4, seed: 9, params: { no_voters: [2] }, events: [{ at_ms: 5, type: 'client_request', value: 't1' }], run_until_ms: 3000 },
  };
}

const canonical = (scenario) => simulation(scenario).scenarioJson();

test('a link made in JS gives back the text and extras exactly', async () => {
  const texts = [canonical(sampleScenarios().everything), '{"title":"Zürich → 東京 ✓ \\"q\\" 😀"}', '', '{}'];
  for (const text of texts) {
    const fragment = await encodeLink(text);
    assert.match(fragment, /^s=1\.[A-Za-z0-9_-]*$/);
    assert.deepEqual(await decodeLink(fragment), { scenarioText: text, extras: {} });
  }
  const extras = { t: 1234, speed: 0.25, play: false, embed: true };
  const fragment = await encodeLink(texts[0], extras);
  assert.ok(fragment.endsWith('&t=1234&speed=0.25&play=0&embed=1'), fragment);
  assert.deepEqual((await decodeLink(`https://example.org/lab/#${fragment}`)).extras, extras);
  assert.deepEqual((await decodeLink(`${fragment}&t=x&future=1&speed=11&t=5`)).extras, extras, 'the first valid value counts');
});

test('copying damage is tolerated: blanks, line breaks, %-encoding, &amp;', async () => {
  const text = canonical(sampleScenarios().example);
  const url = `https://example.org/lab/#${await encodeLink(text, { t: 900, play: true })}`;
  const variants = [
    url.replace(/.{40}/g, (s) => `${s}\r\n    `),
    url.replace(/.{7}/g, (s) => `${s}\u200b\u00ad`),
    url.replaceAll('#', '%23').replaceAll('=', '%3D').replaceAll('&', '%26'),
    url.replaceAll('&', '&amp;'),
    `\t ${url} \n`,
  ];
  for (const v of variants) assert.deepEqual(await decodeLink(v), { scenarioText: text, extras: { t: 900, play: true } }, v);
  assert.ok(looksLikeLink(url) && looksLikeLink('#s=1.x') && !looksLikeLink(text) && !looksLikeLink('scenario.json'));
});

for (const [name, scenario] of Object.entries(scenarios())) {
  test(`"${name}": a JS link runs in the CLI, and a CLI link opens in JS, to the same trace hash`, async () => {
    const direct = runCli(scenario);
    assert.equal(direct.status, 0, direct.stderr);
    const hash = direct.json.trace_hash;
    // JS → CLI, as a bare fragment and as a whole URL.
    const fragment = await encodeLink(canonical(scenario), { t: 100 });
    for (const arg of [fragment, `https://example.org/lab/#${fragment}`]) {
      const r = cli(['run', arg]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).trace_hash, hash);
    }
    // CLI → JS: `consensus-lab link` output opened in the page's engine.
    const made = cli(['link', '-'], JSON.stringify(scenario));
    assert.equal(made.status, 0, made.stderr);
    const { scenarioText } = await decodeLink(made.stdout);
    assert.equal(scenarioText, canonical(scenario));
    const sim = simulation(scenarioText);
    sim.runUntil(runUntil(scenario));
    assert.equal(sim.traceHash(), hash);
  });
}

test('a 50-event scenario fits in a link well under 1,000 characters', async () => {
  const text = canonical(fiftyEvents());
  assert.equal(JSON.parse(text).events.length, 50);
  const js = await encodeLink(text);
  const native = cli(['link', '-'], text).stdout.trim();
  console.log(`50-event scenario: ${text.length} characters of JSON; link ${js.length} (JS), ${native.length} (CLI)`);
  assert.ok(js.length < 700, `JS link is ${js.length} characters`);
  assert.ok(native.length < 700, `CLI link is ${native.length} characters`);
});

test('every kind of bad link is one LinkError that names the problem', async () => {
  const text = canonical(sampleScenarios().example);
  const fragment = await encodeLink(text);
  await refuses('', 'not_a_link', /^this is not a Consensus Lab link: it has no scenario/);
  await refuses('https://example.org/lab/#t=500', 'not_a_link', /no scenario/);
  await refuses(undefined, 'not_a_link', /no scenario/);
  await refuses(`${fragment.slice(0, 30)}$${fragment.slice(30)}`, 'damaged', /^this link is damaged: it contains characters/);
  await refuses('s=1.AAAAAAAA', 'damaged', /^this link is damaged: its scenario data cannot be unpacked$/);
  await refuses('s=v1.abc', 'damaged', /does not start with a link version/);
  await refuses(fragment.slice(0, fragment.length >> 1), 'cut_short', /^this link is cut short: its scenario data ends too early/);
  await refuses('s=', 'cut_short', /^this link is cut short: it holds no scenario data$/);
  await refuses(`https://example.org/#s=1.${'A'.repeat(1_900_000)}`, 'too_long',
    /^this link is too long: 1\.9 MB of text \(a link holds at most 64 KiB, 65,536 characters\)$/);
  await refuses(`s=2.${fragment.slice(4)}`, 'version', /^this link was made by a newer version of Consensus Lab \(link version 2\)$/);
  await refuses(`s=1.${b64url(deflateRawSync(Buffer.alloc(40_000_000, 32), { level: 9 }))}`, 'too_large',
    /^this link's scenario is too large: it unpacks to more than 2 MiB/);
  await refuses(`s=1.${b64url(deflateRawSync(Buffer.from([0xc3, 0x28, 0xff])))}`, 'damaged', /^this link is damaged: its scenario is not text$/);
  // A stored block whose length check fails: a lenient inflater would accept it.
  await refuses(`s=1.${b64url(Buffer.from([1, 3, 0, 0, 0, 0x7b, 0x7d, 0x20]))}`, 'damaged', /cannot be unpacked/);
});

test('the CLI names each bad link with the same words', async () => {
  const fragment = await encodeLink(canonical(sampleScenarios().example));
  const bad = [`s=2.${fragment.slice(4)}`, fragment.slice(0, 40), 's=1.!!', `#s=1.${'A'.repeat(70_000)}`, '#t=1'];
  for (const link of bad) {
    let message;
    try {
      await decodeLink(link);
    } catch (e) {
      message = e.message;
    }
    const r = cli(['run', link]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `error: ${message}\n`);
  }
});

test('a bad scenario inside a sound link is a LinkError when the page checks it', async () => {
  const check = (t) => new Simulation(t);
  const ok = { version: 1, protocol: 'raft', nodes: 5, seed: 1 };
  const cases = [
    [{ ...ok, version: 2 }, /version: version 2 is not supported/],
    [{ ...ok, protocol: 'viewstamped' }, /protocol: unknown protocol "viewstamped"/],
    [{ ...ok, nodes: 0 }, /nodes: must be at least 1/],
    [{ ...ok, nodes: 1e9 }, /nodes: 1000000000 is too many/],
    [{ ...ok, events: [{ at_ms: -1, type: 'heal' }] }, /events\[0\]\.at_ms: must not be negative/],
    [{ ...ok, events: [{ at_ms: 5, type: 'crash', node: 5 }] }, /events\[0\]\.node: node 5 does not exist/],
    [{ ...ok, events: [{ at_ms: 5, type: 'partition', groups: [[0, 9]] }] }, /events\[0\]\.groups\[0\]\[1\]: node 9 does not exist/],
    [{ ...ok, 'a\nb': 1 }, /a\\nb: unknown field/],
  ];
  for (const [scenario, re] of cases) {
    const link = await encodeLink(JSON.stringify(scenario));
    await refuses(link, 'scenario', new RegExp(`^this link's scenario is not valid: ${re.source}`), { check });
    const r = cli(['run', link]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`^error: this link's scenario is not valid: ${re.source}`));
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
  await refuses(await encodeLink('{"version":1,"protocol":"ra'), 'scenario', /the JSON ends too early/, { check });
  await refuses(await encodeLink('<html>'), 'scenario', /malformed JSON/, { check });
});

test('hostile text travels as plain text, exactly as written', async () => {
  const script = '</script><script>alert(document.cookie)</script>';
  const img = '<img src=x onerror="alert(1)"> &amp; \' " ${x} {{x}} \u202e';
  const scenario = { version: 1, protocol: 'raft', nodes: 3, seed: 1, title: script, caption: img,
    events: [{ at_ms: 400, type: 'client_request', value: script }], run_until_ms: 3000 };
  const text = canonical(scenario);
  const { scenarioText } = await decodeLink(await encodeLink(text), { check: (t) => new Simulation(t) });
  assert.equal(scenarioText, text);
  const back = JSON.parse(scenarioText);
  assert.equal(back.title, script);
  assert.equal(back.caption, img);
  const sim = new Simulation(scenarioText);
  sim.runUntil(3000);
  assert.ok(sim.snapshot().nodes.some((n) => n.log.some((e) => e.value === script)));
});

test('encodeLink refuses what no decoder would open', async () => {
  const rejectsKind = (promise, kind) => assert.rejects(promise, (e) => e instanceof LinkError && e.kind === kind);
  await rejectsKind(encodeLink(' '.repeat(2 * 1024 * 1024 + 1)), 'too_large');
  let x = 1;
  const noise = Array.from({ length: 120_000 }, () => {
    x ^= x << 13, x >>>= 0, x ^= x >>> 17, x ^= x << 5, x >>>= 0;
    return String.fromCharCode(97 + (x % 26));
  }).join('');
  await rejectsKind(encodeLink(noise), 'too_long');
  await rejectsKind(encodeLink('{}', { speed: 0 }), 'invalid');
  await rejectsKind(encodeLink('{}', { speed: NaN }), 'invalid');
  await rejectsKind(encodeLink('{}', { t: -1 }), 'invalid');
  await rejectsKind(encodeLink('{}', { t: 1.5 }), 'invalid');
  await rejectsKind(encodeLink({}), 'invalid');
  await rejectsKind(encodeLink('{"title":"\ud800"}'), 'invalid');
  assert.equal((await decodeLink(await encodeLink('"😀"'))).scenarioText, '"😀"');
  // Exactly at the unpacked limit opens, in both decoders.
  const edge = await encodeLink(' '.repeat(2 * 1024 * 1024));
  assert.equal((await decodeLink(edge)).scenarioText.length, 2 * 1024 * 1024);
  assert.equal(cli(['unlink', edge]).stdout.length, 2 * 1024 * 1024 + 1);
});
