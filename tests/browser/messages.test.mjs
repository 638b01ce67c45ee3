// Messages are first-class: a click (or a tap) on a message in flight opens
// a card with its fields in its protocol's words, and Drop / Duplicate
// inject drop_message / duplicate_message. Labels follow the drawing rules
// (never on a node, another label or a ✕; inside the canvas; thinned while
// playing, the rest on hover), and every message kind drawn is in the
// legend with its label explained.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, canvasClick, runTo, storyFile, storyIndex, sceneProblems } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** Runs on until a message of `kind` (and `label` match) is in flight mid-way; returns it. */
async function inFlight(page, kind, label = '') {
  const m = await page.evaluate(([k, l]) => {
    for (let i = 0; i < 4000; i++) {
      const snap = lab.snapshot();
      const m = snap.messages.find((x) => x.kind === k && x.label.includes(l) && !x.lost && x.deliver_at - snap.time_ms > 4);
      if (m) {
        lab.runUntil(Math.floor((m.sent_at + m.deliver_at) / 2));
        if (lab.snapshot().messages.some((x) => x.id === m.id)) return m;
      }
      lab.step();
    }
    return null;
  }, [kind, label]);
  await frames(page);
  return m;
}

async function openCard(page, id, opts) {
  const p = await page.evaluate((i) => lab.messagePosition(i), id);
  assert.ok(p, `message #${id} is drawn`);
  await canvasClick(page, p.x, p.y, opts);
  await page.locator('#msg-card:not([hidden])').waitFor({ timeout: 3000 });
  return page.locator('#msg-card').textContent();
}

test('clicking an AppendEntries in flight shows its fields; Drop and Duplicate inject', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('raft/follower-catch-up.json'), 1290);
  const m = await inFlight(page, 'AppendEntries');
  assert.ok(m, 'an AppendEntries is in flight');
  const card = await openCard(page, m.id);
  for (const field of ['term', 'prevIndex', 'prevTerm', 'entries', 'leaderCommit']) assert.match(card, new RegExp(field), card);
  assert.match(card, /entries\d+: t1 b=2/, card);
  assert.equal(await page.evaluate(() => lab.playing), false, 'the card pauses playback');
  await screenshot(page, 'message-card-appendentries');
  await page.locator('#msg-card').getByRole('button', { name: 'Drop' }).click();
  let sc = await page.evaluate(() => lab.scenario());
  assert.ok(sc.events.some((e) => e.type === 'drop_message' && e.id === m.id), JSON.stringify(sc.events));
  assert.equal(await page.evaluate((id) => lab.snapshot().messages.some((x) => x.id === id), m.id), false, 'dropped');
  assert.equal(await page.locator('#msg-card').isHidden(), true);
  // A reply: success and match index.
  const r = await inFlight(page, 'AppendReply', 'ok');
  const reply = await openCard(page, r.id);
  assert.match(reply, /success\s*yes/);
  assert.match(reply, /match index\s*\d/);
  const before = await page.evaluate(() => lab.snapshot().messages.length);
  await page.locator('#msg-card').getByRole('button', { name: 'Duplicate' }).click();
  sc = await page.evaluate(() => lab.scenario());
  assert.ok(sc.events.some((e) => e.type === 'duplicate_message' && e.id === r.id), JSON.stringify(sc.events));
  assert.equal(await page.evaluate(() => lab.snapshot().messages.length), before + 1, 'a copy is on the wire');
  assert.deepEqual(errors, []);
});

