// Compare mode (www/compare.js): a second protocol runs beside the first
// under one clock with the same faults and client operations. Raft (CP) and
// quorum-kv (AP) here: the second run gets the first's partition, heal and
// workload; a live crash reaches both at the same moment; seeking moves both;
// each side's figures are its own engine's; the link carries both runs and
// reopens them to the same trace hashes; a second run that cannot have the
// first's nodes is refused in plain words.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames } from './harness.mjs';

const CAP = {
  version: 1,
  protocol: 'raft',
  nodes: 5,
  seed: 7,
  title: 'CAP: the same partition on a CP and an AP store',
  clients: { count: 3, ops: ['read', 'write'], keys: ['x'], think_ms: [50, 150], timeout_ms: 800, from_ms: 600, until_ms: 6000 },
  events: [
    { at_ms: 2000, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
    { at_ms: 4500, type: 'heal' },
  ],
};

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** Opens a story told in compare mode from the menu, paused at `ms`, and returns the comparison's state. */
async function openCompareStory(page, storyPath, ms) {
  await page.locator('#story').selectOption(storyPath);
  await page.waitForFunction((p) => lab.compare.state().active && lab.stories().find((s) => s.path === p)?.title === lab.simulation.scenario().title, storyPath);
  await page.evaluate((t) => {
    lab.pause();
    lab.seek(t);
  }, ms);
  await frames(page);
  return page.evaluate(() => lab.compare.state());
}

/** The two summaries above the runs. */
function summaries(page) {
  return page.evaluate(() => [document.getElementById('compare-a').textContent, document.getElementById('compare-b').textContent]);
}

/** The second run's trace hash from a fresh engine of its scenario run to `ms`. */
function freshHash(page, ms) {
  return page.evaluate((t) => {
    const sim = lab.compare.simulation();
    const fresh = new sim.constructor(sim.scenarioJson());
    fresh.runUntil(t);
    const h = fresh.traceHash();
    fresh.free();
    return h;
  }, ms);
}

test('a second protocol runs beside the first under one clock, with the same faults', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(1000);
  }, CAP);
  await page.getByRole('button', { name: 'Compare…' }).click();
  await page.locator('#compare-protocol').selectOption('quorum-kv');
  await page.locator('#compare-start').click();
  await page.waitForFunction(() => lab.compare.state().active);
  let st = await page.evaluate(() => lab.compare.state());
  assert.equal(st.scenario.protocol, 'quorum-kv');
  assert.equal(st.scenario.nodes, 5);
  assert.equal(st.scenario.seed, 7);
  assert.deepEqual(st.scenario.clients, CAP.clients, 'the same workload');
  assert.deepEqual(st.scenario.events.map((e) => [e.at_ms, e.type]), [[2000, 'partition'], [4500, 'heal']], 'the same faults');
  assert.equal(st.time, 1000, 'the second run starts at the first one\'s moment');
  assert.equal(await page.locator('#canvas-b').isVisible(), true);

  // One clock: running and seeking the first moves the second.
  await page.evaluate(() => lab.runUntil(3000));
  await frames(page);
  st = await page.evaluate(() => lab.compare.state());
  assert.equal(st.time, 3000);
  // A live crash reaches both runs at the same moment.
  await page.evaluate(() => lab.inject({ type: 'crash', node: 4 }));
  await frames(page);
  st = await page.evaluate(() => lab.compare.state());
  const crash = st.scenario.events.find((e) => e.type === 'crash');
  assert.deepEqual(crash, { at_ms: 3000, type: 'crash', node: 4 });
  await page.evaluate(() => lab.runUntil(6500));
  await frames(page);
  st = await page.evaluate(() => lab.compare.state());
  assert.equal(st.time, 6500);
  assert.equal(st.traceHash, await freshHash(page, 6500), 'the second run is its scenario\'s run');
  // Each side's figures are its own engine's.
  const own = await page.evaluate(() => {
    const f = (sim) => ({ protocol: sim.protocol(), messages: sim.stats().messages_sent, ops: sim.history().length, answered: sim.history().filter((o) => o.return_ms != null).length });
    return { a: f(lab.simulation), b: f(lab.compare.simulation()) };
  });
  for (const side of ['a', 'b']) {
    for (const k of ['protocol', 'messages', 'ops', 'answered']) assert.equal(st.shown[side][k], own[side][k], `${side}.${k}`);
  }
  assert.ok(own.a.ops > 10 && own.b.ops > 10, `both sides served the workload (${own.a.ops}, ${own.b.ops})`);
  const texts = await summaries(page);
  assert.match(texts[0], new RegExp(`^raft · ${own.a.messages.toLocaleString('en')} messages · ${own.a.answered} of ${own.a.ops} operations answered`));
  assert.match(texts[1], new RegExp(`^quorum-kv · ${own.b.messages.toLocaleString('en')} messages · ${own.b.answered} of ${own.b.ops} operations answered`));
  assert.ok(st.scene.hits.length >= 5, 'the second run is drawn');
  await page.evaluate(() => lab.seek(2500));
  await frames(page);
  assert.equal((await page.evaluate(() => lab.compare.state())).time, 2500);
  await screenshot(page, 'compare-raft-quorum-kv');

  // The link carries both runs.
  await page.waitForFunction(() => /[#&]vs=1\./.test(location.hash) && /[#&]t=2500(&|$)/.test(location.hash));
  const url = page.url();
  const bScenario = st.scenario;
  const { page: again, errors: errors2 } = await openPage(env, { hash: new URL(url).hash });
  await again.waitForFunction(() => lab.compare?.state().active, null, { timeout: 15000 });
  const reopened = await again.evaluate(() => ({ s: lab.compare.state(), a: lab.simulation.scenario(), time: lab.displayTime() }));
  assert.deepEqual(reopened.s.scenario, bScenario);
  assert.equal(reopened.a.protocol, 'raft');
  assert.equal(reopened.time, 2500);
  await frames(again);
  assert.equal((await again.evaluate(() => lab.compare.state())).time, 2500);
  assert.equal((await again.evaluate(() => lab.compare.state())).traceHash, await freshHash(again, 2500));
  await again.context().close();

  // Stopping leaves the first run alone, and the link drops the second.
  await page.locator('#compare-stop').click();
  await frames(page);
  assert.equal(await page.locator('#canvas-b').isVisible(), false);
  await page.waitForFunction(() => !location.hash.includes('vs='));
  assert.deepEqual(errors, []);
  assert.deepEqual(errors2, []);
  await page.context().close();
});

