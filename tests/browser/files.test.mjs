// Saving and loading from the page: the downloaded scenario replays the run,
// a dropped file loads (and a bad one is refused in plain words), the trace
// export is the whole run, the ShiViz log keeps ShiViz's clock rules, and
// the canvas saves as a PNG.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBrowser, openPage } from './harness.mjs';
import { runCli } from '../node/engine.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

async function downloaded(page, buttonName) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: buttonName }).click()]);
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(await download.path()) };
}

async function prepare(page) {
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 3 });
    lab.pause();
    lab.runUntil(900);
    lab.inject({ type: 'client_request', value: 'a=1' });
    lab.runUntil(1500);
    lab.inject({ type: 'crash', node: 2 });
    lab.runUntil(2200);
  });
}

test('the downloaded scenario replays the run to the same trace hash', async () => {
  const { page, errors } = await openPage(env);
  await prepare(page);
  const { name, bytes } = await downloaded(page, 'Download scenario');
  assert.match(name, /^raft-seed3-2200ms\.json$/);
  const scenario = JSON.parse(bytes.toString('utf8'));
  assert.equal(scenario.events.length, 2);
  const native = runCli({ ...scenario, run_until_ms: 2200 });
  assert.equal(native.json.trace_hash, await page.evaluate(() => lab.traceHash()));
  assert.deepEqual(errors, []);
});

test('a scenario file dropped on the page loads; a bad one is refused and the run goes on', async () => {
  const { page, errors } = await openPage(env);
  const drop = (text) => page.evaluate(async (t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dropped.json', { type: 'application/json' }));
    document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    await new Promise((r) => setTimeout(r, 200));
  }, text);
  await drop(JSON.stringify({ version: 1, protocol: 'raft', nodes: 7, seed: 99, title: 'Dropped' }));
  assert.equal(await page.evaluate(() => lab.snapshot().nodes.length), 7);
  assert.equal(await page.locator('#caption-title').textContent(), 'Dropped');
  await drop('{"version": 1, "protocol": "raft", "nodes": 3');
  assert.match(await page.locator('#message').textContent(), /the JSON ends too early/);
  assert.equal(await page.evaluate(() => lab.snapshot().nodes.length), 7, 'the current run stays');
  assert.deepEqual(errors, []);
});

test('the trace export holds every event of the run, with its scenario and hash', async () => {
  const { page, errors } = await openPage(env);
  await prepare(page);
  const { name, bytes } = await downloaded(page, 'Export trace');
  assert.match(name, /-trace\.json$/);
  const trace = JSON.parse(bytes.toString('utf8'));
  assert.equal(trace.truncated, false);
  assert.equal(trace.records[0].seq, 0);
  assert.ok(trace.records.length > 500, `${trace.records.length} records`);
  assert.ok(trace.records.some((r) => r.kind === 'crash' && r.node === 2));
  assert.equal(trace.trace_hash, await page.evaluate(() => lab.traceHash()));
  assert.equal(trace.trace_hash, runCli({ ...trace.scenario, run_until_ms: 2200 }).json.trace_hash);
  assert.deepEqual(errors, []);
});

test('the canvas saves as a PNG', async () => {
  const { page, errors } = await openPage(env);
  await prepare(page);
  const { name, bytes } = await downloaded(page, 'Save image');
  assert.match(name, /\.png$/);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 10_000);
  assert.deepEqual(errors, []);
});

/** The events of a ShiViz log, read with the parser expression on its first line (as ShiViz does). */
function parseShiviz(text) {
  const [expr, delimiter, ...rest] = text.split('\n');
  assert.equal(expr, String.raw`(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`, 'ShiViz\'s default expression');
  assert.equal(delimiter, '', 'one execution');
  const re = new RegExp(expr, 'g');
  return [...rest.join('\n').matchAll(re)].map((m) => ({ event: m.groups.event, host: m.groups.host, clock: JSON.parse(m.groups.clock) }));
}

test('the ShiViz log orders the run\'s events by vector clocks ShiViz accepts', async () => {
  const { page, errors } = await openPage(env);
  await prepare(page);
  // The export sits with the space-time diagram, which ShiViz also draws.
  await page.getByRole('button', { name: 'Space-time diagram' }).click();
  const { name, bytes } = await downloaded(page, 'ShiViz log');
  assert.match(name, /^raft-seed3-2200ms-shiviz\.log$/);
  const events = parseShiviz(bytes.toString('utf8'));
  const trace = JSON.parse(await page.evaluate(() => lab.simulation.traceJson(500000)));
  const onNodes = trace.records.filter((r) => r.node != null && r.kind !== 'drop');
  assert.equal(events.length, onNodes.length, 'one event per trace record that happened at a node');
  // ShiViz's rules: a host's own entry counts its events 1, 2, 3…
  const count = new Map();
  for (const e of events) {
    const n = (count.get(e.host) ?? 0) + 1;
    count.set(e.host, n);
    assert.equal(e.clock[e.host], n, `${e.host}'s own clock at "${e.event}"`);
  }
  assert.deepEqual([...count.keys()].sort(), ['n0', 'n1', 'n2', 'n3', 'n4']);
  // …and a delivery comes after its send: its clock is at least the sender's at the send.
  const sends = new Map();
  let delivered = 0;
  for (const [i, e] of events.entries()) {
    const r = onNodes[i];
    assert.ok(e.event.startsWith(`${r.time_ms} ms · ${r.kind} · `), e.event);
    if (r.kind === 'send') sends.set(r.msg, e.clock);
    if (r.kind === 'deliver') {
      const sent = sends.get(r.msg);
      assert.ok(sent, `message #${r.msg} was sent before it arrived`);
      for (const [h, n] of Object.entries(sent)) assert.ok((e.clock[h] ?? 0) >= n, `#${r.msg}: ${h}`);
      delivered++;
    }
  }
  assert.ok(delivered > 100, `${delivered} deliveries`);
  // A run too large for ShiViz says so in plain words, and the page keeps working.
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'gossip', nodes: 200, seed: 1 });
    lab.pause();
    lab.runUntil(300);
  });
  await page.getByRole('button', { name: 'ShiViz log' }).click();
  assert.match(await page.locator('#message').textContent(), /ShiViz export takes runs of at most 100 nodes; this one has 200/);
  assert.deepEqual(errors, []);
});