test('every protocol\'s messages open a card with their fields, in words', async () => {
  const { page, errors } = await openPage(env);
  const kinds = {
    'paxos/competing-proposers.json': { Prepare: /ballot\s*\(\d+,\d\)/, Promise: /had accepted/, Accept: /value\s*"/ },
    'multi-paxos/leader-crash-noops.json': { Accept: /slot\s*s\d/, Heartbeat: /chosen below/ },
    '2pc/all-yes-commit.json': { Prepare: /transaction\s*t1/, Vote: /vote\s*yes/ },
    '3pc/all-yes-commit.json': { PreCommit: /transaction\s*t1/, DoCommit: /transaction\s*t1/ },
  };
  for (const [file, expect] of Object.entries(kinds)) {
    await runTo(page, storyFile(file), 0);
    for (const [kind, re] of Object.entries(expect)) {
      const m = await inFlight(page, kind);
      assert.ok(m, `${file}: a ${kind} in flight`);
      const card = await openCard(page, m.id);
      assert.match(card, re, `${file} ${kind}: ${card}`);
      assert.doesNotMatch(card, /undefined|\{ |\[object|Some\(/, card);
      assert.match(card, /Drop/);
      await page.keyboard.press('Escape');
      await page.locator('#msg-card').waitFor({ state: 'hidden' });
    }
  }
  assert.deepEqual(errors, []);
});

test('on a phone a tap opens the card too', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.url}index.html`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await runTo(page, storyFile('raft/follower-catch-up.json'), 1290);
  const m = await inFlight(page, 'AppendEntries');
  await page.locator('#canvas').scrollIntoViewIfNeeded();
  const card = await openCard(page, m.id, { tap: true });
  assert.match(card, /leaderCommit/);
  await screenshot(page, 'phone-message-card');
  // No hover on a phone: a tap on a log cell shows what the tooltip says.
  await page.locator('#msg-card button[data-msg="close"]').tap();
  await page.evaluate(() => lab.redraw());
  const cell = await page.evaluate(() => lab.scene().hits.find((h) => h.kind === 'cell' && h.id === 0));
  await canvasClick(page, (cell.x0 + cell.x1) / 2, (cell.y0 + cell.y1) / 2, { tap: true });
  await page.locator('#tip:not([hidden])').waitFor();
  assert.match(await page.locator('#tip').textContent(), /n0 · index 1 · term 1 · a=1/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('labels never sit on nodes, labels or ✕ marks, never leave the canvas, and thin out while playing', async () => {
  const { page, errors } = await openPage(env);
  const problems = [];
  for (const story of storyIndex()) {
    const sc = storyFile(story.path);
    await runTo(page, sc, 0);
    const scenes = await page.evaluate((s) => [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1].map((f) => {
      lab.runUntil(Math.round(s.run_until_ms * f));
      lab.redraw();
      return lab.scene();
    }), sc);
    scenes.forEach((scene, i) => problems.push(...sceneProblems(scene, `${story.path} at sample ${i}`)));
  }
  assert.deepEqual(problems.slice(0, 10), []);
  // While playing: a few labels, one per text; paused: more.
  await runTo(page, { version: 1, protocol: 'raft', nodes: 5, seed: 4, network: { latency_ms: [80, 120] } }, 2000);
  const paused = await page.evaluate(() => lab.scene().messages.filter((m) => m.labelShown).map((m) => m.label));
  await page.evaluate(() => {
    lab.setSpeed(0.01);
    lab.play();
  });
  await frames(page);
  const playing = await page.evaluate(() => lab.scene().messages.filter((m) => m.labelShown).map((m) => m.label));
  assert.ok(playing.length <= 6, `${playing.length} labels while playing`);
  assert.equal(new Set(playing).size, playing.length, `one label per text while playing: ${playing}`);
  assert.ok(paused.length >= playing.length, `paused shows at least as many (${paused.length} vs ${playing.length})`);
  // A message without a label still says what it is on hover.
  await page.evaluate(() => lab.pause());
  await frames(page);
  const hidden = await page.evaluate(() => lab.scene().messages.find((m) => !m.labelShown) ?? lab.scene().messages[0]);
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.move(box.x + hidden.x, box.y + hidden.y);
  await page.locator('#tip:not([hidden])').waitFor();
  const tip = await page.locator('#tip').textContent();
  assert.match(tip, /n\d → n\d/);
  await screenshot(page, 'message-hover-tip');
  assert.deepEqual(errors, []);
});

test('every message kind drawn is in the legend, and every legend entry explains its label', async () => {
  const { page, errors } = await openPage(env);
  const missing = [];
  for (const story of storyIndex()) {
    const sc = storyFile(story.path);
    await runTo(page, sc, 0);
    const { drawn, legend } = await page.evaluate((s) => {
      const seen = new Set();
      for (let t = 0; t <= s.run_until_ms; t += 40) {
        lab.runUntil(t);
        lab.redraw();
        for (const m of lab.scene('messages')) seen.add(m.legend);
      }
      return { drawn: [...seen], legend: [...document.querySelectorAll('#legend .legend-name')].map((b) => b.textContent) };
    }, sc);
    for (const d of drawn) if (!legend.includes(d)) missing.push(`${story.path}: ${d}`);
  }
  assert.deepEqual([...new Set(missing)], []);
  await runTo(page, storyFile('raft/split-vote.json'), 0);
  const items = await page.evaluate(() => [...document.querySelectorAll('#legend .legend-item')].map((i) => i.textContent));
  assert.ok(items.some((s) => /vote refused/.test(s)), 'the red "vote no" is in the legend');
  assert.ok(items.some((s) => /ok, have 3.*matches/.test(s)), `"ok, have 3" is explained: ${items}`);
  for (const s of items) assert.match(s, /“|dropped/, `every entry explains its label: ${s}`);
  await screenshot(page, 'legend-raft');
  assert.deepEqual(errors, []);
});