test('a second run that cannot have the first run\'s nodes is refused in plain words', async () => {
  const { page, errors } = await openPage(env);
  const pick = await page.evaluate(() => {
    const all = lab.protocols();
    const small = all.find((p) => p.max_nodes < 100);
    return small?.name ?? null;
  });
  assert.ok(pick, 'some protocol has a node limit under 100');
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'gossip', nodes: 100, seed: 1, events: [] });
    lab.pause();
  });
  await page.getByRole('button', { name: 'Compare…' }).click();
  await page.locator('#compare-protocol').selectOption(pick);
  await page.locator('#compare-start').click();
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  assert.match(await page.locator('#message').textContent(), new RegExp(`^${pick} runs with \\d+ to \\d+ nodes, and this run has 100`));
  assert.equal((await page.evaluate(() => lab.compare.state())).active, false);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes.length), 100, 'the first run stays');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the CAP story opens in compare mode: the CP side refuses the cut-off clients, the AP side answers them stale and converges', async () => {
  const { page, errors } = await openPage(env);
  let st = await openCompareStory(page, 'raft/cap-partition.json', 2500);
  assert.ok((await page.evaluate(() => lab.simulation.scenario().title)).startsWith('CAP'));
  assert.equal(st.scenario.protocol, 'quorum-kv', 'the story brings its own second run');
  assert.equal(st.scenario.params.sloppy_quorum, true);
  assert.equal(st.time, 2500);
  // Mid-partition: the story's caption says what the reader sees.
  assert.match(await page.locator('#moment').textContent(), /the store takes x = 3/);
  await screenshot(page, 'cap-story-partition');
  await page.evaluate(() => lab.runUntil(6000));
  await frames(page);
  st = await page.evaluate(() => lab.compare.state());
  assert.equal(st.time, 6000);
  assert.deepEqual([st.shown.a.answered, st.shown.a.ops, st.shown.a.linearizable], [3, 5, true], 'CP: the cut-off side got no answer, and what was answered is linearizable');
  assert.deepEqual([st.shown.b.answered, st.shown.b.ops, st.shown.b.linearizable], [5, 5, false], 'AP: every operation answered, and the history is not linearizable');
  const texts = await summaries(page);
  assert.match(texts[0], /3 of 5 operations answered · linearizable/);
  assert.match(texts[1], /5 of 5 operations answered · not linearizable/);
  const b = await page.evaluate(() => lab.compare.simulation().consistency());
  assert.equal(b.converged, true, 'after the heal the AP store converges');
  await screenshot(page, 'cap-story-healed');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a gossip story compares push with push-pull on 200 nodes: both drawn as dots, each side its own spread', async () => {
  const { page, errors } = await openPage(env);
  const st = await openCompareStory(page, 'gossip/push-vs-push-pull.json', 700);
  assert.equal(st.scenario.params.mode, 'push-pull');
  assert.equal(st.time, 700);
  // Two runs of one protocol: each summary names what sets it apart.
  assert.deepEqual([st.shown.a.differs, st.shown.b.differs], [['mode push'], ['mode push-pull']]);
  const texts = await summaries(page);
  assert.match(texts[0], /^gossip \(mode push\) · /);
  assert.match(texts[1], /^gossip \(mode push-pull\) · /);
  const known = await page.evaluate(() => {
    const f = (sim) => sim.snapshot().nodes.filter((n) => n.known.length > 0).length;
    return { a: f(lab.simulation), b: f(lab.compare.simulation()) };
  });
  assert.deepEqual(known, { a: 50, b: 200 }, 'at 700 ms push has reached 50 nodes and push-pull all 200');
  assert.ok(st.scene.hits.length >= 200, 'the second run draws every node');
  await screenshot(page, 'compare-gossip-push-pull');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('hovering a node of the second run shows its tooltip, from the second run\'s own state', async () => {
  const { page, errors } = await openPage(env);
  const st = await openCompareStory(page, 'raft/cap-partition.json', 2500);
  const node = st.scene.hits.find((h) => h.kind === 'node' && h.id === 2);
  assert.ok(node, 'n2 has a hit area in the second run');
  const box = await page.locator('#canvas-b').boundingBox();
  await page.mouse.move(box.x + node.cx, box.y + node.cy);
  await page.waitForFunction(() => !document.getElementById('tip').hidden);
  const text = await page.locator('#tip').textContent();
  // quorum-kv's n2 holds x = 2 while cut off from n0 and n1, which took 3.
  assert.match(text, /^x: "2" \{/);
  assert.doesNotMatch(text, /leader|term/i, 'the tooltip describes the quorum store, not Raft');
  const tip = await page.locator('#tip').boundingBox();
  assert.ok(tip.x >= box.x - 4 && tip.x < box.x + box.width, 'the tooltip sits by the second run');
  await page.mouse.move(box.x + 2, box.y + box.height - 2);
  await page.waitForFunction(() => document.getElementById('tip').hidden);
  assert.deepEqual(errors, []);
  await page.context().close();
});
