// The Explore panel: a campaign on a broken variant (paxos with
// ignore-promised-values) finds what `consensus-lab explore` finds with the
// same seeds (the same violations, first seed and shrunk scenario), the
// shrunk run opens in the main view at its violation, and its link
// reproduces it (the same trace hash in a reopened page and in the release
// CLI); a correct protocol's campaign reports none; the page keeps playing
// and answering clicks while a campaign runs, and Stop ends it; the
// published build runs the worker from a sub-path.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startBrowser, openPage, screenshot, frames } from './harness.mjs';
import { root } from '../../scripts/lib/run.mjs';

const cli = path.join(root, 'target', 'release', 'consensus-lab');
let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** `consensus-lab` with `args`: its exit status and the JSON it printed. */
function runCli(args) {
  const r = spawnSync(cli, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, json: JSON.parse(r.stdout) };
}

/** Shows the protocol `name` in the main view and opens the Explore panel. */
async function openPanel(page, name) {
  await page.evaluate(async (p) => {
    await lab.load({ version: 1, protocol: p, nodes: 5, seed: 3 });
    lab.pause();
  }, name);
  await page.locator('#explore-open').click();
  assert.equal(await page.locator('#explore-open').getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('#explore').isVisible(), true);
}

/** Fills the panel's form and presses Start. */
async function start(page, { variant = '', profile = 'all', runs, seed = 1 }) {
  await page.locator('#explore-variant').selectOption(variant);
  await page.locator('#explore-profile').selectOption(profile);
  await page.locator('#explore-runs').fill(String(runs));
  await page.locator('#explore-seed').fill(String(seed));
  await page.locator('#explore-start').click();
}

const status = (page) => page.locator('#explore-status').textContent();

/** Waits until the campaign has ended (done, stopped or failed). */
async function ended(page) {
  await page.waitForFunction(() => document.getElementById('explore-start').textContent === 'Start', null, { timeout: 240_000 });
  return status(page);
}

