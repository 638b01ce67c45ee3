// What a first-time reader reads must be right: every protocol describes its
// own node in the details panel; no engine debug text reaches the page in
// any story; one naming scheme everywhere (nN, (r,n) ballots, {0,1} | {2,3,4}
// partitions, lower-case roles, right plurals); aborts are not drawn like
// commits; a crashed Raft node's committed entries are not drawn dashed.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, runTo, storyFile, storyIndex } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

const DEBUG = /Some\(|\bNone\b|\{ |undefined|\[object|NaN/;

test('every protocol describes its own node in the details panel, after a client request', async () => {
  const { page, errors } = await openPage(env);
  const expect = {
    raft: [/commit index \d/, /log, \d+ entr(y|ies): 1: t\d+ x=1/],
    paxos: [/promised \(\d+,\d+\)/, /learned "x=1"/],
    'multi-paxos': [/ballot \(\d+,\d+\)/, /chosen 1 slot: s0 x=1/],
    '2pc': [/t1: /, /log: /],
    '3pc': [/t1: /, /log: /],
  };
  // What a crashed node of each protocol says it keeps (the protocols not named
  // here must still say it in their own words).
  const keeps = {
    raft: /crashed: keeps its term, vote and log on disk/,
    paxos: /crashed: keeps what it promised and accepted on disk/,
    'multi-paxos': /crashed: keeps its ballot and what it accepted on disk/,
    '2pc': /crashed: keeps its log on disk/,
    '3pc': /crashed: keeps its log on disk/,
  };
  // Every protocol the lab runs; those named above must also say what is theirs.
  const all = await page.evaluate(() => lab.protocols().map((p) => [p.name, p.default_nodes]));
  for (const [protocol, nodes] of all) {
    const patterns = expect[protocol] ?? [];
    await runTo(page, { version: 1, protocol, nodes, seed: 3, events: [{ at_ms: 600, type: 'client_request', value: protocol.endsWith('pc') ? 't1' : 'x=1' }] }, 2500);
    for (let id = 0; id < nodes; id++) {
      await page.evaluate((i) => lab.select(i), id);
      await frames(page);
      const text = await page.locator('#node-details').textContent();
      assert.doesNotMatch(text, DEBUG, `${protocol} n${id}: ${text}`);
      assert.doesNotMatch(text, /\bnode \d/, `${protocol} n${id} names nodes nN: ${text}`);
      if (id === 1) for (const re of patterns) assert.match(text, re, `${protocol} n${id}: ${text}`);
    }
    if (protocol === '2pc') await screenshot(page, 'details-2pc');
    // A crashed node says what it keeps.
    await page.evaluate(() => {
      lab.inject({ type: 'crash', node: 1 });
      lab.select(1);
    });
    await frames(page);
    const crashed = await page.locator('#node-details').textContent();
    assert.match(crashed, /crashed: keeps [^.]+/, `${protocol}: ${crashed}`);
    if (keeps[protocol]) assert.match(crashed, keeps[protocol], `${protocol}: ${crashed}`);
  }
  assert.deepEqual(errors, []);
});

test('no story prints debug text: every note, label, marker and detail of every story', async () => {
  const { page, errors } = await openPage(env);
  for (const story of storyIndex()) {
    const sc = storyFile(story.path);
    const found = await page.evaluate(async (s) => {
      await lab.load(s);
      lab.pause();
      const bad = [];
      const re = /Some\(|\bNone\b|\{ |undefined|\[object|NaN/;
      const t = JSON.parse(lab.simulation.traceJson(2_000_000));
      for (const r of t.records) if (re.test(r.text)) bad.push(r.text);
      lab.runUntil(s.run_until_ms);
      for (const m of lab.markers()) if (re.test(m.text)) bad.push(m.text);
      for (const m of lab.snapshot().messages) if (re.test(m.label)) bad.push(m.label);
      return bad.slice(0, 5);
    }, sc);
    assert.deepEqual(found, [], story.path);
    // What the page shows of it: the event log, the details, the caption.
    await frames(page);
    await page.evaluate(() => lab.select(1));
    await frames(page);
    const shown = await page.evaluate(() => ['events', 'node-details', 'caption', 'violations'].map((id) => document.getElementById(id).textContent).join('\n'));
    assert.doesNotMatch(shown, DEBUG, story.path);
  }
  assert.deepEqual(errors, []);
});

test('the duelling proposers write ballots as (r,n) in the event log', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('paxos/dueling-livelock.json'), 1200);
  const log = await page.locator('#events').textContent();
  assert.match(log, /ballot \(\d+,\d\) is pre-empted by \(\d+,\d\); retries at once/);
  assert.doesNotMatch(log, /Ballot|Some/);
  await screenshot(page, 'paxos-livelock-event-log');
  assert.deepEqual(errors, []);
});

test('one naming scheme: nodes nN, partitions {0,1} | {2,3,4}, lower-case roles, right plurals', async () => {
  const { page, errors } = await openPage(env);
  for (const story of storyIndex()) assert.doesNotMatch(story.caption, /\b(node|nodes|participant|follower|leader|participants) \d|\[\d/i, `${story.path} caption: ${story.caption}`);
  const shown = [];
  for (const file of ['raft/partition-heal.json', 'paxos/partition-no-majority.json', 'multi-paxos/leader-crash-noops.json', '3pc/partition-splits-decision.json']) {
    const sc = storyFile(file);
    await runTo(page, sc, sc.run_until_ms);
    const texts = await page.evaluate(() => ({
      log: document.getElementById('events').textContent,
      markers: lab.timelineMarks().map((m) => m.text).join('\n'),
      banner: document.getElementById('violations').textContent,
      canvas: lab.scene().texts.map((t) => t.s).join('\n'),
      status: document.querySelector('.statusbar').textContent,
    }));
    for (const [where, text] of Object.entries(texts)) {
      assert.doesNotMatch(text, /\bnodes? \d|\[\[|client → \d|LEADER/, `${file} ${where}`);
      assert.doesNotMatch(text, /\b1 (steps|messages|gaps|entries|slots|rounds|transactions|participants)\b|\b(0|[2-9]|\d\d+) (step|message|gap|slot|round) /, `${file} ${where}: plural`);
      shown.push(text);
    }
  }
  const all = shown.join('\n');
  assert.match(all, /partition \{0,1\} \| \{2,3,4\}/, 'partitions as groups');
  assert.match(all, /fills 1 gap with a no-op/, 'fills 1 gap');
  assert.match(all, /n0 crashes/);
  // Roles: lower case on every canvas (Multi-Paxos used to shout LEADER).
  await runTo(page, storyFile('multi-paxos/stable-leader.json'), 1500);
  const labels = await page.evaluate(() => lab.scene().texts.map((t) => t.s));
  assert.ok(labels.some((s) => /n0 · leader/.test(s)), labels.join(' | '));
  assert.deepEqual(errors, []);
});

test('an abort is not drawn in the colour of a commit: event log and timeline', async () => {
  const { page, errors } = await openPage(env);
  const sc = storyFile('2pc/one-no-abort.json');
  await runTo(page, sc, sc.run_until_ms);
  const colors = await page.evaluate(() => {
    const items = [...document.querySelectorAll('#events .ev-milestone')];
    const color = (re) => getComputedStyle(items.find((li) => re.test(li.textContent))).color;
    return { abort: color(/aborts t1/), begin: color(/begins t1/) };
  });
  assert.notEqual(colors.abort, colors.begin, JSON.stringify(colors));
  const legend = await page.locator('#timeline-legend').textContent();
  assert.match(legend, /abort/);
  await runTo(page, storyFile('2pc/all-yes-commit.json'), 1500);
  assert.doesNotMatch(await page.locator('#timeline-legend').textContent(), /abort/, 'a commit is not marked as an abort');
  assert.deepEqual(errors, []);
});

test('a crashed Raft node keeps its committed entries drawn solid, not dashed', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, storyFile('raft/follower-catch-up.json'), 2500);
  const cells = await page.evaluate(() => lab.scene().hits.filter((h) => h.kind === 'cell' && h.id === 4));
  assert.equal(cells.length, 1, 'n4 holds entry 1');
  assert.equal(cells[0].committed, true, 'entry 1 is committed and drawn solid');
  assert.match(cells[0].tip, /committed \(as the cluster knows/);
  await screenshot(page, 'raft-crashed-follower-log');
  assert.deepEqual(errors, []);
});
