// Every protocol in the page, driven like a reader: load one of its stories,
// run it to the moment its caption talks about, check what the caption
// promises in the snapshot and on the canvas, keep the console clean, and save
// a screenshot. Also: switching protocols through the Protocol menu changes the
// legend, and every protocol stays usable at phone width.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root } from '../../scripts/lib/run.mjs';
import { startBrowser, openPage, screenshot } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

function story(rel) {
  return JSON.parse(fs.readFileSync(path.join(root, 'www', 'stories', rel), 'utf8'));
}

/** Loads `scenario` (awaiting its engine), pauses, runs to `until`, waits for the frame that draws it. */
async function runStory(page, scenario, until = scenario.run_until_ms) {
  await page.evaluate(async ([s, t]) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(t);
  }, [scenario, until]);
  return advance(page, until);
}

/** Runs the paused run on to `until` and returns the snapshot once it is drawn. */
async function advance(page, until) {
  await page.evaluate((t) => lab.runUntil(t), until);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => lab.snapshot());
}

async function legendText(page) {
  return page.locator('#legend').textContent();
}

/**
 * How many canvas pixels within `half` CSS pixels of node `id` are within
 * `tol` (sum of channel differences) of the colour `rgb`: a check that the
 * renderer really painted a cue, not only that the engine holds the state.
 */
async function pixelsNear(page, id, rgb, { half = 46, tol = 30 } = {}) {
  return page.evaluate(([id, rgb, half, tol]) => {
    const p = lab.nodePosition(id);
    const c = document.getElementById('canvas');
    const dpr = c.width / c.clientWidth;
    const x0 = Math.max(0, Math.round((p.x - half) * dpr));
    const y0 = Math.max(0, Math.round((p.y - half) * dpr));
    const w = Math.round(2 * half * dpr);
    const d = c.getContext('2d').getImageData(x0, y0, w, w).data;
    let k = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) <= tol) k++;
    }
    return k;
  }, [id, rgb, half, tol]);
}

// Colours the renderers use for the cues checked below (www/draw/*.js).
const LEARNED_GREEN = [0x1f, 0x7a, 0x42];
const BLOCKED_AMBER = [0xe0, 0x9a, 0x1a];
const SPLIT_RED = [0xc6, 0x2f, 0x2f];

test('paxos: competing proposers, every node learns the same single value', async () => {
  const { page, errors } = await openPage(env);
  const sc = story('paxos/competing-proposers.json');
  const early = await runStory(page, sc, 0);
  assert.equal(early.protocol, 'paxos');
  for (const node of early.nodes) assert.equal(await pixelsNear(page, node.id, LEARNED_GREEN), 0, `n${node.id} not drawn as learned yet`);
  const snap = await advance(page, sc.run_until_ms);
  const learned = snap.nodes.map((n) => n.learned);
  assert.ok(learned[0] != null, 'a value is learned');
  assert.ok(['red', 'green', 'blue'].includes(learned[0]), `learned one of the proposed values, got ${learned[0]}`);
  assert.deepEqual(learned, new Array(sc.nodes).fill(learned[0]), 'every node learned the same value');
  assert.deepEqual(snap.violations, []);
  for (const node of snap.nodes) assert.ok((await pixelsNear(page, node.id, LEARNED_GREEN)) > 100, `n${node.id} drawn as learned`);
  const legend = await legendText(page);
  for (const kind of ['prepare', 'promise', 'accept', 'accepted', 'nack', 'decide']) assert.match(legend, new RegExp(kind), `legend names ${kind}`);
  await screenshot(page, 'paxos-competing-proposers');
  assert.deepEqual(errors, []);
});

