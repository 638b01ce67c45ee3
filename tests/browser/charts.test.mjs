// The charts and figures under the cluster (www/views/charts.js, metrics.js):
// for a gossip run the charts' values are the engine's own samples at the
// same moments (read in the test from a fresh Simulation of the same
// scenario), the figures are the run's result, clicking a chart goes to that
// moment, the line at the moment on screen follows the clock, a detector's
// threshold is a dashed line on its φ chart, and the chart
// library loads only when the charts are shown.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, storyFile } from './harness.mjs';

const GOSSIP = { version: 1, protocol: 'gossip', nodes: 100, seed: 1, events: [{ at_ms: 10, type: 'client_request', value: 'x=1' }] };
let env;

before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** The engine's own numbers at the charts' times, from a fresh Simulation of the run's scenario. */
function engineSamples(page, st) {
  return page.evaluate(({ times, step, head }) => {
    const Sim = window.lab.simulation.constructor;
    const fresh = new Sim(window.lab.simulation.scenarioJson());
    fresh.runUntil(head);
    const series = fresh.series(0, head, step);
    const counts = new Sim(window.lab.simulation.scenarioJson());
    const kinds = {};
    for (const [i, t] of times.entries()) {
      counts.runUntil(t);
      for (const [k, c] of Object.entries(counts.stats().by_kind)) {
        kinds[k] ??= times.map(() => 0);
        kinds[k][i] = c.sent;
      }
    }
    fresh.free();
    counts.free();
    return { series, kinds };
  }, { times: st.charts[0].times, step: st.step, head: st.head });
}

/** Opens the charts and waits until every count is read. */
async function openCharts(page) {
  await page.evaluate(() => lab.charts.show(true));
  await page.waitForFunction(() => {
    const s = lab.charts.state();
    return s.loaded && s.complete && s.charts.length > 0 && s.head === Math.floor(window.lab.displayTime());
  }, null, { timeout: 20000 });
  await frames(page);
  return page.evaluate(() => lab.charts.state());
}

