// Time travel in the page: dragging the timeline, stepping back, forking by
// acting in the past, and markers — each position checked against the
// headless runner, which computes the same moment from scratch.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot } from './harness.mjs';
import { runCli } from '../node/engine.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

const story = {
  version: 1, protocol: 'raft', nodes: 5, seed: 21,
  events: [
    { at_ms: 700, type: 'client_request', value: 'x=1' },
    { at_ms: 900, type: 'client_request', value: 'y=2' },
    { at_ms: 2000, type: 'crash', node: 0 },
    { at_ms: 2600, type: 'partition', groups: [[3, 4]] },
    { at_ms: 3500, type: 'heal' },
    { at_ms: 4000, type: 'restart', node: 0 },
  ],
};

/** The trace hash the headless runner gives for `scenario` run to `t`. */
function nativeHash(scenario, t) {
  const r = runCli({ ...scenario, run_until_ms: t });
  assert.equal(r.status, 0, r.stderr);
  return r.json.trace_hash;
}

test('dragging the timeline goes to that exact moment of the run', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(6000);
  }, story);
  const box = await page.locator('#timeline').boundingBox();
  // Press at 80 %, drag back to about 40 %, release.
  await page.mouse.move(box.x + 8 + (box.width - 16) * 0.8, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 8 + (box.width - 16) * 0.4, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const t = await page.evaluate(() => lab.timeMs());
  assert.ok(t > 2000 && t < 2800, `landed at ${t} ms`);
  assert.equal(await page.evaluate(() => lab.traceHash()), nativeHash(story, t));
  assert.equal(await page.evaluate(() => lab.headMs()), 6000, 'the known future stays on the timeline');
  await screenshot(page, 'timeline-dragged');
  // Back to the end with End, forward hashes agree again.
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => lab.timeMs()), 6000);
  assert.equal(await page.evaluate(() => lab.traceHash()), nativeHash(story, 6000));
  assert.deepEqual(errors, []);
});

test('stepping back one event at a time, then forward again', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(2500);
  }, story);
  const steps = async () => page.evaluate(() => lab.snapshot().steps);
  const start = await steps();
  for (let i = 1; i <= 5; i++) {
    await page.keyboard.press('ArrowLeft');
    assert.equal(await steps(), start - i);
  }
  await page.getByRole('button', { name: '◂ Back' }).click();
  assert.equal(await steps(), start - 6);
  await page.keyboard.press('ArrowRight');
  assert.equal(await steps(), start - 5);
  assert.deepEqual(errors, []);
});

test('acting in the past forks: the old future goes, the new event is recorded and replays', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(6000);
    lab.seek(1500);
    lab.select(4);
  }, story);
  await page.waitForFunction(() => document.getElementById('node-title').textContent === 'n4');
  await page.getByRole('button', { name: 'Crash' }).click();
  const sc = await page.evaluate(() => lab.scenario());
  assert.ok(sc.events.every((e) => e.at_ms <= 1500), JSON.stringify(sc.events));
  assert.deepEqual(sc.events[sc.events.length - 1], { at_ms: 1500, type: 'crash', node: 4 });
  assert.equal(await page.evaluate(() => lab.headMs()), 1500);
  await page.evaluate(() => lab.runUntil(4000));
  assert.equal(await page.evaluate(() => lab.traceHash()), nativeHash(sc, 4000));
  assert.deepEqual(errors, []);
});

test('markers show leader changes, crashes, restarts, partitions and violations', async () => {
  const { page, errors } = await openPage(env);
  const kinds = await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(6000);
    return lab.markers().map((m) => m.kind);
  }, story);
  for (const k of ['milestone', 'crash', 'partition', 'heal', 'restart']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  const violation = await page.evaluate(async () => {
    const res = await fetch('www/stories/raft/figure8-unsafe.json');
    const s = await res.json();
    await lab.load(s);
    lab.pause();
    lab.runUntil(s.run_until_ms);
    return lab.markers().filter((m) => m.kind === 'violation').length;
  });
  assert.ok(violation > 0, 'the unsafe Figure 8 story marks its violations');
  await screenshot(page, 'timeline-violation');
  assert.deepEqual(errors, []);
});
