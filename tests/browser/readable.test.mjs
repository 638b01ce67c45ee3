// Readable state: Raft's log cells carry their values (in the cell when it
// fits, in a tooltip always), the leader's nextIndex / matchIndex marks and
// each node's commit index; timeline markers differ by kind and have a
// legend; nothing is cut at the canvas edge; at 25 nodes the log panel still
// shows and no labels overlap.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, runTo, storyFile, sceneProblems } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

test('Raft log cells show their values, the leader\'s nextIndex and matchIndex, and the commit index', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('raft/follower-catch-up.json'), 2900);
  const sc = await page.evaluate(() => lab.scene());
  const cells = sc.hits.filter((h) => h.kind === 'cell');
  assert.ok(cells.length >= 20, `${cells.length} cells`);
  const texts = sc.texts.map((t) => t.s);
  for (const v of ['a=1', 'b=2', 'c=3', 'd=4', 'e=5']) assert.ok(texts.includes(v), `the value ${v} is written in its cell`);
  // Hover a cell: index, term, value, whether committed.
  const cell = cells.find((c) => c.id === 2 && c.index === 3);
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.move(box.x + (cell.x0 + cell.x1) / 2, box.y + (cell.y0 + cell.y1) / 2);
  await page.locator('#tip:not([hidden])').waitFor();
  assert.match(await page.locator('#tip').textContent(), /n2 · index 3 · term 1 · c=3 · committed/);
  await screenshot(page, 'raft-log-hover');
  // The panel's note says what the marks mean; the leader's view drives them.
  assert.ok(texts.some((s) => /nextIndex/.test(s)) && texts.some((s) => /commit index/.test(s)), 'the panel explains its marks');
  const snap = await page.evaluate(() => lab.snapshot());
  const leader = snap.nodes.find((n) => n.role === 'leader');
  assert.deepEqual(leader.next_index.filter((_, i) => i !== leader.id), [6, 6, 6, 2].slice(0, 4));
  // Many entries: the cells narrow to terms but each still has its tooltip.
  await page.evaluate(() => {
    for (let i = 0; i < 30; i++) lab.inject({ type: 'client_request', value: `k${i}=${i}` });
    lab.runUntil(lab.timeMs() + 1500);
    lab.redraw();
  });
  const many = await page.evaluate(() => lab.scene().hits.filter((h) => h.kind === 'cell' && h.id === 0));
  assert.ok(many.length > 10 && many.every((c) => /k\d+=\d+|[a-e]=\d/.test(c.tip)), 'every cell has its value on hover');
  assert.deepEqual(errors, []);
});

test('timeline markers: every kind its own shape and colour, with a legend of those shown', async () => {
  const { page, errors } = await openPage(env);
  const kinds = await page.evaluate(async () => {
    const { MARKERS } = await import('./www/timeline.js');
    return MARKERS;
  });
  const looks = Object.values(kinds).map((k) => `${k.shape} ${k.color}`);
  assert.equal(new Set(looks).size, looks.length, `distinct: ${looks}`);
  assert.notEqual(kinds.crash.shape, kinds.violation.shape);
  assert.equal(new Set([kinds.partition.shape, kinds.heal.shape, kinds.pause.shape]).size, 3);
  await runTo(page, {
    version: 1, protocol: 'raft', nodes: 5, seed: 21,
    events: [
      { at_ms: 700, type: 'client_request', value: 'x=1' },
      { at_ms: 1500, type: 'pause', node: 1, for_ms: 400 },
      { at_ms: 2000, type: 'crash', node: 0 },
      { at_ms: 2600, type: 'partition', groups: [[3, 4]] },
      { at_ms: 3500, type: 'heal' },
      { at_ms: 4000, type: 'restart', node: 0 },
    ],
  }, 5000);
  const legend = await page.evaluate(() => [...document.querySelectorAll('#timeline-legend .tl-item')].map((i) => i.dataset.kind));
  for (const k of ['milestone', 'crash', 'restart', 'partition', 'heal', 'pause']) assert.ok(legend.includes(k), `${k} in the legend: ${legend}`);
  assert.ok(!legend.includes('violation'), 'only kinds on the bar');
  // The tooltip names the kind and says what happened.
  const marks = await page.evaluate(() => lab.timelineMarks());
  const crash = marks.find((m) => m.kind === 'crash');
  assert.equal(crash.text, 'n0 crashes');
  await screenshot(page, 'timeline-markers');
  assert.deepEqual(errors, []);
});

test('nothing is cut at the canvas edge, at desktop, embed and phone sizes', async () => {
  const problems = [];
  for (const [w, h, hash] of [[1280, 800, ''], [700, 450, '#embed=1'], [390, 844, '']]) {
    const { page, errors, context } = await openPage(env, { viewport: { width: w, height: h }, hash });
    for (const file of ['raft/leader-crash.json', 'paxos/competing-proposers.json', 'multi-paxos/leader-crash-noops.json', '2pc/coordinator-crash-blocks.json', '3pc/partition-splits-decision.json']) {
      const sc = storyFile(file);
      const scenes = await page.evaluate(async (s) => {
        await lab.load(s);
        lab.pause();
        return [0.2, 0.5, 1].map((f) => {
          lab.runUntil(Math.round(s.run_until_ms * f));
          lab.redraw();
          return lab.scene();
        });
      }, sc);
      scenes.forEach((scene, i) => problems.push(...sceneProblems(scene, `${w}×${h} ${file} #${i}`)));
      for (const scene of scenes) for (const t of scene.texts) if (t.s.endsWith('…') && /^n\d+ ·/.test(t.s)) problems.push(`${w}×${h} ${file}: node label cut to "${t.s}"`);
    }
    // A three-line label on the top node (a candidate) stays whole.
    await page.evaluate(async () => {
      await lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 1, events: [{ at_ms: 0, type: 'pause', node: 0, for_ms: 5000 }] });
      lab.pause();
      lab.runUntil(20);
      lab.redraw();
    });
    const top = await page.evaluate(() => lab.scene().labels.filter((l) => l.kind === 'node' && /^n0|paused/.test(l.s)));
    assert.ok(top.some((l) => /paused/.test(l.s)) && !top.some((l) => l.s.endsWith('…')), `${w}×${h}: n0's label is whole (${top.map((l) => l.s)})`);
    if (w === 1280) assert.ok(top.length >= 2, `three lines at 1280×800: ${top.map((l) => l.s)}`);
    problems.push(...sceneProblems(await page.evaluate(() => lab.scene()), `${w}×${h} top node`));
    await screenshot(page, `edges-${w}x${h}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(problems.slice(0, 10), []);
});

test('at 25 nodes the log panel still shows and labels do not overlap', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, { version: 1, protocol: 'raft', nodes: 25, seed: 5, events: [{ at_ms: 900, type: 'client_request', value: 'x=1' }, { at_ms: 1000, type: 'crash', node: 7 }] }, 2500);
  await page.evaluate(() => lab.redraw());
  const sc = await page.evaluate(() => lab.scene());
  const rows = new Set(sc.hits.filter((h) => h.kind === 'cell').map((h) => h.id));
  assert.ok(rows.size >= 24, `log rows drawn for ${rows.size} nodes`);
  assert.ok(sc.texts.some((t) => t.s === 'n24'), 'the last row is labelled');
  assert.deepEqual(sceneProblems(sc, '25 nodes'), []);
  const nodeLabels = sc.labels.filter((l) => l.kind === 'node');
  assert.ok(nodeLabels.length >= 25, `${nodeLabels.length} node labels`);
  await screenshot(page, 'raft-25-nodes');
  assert.deepEqual(errors, []);
});