test('multi-paxos: a new leader re-proposes, fills the gap with a no-op, every replica executes 4 slots', async () => {
  const { page, errors } = await openPage(env);
  const sc = story('multi-paxos/leader-crash-noops.json');
  const snap = await runStory(page, sc);
  assert.equal(snap.protocol, 'multi-paxos');
  const leaders = snap.nodes.filter((n) => n.up && n.leader);
  assert.equal(leaders.length, 1, 'exactly one leader');
  assert.notEqual(leaders[0].id, 0, 'the crashed leader was replaced');
  for (const node of snap.nodes) {
    assert.deepEqual(node.chosen, ['a', 'no-op', 'c', 'd'], `n${node.id} chosen`);
    assert.deepEqual(node.noops, [1], `n${node.id} slot 1 is a real no-op`);
    assert.equal(node.executed, 4, `n${node.id} executed every slot`);
  }
  assert.deepEqual(snap.violations, []);
  assert.match(await legendText(page), /leader heartbeat/);
  await screenshot(page, 'multi-paxos-leader-crash-noops');
  assert.deepEqual(errors, []);
});

test('2pc: a coordinator crash leaves the prepared participants blocked and uncertain until it restarts', async () => {
  const { page, errors } = await openPage(env);
  const sc = story('2pc/coordinator-crash-blocks.json');
  // Prepare lands 290–310 ms, each participant works 50 ms: all prepared by 360 ms.
  const prepared = await runStory(page, sc, 380);
  assert.equal(prepared.protocol, '2pc');
  for (const id of [1, 2, 3]) {
    assert.equal(prepared.nodes[id].transactions.t1.state, 'prepared');
    assert.equal(await pixelsNear(page, id, BLOCKED_AMBER), 0, `n${id} not drawn blocked yet`);
  }
  // Mid-story: the coordinator is down, the participants cannot decide.
  const blocked = await advance(page, 3000);
  assert.equal(blocked.nodes[0].up, false);
  for (const id of [1, 2, 3]) {
    const tx = blocked.nodes[id].transactions.t1;
    assert.equal(tx.state, 'uncertain', `n${id} is uncertain`);
    assert.equal(tx.blocked, true, `n${id} is blocked`);
    assert.equal(tx.decision, null, `n${id} has not decided`);
    assert.ok((await pixelsNear(page, id, BLOCKED_AMBER)) > 40, `n${id} drawn hatched amber`);
  }
  await screenshot(page, '2pc-coordinator-crash-blocked');
  // The end of the story: the restarted coordinator presumes abort.
  const end = await advance(page, sc.run_until_ms);
  for (const node of end.nodes) assert.equal(node.transactions.t1.decision, 'abort', `n${node.id} aborted`);
  for (const id of [1, 2, 3]) assert.equal(await pixelsNear(page, id, BLOCKED_AMBER), 0, `n${id} no longer drawn blocked`);
  assert.deepEqual(end.violations, []);
  assert.match(await legendText(page), /outcome\?/);
  await screenshot(page, '2pc-coordinator-restarted-aborts');
  assert.deepEqual(errors, []);
});

test('3pc: a partition during PreCommit splits the decision and the nodes show it', async () => {
  const { page, errors } = await openPage(env);
  const sc = story('3pc/partition-splits-decision.json');
  const before = await runStory(page, sc, 400);
  assert.equal(before.protocol, '3pc');
  for (const node of before.nodes) assert.equal(await pixelsNear(page, node.id, SPLIT_RED), 0, `n${node.id} not drawn split yet`);
  const snap = await advance(page, sc.run_until_ms);
  const decisions = snap.nodes.map((n) => n.transactions.t1.decision);
  assert.deepEqual(decisions, ['commit', 'commit', 'commit', 'abort', 'abort']);
  for (const id of [3, 4]) assert.equal(snap.nodes[id].transactions.t1.by_timeout, true, `n${id} aborted by its own timeout`);
  assert.ok(snap.violations.some((v) => v.invariant === 'atomicity'), 'the atomicity violation is reported');
  for (const node of snap.nodes) assert.ok((await pixelsNear(page, node.id, SPLIT_RED, { half: 52 })) > 20, `n${node.id} drawn with the split mark`);
  assert.equal(await page.locator('#violations').isVisible(), true);
  assert.match(await legendText(page), /precommit/);
  await screenshot(page, '3pc-partition-split-decision');
  assert.deepEqual(errors, []);
});

