// Stories stay honest: acting in the past says which story events it
// dropped, offers Undo and marks the caption as no longer describing the
// run; a story's key moments are marked on the timeline, play in slow motion
// and show their caption; and every protocol's empty state says what to do
// first.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, storyFile } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

test('acting in the past says which story events were dropped, and Undo brings them back', async () => {
  const { page, errors } = await openPage(env);
  await page.locator('#story').selectOption('raft/follower-catch-up.json');
  await page.waitForFunction(() => document.getElementById('caption-title').textContent === 'Follower crash and catch-up');
  const story = await page.evaluate(() => {
    lab.pause();
    lab.runUntil(4500);
    lab.seek(1180);
    lab.select(2);
    return lab.scenario();
  });
  await frames(page);
  await page.locator('#node-actions').getByRole('button', { name: 'Crash' }).click();
  const notice = page.locator('#notice');
  await notice.waitFor();
  const text = await notice.textContent();
  // The crash of n4 at 1 s was applied already; the four requests after 1.18 s and the restart were not.
  assert.match(text, /5 story events after 1\.18 s were dropped/, text);
  assert.match(text, /client request "b=2" at 1\.3 s/);
  assert.equal(await page.locator('#caption-changed').isVisible(), true, 'the caption says it no longer describes the run');
  assert.match(await page.locator('#caption-changed').textContent(), /changed this story at 1\.18 s/);
  await screenshot(page, 'story-fork-notice');
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.waitForFunction(() => document.getElementById('notice').hidden);
  const back = await page.evaluate(() => ({ events: lab.scenario().events, t: lab.timeMs(), head: lab.headMs() }));
  assert.deepEqual(back.events, story.events, 'the story is whole again');
  assert.equal(back.t, 1180, 'at the same moment');
  assert.equal(back.head, 4500, 'with its known future on the timeline');
  assert.equal(await page.locator('#caption-changed').isVisible(), false);
  assert.deepEqual(errors, []);
});

test('a story\'s key moments are marked on the timeline, play slowly and show their caption', async () => {
  const { page, errors } = await openPage(env);
  const sc = storyFile('raft/follower-catch-up.json');
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
  }, sc);
  const marks = await page.evaluate(() => lab.timelineMarks().filter((m) => m.kind === 'moment'));
  assert.deepEqual(marks.map((m) => m.time_ms), sc.moments.map((m) => m.at_ms), 'every moment is on the timeline, also those ahead');
  assert.match(await page.locator('#timeline-legend').textContent(), /key moment/);
  // At the reader's speed the catch-up would take 0.15 s of real time; it plays for several seconds.
  const restart = sc.moments.find((m) => m.pause).at_ms;
  await page.evaluate((t) => {
    lab.seek(t - 120);
    lab.setSpeed(0.1);
    lab.play();
  }, restart);
  await page.waitForFunction((t) => lab.displayTime() >= t - 40, restart, { timeout: 10000 });
  const slow = await page.evaluate(() => lab.effectiveSpeed());
  assert.ok(slow < 0.1 / 2, `slowed to ${slow}×`);
  // The moment asks to pause: playback stops exactly there, with its caption.
  const started = Date.now();
  await page.waitForFunction(() => !lab.playing, null, { timeout: 10000 });
  const took = Date.now() - started;
  assert.equal(await page.evaluate(() => lab.displayTime()), restart);
  assert.ok(took > 600, `the 40 ms before the moment took ${took} ms of real time`);
  assert.match(await page.locator('#moment').textContent(), /n4 restarts/);
  await screenshot(page, 'story-key-moment');
  // Played on, the catch-up itself lasts seconds, not 0.15 s.
  const t0 = Date.now();
  await page.evaluate(() => lab.play());
  await page.waitForFunction((t) => lab.displayTime() >= t + 60, restart, { timeout: 15000 });
  const catchUp = Date.now() - t0;
  assert.ok(catchUp > 1200, `60 ms of catch-up took ${catchUp} ms of real time`);
  assert.deepEqual(errors, []);
});

test('every protocol\'s empty state tells the reader what to do first', async () => {
  const { page, errors } = await openPage(env);
  // Every protocol the lab runs, so a new one cannot land without its hint.
  const all = await page.evaluate(() => lab.protocols().map((p) => ({ name: p.name, nodes: p.default_nodes })));
  assert.ok(all.length >= 5);
  for (const { name: protocol, nodes } of all) {
    await page.evaluate(async ([p, n]) => {
      await lab.load({ version: 1, protocol: p, nodes: n, seed: 1 });
      lab.pause();
      lab.runUntil(800);
      lab.redraw();
    }, [protocol, nodes]);
    await frames(page);
    const hint = page.locator('#hint');
    assert.equal(await hint.isVisible(), true, `${protocol} shows a hint`);
    // The hint names what its button does: a client request, or (for a
    // protocol that takes none, such as a failure detector) a crash.
    const button = await hint.getByRole('button').textContent();
    assert.match(button, /^(Send a client request|Crash n\d+)$/, protocol);
    if (button.startsWith('Crash')) assert.match(await hint.textContent(), /crash/, protocol);
    if (protocol === 'paxos') await screenshot(page, 'empty-state-paxos');
    await hint.getByRole('button').click();
    await page.evaluate(() => lab.runUntil(lab.timeMs() + 1500));
    await frames(page);
    assert.equal(await hint.isHidden(), true, `${protocol}: the hint goes once the reader has done it`);
  }
  assert.deepEqual(errors, []);
});
