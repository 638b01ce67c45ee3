// The page, driven like a reader would: it loads cleanly, elects a leader,
// survives a crash clicked on the canvas, commits a client request typed into
// the panel, and shows the same trace hash as the headless runner.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot } from './harness.mjs';
import { runCli, sampleScenarios } from '../node/engine.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

const leaders = (snap) => snap.nodes.filter((n) => n.up && n.role === 'leader');

/** Waits until the element's text is `text` (panels refresh on the next frame). */
async function waitForText(page, selector, text) {
  await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want, [selector, text], { timeout: 5000 });
}

/** Clicks node `id` on the canvas, like a reader. */
async function clickNode(page, id) {
  const box = await page.locator('#canvas').boundingBox();
  const p = await page.evaluate((i) => lab.nodePosition(i), id);
  await page.mouse.click(box.x + p.x, box.y + p.y);
}

test('the page loads without console errors and its clock runs', async () => {
  const { page, errors } = await openPage(env);
  const t0 = await page.evaluate(() => lab.timeMs());
  await page.waitForFunction((t) => lab.timeMs() > t + 20, t0, { timeout: 5000 });
  const n = await page.evaluate(() => lab.snapshot().nodes.length);
  assert.equal(n, 5);
  await screenshot(page, 'page-loaded');
  assert.deepEqual(errors, []);
});

test('a leader appears within two election timeouts (seeds 1–20)', async () => {
  const { page, errors } = await openPage(env);
  const results = await page.evaluate(() => {
    lab.pause();
    const out = [];
    for (let seed = 1; seed <= 20; seed++) {
      lab.load({ version: 1, protocol: 'raft', nodes: 5, seed });
      lab.pause();
      // Two of raft's default maximum election timeout (300 ms).
      lab.runUntil(2 * 300);
      out.push(lab.snapshot().nodes.filter((d) => d.role === 'leader').length);
    }
    return out;
  });
  assert.deepEqual(results, new Array(20).fill(1));
  assert.deepEqual(errors, []);
});

test('crashing the leader from the canvas leads to a new leader in a higher term', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(() => {
    lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 4 });
    lab.pause();
    lab.runUntil(1000);
  });
  const before = leaders(await page.evaluate(() => lab.snapshot()));
  assert.equal(before.length, 1);
  const old = before[0];
  await clickNode(page, old.id);
  await waitForText(page, '#node-title', `n${old.id}`);
  await page.getByRole('button', { name: 'Crash' }).click();
  await screenshot(page, 'leader-crashed');
  const crashed = await page.evaluate((id) => lab.snapshot().nodes[id], old.id);
  assert.equal(crashed.up, false);
  await page.evaluate(() => lab.runUntil(lab.timeMs() + 2000));
  const after = leaders(await page.evaluate(() => lab.snapshot()));
  assert.equal(after.length, 1);
  assert.notEqual(after[0].id, old.id);
  assert.ok(after[0].term > old.term, `new term ${after[0].term} should exceed ${old.term}`);
  await screenshot(page, 'new-leader');
  assert.deepEqual(errors, []);
});

test('a client request typed into the panel becomes committed on a majority', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(() => {
    lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 9 });
    lab.pause();
    lab.runUntil(800);
  });
  await page.locator('#client-value').fill('color=blue');
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.evaluate(() => lab.runUntil(lab.timeMs() + 500));
  const snap = await page.evaluate(() => lab.snapshot());
  const committed = snap.nodes.filter((n) => n.log.some((e, i) => e.value === 'color=blue' && i + 1 <= n.commit_index));
  assert.ok(committed.length >= 3, `committed on ${committed.length} nodes`);
  assert.ok(snap.nodes.filter((n) => n.kv.color === 'blue').length >= 3, 'applied to the key-value store on a majority');
  await page.evaluate(() => lab.setSpeed(0.02));
  await screenshot(page, 'request-committed');
  assert.deepEqual(errors, []);
});