test('a campaign on a broken variant finds the CLI\'s violation, and its shrunk run opens at the violation with a link that reproduces it', async () => {
  const { page, errors } = await openPage(env);
  await openPanel(page, 'paxos');
  // The variant picker lists the registry's variants; the profiles come from the facade.
  const variants = await page.locator('#explore-variant option').evaluateAll((os) => os.map((o) => o.value));
  const registry = JSON.parse(fs.readFileSync(path.join(root, 'www', 'pkg', 'protocols.json'), 'utf8'));
  const declared = registry.find((p) => p.name === 'paxos').variants.map((v) => v.name);
  assert.ok(declared.includes('ignore-promised-values'));
  assert.deepEqual(variants, ['', ...declared]);
  const profiles = await page.locator('#explore-profile option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(profiles, ['all', 'crashes', 'partitions', 'network']);
  await start(page, { variant: 'ignore-promised-values', runs: 300 });
  assert.equal(await page.locator('#explore-start').textContent(), 'Stop');
  const text = await ended(page);
  const native = runCli(['explore', '--protocol', 'paxos', '--variant', 'ignore-promised-values', '--runs', '300', '--seed', '1', '--faults', 'all']);
  assert.equal(native.status, 1);
  const { first, shrunk } = native.json;
  assert.ok(native.json.violations > 0);
  assert.match(text, new RegExp(`^Done: 300 runs \\([\\d,.]+ runs/s\\): ${native.json.violations} runs? broke paxos\\.$`));
  assert.equal(await page.locator('#explore-progress').evaluate((p) => [p.value, p.max].join('/')), '300/300');
  const found = await page.locator('#explore-found').textContent();
  assert.ok(found.includes(`Seed ${first.seed} broke ${first.invariant.replaceAll('_', ' ')} at ${first.at_ms.toLocaleString('en-US')} ms`), found);
  assert.ok(found.includes(`Shrunk to ${shrunk.events} event`), found);

  // Open the shrunk run: the main view shows it paused at the violation.
  await page.locator('#explore-open-run').click();
  await page.waitForFunction((t) => lab.scenario().title === t && !lab.playing && lab.displayTime() === lab.scenario().open_at_ms, shrunk.scenario.title);
  await frames(page);
  const opened = await page.evaluate(() => ({ scenario: lab.scenario(), result: lab.result(), time: lab.timeMs(), hash: lab.traceHash(), banner: document.getElementById('violations').textContent, bannerShown: !document.getElementById('violations').hidden }));
  const { open_at_ms: openAt, caption, ...scenario } = opened.scenario;
  assert.deepEqual(scenario, shrunk.scenario, 'the CLI shrinks the same run to the same scenario');
  assert.equal(openAt, shrunk.at_ms);
  assert.match(caption, /^The explorer found this run \(seed \d+ of consensus-lab explore --protocol paxos --variant ignore-promised-values --faults all --runs 300 --seed 1\)/);
  assert.equal(opened.time, shrunk.at_ms);
  assert.ok(opened.result.violations.some((v) => v.invariant === shrunk.invariant && v.at_ms === shrunk.at_ms), JSON.stringify(opened.result.violations));
  assert.ok(opened.bannerShown && opened.banner.includes(shrunk.invariant.replaceAll('_', ' ')), opened.banner);
  await screenshot(page, 'explore-shrunk-run');

  // The panel's link: ready to copy, and it reopens the same run at the same moment.
  const link = await page.locator('#explore-link').inputValue();
  assert.match(link, /#s=1\.[\w-]+&t=\d+&play=0$/);
  assert.equal(await page.locator('#explore-copy').isDisabled(), false);
  const b = await openPage(env, { hash: new URL(link).hash });
  await b.page.waitForFunction((t) => lab.timeMs() >= t, shrunk.at_ms);
  const reopened = await b.page.evaluate(() => ({ scenario: lab.scenario(), hash: lab.traceHash(), time: lab.timeMs(), playing: lab.playing, violations: lab.result().violations }));
  assert.deepEqual(reopened.scenario, opened.scenario);
  assert.equal(reopened.time, shrunk.at_ms);
  assert.equal(reopened.playing, false);
  assert.equal(reopened.hash, opened.hash);
  assert.ok(reopened.violations.some((v) => v.invariant === shrunk.invariant));
  // The release CLI runs the link to the scenario's end: the page run there agrees.
  const run = runCli(['run', link]);
  const end = await b.page.evaluate(() => {
    lab.runUntil(lab.scenario().run_until_ms);
    return { hash: lab.traceHash(), time: lab.timeMs() };
  });
  assert.equal(end.time, shrunk.scenario.run_until_ms);
  assert.equal(run.json.trace_hash, end.hash);
  assert.ok(run.json.violations.some((v) => v.invariant === shrunk.invariant), JSON.stringify(run.json.violations));
  assert.deepEqual([...errors, ...b.errors], []);
});

test('a correct protocol\'s campaign finds nothing, and the page keeps playing and answering clicks while one runs; Stop ends it', async () => {
  const { page, errors } = await openPage(env);
  await openPanel(page, 'paxos');
  await start(page, { runs: 40, seed: 7 });
  assert.match(await ended(page), /^Done: 40 runs \([\d,.]+ runs\/s\): no violation found\.$/);
  assert.equal(runCli(['explore', '--protocol', 'paxos', '--runs', '40', '--seed', '7']).json.violations, 0);
  assert.equal(await page.locator('#explore-found').isHidden(), true);

  // A long campaign: while it runs the run on screen plays on and a click is handled.
  await start(page, { runs: 1_000_000, seed: 1 });
  await page.waitForFunction(() => document.getElementById('explore-progress').value > 0);
  await page.evaluate(() => lab.play());
  const t0 = await page.evaluate(() => lab.displayTime());
  await page.waitForFunction((t) => lab.displayTime() > t + 20, t0);
  await page.locator('#play').click();
  assert.equal(await page.evaluate(() => lab.playing), false, 'the Play button paused the run');
  const progress = await page.locator('#explore-progress').evaluate((p) => p.value);
  assert.match(await status(page), /^[\d,]+ of 1,000,000 runs · [\d,.]+ runs\/s · 0 violations$/);
  assert.equal(await page.locator('#explore-start').textContent(), 'Stop', 'still running');
  await screenshot(page, 'explore-running');
  await page.locator('#explore-start').click();
  const text = await ended(page);
  assert.match(text, /^Stopped after [\d,]+ of 1,000,000 runs \([\d,.]+ runs\/s\): no violation found\.$/);
  const done = Number(text.match(/after ([\d,]+)/)[1].replaceAll(',', ''));
  assert.ok(done >= progress && done < 1_000_000, text);
  // The fields are editable again.
  assert.equal(await page.locator('#explore-runs').isDisabled(), false);
  assert.deepEqual(errors, []);
});

test('the published build runs the explorer\'s worker from a sub-path', async () => {
  const dist = path.join(root, 'dist');
  assert.ok(fs.existsSync(path.join(dist, 'www', 'explore-worker.js')), 'dist/ has the worker (npm test builds it)');
  const published = await startBrowser({ dir: dist, prefix: '/posts/raft/lab/' });
  try {
    const { page, errors } = await openPage(published);
    await openPanel(page, 'multi-paxos');
    await start(page, { variant: 'ignore-promised-values', runs: 5 });
    assert.match(await ended(page), /^Done: 5 runs .*broke multi-paxos\.$/);
    await page.locator('#explore-open-run').click();
    await page.waitForFunction(() => lab.result().violations.length > 0);
    assert.deepEqual(errors, []);
  } finally {
    await published.close();
  }
});
