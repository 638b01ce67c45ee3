// The history of client operations under the cluster (www/views/history.js):
// for quorum-kv's new-then-old story the bars are the engine's history, the
// verdicts are the engine's checks, the counterexample's operations (and only
// they) are outlined, clicking a bar or pressing → picks an operation and goes
// to the moment it returned, the downloaded history is what `consensus-lab
// check` reads (and it finds the same counterexample), and a protocol without
// a key-value store has no history view.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startBrowser, openPage, screenshot, frames, runTo, storyFile } from './harness.mjs';
import { root } from '../../scripts/lib/run.mjs';

const cli = path.join(root, 'target', 'release', 'consensus-lab');
let env;

before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

async function openHistory(page, scenario, until) {
  await runTo(page, scenario, until);
  await page.evaluate(() => lab.history.show(true));
  await frames(page);
  return page.evaluate(() => ({ view: lab.history.state(), history: lab.simulation.history(), checks: lab.simulation.consistency() }));
}

test('the history view draws the engine\'s history and marks its counterexample', async () => {
  const { page, errors } = await openPage(env);
  const story = storyFile('quorum-kv/new-then-old.json');
  const { view, history, checks } = await openHistory(page, story, 2000);
  assert.equal(view.open, true);
  assert.equal(view.hidden, false);
  assert.ok(history.length >= 3, `the story makes at least three operations (got ${history.length})`);
  assert.equal(view.ops, history.length);
  assert.deepEqual(view.bars.map((b) => b.id).sort((a, b) => a - b), history.map((op) => op.id).sort((a, b) => a - b));
  for (const b of view.bars) {
    const op = history.find((o) => o.id === b.id);
    assert.equal(b.client, op.client);
    assert.equal(b.outcome, op.return_ms == null ? 'pending' : op.ok === false ? 'refused' : 'ok');
  }
  // Bars of one lane never overlap; a later call starts further right.
  const sorted = [...view.bars].sort((a, b) => history.find((o) => o.id === a.id).call_ms - history.find((o) => o.id === b.id).call_ms);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].x >= sorted[i - 1].x - 0.01, 'bars follow call order left to right');
  // The verdicts are the engine's.
  assert.equal(checks.linearizable, false, 'the story is not linearizable');
  assert.equal(view.verdicts.linearizable, 'fails');
  for (const name of ['sequential', 'read_your_writes', 'monotonic_reads']) {
    const want = checks[name] === true ? 'holds' : checks[name] === false ? 'fails' : 'unknown';
    assert.equal(view.verdicts[name], want, name);
  }
  assert.equal(typeof checks.details.linearizable, 'string');
  assert.ok(checks.details.linearizable.length > 10);
  // Exactly the counterexample's operations are outlined, and its sentence is shown.
  const bad = checks.counterexample.ops.map((op) => op.id).sort((a, b) => a - b);
  assert.ok(bad.length >= 2);
  assert.deepEqual(view.bars.filter((b) => b.marked).map((b) => b.id).sort((a, b) => a - b), bad);
  assert.ok(view.counterexample.includes(checks.counterexample.detail), view.counterexample);
  for (const id of bad) assert.ok(view.counterexample.includes(`#${id}`));
  await page.locator('#history').scrollIntoViewIfNeeded();
  await screenshot(page, 'history-new-then-old');

  // Clicking a bar picks it and goes to the moment it returned.
  const target = view.bars.find((b) => b.outcome === 'ok' && b.marked);
  const op = history.find((o) => o.id === target.id);
  const box = await page.locator('#history-canvas').boundingBox();
  await page.mouse.click(box.x + target.x + target.w / 2, box.y + target.y + target.h / 2);
  await frames(page);
  let after = await page.evaluate(() => ({ picked: lab.history.state().picked, time: lab.displayTime(), said: document.querySelector('.hi-picked').textContent }));
  assert.equal(after.picked, op.id);
  assert.equal(after.time, op.return_ms);
  assert.match(after.said, new RegExp(`^#${op.id} client ${op.client} `));
  // Going back leaves what is still to come in its lanes, faded.
  const back = await page.evaluate(() => lab.history.state());
  const called = new Set(history.filter((o) => o.call_ms <= op.return_ms).map((o) => o.id));
  assert.deepEqual(back.bars.map((b) => b.id).sort((a, b) => a - b), history.map((o) => o.id).sort((a, b) => a - b), 'every operation keeps its bar');
  for (const b of back.bars) assert.equal(b.later, !called.has(b.id), `#${b.id} is ${called.has(b.id) ? 'drawn' : 'faded'}`);
  // → picks the next operation in call order.
  const order = [...history].sort((a, b) => a.call_ms - b.call_ms || a.id - b.id);
  const next = order[order.findIndex((o) => o.id === op.id) + 1];
  if (next) {
    await page.locator('#history-canvas').focus();
    await page.keyboard.press('ArrowRight');
    await frames(page);
    after = await page.evaluate(() => ({ picked: lab.history.state().picked, time: lab.displayTime() }));
    assert.equal(after.picked, next.id);
    assert.equal(after.time, next.return_ms ?? next.call_ms);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the downloaded history is what consensus-lab check reads, with the same verdict', async () => {
  const { page, errors } = await openPage(env);
  const story = storyFile('quorum-kv/new-then-old.json');
  const { checks } = await openHistory(page, story, 2000);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'History JSON' }).click()]);
  assert.match(download.suggestedFilename(), /^quorum-kv-seed3-\d+ms-history\.json$/);
  const doc = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.model, 'kv');
  assert.deepEqual(doc.ops, await page.evaluate(() => lab.simulation.history()));
  const file = path.join(fs.mkdtempSync(path.join(root, 'test-artifacts', 'history-')), 'history.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const r = spawnSync(cli, ['check', file], { encoding: 'utf8' });
  assert.equal(r.status, 1, `check exits 1 for a history that is not linearizable (stderr: ${r.stderr})`);
  const out = JSON.parse(r.stdout);
  assert.equal(out.linearizable, false);
  assert.equal(out.ops, doc.ops.length);
  assert.deepEqual(out.counterexample.ops.map((op) => op.id), checks.counterexample.ops.map((op) => op.id));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a linearizable Raft history holds every check; a protocol without a store has no history view', async () => {
  const { page, errors } = await openPage(env);
  const raft = {
    version: 1, protocol: 'raft', nodes: 3, seed: 5,
    clients: { count: 2, ops: ['read', 'write', 'cas'], keys: ['x'], think_ms: [0, 100], timeout_ms: 1000, from_ms: 500, until_ms: 3000 },
    events: [],
  };
  const { view, history } = await openHistory(page, raft, 3500);
  assert.ok(history.length > 5, `the workload makes operations (got ${history.length})`);
  assert.equal(view.bars.length, history.length);
  assert.equal(view.verdicts.linearizable, 'holds');
  assert.equal(view.verdicts.sequential, 'holds');
  assert.equal(view.counterexample, null);
  assert.ok(view.bars.every((b) => !b.marked));
  // Two clients: two lanes, one above the other.
  const ys = new Set(view.bars.map((b) => `${b.client}:${b.y}`));
  assert.ok([...ys].some((k) => k.startsWith('0:')) && [...ys].some((k) => k.startsWith('1:')));
  await page.locator('#history').scrollIntoViewIfNeeded();
  await screenshot(page, 'history-raft-clients');

  await runTo(page, { version: 1, protocol: 'gossip', nodes: 20, seed: 1, events: [] }, 100);
  assert.equal(await page.locator('#history').isVisible(), false);
  assert.equal(await page.evaluate(() => document.body.classList.contains('history-open')), false);
  assert.deepEqual(errors, []);
  await page.context().close();
});