test('bully: the worst-case election, then a partition with two coordinators flagged in red', async () => {
  const { page, errors } = await openPage(env);
  const worst = story('bully/highest-crashes.json');
  // n0 noticed at 2.5 s; 25 ms later ELECTIONs and OKs are on their way.
  const mid = await runStory(page, worst, 2525);
  assert.equal(mid.protocol, 'bully');
  assert.ok(mid.nodes.filter((n) => n.up && n.electing).length >= 2, 'an election is under way');
  const legend = await legendText(page);
  for (const kind of ['ELECTION', 'OK', 'COORDINATOR', 'ALIVE']) assert.match(legend, new RegExp(kind), `legend names ${kind}`);
  await screenshot(page, 'bully-worst-case-election');
  const end = await advance(page, worst.run_until_ms);
  assert.deepEqual(end.nodes.map((n) => n.coordinator), [3, 3, 3, 3, null]);
  await screenshot(page, 'bully-n3-coordinates');
  const sc = story('bully/partition-two-coordinators.json');
  const cut = await runStory(page, sc, 6900);
  assert.deepEqual(cut.nodes.map((n) => n.coordinator), [1, 1, 4, 4, 4]);
  assert.deepEqual(cut.violations, [], 'two coordinators are the lesson, not a violation');
  for (const id of [1, 4]) assert.ok((await pixelsNear(page, id, SPLIT_RED, { half: 60 })) > 30, `n${id} drawn with the red split ring`);
  for (const id of [0, 2, 3]) assert.equal(await pixelsNear(page, id, SPLIT_RED, { half: 30 }), 0, `n${id} is no coordinator`);
  await screenshot(page, 'bully-partition-two-coordinators');
  const healed = await advance(page, sc.run_until_ms);
  assert.deepEqual(healed.nodes.map((n) => n.coordinator), [4, 4, 4, 4, 4]);
  assert.equal(await pixelsNear(page, 4, SPLIT_RED, { half: 60 }), 0, 'one coordinator again');
  assert.deepEqual(errors, []);
});

// Colours of www/draw/saga.js and www/draw/tcc.js.
const COMPENSATED_PURPLE = [0x5b, 0x3a, 0x8f];
const HANGING_RED = [0xe0, 0x60, 0x60];
const SOLD_GREEN = [0x1f, 0x7a, 0x42];

test('saga: a failed step is compensated in reverse, C2 before C1', async () => {
  const { page, errors } = await openPage(env);
  const sc = story('saga/compensate-in-reverse.json');
  const mid = await runStory(page, sc, 1720);
  assert.equal(mid.protocol, 'saga');
  const steps = mid.nodes[0].transactions.t1.steps.map((s) => s.state);
  assert.deepEqual(steps, ['compensating', 'compensated', 'failed'], 'C2 ran first, C1 still to come');
  assert.ok((await pixelsNear(page, 2, COMPENSATED_PURPLE)) > 40, 'n2 drawn compensated');
  assert.notEqual(mid.nodes[1].transactions.t1.state, 'compensated', 'n1 not yet');
  await screenshot(page, 'saga-compensate-in-reverse-mid');
  const end = await advance(page, sc.run_until_ms);
  assert.equal(end.nodes[0].transactions.t1.outcome, 'compensated');
  for (const id of [1, 2]) assert.ok((await pixelsNear(page, id, COMPENSATED_PURPLE)) > 40, `n${id} drawn compensated`);
  assert.deepEqual(end.violations, []);
  const legend = await legendText(page);
  for (const kind of ['do Ti', 'step done', 'step failed', 'compensate Ci', 'compensated']) assert.match(legend, new RegExp(kind), `legend names ${kind}`);
  await screenshot(page, 'saga-compensate-in-reverse-end');
  assert.deepEqual(errors, []);
});

test('saga: a later saga reads what an earlier one compensates, and the drawing says so in red', async () => {
  const { page, errors } = await openPage(env);
  const sc = story('saga/isolation-anomaly.json');
  const end = await runStory(page, sc);
  assert.deepEqual(end.nodes[1].transactions.t2.saw, ['t1']);
  assert.equal(end.nodes[0].transactions.t1.outcome, 'compensated');
  assert.equal(end.nodes[0].transactions.t2.outcome, 'committed');
  assert.deepEqual(end.violations, []);
  await screenshot(page, 'saga-isolation-anomaly');
  assert.deepEqual(errors, []);
});

