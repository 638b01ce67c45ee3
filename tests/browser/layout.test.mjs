// Layout and focus: shortcuts work after a menu or a slider; the selected
// node's details leave the event log in view at 1280×800; on a phone the
// header is compact and a sticky bar carries play / step and the node's
// actions; and the small things: Time out now is off on a paused node, Back
// at 0 ms says why nothing happened, the latency value stays on one line, a
// link asking for too late a moment uses one unit, Save image carries the
// caption and legend but not the selection ring, a downloaded scenario
// reopens at its moment.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBrowser, openPage, screenshot, frames, runTo, storyFile, artifacts } from './harness.mjs';
import { encodeLink } from '../../www/link.js';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

test('keyboard shortcuts work after using a menu, a slider or a button', async () => {
  const { page, errors } = await openPage(env);
  await page.locator('#protocol').selectOption('paxos');
  await page.waitForFunction(() => lab.snapshot().protocol === 'paxos');
  await page.locator('#protocol').focus();
  await page.locator('#protocol').selectOption('raft');
  await page.waitForFunction(() => lab.snapshot().protocol === 'raft');
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'protocol', 'the menu gave the focus back');
  const playing = await page.evaluate(() => lab.playing);
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => lab.playing), !playing, 'Space after the menu toggles playback');
  // A slider dragged with the mouse.
  const slider = await page.locator('#latency').boundingBox();
  await page.mouse.click(slider.x + slider.width * 0.3, slider.y + slider.height / 2);
  await page.keyboard.press('2');
  await page.keyboard.press('x');
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), false, 'X after the slider crashes n2');
  // A slider focused from the keyboard keeps its arrows, but the letters still act.
  await page.locator('#speed').focus();
  await page.keyboard.press('r');
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), true, 'R with the speed slider focused restarts n2');
  // A button that was clicked: Space plays or pauses rather than pressing it again.
  await page.locator('#heal').click();
  const before = await page.evaluate(() => ({ playing: lab.playing, events: lab.scenario().events.length }));
  await page.keyboard.press('Space');
  const after = await page.evaluate(() => ({ playing: lab.playing, events: lab.scenario().events.length }));
  assert.equal(after.playing, !before.playing);
  assert.equal(after.events, before.events, 'Space did not heal again');
  // The story menu too.
  await page.locator('#story').selectOption('raft/leader-crash.json');
  await page.waitForFunction(() => document.getElementById('caption-title').textContent.length > 0);
  const p0 = await page.evaluate(() => lab.playing);
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => lab.playing), !p0);
  assert.deepEqual(errors, []);
});

test('at 1280×800 a selected node\'s details leave the event log in view', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('raft/follower-catch-up.json'), 4000);
  await page.evaluate(() => lab.select(0));
  await frames(page);
  const box = await page.locator('#events').boundingBox();
  assert.ok(box.y + 100 <= 800, `the event log starts at ${Math.round(box.y)} px`);
  assert.ok(Math.min(box.y + box.height, 800) - box.y >= 100, `at least 100 px of it show (${Math.round(box.height)} px)`);
  const legend = await page.locator('#legend').boundingBox();
  assert.ok(legend.y + legend.height <= 800, 'the legend is not cut at the bottom');
  await screenshot(page, 'desktop-selected-node');
  assert.deepEqual(errors, []);
});