test('the charts draw the engine\'s samples, and the library loads only when shown', async () => {
  const { page, errors } = await openPage(env);
  const loaded = [];
  page.on('request', (r) => loaded.push(r.url()));
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(700);
  }, GOSSIP);
  await frames(page);
  assert.ok(!loaded.some((u) => u.includes('uPlot')), 'no chart library before the charts are shown');
  await openCharts(page);
  // The charts read what is new as the run goes on.
  for (const t of [1300, 1900, 2500]) {
    await page.evaluate((ms) => lab.runUntil(ms), t);
    await frames(page);
  }
  const st = await openCharts(page);
  assert.equal(st.head, 2500);
  assert.ok(loaded.some((u) => u.endsWith('uPlot.esm.js')) && loaded.some((u) => u.endsWith('uPlot.min.css')), loaded.filter((u) => u.includes('vendor')).join(', '));
  const ids = st.charts.map((c) => c.id);
  assert.deepEqual(ids, ['messages', 'series-known:<value>']);
  const truth = await engineSamples(page, st);
  const known = st.charts[1];
  assert.deepEqual(known.times, truth.series.times);
  assert.deepEqual(known.lines.map((l) => l.name), ['known:x=1']);
  assert.deepEqual(known.lines[0].values, truth.series.series['known:x=1']);
  assert.ok(known.lines[0].values.at(-1) > 0.9, 'the rumor reached most nodes');
  const msgs = st.charts[0];
  assert.deepEqual(msgs.lines.map((l) => l.name).sort(), Object.keys(truth.kinds).sort());
  for (const l of msgs.lines) assert.deepEqual(l.values, truth.kinds[l.name], l.name);
  assert.deepEqual(msgs.lines.map((l) => l.label).sort(), ['feedback', 'push'], 'kinds named as in the legend');
  // The line at the moment on screen sits at 2.5 s.
  for (const c of st.charts) assert.ok(Math.abs(c.cursorX - c.bbox.width) < 1.5, `${c.id}: cursor at ${c.cursorX} of ${c.bbox.width}`);
  // A second rumor, injected in the past: the charts forget what came after and read it again.
  await page.evaluate(() => {
    lab.seek(1500);
    lab.inject({ type: 'client_request', value: 'y=2' });
    lab.runUntil(3000);
  });
  const again = await openCharts(page);
  const truth2 = await engineSamples(page, again);
  assert.deepEqual(again.charts[1].lines.map((l) => l.name), ['known:x=1', 'known:y=2']);
  for (const l of again.charts[1].lines) assert.deepEqual(l.values, truth2.series.series[l.name], l.name);
  for (const l of again.charts[0].lines) assert.deepEqual(l.values, truth2.kinds[l.name], l.name);
  await page.locator('#charts').scrollIntoViewIfNeeded();
  await screenshot(page, 'charts-gossip');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('clicking a chart goes to that moment; the cursor and the figures follow', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(2500);
  }, GOSSIP);
  let st = await openCharts(page);
  const c = st.charts[1];
  await page.locator('#charts').scrollIntoViewIfNeeded();
  const box = await page.locator(`[data-chart="${c.id}"] .u-over`).boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height / 2);
  await frames(page);
  const t = await page.evaluate(() => window.lab.displayTime());
  const msPerPx = (c.xMax - c.xMin) / box.width;
  assert.ok(Math.abs(t - 0.3 * c.xMax) <= msPerPx + 1, `clicked at 30 % of ${c.xMax} ms, went to ${t} ms`);
  st = await page.evaluate(() => lab.charts.state());
  for (const ch of st.charts) assert.ok(Math.abs(ch.cursorX - 0.3 * ch.bbox.width) < 2, `${ch.id}: cursor at ${ch.cursorX} of ${ch.bbox.width}`);
  // The charts still span the whole run; the figures are those of the moment shown.
  assert.equal(st.head, 2500);
  const stats = await page.evaluate(() => window.lab.simulation.stats());
  const all = st.figures.messages.find((r) => r.kind === 'all');
  assert.deepEqual(all, { kind: 'all', sent: stats.messages_sent, delivered: stats.messages_delivered, dropped: stats.messages_dropped });
  assert.ok(stats.messages_sent > 0 && stats.messages_sent < 622, `${stats.messages_sent} messages by ${t} ms`);
  assert.deepEqual(errors, []);
  await page.context().close();
});

/** The figures panel's tables and metrics as text. */
async function panelText(page) {
  return page.evaluate(() => {
    const tables = {};
    for (const t of document.querySelectorAll('.ch-figures table')) {
      tables[t.caption.textContent] = [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.title || c.textContent));
    }
    const metrics = {};
    for (const dt of document.querySelectorAll('.ch-figures dt')) metrics[dt.firstChild.textContent] = dt.lastChild.textContent;
    return { tables, metrics };
  });
}

