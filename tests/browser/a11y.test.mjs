// Accessibility, checked in a real browser: axe-core finds no serious or
// critical violation on any protocol's page or on the embed, in English and
// in Chinese (the minor and moderate findings are printed, not failed);
// every control shows where the keyboard focus is, and the main actions work
// from the keyboard alone; the canvas has words that follow the run and
// announce crashes and leader changes politely; with reduced motion messages
// do not travel; and a node's state never rests on colour alone. Screenshots
// at phone width land in test-artifacts/a11y-*.png.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBrowser, openPage, screenshot, frames } from './harness.mjs';
import { root } from '../../scripts/lib/run.mjs';
import { encodeLink } from '../../www/link.js';

const AXE = path.join(root, 'node_modules', 'axe-core', 'axe.min.js');
const PROTOCOLS = JSON.parse(fs.readFileSync(path.join(root, 'www', 'pkg', 'protocols.json'), 'utf8'));
const LANGS = ['en', 'zh'];

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** The fragment of a protocol's default page: its default cluster, no events, opened paused. */
async function defaultLink(info, { lang = 'en', embed = false, seed = 7 } = {}) {
  const scenario = { version: 1, protocol: info.name, nodes: info.default_nodes, seed, events: [] };
  const frag = await encodeLink(JSON.stringify(scenario), { play: false, embed });
  return `#${frag}&lang=${lang}`;
}

/** A page for `hash` that axe-core can be injected into (past the page's CSP). */
async function open(hash, viewport = { width: 1280, height: 900 }) {
  const opened = await openPage(env, { hash, viewport, context: { bypassCSP: true } });
  await opened.page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  return opened;
}

/** axe-core's violations on the page as it is: [{ id, impact, help, targets }]. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    // axe-core really looked: a page this size passes dozens of its rules.
    if (res.passes.length < 20) throw new Error(`axe-core passed only ${res.passes.length} rules`);
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.split('\n').slice(1, 2).join('').trim()})` : ''}`) }));
  });
}

/** Sorts axe findings into failures (serious, critical) and the rest (printed). */
function judge(found, what, failures, notes) {
  for (const v of found) {
    const line = `${what}: [${v.impact}] ${v.id} — ${v.help}: ${v.targets.join('; ')}`;
    if (v.impact === 'serious' || v.impact === 'critical') failures.push(line);
    else notes.push(line);
  }
}

/** Runs the page to a moment where roles and messages show, with n0 selected (its actions enabled). */
async function settle(page, until = 1500) {
  await page.evaluate((t) => {
    lab.pause();
    lab.inject({ type: 'client_request', value: 'x=1' });
    lab.runUntil(t);
    lab.select(0);
    lab.redraw();
  }, until);
  await frames(page);
}

test('axe-core: no serious or critical violation on any protocol page or the embed, in English and Chinese', async () => {
  const failures = [];
  const notes = [];
  for (const lang of LANGS) {
    for (const info of PROTOCOLS) {
      const { page, errors, context } = await open(await defaultLink(info, { lang }));
      await settle(page);
      judge(await axe(page), `${info.name} (${lang})`, failures, notes);
      if (info.name === PROTOCOLS[0].name) {
        // The dialogs: keyboard shortcuts and the embed snippet.
        for (const [button, dialog] of [['#help-open', '#help'], ['#embed-button', '#embed-dialog']]) {
          await page.locator(button).click();
          await page.locator(dialog).waitFor({ state: 'visible' });
          judge(await axe(page), `${info.name} (${lang}) ${dialog}`, failures, notes);
          await page.keyboard.press('Escape');
        }
      }
      assert.deepEqual(errors, [], `${info.name} (${lang}) logged errors`);
      await context.close();
    }
    const { page, context } = await open(await defaultLink(PROTOCOLS[0], { lang, embed: true }), { width: 700, height: 640 });
    await settle(page);
    const found = await axe(page);
    judge(found, `embed (${lang})`, failures, notes);
    // The frame hides the page's header; its own heading stands in for the h1.
    assert.ok(!found.some((v) => v.id === 'page-has-heading-one'), `embed (${lang}) has a level-one heading`);
    assert.equal(await page.evaluate(() => document.getElementById('embed-heading').hidden), false);
    await context.close();
  }
  if (notes.length) console.log(`axe-core, minor and moderate findings (${notes.length}):\n${[...new Set(notes)].join('\n')}`);
  assert.deepEqual(failures, [], 'serious or critical accessibility violations');
});

