// Clusters past the ring's 25 nodes (draw/dots.js): a 1,000-node gossip run
// lays every node out as its own dot inside the canvas, colours the dots by
// what the engine says each node knows, lets a click pick out one node, and
// draws without a console error; a 60-node run sits on one circle.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, runTo, canvasClick } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

async function positions(page, n) {
  return page.evaluate((k) => Array.from({ length: k }, (_, i) => lab.nodePosition(i)), n);
}

test('1,000 gossip nodes: every node its own dot, coloured by what it knows, clickable', async () => {
  const { page, errors } = await openPage(env);
  const n = 1000;
  await runTo(page, { version: 1, protocol: 'gossip', nodes: n, seed: 5, events: [{ at_ms: 100, type: 'client_request', value: 'red', node: 0 }] }, 1500);
  const pos = await positions(page, n);
  const box = await page.locator('#canvas').boundingBox();
  assert.ok(pos.every((p) => p && p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height), 'inside the canvas');
  assert.equal(new Set(pos.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`)).size, n, 'no two dots share a spot');
  // Some nodes know the rumor and some do not yet: the dots show both colours.
  const snap = await page.evaluate(() => lab.snapshot().nodes.map((d) => (d.known ?? []).length > 0));
  const knowing = snap.filter(Boolean).length;
  assert.ok(knowing > 0 && knowing < n, `${knowing} of ${n} know it at 1.5 s`);
  const colours = await page.evaluate(([a, b]) => {
    const c = document.getElementById('canvas');
    const ctx = c.getContext('2d');
    const k = c.width / c.getBoundingClientRect().width;
    const px = (p) => Array.from(ctx.getImageData(Math.round(p.x * k), Math.round(p.y * k), 1, 1).data).join(',');
    return [px(a), px(b)];
  }, [pos[snap.indexOf(true)], pos[snap.indexOf(false)]]);
  assert.notEqual(colours[0], colours[1], `a knowing and an unknowing dot look different: ${colours}`);
  // Clicking a dot selects that node: its details name it.
  const pick = snap.indexOf(false);
  await canvasClick(page, pos[pick].x, pos[pick].y);
  await frames(page);
  assert.match(await page.locator('#node-title').textContent(), new RegExp(`^n${pick}\\b`));
  assert.match(await page.locator('#node-details').textContent(), /knows nothing yet/);
  await screenshot(page, 'gossip-1000');
  assert.deepEqual(errors, []);
});

test('60 nodes sit on one circle', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, { version: 1, protocol: 'gossip', nodes: 60, seed: 2, events: [{ at_ms: 100, type: 'client_request', value: 'blue' }] }, 800);
  const pos = await positions(page, 60);
  const cx = pos.reduce((s, p) => s + p.x, 0) / 60;
  const cy = pos.reduce((s, p) => s + p.y, 0) / 60;
  const radii = pos.map((p) => Math.hypot(p.x - cx, p.y - cy));
  assert.ok(Math.max(...radii) - Math.min(...radii) < 1, `radii ${Math.min(...radii)}–${Math.max(...radii)}`);
  await screenshot(page, 'gossip-60');
  assert.deepEqual(errors, []);
});