test('the figures are the run\'s result: messages by kind, client latency, the protocol\'s metrics', async () => {
  const { page, errors } = await openPage(env);
  const story = storyFile('quorum-kv/new-then-old.json');
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(1000);
  }, story);
  await openCharts(page);
  const { result, history } = await page.evaluate(() => ({ result: lab.result(), history: window.lab.simulation.history() }));
  const shown = await panelText(page);
  const num = (v) => v.toLocaleString('en-US');
  const kinds = Object.keys(result.stats.by_kind).sort();
  assert.deepEqual(shown.tables['Messages so far'], [
    ...kinds.map((k) => [`messages of kind ${k}`, num(result.stats.by_kind[k].sent), num(result.stats.by_kind[k].delivered), num(result.stats.by_kind[k].dropped)]),
    ['all', num(result.stats.messages_sent), num(result.stats.messages_delivered), num(result.stats.messages_dropped)],
  ]);
  // Latency from the history, nearest-rank percentiles.
  const ms = history.filter((o) => o.return_ms != null).map((o) => o.return_ms - o.call_ms).sort((a, b) => a - b);
  assert.ok(ms.length >= 3, JSON.stringify(history));
  const rank = (p) => ms[Math.ceil((p / 100) * ms.length) - 1];
  assert.deepEqual(shown.tables['Client operations'], [
    ['answered', `${ms.length} of ${history.length}`],
    ['latency p50', `${rank(50)} ms`],
    ['latency p95', `${rank(95)} ms`],
    ['latency max', `${ms.at(-1)} ms`],
  ]);
  const names = Object.keys(result.metrics);
  assert.deepEqual(Object.keys(shown.metrics), names.map((n) => n.replaceAll('_', ' ')));
  for (const n of names) assert.equal(shown.metrics[n.replaceAll('_', ' ')], num(result.metrics[n]), n);
  const docs = await page.evaluate(() => [...document.querySelectorAll('.ch-figures dd')].map((d) => d.textContent));
  const declared = (await page.evaluate(() => lab.protocols())).find((p) => p.name === 'quorum-kv').metrics;
  assert.deepEqual(docs, declared.filter((m) => names.includes(m.name)).map((m) => m.doc));
  // Kinds go by the legend's names, as in the chart.
  const rowNames = await page.evaluate(() => [...document.querySelectorAll('.ch-figures table:first-of-type tbody th')].map((c) => c.textContent));
  const chartNames = (await page.evaluate(() => lab.charts.state())).charts[0].lines.map((l) => l.label);
  assert.deepEqual(rowNames.slice(0, -1), chartNames);
  assert.ok(rowNames.includes('versions') && !rowNames.includes('GetReply'), rowNames.join(', '));
  // Going back updates them.
  await page.evaluate(() => lab.seek(120));
  await frames(page);
  const back = await panelText(page);
  const early = await page.evaluate(() => lab.result());
  assert.equal(back.tables['Messages so far'].at(-1)[1], num(early.stats.messages_sent));
  assert.ok(early.stats.messages_sent < result.stats.messages_sent);
  await page.locator('#charts').scrollIntoViewIfNeeded();
  await screenshot(page, 'charts-quorum-kv');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('φ of each peer is charted with the threshold it is compared with, as a dashed line on the same chart', async () => {
  const { page, errors } = await openPage(env);
  const story = storyFile('phi-accrual/phi-rises-after-crash.json');
  await page.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(s.run_until_ms);
  }, story);
  await frames(page);
  const st = await openCharts(page);
  const ids = st.charts.map((c) => c.id);
  assert.deepEqual(ids, ['messages', 'series-level:<peer>'], 'the threshold is no chart of its own');
  const phi = st.charts[1];
  const threshold = phi.lines.find((l) => l.name === 'threshold');
  assert.ok(threshold && threshold.dash, `a dashed threshold line: ${JSON.stringify(phi.lines.map((l) => [l.name, l.dash]))}`);
  assert.ok(phi.lines.filter((l) => l.name.startsWith('level:')).every((l) => !l.dash), 'φ lines are solid');
  const truth = await engineSamples(page, st);
  assert.deepEqual(threshold.values, truth.series.series.threshold, 'the engine\'s threshold at every sample');
  assert.ok(threshold.values.every((v) => v === 8), 'Akka\'s default threshold, 8');
  // The crashed n4's φ passes the line; a live peer's stays under it.
  const crashed = phi.lines.find((l) => l.name === 'level:4');
  const live = phi.lines.find((l) => l.name === 'level:1');
  // (The state is read as JSON, where the engine's −0 is 0.)
  assert.deepEqual(crashed.values, truth.series.series['level:4'].map((v) => (v === 0 ? 0 : v)));
  assert.ok(Math.max(...crashed.values.filter(Number.isFinite)) > 8, 'φ of the crashed peer passes the threshold');
  assert.ok(Math.max(...live.values.filter(Number.isFinite)) < 8, 'φ of a live peer stays under it');
  await page.locator('#charts').scrollIntoViewIfNeeded();
  await screenshot(page, 'charts-phi');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a store with clients charts how stale its reads were against the time since the write (PBS), from the engine\'s figures', async () => {
  const { page, errors } = await openPage(env);
  const run = (params) => ({
    version: 1, protocol: 'quorum-kv', nodes: 5, seed: 6, params,
    network: { latency_ms: [5, 60] },
    clients: { count: 4, ops: ['read', 'write'], keys: ['x'], think_ms: [0, 80], timeout_ms: 800, until_ms: 3000 },
  });
  const staleness = async (params) => {
    await page.evaluate(async (s) => {
      await lab.load(s);
      lab.pause();
      lab.runUntil(4000);
    }, run(params));
    const st = await openCharts(page);
    const chart = st.charts.find((c) => c.id === 'staleness');
    const engine = await page.evaluate(() => lab.simulation.staleness(10, 200));
    return { chart, engine };
  };
  // R = W = 1: some reads right after a write are stale (5 of 138 with this seed).
  const weak = await staleness({ r: 1, w: 1, read_repair: false });
  assert.ok(weak.chart, 'the staleness chart is shown');
  assert.deepEqual(weak.chart.times, weak.engine.bins.map((b) => b.from_ms));
  assert.deepEqual(weak.chart.lines[0].values, weak.engine.bins.map((b) => (b.reads ? b.fresh / b.reads : null)));
  assert.deepEqual(weak.chart.reads, weak.engine.bins.map((b) => b.reads));
  assert.ok(weak.engine.reads > 50 && weak.engine.fresh < weak.engine.reads, `${weak.engine.fresh} of ${weak.engine.reads} fresh`);
  assert.equal(weak.chart.title, `Fresh reads by time since the newest completed write (PBS): ${weak.engine.fresh} of ${weak.engine.reads} reads returned that write or a newer one`);
  assert.equal(weak.chart.xMax, 200);
  await page.locator('.ch-chart[data-chart="staleness"]').scrollIntoViewIfNeeded();
  await screenshot(page, 'charts-staleness');
  // Strict quorums (R + W > N): every read is fresh.
  const strict = await staleness({ read_repair: false });
  assert.ok(strict.engine.reads > 50);
  assert.equal(strict.engine.fresh, strict.engine.reads);
  assert.ok(strict.chart.lines[0].values.every((v) => v === null || v === 1), JSON.stringify(strict.chart.lines[0].values));
  // A protocol without clients has no such chart.
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'gossip', nodes: 20, seed: 1, events: [{ at_ms: 10, type: 'client_request', value: 'x=1' }] });
    lab.pause();
    lab.runUntil(2000);
  });
  const gossip = await openCharts(page);
  assert.equal(gossip.charts.some((c) => c.id === 'staleness'), false);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('consistent hashing charts the load spread against tokens per node, from the engine\'s curve', async () => {
  const { page, errors } = await openPage(env);
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'consistent-hashing', nodes: 16, seed: 3, params: { sample_keys: 20000 }, events: [] });
    lab.pause();
    lab.runUntil(100);
  });
  const st = await openCharts(page);
  const chart = st.charts.find((c) => c.id === 'curve-load_by_tokens');
  assert.ok(chart, `charts: ${st.charts.map((c) => c.id)}`);
  const curve = (await page.evaluate(() => lab.simulation.curves())).find((c) => c.name === 'load_by_tokens');
  assert.deepEqual(chart.times, curve.xs);
  assert.deepEqual(chart.lines.map((l) => [l.label, l.dash, l.values]), [['ring', false, curve.lines[0].values], ['1/√tokens', true, curve.lines[1].values]]);
  assert.ok(chart.title.startsWith('The load spread'), chart.title);
  assert.deepEqual([chart.xMin, chart.xMax], [1, 256]);
  await page.locator('.ch-chart[data-chart="curve-load_by_tokens"]').scrollIntoViewIfNeeded();
  await screenshot(page, 'charts-load-by-tokens');
  assert.deepEqual(errors, []);
  await page.context().close();
});