/** What has the focus: a short description and whether a focus indicator is drawn. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow && cs.boxShadow !== 'none';
    const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.dataset.act ? `[data-act=${el.dataset.act}]` : ''}${el.dataset.lang ? `[data-lang=${el.dataset.lang}]` : ''}${el.id || el.dataset.act || el.dataset.lang ? '' : ` "${el.textContent.trim().slice(0, 24)}"`}`;
    return { name, visible: outline || shadow };
  });
}

/** Presses Tab until `selector` has the focus (at most `max` times); returns whether it got there. */
async function tabTo(page, selector, max = 150) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return true;
  }
  return false;
}

test('the keyboard reaches every control with a visible focus, and does the main actions alone', async () => {
  const raft = PROTOCOLS.find((p) => p.name === 'raft');
  const { page, errors } = await open(await defaultLink(raft));
  await settle(page, 400);
  await page.evaluate(() => lab.select(null));

  // Tab through everything once: every stop shows a focus ring.
  const stops = [];
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) continue;
    if (stops.length && f.name === stops[0].name) break;
    stops.push(f);
  }
  const names = stops.map((s) => s.name);
  for (const want of ['select#protocol', 'select#story', 'button#play', 'button#step', 'button#step-back', 'input#speed', 'canvas#canvas', 'button#copy-link', 'button[data-lang=zh]']) {
    assert.ok(names.includes(want), `Tab reaches ${want} (reached: ${names.join(', ')})`);
  }
  const unseen = stops.filter((s) => !s.visible).map((s) => s.name);
  assert.deepEqual(unseen, [], 'focused controls without a visible focus indicator');
  console.log(`Tab stops (${stops.length}): ${names.join(', ')}`);

  // The main actions from the keyboard alone.
  await page.evaluate(() => document.activeElement?.blur());
  assert.equal(await page.evaluate(() => lab.playing), false);
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => lab.playing), true, 'Space plays');
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => lab.playing), false, 'Space pauses');
  const steps = await page.evaluate(() => lab.snapshot().steps);
  await page.keyboard.press('ArrowRight');
  assert.ok((await page.evaluate(() => lab.snapshot().steps)) > steps, '→ steps');
  // The play button itself, focused by Tab and pressed with Enter.
  assert.ok(await tabTo(page, '#play'), 'Tab reaches Play');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => lab.playing), true, 'Enter on Play plays');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => lab.playing), false, 'Enter on Play pauses');
  // Select n2 by its number, crash it with X, restart it from the panel's button.
  await page.keyboard.press('2');
  await frames(page);
  assert.match(await page.locator('#node-title').textContent(), /n2/);
  await page.keyboard.press('x');
  await frames(page);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), false, 'X crashes the selected node');
  assert.ok(await tabTo(page, '#node-actions [data-act=restart]'), 'Tab reaches Restart');
  assert.equal((await focused(page)).visible, true);
  await screenshot(page, 'a11y-focus');
  await page.keyboard.press('Enter');
  await frames(page);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), true, 'Enter on Restart restarts the node');
  // Crash from the panel too (Space on the focused button), then restart with R.
  await page.evaluate(() => document.activeElement?.blur());
  assert.ok(await tabTo(page, '#node-actions [data-act=crash]'), 'Tab reaches Crash');
  await page.keyboard.press('Enter');
  await frames(page);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), false, 'Enter on Crash crashes the node');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('r');
  await frames(page);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes[2].up), true, 'R restarts the selected node');
  // A message by keyboard: M opens the next one in flight with Drop focused; Enter drops it.
  await page.evaluate(() => {
    for (let i = 0; i < 200 && lab.snapshot().messages.length === 0; i++) lab.step();
  });
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('m');
  await frames(page);
  assert.equal(await page.locator('#msg-card').isVisible(), true, 'M opens a message card');
  assert.deepEqual(await focused(page), { name: 'button "Drop"', visible: true });
  await page.keyboard.press('Enter');
  assert.ok(await page.evaluate(() => lab.scenario().events.some((e) => e.type === 'drop_message')), 'Enter on Drop drops the message');
  // A partition by keyboard: Partition…, a digit moves n0 to the other side, Apply; H heals.
  assert.ok(await tabTo(page, '#partition'), 'Tab reaches Partition…');
  await page.keyboard.press('Enter');
  await page.keyboard.press('0');
  assert.ok(await tabTo(page, '#partition-apply'), 'Tab reaches Apply partition');
  await page.keyboard.press('Enter');
  const groups = await page.evaluate(() => lab.snapshot().network.groups.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a.length - b.length));
  assert.deepEqual(groups, [[0], [1, 2, 3, 4]], 'the digit moved n0 to the other side');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('h');
  assert.deepEqual(await page.evaluate(() => lab.snapshot().network.groups), [], 'H heals');
  // Two digits name a node beyond n9.
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 13, seed: 3, events: [] });
    lab.pause();
  });
  await page.keyboard.press('1');
  await page.keyboard.press('2');
  await frames(page);
  assert.match(await page.locator('#node-title').textContent(), /n12/, '1 then 2 selects n12');
  // Open a story: Tab to the menu, the arrow key picks the first story.
  const first = await page.evaluate(() => lab.stories()[0]);
  assert.ok(await tabTo(page, '#story'), 'Tab reaches the story menu');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((title) => lab.scenario().title === title, first.title, { timeout: 10000 });
  assert.equal(await page.evaluate(() => lab.scenario().protocol), first.protocol);
  assert.deepEqual(errors, []);
});

