// The space-time diagram under the cluster: every message the engine sent is
// an arrow from (sender, sent_at) to (receiver, arrival), lost ones end in ✕,
// a click on an arrow takes the clock to its send time, the SVG export has
// the same arrows, and the show/hide button is remembered without touching
// the link. What the diagram should show is computed in each test from the
// engine itself (a fresh Simulation of the same scenario, its trace records
// and its counters), never from a picture.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBrowser, openPage, frames, runTo, storyFile, storyIndex, sceneProblems, artifacts } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** Saves a picture of the diagram in test-artifacts/. */
async function shoot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.locator('#spacetime').scrollIntoViewIfNeeded();
  await page.locator('#spacetime').screenshot({ path: path.join(artifacts, `${name}.png`) });
}

const toggle = (page) => page.getByRole('button', { name: /Space-time diagram/ });

/** Opens the diagram with its button (once per page). */
async function openDiagram(page) {
  const b = toggle(page);
  if ((await b.getAttribute('aria-expanded')) !== 'true') await b.click();
  assert.equal(await b.getAttribute('aria-expanded'), 'true');
}

/** Shows [t0, t1] and returns what the diagram drew. */
async function drawn(page, t0, t1) {
  await page.evaluate(([a, b]) => lab.spacetime.setWindow(a, b), [t0, t1]);
  // The diagram reads a few milliseconds of the run per frame.
  await page.waitForFunction(() => lab.spacetime.state().complete, null, { timeout: 10000 });
  await frames(page);
  return page.evaluate(() => lab.spacetime.state());
}

/**
 * The engine's own account of the run on screen: a fresh Simulation of the
 * same scenario run to the same moment, every message from its trace
 * records: { id, from, to, sent_at, end, outcome }.
 */
async function engineMessages(page) {
  return page.evaluate(() => {
    const Sim = lab.simulation.constructor;
    const s = new Sim(lab.scenarioJson());
    s.recordTrace(1_000_000);
    s.runUntil(lab.displayTime());
    const same = s.traceHash() === lab.traceHash();
    const byId = new Map();
    for (const r of s.eventsSince(0)) {
      if (r.msg == null) continue;
      if (r.kind === 'send') byId.set(r.msg, { id: r.msg, from: r.node, to: r.peer, sent_at: r.time_ms, end: null, outcome: null });
      else if (r.kind === 'deliver' || r.kind === 'drop') Object.assign(byId.get(r.msg), { end: r.time_ms, outcome: r.kind === 'deliver' ? 'delivered' : 'lost' });
    }
    const stats = s.stats();
    s.free();
    return { same, messages: [...byId.values()], byKind: stats.by_kind };
  });
}

const near = (a, b, what) => assert.ok(Math.abs(a - b) < 0.01, `${what}: ${a} vs ${b}`);

