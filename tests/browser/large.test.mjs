// Clusters past the ring's 25 nodes (draw/dots.js): a 1,000-node gossip run
// lays every node out as its own dot inside the canvas, colours the dots by
// what the engine says each node knows, lets a click pick out one node, and
// draws without a console error; a 60-node run sits on one circle.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, runTo, canvasClick } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

async function positions(page, n) {
  return page.evaluate((k) => Array.from({ length: k }, (_, i) => lab.nodePosition(i)), n);
}

test('1,000 gossip nodes: every node its own dot, coloured by what it knows, clickable', async () => {
  const { page, errors } = await openPage(env);
  const n = 1000;
  await runTo(page, { version: 1, protocol: 'gossip', nodes: n, seed: 5, events: [{ at_ms: 100, type: 'client_request', value: 'red', node: 0 }] }, 1500);
  const pos = await positions(page, n);
  const box = await page.locator('#canvas').boundingBox();
  assert.ok(pos.every((p) => p && p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height), 'inside the canvas');
  assert.equal(new Set(pos.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`)).size, n, 'no two dots share a spot');
  // Some nodes know the rumor and some do not yet: the dots show both colours.
  const snap = await page.evaluate(() => lab.snapshot().nodes.map((d) => (d.known ?? []).length > 0));
  const knowing = snap.filter(Boolean).length;
  assert.ok(knowing > 0 && knowing < n, `${knowing} of ${n} know it at 1.5 s`);
  const colours = await page.evaluate(([a, b]) => {
    const c = document.getElementById('canvas');
    const ctx = c.getContext('2d');
    const k = c.width / c.getBoundingClientRect().width;
    const px = (p) => Array.from(ctx.getImageData(Math.round(p.x * k), Math.round(p.y * k), 1, 1).data).join(',');
    return [px(a), px(b)];
  }, [pos[snap.indexOf(true)], pos[snap.indexOf(false)]]);
  assert.notEqual(colours[0], colours[1], `a knowing and an unknowing dot look different: ${colours}`);
  // Clicking a dot selects that node: its details name it.
  const pick = snap.indexOf(false);
  await canvasClick(page, pos[pick].x, pos[pick].y);
  await frames(page);
  assert.match(await page.locator('#node-title').textContent(), new RegExp(`^n${pick}\\b`));
  assert.match(await page.locator('#node-details').textContent(), /knows nothing yet/);
  await screenshot(page, 'gossip-1000');
  assert.deepEqual(errors, []);
});

test('60 nodes sit on one circle', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, { version: 1, protocol: 'gossip', nodes: 60, seed: 2, events: [{ at_ms: 100, type: 'client_request', value: 'blue' }] }, 800);
  const pos = await positions(page, 60);
  const cx = pos.reduce((s, p) => s + p.x, 0) / 60;
  const cy = pos.reduce((s, p) => s + p.y, 0) / 60;
  const radii = pos.map((p) => Math.hypot(p.x - cx, p.y - cy));
  assert.ok(Math.max(...radii) - Math.min(...radii) < 1, `radii ${Math.min(...radii)}–${Math.max(...radii)}`);
  await screenshot(page, 'gossip-60');
  assert.deepEqual(errors, []);
});

test('past the ring the page draws from compact frames, and fetches a whole view only when shown', async () => {
  const { page, errors } = await openPage(env);
  const events = [0, 1, 2].map((i) => ({ at_ms: 100 + 300 * i, type: 'client_request', value: `v${i}`, node: 100 * i }));
  await runTo(page, { version: 1, protocol: 'gossip', nodes: 300, seed: 8, events }, 1200);
  const got = await page.evaluate(() => {
    const drawn = lab.drawnSnapshot();
    const full = lab.snapshot();
    const live = full.nodes.filter((d) => d.up);
    return {
      compact: drawn.compact === true,
      // Each dot's colour comes from the value its node learned last; the frame names it.
      lastAgree: drawn.nodes.every((d, i) => (d.look.last >= 0 ? drawn.names[d.look.last] : undefined) === full.nodes[i].known.at(-1)),
      hotAgree: drawn.nodes.every((d, i) => d.look.hot === (full.nodes[i].hot ?? []).length),
      strip: drawn.summary.values.map((v) => [v.value, v.knows, v.hot]),
      counted: drawn.summary.values.map((v) => [v.value, live.filter((d) => d.known.includes(v.value)).length, live.filter((d) => d.hot.includes(v.value)).length]),
      messages: [drawn.messages.length, full.messages.length],
      // A message's label is asked of the engine when read, and matches the full snapshot's.
      labels: drawn.messages.slice(0, 20).every((m, k) => m.label === full.messages[k].label && m.kind === full.messages[k].kind),
      whole: JSON.stringify(drawn.node(7)) === JSON.stringify(full.nodes[7]),
      light: !('known' in drawn.nodes[7]),
    };
  });
  assert.ok(got.compact, 'a 300-node run is drawn from frames');
  assert.ok(got.lastAgree && got.hotAgree, 'the columns say what the whole views say');
  assert.deepEqual(got.strip, got.counted, 'the strip counts what the nodes know');
  assert.equal(got.messages[0], got.messages[1]);
  assert.ok(got.messages[0] > 0 && got.labels, 'messages and their labels');
  assert.ok(got.whole && got.light, 'a node is light until its whole view is asked for');
  // The strip along the bottom names the first value with its count.
  await frames(page);
  await screenshot(page, 'gossip-300-frames');
  assert.deepEqual(errors, []);
});

test('SWIM past the ring: the group\'s view of each member comes from the frame', async () => {
  const { page, errors } = await openPage(env);
  await runTo(page, { version: 1, protocol: 'swim', nodes: 60, seed: 4, events: [{ at_ms: 300, type: 'crash', node: 5 }] }, 3000);
  const got = await page.evaluate(() => {
    const drawn = lab.drawnSnapshot();
    const full = lab.snapshot();
    const rank = ['alive', 'suspect', 'dead', 'left'];
    const grave = (j) => full.nodes.filter((d) => d.up).map((d) => d.members[j]?.state ?? 'alive').reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), 'alive');
    return { states: drawn.nodes.map((d) => drawn.names[d.look.group]), expected: full.nodes.map((d) => grave(d.id)) };
  });
  assert.deepEqual(got.states, got.expected);
  assert.notEqual(got.states[5], 'alive', 'the crashed member is noticed');
  // Clicking the crashed member shows its whole view in the side panel.
  const p = await page.evaluate(() => lab.nodePosition(5));
  await canvasClick(page, p.x, p.y);
  await frames(page);
  assert.match(await page.locator('#node-title').textContent(), /^n5\b/);
  assert.ok((await page.locator('#node-details').textContent()).length > 10);
  await screenshot(page, 'swim-60-frames');
  assert.deepEqual(errors, []);
});