test('on a phone: a compact header, and a sticky bar to play, step and act on the node', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.url}index.html`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  const header = await page.locator('header.top').boundingBox();
  assert.ok(header.height <= 90, `header ${header.height} px tall`);
  await runTo(page, storyFile('raft/leader-crash.json'), 1000);
  await page.evaluate(() => lab.select(1));
  await frames(page);
  // Scroll so the cluster fills the screen: the bar stays at the bottom, in view.
  await page.locator('#canvas').scrollIntoViewIfNeeded();
  const bar = page.locator('#playbar');
  const b = await bar.boundingBox();
  assert.ok(b.y + b.height <= 844 + 1 && b.y >= 844 - 200, `the bar sits at the bottom (${Math.round(b.y)}–${Math.round(b.y + b.height)})`);
  const scrollY = await page.evaluate(() => window.scrollY);
  await bar.getByRole('button', { name: 'Crash' }).tap();
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[1].up), false, 'the bar crashes the selected node');
  assert.equal(await page.evaluate(() => window.scrollY), scrollY, 'acting did not scroll');
  const canvas = await page.locator('#canvas').boundingBox();
  assert.ok(canvas.y < 844 && canvas.y + canvas.height > 0, 'the cluster is still on screen');
  await bar.locator('#step').tap();
  await screenshot(page, 'phone-sticky-bar');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Time out now is off on a paused node, and says why', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, { version: 1, protocol: 'raft', nodes: 5, seed: 2 }, 600);
  await page.evaluate(() => {
    lab.inject({ type: 'pause', node: 3, for_ms: 1000 });
    lab.select(3);
  });
  await frames(page);
  const b = page.locator('#node-actions [data-act="timeout"]');
  assert.equal(await b.isDisabled(), true);
  assert.match(await b.getAttribute('title'), /paused until/);
  await page.evaluate(() => lab.runUntil(lab.timeMs() + 1100));
  await frames(page);
  assert.equal(await b.isDisabled(), false, 'on again once the pause is over');
  assert.deepEqual(errors, []);
});

test('Back at 0 ms says why nothing happened', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 3, seed: 1 });
    lab.pause();
  });
  await page.getByRole('button', { name: '◂ Back' }).click();
  assert.match(await page.locator('#message').textContent(), /Already at the start of the run \(0 ms\)/);
  assert.deepEqual(errors, []);
});

test('the latency value stays on one line, whatever its value', async () => {
  const { page, errors } = await openPage(env);
  for (const v of ['1', '400']) {
    await page.locator('#latency').fill(v);
    const h = await page.locator('#latency-out').evaluate((el) => ({ h: el.getBoundingClientRect().height, lh: parseFloat(getComputedStyle(el).lineHeight) || 18 }));
    assert.ok(h.h <= h.lh * 1.3, `≈${v} ms on one line (${h.h} px)`);
  }
  const drop = await page.locator('label.slider:has(#drop)').evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(drop < 34, `the drop-rate row is one line (${drop} px)`);
  assert.deepEqual(errors, []);
});

test('a link asking for too late a moment says so in one unit', async () => {
  const { page, errors } = await openPage(env);
  const frag = await encodeLink(JSON.stringify({ version: 1, protocol: 'raft', nodes: 3, seed: 1 }), { t: 5 * 3_600_000 });
  await page.goto(`${env.url}index.html#${frag}`);
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  const text = await page.locator('#message').textContent();
  assert.match(text, /5 simulated hours \(18,000,000 ms\), beyond the 4 simulated hours \(14,400,000 ms\)/, text);
  assert.match(text, /from the beginning \(0 ms\)/);
  assert.deepEqual(errors, []);
});

test('Save image carries the caption and the legend, and no selection ring', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('raft/leader-crash.json'), 2000);
  await page.evaluate(() => lab.select(2));
  await frames(page);
  const img = await page.evaluate(() => lab.image());
  const canvasH = await page.evaluate(() => document.getElementById('canvas').clientHeight);
  assert.ok(img.top > 20, 'room for the caption above');
  assert.ok(img.pixelHeight > (img.top + canvasH + 40) * (img.pixelWidth / img.width), 'room for the legend below');
  const stats = await page.evaluate(async ({ url, top }) => {
    const im = new Image();
    im.src = url;
    await im.decode();
    const c = document.createElement('canvas');
    c.width = im.width;
    c.height = im.height;
    const g = c.getContext('2d');
    g.drawImage(im, 0, 0);
    const dpr = im.width / document.getElementById('canvas').clientWidth;
    const p = lab.nodePosition(2);
    // The selection ring's blue, around n2.
    const d = g.getImageData(Math.round((p.x - 60) * dpr), Math.round((top + p.y - 60) * dpr), Math.round(120 * dpr), Math.round(120 * dpr)).data;
    let ring = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0x2f) + Math.abs(d[i + 1] - 0x6f) + Math.abs(d[i + 2] - 0xde) < 40) ring++;
    // The caption band: the caption's blue background with dark text on it.
    const cap = g.getImageData(0, 0, c.width, Math.round(top * dpr)).data;
    let ink = 0;
    for (let i = 0; i < cap.length; i += 4) if (cap[i] < 100 && cap[i + 1] < 100) ink++;
    // The on-screen canvas does draw the ring.
    const live = document.getElementById('canvas').getContext('2d').getImageData(Math.round((p.x - 60) * dpr), Math.round((p.y - 60) * dpr), Math.round(120 * dpr), Math.round(120 * dpr)).data;
    let liveRing = 0;
    for (let i = 0; i < live.length; i += 4) if (Math.abs(live[i] - 0x2f) + Math.abs(live[i + 1] - 0x6f) + Math.abs(live[i + 2] - 0xde) < 40) liveRing++;
    return { ring, ink, liveRing };
  }, img);
  assert.ok(stats.liveRing > 50, `the page shows the ring (${stats.liveRing})`);
  assert.ok(stats.ring < 10, `the image has no selection ring (${stats.ring})`);
  assert.ok(stats.ink > 200, 'the caption is written in the image');
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, 'saved-image.png'), Buffer.from(img.url.split(',')[1], 'base64'));
  assert.deepEqual(errors, []);
});

test('a downloaded scenario reopens at the moment it was saved', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('raft/leader-crash.json'), 2345);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download scenario' }).click()]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  assert.equal(JSON.parse(text).open_at_ms, 2345);
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'paxos', nodes: 3, seed: 1 });
  });
  await page.evaluate(async (t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'saved.json', { type: 'application/json' }));
    document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForFunction(() => lab.snapshot().protocol === 'raft' && lab.timeMs() === 2345);
  assert.equal(await page.evaluate(() => lab.playing), false, 'paused there');
  assert.deepEqual(errors, []);
});
