// Scenario links in the page: a link made by one run opens the identical run
// (trace hash and state at the linked moment) in another page; the address
// follows every action, console injects included; Back undoes the last
// action; a reload keeps the run; Copy link and the embed snippet carry it;
// and at least thirty bad links each get one plain message while the page
// keeps running the default scenario, with nothing from the link inserted as
// HTML.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { startBrowser, openPage, screenshot } from './harness.mjs';
import { runCli } from '../node/engine.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const pack = (text) => `s=1.${b64url(deflateRawSync(Buffer.from(text, 'utf8')))}`;

/** Waits until the address bar holds a link for the run as it is now. */
async function settledHash(page) {
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  await page.waitForTimeout(400);
  return page.evaluate(() => location.hash);
}

test('a link made by one run opens the identical run at the linked moment in another page', async () => {
  const a = await openPage(env);
  await a.page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 77 });
    lab.pause();
    lab.runUntil(700);
    lab.inject({ type: 'client_request', value: 'x=1' });
    lab.runUntil(1400);
    lab.inject({ type: 'crash', node: 3 });
    lab.runUntil(2600);
    lab.inject({ type: 'partition', groups: [[0, 1]] });
    lab.runUntil(3100);
    lab.seek(2800);
  });
  const hash = await settledHash(a.page);
  assert.match(hash, /&t=2800/);
  const expected = await a.page.evaluate(() => ({ hash: lab.traceHash(), snap: lab.snapshot(), scenario: lab.scenario() }));
  const b = await openPage(env, { hash });
  await b.page.waitForFunction(() => lab.timeMs() >= 2800);
  const got = await b.page.evaluate(() => {
    lab.pause();
    return { hash: lab.traceHash(), snap: lab.snapshot(), scenario: lab.scenario(), playing: lab.playing };
  });
  assert.deepEqual(got.scenario, expected.scenario);
  // The linked moment, exactly (the page was paused there, so it opens paused).
  assert.equal(got.snap.time_ms, 2800);
  assert.equal(got.hash, expected.hash);
  assert.deepEqual(got.snap.nodes, expected.snap.nodes);
  // And the headless runner agrees.
  assert.equal(runCli({ ...got.scenario, run_until_ms: 2800 }).json.trace_hash, got.hash);
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('the address follows console injects, Back undoes the last action, and a reload keeps the run', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 5 });
    lab.pause();
    lab.runUntil(900);
  });
  const before = await settledHash(page);
  await page.evaluate(() => lab.inject({ type: 'crash', node: 1 }));
  await page.waitForFunction((h) => location.hash !== h, before);
  const afterCrash = await settledHash(page);
  const carried = await page.evaluate(async (h) => {
    const { decodeLink } = await import('./www/link.js');
    return JSON.parse((await decodeLink(h)).scenarioText).events;
  }, afterCrash);
  assert.deepEqual(carried, [{ at_ms: 900, type: 'crash', node: 1 }]);
  // Back: the crash is undone.
  await page.goBack();
  await page.waitForFunction(() => lab.scenario().events.length === 0);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[1].up), true);
  // Forward again, then a reload keeps the run and its moment.
  await page.goForward();
  await page.waitForFunction(() => lab.scenario().events.length === 1);
  const state = await page.evaluate(() => {
    lab.pause();
    return { hash: lab.traceHash(), t: lab.timeMs() };
  });
  await settledHash(page);
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  const reloaded = await page.evaluate(() => ({ hash: lab.traceHash(), t: lab.timeMs(), events: lab.scenario().events.length }));
  assert.equal(reloaded.events, 1);
  assert.equal(reloaded.t, state.t);
  assert.equal(reloaded.hash, state.hash);
  assert.deepEqual(errors, []);
});

test('Copy link and the embed snippet carry the run', async () => {
  const { page, errors, context } = await openPage(env);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 3, seed: 2, title: 'Quote " and <tag>' });
    lab.pause();
    lab.runUntil(500);
  });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.waitForFunction(() => document.getElementById('copy-link').textContent.includes('Copied'));
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^http:\/\/localhost:\d+\/index\.html#s=1\.[A-Za-z0-9_-]+&t=500&speed=0\.1&play=0$/);
  await page.getByRole('button', { name: 'Embed…' }).click();
  // The snippet is written once the scenario is compressed, then the dialog opens.
  await page.locator('#embed-dialog[open]').waitFor();
  const snippet = await page.locator('#embed-snippet').inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/localhost:\d+\/index\.html#s=1\.[^"]+&amp;embed=1" title="Quote &quot; and &lt;tag&gt;"/);
  await screenshot(page, 'embed-dialog');
  assert.deepEqual(errors, []);
});