for (const lang of LANGS) {
  test(`the canvas in words (${lang}): each node's state, a crash and a new leader announced politely`, async () => {
    const raft = PROTOCOLS.find((p) => p.name === 'raft');
    const { page, errors } = await open(await defaultLink(raft, { lang }));
    const words = lang === 'zh' ? { leader: '领导者', follower: '跟随者', crashed: '已崩溃', newLeader: '新领导者', crash: '崩溃' } : { leader: 'leader', follower: 'follower', crashed: 'crashed', newLeader: 'new leader', crash: 'crash' };
    const region = await page.evaluate(() => {
      const live = document.getElementById('announce');
      return { live: live.getAttribute('aria-live'), role: live.getAttribute('role'), described: document.getElementById('canvas').getAttribute('aria-describedby') };
    });
    assert.deepEqual(region, { live: 'polite', role: 'status', described: 'cluster-text' });
    // At the start: five nodes, each named with its state.
    await page.evaluate(() => lab.redraw());
    let spoken = await page.evaluate(() => lab.spoken());
    for (let i = 0; i < 5; i++) assert.match(spoken.text, new RegExp(`n${i}: ${words.follower}`), `n${i} at the start`);
    // Play on until someone leads: the new leader is announced.
    const leader = await page.evaluate(() => {
      for (let t = 50; t <= 5000; t += 50) {
        lab.runUntil(t);
        lab.redraw();
        const l = lab.snapshot().nodes.find((n) => n.role === 'leader');
        if (l) return l.id;
      }
      return null;
    });
    assert.notEqual(leader, null, 'a leader is elected');
    spoken = await page.evaluate(() => lab.spoken());
    assert.match(spoken.text, new RegExp(`n${leader}: ${words.leader}`));
    assert.ok(spoken.said.includes(words.newLeader) && spoken.said.includes(`n${leader}`), `the new leader is announced: "${spoken.said}"`);
    // Crash the leader: the words say so at once, and the crash is announced.
    await page.evaluate((id) => {
      lab.inject({ type: 'crash', node: id });
      lab.redraw();
    }, leader);
    spoken = await page.evaluate(() => lab.spoken());
    assert.match(spoken.text, new RegExp(`n${leader}: ${words.crashed}`));
    assert.ok(spoken.said.startsWith(words.crash) && spoken.said.includes(`n${leader}`), `the crash is announced: "${spoken.said}"`);
    // Going back in time says nothing new, and the words follow the moment on screen.
    await page.evaluate(() => {
      lab.seek(0);
      lab.redraw();
    });
    spoken = await page.evaluate(() => lab.spoken());
    assert.doesNotMatch(spoken.text, new RegExp(words.crashed));
    assert.ok(spoken.said.startsWith(words.crash), 'a step back does not announce the past again');
    // A big cluster is counted by state, not listed node by node.
    await page.evaluate(async () => {
      await lab.load({ version: 1, protocol: 'gossip', nodes: 200, seed: 3, events: [{ at_ms: 10, type: 'crash', node: 5 }] });
      lab.pause();
      lab.runUntil(300);
      lab.redraw();
    });
    spoken = await page.evaluate(() => lab.spoken());
    assert.doesNotMatch(spoken.text, /n150:/);
    assert.match(spoken.text, new RegExp(`${words.crashed}: 1\\b`), spoken.text);
    assert.deepEqual(errors, []);
  });
}