test('every message the engine sent is an arrow from its sender at sent_at to its receiver at arrival', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  await runTo(page, storyFile('raft/first-election.json'), 1600);
  const st = await drawn(page, 0, 1700);
  const eng = await engineMessages(page);
  assert.ok(eng.same, 'the fresh Simulation replays the run on screen');
  assert.ok(st.complete, 'the diagram read the whole window');
  assert.ok(eng.messages.length > 100, `a first election sends many messages (${eng.messages.length})`);
  assert.equal(st.arrows.length, eng.messages.length, 'one arrow per message sent');
  assert.deepEqual(st.arrows.map((a) => a.id).sort((a, b) => a - b), eng.messages.map((m) => m.id).sort((a, b) => a - b));
  const y = (t) => st.top + (t - st.t0) * st.pxPerMs;
  const arrows = new Map(st.arrows.map((a) => [a.id, a]));
  let delivered = 0;
  for (const m of eng.messages) {
    const a = arrows.get(m.id);
    assert.equal(a.from, m.from, `#${m.id} sender`);
    assert.equal(a.to, m.to, `#${m.id} receiver`);
    near(a.x0, st.columns[m.from], `#${m.id} starts on its sender's line`);
    near(a.y0, y(m.sent_at), `#${m.id} starts at its send time`);
    if (m.outcome === 'delivered') {
      delivered += 1;
      assert.equal(a.arrived, true, `#${m.id} arrived`);
      near(a.x1, st.columns[m.to], `#${m.id} ends on its receiver's line`);
      near(a.y1, y(m.end), `#${m.id} ends at its arrival time`);
    } else if (m.outcome == null) {
      // Still on the wire at the moment on screen: it reaches no further than the cursor.
      assert.equal(a.arrived, false);
      assert.ok(a.y1 <= y(1600) + 0.01, `#${m.id} in flight stops at the cursor`);
    }
  }
  assert.ok(delivered > 100, `most arrived (${delivered})`);
  // The kinds are the engine's: as many arrows of each kind as its counters say were sent.
  const kinds = {};
  for (const a of st.arrows) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  for (const [k, v] of Object.entries(eng.byKind)) assert.equal(kinds[k] ?? 0, v.sent, `${k} arrows`);
  // The leader's election is marked on its line.
  const lead = st.marks.find((m) => m.kind === 'milestone');
  assert.ok(lead && lead.node === 4 && Math.abs(lead.x - st.columns[4]) < 0.01, JSON.stringify(st.marks));
  assert.deepEqual(sceneProblems(st, 'space-time'), []);
  await shoot(page, 'spacetime-first-election');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a lost message ends in ✕ where the engine lost it', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  await runTo(page, { version: 1, protocol: 'raft', nodes: 5, seed: 4, network: { drop_rate: 0.25 } }, 900);
  const st = await drawn(page, 0, 1000);
  const eng = await engineMessages(page);
  const lost = eng.messages.filter((m) => m.outcome === 'lost');
  assert.ok(lost.length >= 5, `the network dropped some (${lost.length})`);
  const arrows = new Map(st.arrows.map((a) => [a.id, a]));
  for (const m of lost) {
    const a = arrows.get(m.id);
    assert.ok(a, `#${m.id} is drawn`);
    assert.equal(a.crossed, true, `#${m.id} ends in ✕`);
    assert.equal(a.arrived, false, `#${m.id} has no arrowhead`);
    assert.ok(st.crosses.some((c) => Math.abs(c.cx - a.x1) < 0.01 && Math.abs(c.cy - a.y1) < 0.01), `a ✕ at the end of #${m.id}`);
  }
  // Nothing that arrived is crossed.
  for (const m of eng.messages.filter((x) => x.outcome === 'delivered')) assert.equal(arrows.get(m.id).crossed, false, `#${m.id}`);
  assert.deepEqual(sceneProblems(st, 'space-time with drops'), []);
  await shoot(page, 'spacetime-drops');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('crashes, restarts, pauses and partitions are drawn on the lines where the engine marks them', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  const scenario = {
    version: 1, protocol: 'raft', nodes: 5, seed: 1,
    events: [
      { at_ms: 400, type: 'crash', node: 2 },
      { at_ms: 500, type: 'pause', node: 1, for_ms: 300 },
      { at_ms: 900, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
      { at_ms: 1000, type: 'restart', node: 2 },
      { at_ms: 1200, type: 'heal' },
    ],
  };
  await runTo(page, scenario, 1400);
  const st = await drawn(page, 300, 1450);
  const markers = await page.evaluate(() => lab.markers());
  for (const kind of ['crash', 'pause', 'partition', 'restart', 'heal']) {
    const mk = markers.find((m) => m.kind === kind);
    assert.ok(mk, `the engine marks a ${kind}`);
    const drawnMark = st.marks.find((m) => m.kind === kind && m.time_ms === mk.time_ms);
    assert.ok(drawnMark, `the ${kind} at ${mk.time_ms} ms is drawn`);
    const y = st.top + (mk.time_ms - st.t0) * st.pxPerMs;
    assert.ok(Math.abs(drawnMark.y - y) < 0.01, `${kind} at its time`);
    if (mk.node != null) assert.ok(Math.abs(drawnMark.x - st.columns[mk.node]) < 0.01, `${kind} on n${mk.node}'s line`);
    else assert.equal(drawnMark.node, null, `${kind} runs across every line`);
  }
  // Whatever the engine lost (to the crashed node, across the partition) ends in ✕.
  const eng = await engineMessages(page);
  const lost = eng.messages.filter((m) => m.outcome === 'lost' && m.end >= 300);
  assert.ok(lost.length > 0, 'the crash and the partition cost messages');
  const arrows = new Map(st.arrows.map((a) => [a.id, a]));
  for (const m of lost) assert.equal(arrows.get(m.id)?.crossed, true, `#${m.id} (lost at ${m.end} ms) ends in ✕`);
  assert.deepEqual(sceneProblems(st, 'space-time with faults'), []);
  await shoot(page, 'spacetime-faults');
  // Clicking a marker goes to its moment and selects its node.
  const crash = st.marks.find((m) => m.kind === 'crash');
  await page.locator('#spacetime-canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('#spacetime-canvas').boundingBox();
  await page.mouse.click(box.x + crash.x, box.y + crash.y);
  await frames(page);
  assert.equal(await page.evaluate(() => lab.displayTime()), crash.time_ms, 'the clock is at the crash');
  assert.equal((await page.evaluate(() => lab.spacetime.state())).selectedNode, 2, 'and the crashed node is selected');
  assert.match(await page.locator('#node-title').textContent(), /n2 · crashed/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('acting in the past: the diagram forgets the old future and draws the new run', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  await runTo(page, storyFile('raft/first-election.json'), 1200);
  await drawn(page, 0, 1300);
  // Back to 400 ms (the old future stays, faint), then crash the leader there: a fork.
  await page.evaluate(() => lab.seek(400));
  let st = await drawn(page, 0, 1300);
  assert.ok(st.arrows.some((a) => a.future), 'before the fork, the run\'s later messages show');
  await page.evaluate(() => lab.inject({ type: 'crash', node: 4 }));
  await page.evaluate(() => lab.runUntil(1000));
  st = await drawn(page, 0, 1300);
  const eng = await engineMessages(page);
  assert.ok(eng.same);
  assert.deepEqual(st.arrows.map((a) => a.id).sort((a, b) => a - b), eng.messages.map((m) => m.id).sort((a, b) => a - b), 'exactly the new run\'s messages');
  const arrows = new Map(st.arrows.map((a) => [a.id, a]));
  for (const m of eng.messages) {
    const a = arrows.get(m.id);
    assert.deepEqual([a.from, a.to, a.sent_at, a.outcome === 'delivered' ? a.end : null], [m.from, m.to, m.sent_at, m.outcome === 'delivered' ? m.end : null], `#${m.id}`);
    if (m.outcome != null) assert.equal(a.crossed, m.outcome === 'lost', `#${m.id} lost or not`);
  }
  assert.ok(st.marks.some((m) => m.kind === 'crash' && m.node === 4 && m.time_ms === 400), 'the crash is on n4\'s line');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('every protocol\'s arrows are drawn in its legend\'s message styles', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  const first = new Map();
  for (const st of storyIndex()) if (!first.has(st.protocol)) first.set(st.protocol, st.path);
  assert.ok(first.size >= 5, [...first.keys()].join());
  for (const [protocol, rel] of first) {
    await runTo(page, storyFile(rel), 1500);
    const st = await drawn(page, 0, 1500);
    const legend = await page.locator('#legend .legend-name').allTextContents();
    assert.ok(st.arrows.length > 0, `${protocol}: arrows drawn`);
    for (const a of st.arrows) assert.ok(legend.includes(a.legend), `${protocol}: #${a.id} ${a.kind} is drawn as "${a.legend}", which the legend (${legend.join(', ')}) lists`);
    assert.deepEqual(sceneProblems(st, `space-time ${protocol}`), []);
    if (protocol === '2pc') await shoot(page, 'spacetime-2pc');
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('clicking an arrow takes the clock to its send time and selects the message', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  await runTo(page, storyFile('raft/first-election.json'), 700);
  const st = await drawn(page, 150, 450);
  // An arrow whose middle is clear of every other arrow, so the click can only mean it.
  const dist = (x, y, s) => {
    const dx = s.x1 - s.x0;
    const dy = s.y1 - s.y0;
    const f = Math.max(0, Math.min(1, ((x - s.x0) * dx + (y - s.y0) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(x - (s.x0 + f * dx), y - (s.y0 + f * dy));
  };
  const pick = st.arrows
    .filter((a) => a.arrived && a.sent_at > 150)
    .map((a) => ({ a, x: (a.x0 + a.x1) / 2, y: (a.y0 + a.y1) / 2 }))
    .find(({ a, x, y }) => st.arrows.every((b) => b === a || dist(x, y, b) > 8) && st.marks.every((m) => Math.hypot(m.x - x, m.y - y) > 12));
  assert.ok(pick, 'an arrow stands clear of the others');
  await page.locator('#spacetime-canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('#spacetime-canvas').boundingBox();
  await page.mouse.click(box.x + pick.x, box.y + pick.y);
  await frames(page);
  assert.equal(await page.evaluate(() => lab.displayTime()), pick.a.sent_at, 'the clock is at the send time');
  assert.equal(await page.evaluate(() => lab.playing), false);
  const card = await page.locator('#msg-card').textContent();
  assert.match(card, new RegExp(`#${pick.a.id} · n${pick.a.from} → n${pick.a.to}`), card);
  const after = await page.evaluate(() => lab.spacetime.state());
  assert.equal(after.now, pick.a.sent_at, 'the diagram\'s cursor moved there too');
  assert.equal(after.t0, st.t0, 'the window stays where the reader clicked');
  assert.equal(after.selectedMessage, pick.a.id, 'the diagram marks the message the card shows');
  // What the run did next (up to the furthest moment reached) stays, faint.
  assert.ok(after.arrows.some((a) => a.id === pick.a.id), 'the clicked arrow is still drawn');
  assert.ok(after.arrows.some((a) => a.future && a.sent_at > pick.a.sent_at), 'later messages show as the run\'s known future');
  await shoot(page, 'spacetime-clicked');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('Export SVG downloads the same arrows as a well-formed SVG', async () => {
  const { page, errors } = await openPage(env);
  await openDiagram(page);
  await runTo(page, { version: 1, protocol: 'raft', nodes: 5, seed: 4, network: { drop_rate: 0.25 } }, 900);
  const st = await drawn(page, 300, 900);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
  assert.match(download.suggestedFilename(), /-spacetime\.svg$/);
  const svg = fs.readFileSync(await download.path(), 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const arrows = [...doc.querySelectorAll('g.arrow')];
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.nodeName,
      ids: arrows.map((g) => Number(g.getAttribute('data-id'))),
      lost: arrows.filter((g) => g.getAttribute('data-lost') === 'true').length,
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
    };
  }, svg);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.equal(parsed.ids.length, st.arrows.length, 'as many arrows as on screen');
  assert.deepEqual(parsed.ids.sort((a, b) => a - b), st.arrows.map((a) => a.id).sort((a, b) => a - b));
  assert.equal(parsed.lost, st.arrows.filter((a) => a.crossed).length, 'the same ✕s');
  for (const name of ['n0', 'n1', 'n2', 'n3', 'n4', '900 ms']) assert.ok(parsed.texts.includes(name), `the SVG says "${name}"`);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the show/hide button is a real button, remembered in this browser and not in the link', async () => {
  const { page, errors } = await openPage(env);
  const b = toggle(page);
  assert.equal(await b.getAttribute('aria-expanded'), 'false', 'hidden at first');
  assert.equal(await page.locator('#st-body').isHidden(), true);
  // What the link says, less the moment and the play state (the run plays on).
  const link = () => page.evaluate(() => {
    const p = new URLSearchParams(location.hash.slice(1));
    p.delete('t');
    p.delete('play');
    return p.toString();
  });
  const hash = await link();
  await b.focus();
  await page.keyboard.press('Enter');
  assert.equal(await b.getAttribute('aria-expanded'), 'true', 'Enter opens it');
  assert.equal(await page.locator('#st-body').isVisible(), true);
  await frames(page);
  await page.waitForTimeout(400);
  assert.equal(await link(), hash, 'the link does not change');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  assert.equal(await toggle(page).getAttribute('aria-expanded'), 'true', 'still open after a reload');
  // While the run plays, the window follows the clock; scrolling back stops that.
  await page.evaluate(() => lab.play());
  await page.waitForFunction(() => lab.displayTime() > 700, null, { timeout: 15000 });
  let st = await page.evaluate(() => lab.spacetime.state());
  assert.ok(st.follow && st.now >= st.t0 && st.now <= st.t1, JSON.stringify({ follow: st.follow, t0: st.t0, t1: st.t1, now: st.now }));
  await page.evaluate(() => lab.pause());
  await frames(page);
  st = await page.evaluate(() => lab.spacetime.state());
  await page.locator('#spacetime-canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('#spacetime-canvas').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -200);
  await frames(page);
  const scrolled = await page.evaluate(() => lab.spacetime.state());
  assert.equal(scrolled.follow, false, 'scrolling stops following');
  assert.ok(scrolled.t0 < st.t0, 'the wheel scrolls back in time');
  const span = scrolled.t1 - scrolled.t0;
  await page.getByRole('button', { name: 'Zoom out' }).click();
  st = await page.evaluate(() => lab.spacetime.state());
  assert.ok(Math.abs(st.t1 - st.t0 - 2 * span) < 1e-6, 'zoom out shows twice the time');
  await page.getByRole('button', { name: 'Follow the clock' }).click();
  st = await page.evaluate(() => lab.spacetime.state());
  assert.ok(st.follow && st.now >= st.t0 && st.now <= st.t1);
  await toggle(page).click();
  assert.equal(await page.locator('#st-body').isHidden(), true, 'and it hides again');
  assert.deepEqual(errors, []);
  await page.context().close();
});