test('tcc: the empty rollback releases nothing; the hanging try is flagged in the broken variant', async () => {
  const { page, errors } = await openPage(env);
  const empty = await runStory(page, story('tcc/empty-rollback.json'));
  assert.equal(empty.protocol, 'tcc');
  assert.equal(empty.nodes[2].transactions.t1.state, 'empty-cancel');
  assert.equal(empty.nodes[2].seats.free, empty.nodes[2].seats.capacity);
  assert.deepEqual(empty.violations, []);
  const legend = await legendText(page);
  for (const kind of ['try', 'reserved', 'refused', 'confirm', 'cancel']) assert.match(legend, new RegExp(kind), `legend names ${kind}`);
  await screenshot(page, 'tcc-empty-rollback');
  const sc = story('tcc/hanging-try-held-forever.json');
  const before = await runStory(page, sc, 1600);
  assert.equal(await pixelsNear(page, 2, HANGING_RED), 0, 'not hanging yet');
  assert.deepEqual(before.violations, []);
  const end = await advance(page, sc.run_until_ms);
  assert.equal(end.nodes[2].transactions.t1.state, 'reserved');
  assert.ok(end.violations.some((v) => v.invariant === 'nothing_reserved_after_end'));
  assert.ok((await pixelsNear(page, 2, HANGING_RED)) > 20, 'n2 drawn hanging');
  assert.equal(await page.locator('#violations').isVisible(), true);
  await screenshot(page, 'tcc-hanging-try-held-forever');
  const ok = await runStory(page, story('tcc/all-reserve-confirm.json'));
  assert.equal(ok.nodes[1].seats.sold, 1);
  assert.ok((await pixelsNear(page, 1, SOLD_GREEN)) > 10, 'a sold seat box');
  await screenshot(page, 'tcc-all-reserve-confirm');
  assert.deepEqual(errors, []);
});

test('switching protocols through the Protocol menu changes the legend, without errors', async () => {
  const { page, errors } = await openPage(env);
  const expect = {
    paxos: /nack.*refused, \(2,1\) was promised/,
    'multi-paxos': /leader heartbeat/,
    '2pc': /outcome\?.*a prepared participant asks/,
    '3pc': /ack.*pre-committed/,
    bully: /COORDINATOR/,
    saga: /compensate Ci.*undo step T2/,
    tcc: /cancel.*release them, if any/,
    raft: /RequestVote/,
  };
  let previous = await legendText(page);
  for (const [protocol, legend] of Object.entries(expect)) {
    await page.selectOption('#protocol', protocol);
    await page.waitForFunction((p) => lab.snapshot().protocol === p, protocol, { timeout: 15000 });
    await page.waitForFunction((re) => new RegExp(re).test(document.getElementById('legend').textContent), legend.source, { timeout: 5000 });
    const now = await legendText(page);
    assert.notEqual(now, previous, `the legend changed for ${protocol}`);
    previous = now;
    await page.waitForFunction(() => lab.timeMs() > 50, null, { timeout: 10000 });
    await screenshot(page, `switch-${protocol}`);
  }
  assert.equal(await page.locator('#message').isVisible(), false);
  assert.deepEqual(errors, []);
});

test('every protocol stays on screen at phone width', async () => {
  const { page, errors } = await openPage(env, { viewport: { width: 390, height: 844 }, scale: 2 });
  const stories = {
    paxos: 'paxos/competing-proposers.json',
    'multi-paxos': 'multi-paxos/leader-crash-noops.json',
    '2pc': '2pc/coordinator-crash-blocks.json',
    '3pc': '3pc/partition-splits-decision.json',
    bully: 'bully/partition-two-coordinators.json',
    saga: 'saga/compensate-in-reverse.json',
    tcc: 'tcc/hanging-try-held-forever.json',
  };
  for (const [protocol, file] of Object.entries(stories)) {
    const sc = story(file);
    const snap = await runStory(page, sc, protocol === '2pc' ? 3000 : sc.run_until_ms);
    assert.equal(snap.protocol, protocol);
    const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollW <= 390, `${protocol}: no sideways scrolling (page is ${scrollW}px wide)`);
    await screenshot(page, `phone-${protocol}`);
  }
  assert.deepEqual(errors, []);
});
