// The published build (dist/, made by `npm run build` before the browser
// tests) works from a sub-path of any static host: served under
// /posts/raft/lab/, the page loads without errors, elects a leader, switches
// to another protocol (fetching its engine and drawing chunks), opens a
// story, and embeds.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBrowser, openPage, screenshot } from './harness.mjs';
import { root } from '../../scripts/lib/run.mjs';

const dist = path.join(root, 'dist');
const prefix = '/posts/raft/lab/';
let env;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ exists (npm test builds it)');
  env = await startBrowser({ dir: dist, prefix });
});
after(async () => {
  await env.close();
});

test('served from a sub-path, the published page runs, switches protocols and opens stories', async () => {
  assert.ok(env.url.endsWith(prefix));
  const { page, errors } = await openPage(env);
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  const leaders = await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 1 });
    lab.pause();
    lab.runUntil(600);
    return lab.snapshot().nodes.filter((n) => n.role === 'leader').length;
  });
  assert.equal(leaders, 1);
  await page.locator('#protocol').selectOption('2pc');
  await page.waitForFunction(() => lab.snapshot().protocol === '2pc');
  await page.waitForFunction(() => document.getElementById('legend').textContent.includes('vote'));
  await page.locator('#story').selectOption('paxos/one-proposer.json');
  await page.waitForFunction(() => document.getElementById('caption-title').textContent === 'One proposer');
  await page.evaluate(() => {
    lab.pause();
    lab.runUntil(3000);
  });
  const learned = await page.evaluate(() => lab.snapshot().nodes.map((n) => n.learned));
  assert.ok(learned.every((v) => v === learned[0] && v != null), JSON.stringify(learned));
  await screenshot(page, 'static-build-subpath');
  assert.deepEqual(failed, []);
  assert.deepEqual(errors, []);
});

test('the published build serves wasm as application/wasm and uses relative URLs only', async () => {
  const res = await fetch(`${env.url}www/pkg/raft/consensus_lab_bg.wasm`);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)="\//, 'no root-relative URL in the page');
  const js = fs.readFileSync(path.join(dist, 'www', 'main.js'), 'utf8');
  assert.doesNotMatch(js, /["'`]\/(www|pkg|stories)\//, 'no root-relative URL in the script');
});

test('the published build loads the chart library when the charts are shown', async () => {
  const { page, errors } = await openPage(env);
  const failed = [];
  const loaded = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  page.on('response', (r) => {
    loaded.push(r.url());
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'gossip', nodes: 20, seed: 1, events: [{ at_ms: 10, type: 'client_request', value: 'x=1' }] });
    lab.pause();
    lab.runUntil(1500);
  });
  const shown = loaded.length;
  await page.evaluate(() => lab.charts.show(true));
  await page.waitForFunction(() => {
    const s = lab.charts.state();
    return s.loaded && s.complete && s.charts.length === 2;
  }, null, { timeout: 20000 });
  // The library is a chunk of its own, fetched now; its style sheet applies.
  const fetched = loaded.slice(shown);
  assert.ok(fetched.some((u) => u.includes('/www/chunks/')), fetched.join('\n'));
  assert.ok(fetched.some((u) => u.endsWith(`${prefix}www/vendor/uplot/uPlot.min.css`)), fetched.join('\n'));
  const position = await page.evaluate(() => getComputedStyle(document.querySelector('.ch-plot .u-over')).position);
  assert.equal(position, 'absolute');
  const res = await fetch(`${env.url}www/vendor/uplot/LICENSE`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /MIT/);
  assert.deepEqual(failed, []);
  assert.deepEqual(errors, []);
});