test('the page reports the same trace hash as the headless runner', async () => {
  const { page } = await openPage(env);
  for (const scenario of Object.values(sampleScenarios())) {
    const native = runCli(scenario);
    assert.equal(native.status, 0, native.stderr);
    const hash = await page.evaluate((s) => {
      lab.load(s);
      lab.pause();
      lab.runUntil(s.run_until_ms);
      return lab.traceHash();
    }, scenario);
    assert.equal(hash, native.json.trace_hash);
  }
});

test('keyboard shortcuts: space pauses and plays, ? opens help, digits select, X crashes', async () => {
  const { page, errors } = await openPage(env);
  assert.equal(await page.evaluate(() => lab.playing), true);
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => lab.playing), false);
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => lab.playing), true);
  await page.keyboard.press('?');
  assert.equal(await page.locator('#help').isVisible(), true);
  await screenshot(page, 'help');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#help').isVisible(), false);
  await page.keyboard.press('Space');
  await page.keyboard.press('2');
  await waitForText(page, '#node-title', 'n2');
  await page.keyboard.press('x');
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), false);
  await page.keyboard.press('r');
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), true);
  const t = await page.evaluate(() => lab.timeMs());
  await page.keyboard.press('ArrowRight');
  assert.ok((await page.evaluate(() => lab.timeMs())) >= t);
  assert.deepEqual(errors, []);
});

test('a partition drawn on the canvas splits the cluster and heal joins it', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(() => {
    lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 2 });
    lab.pause();
    lab.runUntil(800);
  });
  await page.getByRole('button', { name: 'Partition…' }).click();
  await clickNode(page, 3);
  await clickNode(page, 4);
  await page.getByRole('button', { name: 'Apply partition' }).click();
  const groups = await page.evaluate(() => lab.snapshot().network.groups);
  assert.deepEqual(groups, [[0, 1, 2], [3, 4]]);
  await page.evaluate(() => lab.runUntil(lab.timeMs() + 300));
  await screenshot(page, 'partitioned');
  await page.getByRole('button', { name: 'Heal' }).click();
  assert.deepEqual(await page.evaluate(() => lab.snapshot().network.groups), []);
  assert.deepEqual(errors, []);
});

test('a bad scenario from the console shows a plain message and the page keeps running', async () => {
  const { page, errors } = await openPage(env);
  const msg = await page.evaluate(() => {
    try {
      lab.load({ version: 1, protocol: 'raft', nodes: 99, seed: 1 });
      return null;
    } catch (e) {
      return e.message;
    }
  });
  assert.match(msg, /nodes: raft runs with 1 to 25 nodes/);
  assert.match(await page.locator('#message').textContent(), /raft runs with 1 to 25 nodes/);
  const t0 = await page.evaluate(() => lab.timeMs());
  await page.waitForFunction((t) => lab.timeMs() > t, t0);
  assert.deepEqual(errors, []);
});

test('sharp on high-DPI screens, resizes with the window, works at phone width', async () => {
  const { page, errors, context } = await openPage(env, { viewport: { width: 1280, height: 800 }, scale: 2 });
  const size = () => page.evaluate(() => {
    const c = document.getElementById('canvas');
    return { w: c.width, h: c.height, cw: c.clientWidth, ch: c.clientHeight };
  });
  await page.waitForTimeout(100);
  let s = await size();
  assert.equal(s.w, s.cw * 2);
  assert.equal(s.h, s.ch * 2);
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.waitForTimeout(200);
  const s2 = await size();
  assert.ok(s2.cw < s.cw, 'the canvas shrinks with the window');
  assert.equal(s2.w, s2.cw * 2);
  await context.close();
  const phone = await openPage(env, { viewport: { width: 390, height: 844 }, scale: 3 });
  await phone.page.waitForTimeout(300);
  s = await phone.page.evaluate(() => {
    const c = document.getElementById('canvas');
    return { cw: c.clientWidth, scrollW: document.documentElement.scrollWidth };
  });
  assert.ok(s.cw <= 390 && s.cw > 300, `canvas ${s.cw}px wide`);
  assert.ok(s.scrollW <= 390, `no sideways scrolling (page is ${s.scrollW}px wide)`);
  await screenshot(phone.page, 'phone');
  assert.deepEqual([...errors, ...phone.errors], []);
});