test('with reduced motion, messages do not travel: they are drawn at their receiver', async () => {
  const raft = PROTOCOLS.find((p) => p.name === 'raft');
  const { page, errors } = await open(await defaultLink(raft), { width: 375, height: 800 });
  // A moment with a message on its way.
  const at = await page.evaluate(() => {
    for (let t = 20; t <= 5000; t += 7) {
      lab.runUntil(t);
      lab.redraw();
      if (lab.scene('messages').some((m) => !m.lost && m.t > 0.1 && m.t < 0.9)) return t;
    }
    return null;
  });
  assert.notEqual(at, null, 'some message is half-way');
  const moving = await page.evaluate(() => lab.scene('messages'));
  assert.ok(moving.every((m) => m.instant === false));
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.evaluate(() => lab.redraw());
  const still = await page.evaluate(() => lab.scene('messages'));
  assert.equal(still.length, moving.length);
  for (const m of still) {
    assert.equal(m.instant, true);
    assert.equal(m.t, m.lost === 'partition' ? 0.5 : 1, `message ${m.id} sits at its receiver`);
  }
  const mid = moving.find((m) => !m.lost && m.t > 0.1 && m.t < 0.9);
  const same = still.find((m) => m.id === mid.id);
  assert.ok(Math.hypot(same.x - mid.x, same.y - mid.y) > 2, 'the half-way message moved to its receiver');
  // And it stays there while time passes, until it is delivered.
  await page.evaluate(() => {
    lab.step();
    lab.redraw();
  });
  const later = (await page.evaluate(() => lab.scene('messages'))).find((m) => m.id === mid.id);
  if (later) assert.deepEqual([later.x, later.y], [same.x, same.y]);
  await screenshot(page, 'a11y-reduced-motion');
  assert.deepEqual(errors, []);
});

test('a node\'s state is never told by colour alone; phone-width screenshots in both languages', async () => {
  const problems = [];
  for (const lang of LANGS) {
    const { page, errors, context } = await open(`#lang=${lang}`, { width: 375, height: 800 });
    for (const info of PROTOCOLS) {
      // n1 crashed, the rest running a while: the crashed node wears a ✕ (and its
      // state in words in the canvas's text alternative), every node its name.
      const seen = await page.evaluate(async (p) => {
        await lab.load({ version: 1, protocol: p.name, nodes: Math.min(p.default_nodes, 5), seed: 7, events: [{ at_ms: 1, type: 'crash', node: 1 }] });
        lab.pause();
        lab.inject({ type: 'client_request', value: 'x=1' });
        lab.runUntil(1500);
        lab.redraw();
        const snap = lab.snapshot();
        return {
          texts: lab.scene('texts').map((x) => x.s),
          cues: lab.scene('cues'),
          nodes: snap.nodes.map((n) => ({ id: n.id, up: n.up, leader: n.role === 'leader' || n.state === 'leading', at: lab.nodePosition(n.id) })),
          spoken: lab.spoken().text,
        };
      }, info);
      const cueAt = (kind, at) => seen.cues.some((c) => c.kind === kind && Math.hypot(c.cx - at.x, c.cy - at.y) < 1);
      for (const n of seen.nodes) {
        if (!seen.texts.some((s) => s.startsWith(`n${n.id}`))) problems.push(`${info.name} (${lang}): n${n.id} has no name on the canvas`);
        if (!n.up && !cueAt('crashed', n.at)) problems.push(`${info.name} (${lang}): crashed n${n.id} has no ✕`);
        if (n.up && cueAt('crashed', n.at)) problems.push(`${info.name} (${lang}): running n${n.id} has a ✕`);
        if (n.leader && ['raft', 'multi-paxos', 'zab', 'bully'].includes(info.name) && !cueAt('leader', n.at)) problems.push(`${info.name} (${lang}): leader n${n.id} has no double ring`);
      }
      if (seen.nodes[1].up) problems.push(`${info.name} (${lang}): n1 did not crash`);
      if (!new RegExp(`n1: ${lang === 'zh' ? '已崩溃' : 'crashed'}`).test(seen.spoken)) problems.push(`${info.name} (${lang}): the text alternative does not say n1 crashed`);
      if (['raft', 'paxos', 'zab', '2pc', 'gossip'].includes(info.name)) await screenshot(page, `a11y-${info.name}-${lang}-375`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(problems, []);
});