test('thirty-odd bad links: one plain message each, the default run plays, nothing becomes HTML', async () => {
  const good = { version: 1, protocol: 'raft', nodes: 5, seed: 1 };
  const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
  const badLinks = [
    ['#s=', /cut short/],
    ['#s=1.', /cut short/],
    ['#s=1', /cut short/],
    ['#s=abc', /damaged/],
    ['#s=1.!!!!', /damaged: it contains characters/],
    ['#s=2.AAAA', /newer version of Consensus Lab \(link version 2\)/],
    ['#s=99.AAAA', /link version 99/],
    ['#s=1.AAAA', /damaged|cut short/],
    [`#${pack(JSON.stringify(good)).slice(0, 20)}`, /cut short/],
    [`#s=1.${'A'.repeat(1_900_000)}`, /too long: 1\.9 MB/],
    [`#s=1.${b64url(deflateRawSync(Buffer.alloc(30_000_000, 32), { level: 9 }))}`, /too large: it unpacks to more than 2 MiB/],
    [`#s=1.${b64url(deflateRawSync(Buffer.from([0xc3, 0x28])))}`, /not text/],
    [`#${pack('{"version":1,"protocol":"raft","nodes":5')}`, /the JSON ends too early/],
    [`#${pack('<html><body>')}`, /malformed JSON/],
    [`#${pack('[]')}`, /a scenario must be a JSON object/],
    [`#${pack(JSON.stringify({ ...good, version: 2 }))}`, /version 2 is not supported/],
    [`#${pack(JSON.stringify({ ...good, version: '1' }))}`, /version: version "1" is not supported/],
    [`#${pack(JSON.stringify({ ...good, protocol: 'viewstamped' }))}`, /unknown protocol "viewstamped"/],
    [`#${pack(JSON.stringify({ ...good, protocol: hostile }))}`, /unknown protocol/],
    [`#${pack(JSON.stringify({ ...good, nodes: 0 }))}`, /nodes: must be at least 1/],
    [`#${pack(JSON.stringify({ ...good, nodes: 1e9 }))}`, /nodes: 1000000000 is too many/],
    [`#${pack(JSON.stringify({ ...good, nodes: 26 }))}`, /raft runs with 1 to 25 nodes/],
    [`#${pack(JSON.stringify({ ...good, nodes: -3 }))}`, /nodes: must not be negative/],
    [`#${pack(JSON.stringify({ ...good, nodes: 2.5 }))}`, /nodes: must be a whole number/],
    [`#${pack(JSON.stringify({ ...good, seed: -1 }))}`, /seed:/],
    [`#${pack(JSON.stringify({ ...good, events: [{ at_ms: -5, type: 'heal' }] }))}`, /at_ms: must not be negative/],
    [`#${pack(JSON.stringify({ ...good, events: [{ at_ms: 5, type: 'crash', node: 7 }] }))}`, /node 7 does not exist/],
    [`#${pack(JSON.stringify({ ...good, events: [{ at_ms: 5, type: 'explode' }] }))}`, /unknown event type "explode"/],
    [`#${pack(JSON.stringify({ ...good, events: [{ at_ms: 5, type: hostile }] }))}`, /unknown event type/],
    [`#${pack(JSON.stringify({ ...good, network: { drop_rate: 7 } }))}`, /drop_rate: must be a probability/],
    [`#${pack(JSON.stringify({ ...good, params: { heartbeat_ms: 0 } }))}`, /heartbeat_ms must be between/],
    [`#${pack(JSON.stringify({ ...good, params: { [hostile]: 1 } }))}`, /params\.<img src=x onerror=.*: unknown field/],
    [`#${pack(JSON.stringify({ ...good, [hostile]: 1 }))}`, /unknown field/],
    [`#${pack(JSON.stringify({ ...good, title: 'x'.repeat(3000) }))}`, /title: is longer than 2000 characters/],
    [`#${pack(JSON.stringify({ ...good, events: [{ at_ms: 1e300, type: 'heal' }] }))}`, /at_ms/],
  ];
  assert.ok(badLinks.length >= 30);
  const page = (await openPage(env)).page;
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const [hash, expected] of badLinks) {
    await page.goto('about:blank');
    await page.goto(`${env.url}index.html${hash}`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 20000 });
    const message = await page.locator('#message').textContent();
    assert.match(message, /^This link could not be opened: /, hash.slice(0, 80));
    assert.match(message, expected, `${hash.slice(0, 80)} → ${message}`);
    assert.doesNotMatch(message, /[\n\r]/);
    // The default scenario runs.
    const t0 = await page.evaluate(() => lab.timeMs());
    await page.waitForFunction((t) => lab.timeMs() > t, t0, { timeout: 5000 });
    assert.equal(await page.evaluate(() => lab.scenario().protocol), 'raft');
    // Nothing from the link became markup.
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, script:not([src])').length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }
  await screenshot(page, 'bad-link');
  assert.deepEqual(errors, []);
});

test('a hostile title and caption in a valid link show as plain text', async () => {
  const hostile = '<img src=x onerror="window.pwned=1"><b>bold</b>';
  const scenario = { version: 1, protocol: 'raft', nodes: 3, seed: 4, title: hostile, caption: `${hostile} caption` };
  const { page, errors } = await openPage(env, { hash: `#${pack(JSON.stringify(scenario))}` });
  assert.equal(await page.locator('#caption-title').textContent(), hostile);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, b').length), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(errors, []);
});
