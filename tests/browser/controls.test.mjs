// The controls built from the registry, for every protocol it lists: each
// parameter is listed with its default and doc, a non-default value set in
// the panel lands in the run's scenario and comes back from the share link
// in a reopened page; each variant (or, without any, no picker) lands in the
// scenario and its link replays to the same trace hash; client operations
// and commands (where declared) land as events in the scenario; a command,
// join and leave form is built from whatever the registry declares; bad
// input shows the engine's reason in plain words and the page keeps running,
// with a clean console.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root } from '../../scripts/lib/run.mjs';
import { startBrowser, openPage, screenshot } from './harness.mjs';
import { runCli } from '../node/engine.mjs';

const registry = JSON.parse(fs.readFileSync(path.join(root, 'www', 'pkg', 'protocols.json'), 'utf8'));

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** A value for `p` other than its default, as the panel is given it and as the scenario carries it. */
function otherValue(p, nodes) {
  const d = p.default;
  switch (p.type) {
    case 'boolean':
      return !d;
    case 'whole number':
      // 0 often means "off", and a protocol may want a real value when on.
      return d === 0 ? 100 : d + 1;
    case 'number':
      return d === 0 ? 0.25 : d / 2;
    case 'range':
      return [d[0] + 5, d[1] + 10];
    case 'node':
      return d == null ? 1 : (d + 1) % nodes;
    case 'list':
      return d == null ? [0, 1] : d.length ? d.slice(1) : [1];
    case 'list of words':
      return d?.length ? d.slice(1) : ['t1'];
    case 'choice':
      return p.choices.find((c) => c !== d);
    default: {
      // A word from the doc (`push`, `pull`) other than the default.
      const words = [...String(p.doc).matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((w) => w !== d && w !== 'null');
      return words[0] ?? `${d}x`;
    }
  }
}

/** Opens the Rules dialog (once). */
async function openRules(page) {
  if (!(await page.locator('#rules-dialog').evaluate((d) => d.open))) await page.locator('#rules-open').click();
}

/** Opens the form its button in the side panel names (`kv`, `commands`, `membership`). */
async function openForm(page, id) {
  const toggle = page.locator(`button[aria-controls="${id}"]`);
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

/** Opens the Rules dialog and sets `value` for `p` through its inputs. */
async function setParam(page, p, value) {
  await openRules(page);
  const id = `#param-${p.name}`;
  if (p.type === 'boolean') await page.locator(id).setChecked(value);
  else if (p.type === 'node' || p.type === 'choice') await page.locator(id).selectOption(String(value));
  else if (p.type === 'range') {
    await page.locator(id).fill(String(value[0]));
    await page.locator(`${id}-max`).fill(String(value[1]));
  } else if (p.type === 'list' || p.type === 'list of words') await page.locator(id).fill(value.join(', '));
  else await page.locator(id).fill(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Waits until the address bar holds a link for the run as it is now (its
 * scenario and, when given, the moment `t`), and returns it.
 */
async function settledHash(page, t = null) {
  await page.waitForFunction(async (at) => {
    if (!location.hash.includes('s=1.')) return false;
    if (at != null && !new RegExp(`[#&]t=${at}(&|$)`).test(location.hash)) return false;
    const { decodeLink } = await import('./www/link.js');
    const d = await decodeLink(location.hash).catch(() => null);
    return d != null && JSON.stringify(JSON.parse(d.scenarioText)) === JSON.stringify(lab.scenario());
  }, t);
  return page.evaluate(() => location.hash);
}

/**
 * Opens `hash` in the second page: a fresh page load for the first link of
 * each protocol, and after that by changing the address's fragment, as a
 * reader following another link in the same tab does (the page opens the
 * run the new fragment names). Resolves once the page has loaded that run.
 */
async function reopen(b, hash, freshLoad) {
  if (freshLoad) {
    await b.page.goto('about:blank');
    await b.page.goto(`${env.url}index.html${hash}`);
    await b.page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  } else {
    await b.page.evaluate((h) => {
      lab.simulation.reopenedMark = true;
      location.hash = h;
    }, hash);
    // A new run replaces the simulation the mark was put on.
    await b.page.waitForFunction(() => !lab.simulation.reopenedMark);
  }
}

/** Loads a paused run of `protocol` with seed 11 (awaiting its engine). */
async function fresh(page, protocol, nodes = 3) {
  await page.evaluate(async ([name, n]) => {
    await lab.load({ version: 1, protocol: name, nodes: n, seed: 11 });
    lab.pause();
  }, [protocol, nodes]);
}

test('every parameter of every protocol is listed with its default and doc, and round-trips through the panel and the share link', async () => {
  const a = await openPage(env);
  const b = await openPage(env);
  for (const info of registry) {
    await fresh(a.page, info.name);
    const rows = await a.page.locator('#params-form .param').evaluateAll((els) => els.map((e) => ({ name: e.dataset.param, text: e.textContent })));
    assert.deepEqual(rows.map((r) => r.name), info.params.map((p) => p.name), `${info.name}: the panel lists every parameter in order`);
    for (const [i, p] of info.params.entries()) {
      assert.ok(rows[i].text.includes(p.doc.replace(/`([^`]*)`/g, '$1')), `${info.name}.${p.name}: its doc is shown`);
      assert.match(rows[i].text, /default /, `${info.name}.${p.name}: its default is shown`);
    }
    for (const [i, p] of info.params.entries()) {
      await fresh(a.page, info.name);
      const value = otherValue(p, 3);
      await setParam(a.page, p, value);
      await a.page.locator('#params-apply').click();
      const got = await a.page.evaluate(() => ({ params: lab.scenario().params, error: document.getElementById('params-error').textContent }));
      assert.equal(got.error, '', `${info.name}.${p.name} = ${JSON.stringify(value)} was refused`);
      assert.deepEqual(got.params, { [p.name]: value }, `${info.name}.${p.name}: the run's scenario carries the value`);
      const hash = await settledHash(a.page);
      await reopen(b, hash, i === 0);
      const reopened = await b.page.evaluate(async (h) => {
        const { decodeLink } = await import('./www/link.js');
        return { linked: JSON.parse((await decodeLink(h)).scenarioText).params, params: lab.scenario().params, summary: document.getElementById('params-summary').textContent };
      }, hash);
      assert.deepEqual(reopened.linked, { [p.name]: value }, `${info.name}.${p.name}: the link carries the value`);
      assert.deepEqual(reopened.params, { [p.name]: value }, `${info.name}.${p.name}: the reopened run has the value`);
      assert.match(reopened.summary, /1 changed/);
    }
  }
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('each variant lands in the scenario and its link replays to the same trace hash; without variants there is no picker', async () => {
  const a = await openPage(env);
  const b = await openPage(env);
  for (const info of registry) {
    await fresh(a.page, info.name);
    if (info.variants.length === 0) {
      assert.equal(await a.page.locator('.variants button').count(), 0, `${info.name} has no variants`);
      await openRules(a.page);
      assert.equal(await a.page.locator('.variant-box').isVisible(), false);
      await a.page.locator('#rules-close').click();
      continue;
    }
    for (const [i, v] of info.variants.entries()) {
      // A variant is declared for the protocol's default cluster (saga's
      // compensate-forward fails step T3, so it needs a third participant).
      await fresh(a.page, info.name, info.default_nodes);
      await openRules(a.page);
      const button = a.page.locator(`.variant[data-variant="${v.name}"]`);
      assert.ok((await button.textContent()).includes(v.doc), `${info.name}/${v.name}: its description is shown`);
      await button.click();
      await a.page.waitForFunction((want) => Object.entries(want).every(([k, x]) => JSON.stringify(lab.scenario().params?.[k]) === JSON.stringify(x)), v.params);
      assert.equal(await button.getAttribute('aria-pressed'), 'true');
      assert.equal(await a.page.locator('#rules-dialog').evaluate((d) => d.open), false, 'the dialog closes on the new run');
      assert.equal(await a.page.locator('#rules-open').textContent(), `Rules: ${v.name}…`, 'the side panel says which variant runs');
      if (info.name === 'raft') {
        await openRules(a.page);
        await screenshot(a.page, `controls-variant-${v.name}`);
        await a.page.locator('#rules-close').click();
      }
      const ran = await a.page.evaluate(() => {
        lab.pause();
        lab.runUntil(600);
        lab.inject({ type: 'client_request', value: 'v=1' });
        lab.runUntil(1500);
        lab.pause();
        return { hash: lab.traceHash(), scenario: lab.scenario() };
      });
      const hash = await settledHash(a.page, 1500);
      await reopen(b, hash, i === 0);
      await b.page.waitForFunction(() => lab.timeMs() >= 1500);
      const got = await b.page.evaluate(() => ({ hash: lab.traceHash(), scenario: lab.scenario(), pressed: document.querySelector('.variant[aria-pressed="true"]')?.dataset.variant }));
      assert.deepEqual(got.scenario, ran.scenario);
      assert.equal(got.hash, ran.hash, `${info.name}/${v.name}: the link replays to the same trace hash`);
      assert.equal(got.pressed, v.name, 'the reopened page marks the variant');
      assert.equal(runCli({ ...ran.scenario, run_until_ms: 1500 }).json.trace_hash, ran.hash, 'and the headless runner agrees');
    }
    // Back to the protocol as published: the variant's params are gone.
    await openRules(a.page);
    await a.page.locator('.variant[data-variant=""]').click();
    const params = await a.page.evaluate(() => lab.scenario().params ?? {});
    for (const v of info.variants) for (const k of Object.keys(v.params)) assert.equal(k in params, false, `${info.name}: ${k} is reset`);
  }
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('client operations and declared commands land as events in the scenario, only where the registry says so', async () => {
  const { page, errors } = await openPage(env);
  for (const info of registry) {
    await fresh(page, info.name);
    await page.evaluate(() => lab.runUntil(400));
    assert.equal(await page.locator('#kv-form').count(), info.clients ? 1 : 0, `${info.name}: key-value client shown exactly when clients`);
    assert.equal(await page.locator('#membership').count(), info.membership ? 1 : 0, `${info.name}: membership shown exactly when membership`);
    assert.equal(await page.locator('.cmd-form').count(), info.commands.length, `${info.name}: one form per command`);
    if (info.clients) {
      await openForm(page, 'kv');
      await page.locator('#kv-f').selectOption('write');
      await page.locator('#kv-key').fill('y');
      await page.locator('#kv-value').fill('5');
      await page.getByRole('button', { name: 'Send operation' }).click();
      await page.locator('#kv-f').selectOption('cas');
      await page.locator('#kv-expect').fill('5');
      await page.locator('#kv-value').fill('6');
      await page.locator('#kv-node').selectOption('1');
      await page.getByRole('button', { name: 'Send operation' }).click();
      await page.locator('#kv-f').selectOption('read');
      await page.locator('#kv-node').selectOption('');
      assert.equal(await page.locator('#kv-value').isVisible(), false, 'a read takes no value');
      await page.getByRole('button', { name: 'Send operation' }).click();
      const events = await page.evaluate(() => lab.scenario().events);
      assert.deepEqual(events, [
        { at_ms: 400, type: 'client_op', f: 'write', key: 'y', value: '5' },
        { at_ms: 400, type: 'client_op', f: 'cas', key: 'y', expect: '5', value: '6', node: 1 },
        { at_ms: 400, type: 'client_op', f: 'read', key: 'y' },
      ]);
      // They are answered: the history holds them.
      const history = await page.evaluate(() => {
        lab.runUntil(3000);
        return lab.simulation.history();
      });
      assert.equal(history.length, 3);
    }
    if (info.commands.length) await openForm(page, 'commands');
    for (const cmd of info.commands) {
      const form = page.locator(`.cmd-form[data-command="${cmd.name}"]`);
      const args = {};
      for (const a of cmd.args.filter((x) => x.required)) {
        const input = form.locator(`[name="${a.name}"]`);
        if (a.type === 'node') {
          await input.selectOption('1');
          args[a.name] = 1;
        } else if (a.type === 'bool') {
          await input.setChecked(true);
          args[a.name] = true;
        } else if (a.type === 'uint') {
          await input.fill('1');
          args[a.name] = 1;
        } else {
          await input.fill('a');
          args[a.name] = 'a';
        }
      }
      const before = await page.evaluate(() => lab.scenario().events.length);
      await form.getByRole('button').click();
      const last = await page.evaluate(() => lab.scenario().events.at(-1));
      assert.equal(await page.evaluate(() => lab.scenario().events.length), before + 1, `${info.name}: ${cmd.name} went in`);
      assert.deepEqual({ type: last.type, name: last.name, args: last.args ?? {} }, { type: 'command', name: cmd.name, args });
    }
  }
  assert.deepEqual(errors, []);
});

test('command, join and leave forms are built from whatever the registry declares', async () => {
  // A registry entry as a future protocol would declare it: Raft with a
  // command of every argument type and membership. The forms follow the
  // declaration; the engine, which knows better, refuses them in plain words.
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  const declared = registry.map((p) => (p.name !== 'raft' ? p : {
    ...p,
    membership: true,
    commands: [{
      name: 'add_server',
      doc: 'adds `server` to the cluster, one server at a time',
      args: [
        { name: 'server', type: 'node', doc: 'the node to add', required: true },
        { name: 'catch_up', type: 'uint', doc: 'rounds of log catch-up first', required: false },
        { name: 'note', type: 'text', doc: 'a label', required: false },
        { name: 'voting', type: 'bool', doc: 'whether it votes', required: false },
      ],
    }],
  }));
  await page.route('**/www/pkg/protocols.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify(declared) }));
  await page.goto(`${env.url}index.html`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await page.evaluate(() => lab.pause());
  await openForm(page, 'commands');
  await openForm(page, 'membership');
  const form = page.locator('.cmd-form[data-command="add_server"]');
  assert.match(await form.textContent(), /add_server adds server to the cluster/);
  assert.deepEqual(await form.locator('select[name="server"] option').allTextContents(), ['n0', 'n1', 'n2', 'n3', 'n4'], 'a node argument picks among the page\'s node names');
  assert.equal(await form.locator('input[name="voting"]').getAttribute('type'), 'checkbox');
  assert.equal(await form.locator('input[name="catch_up"]').getAttribute('inputmode'), 'numeric');
  await form.locator('select[name="server"]').selectOption('3');
  await form.locator('input[name="catch_up"]').fill('2');
  await form.getByRole('button', { name: 'Run add_server' }).click();
  const line = page.locator('#commands .form-error');
  await line.waitFor();
  assert.equal(await line.textContent(), 'Not sent — name: unknown command "add_server" (raft has no commands).');
  await page.locator('#member-node').selectOption('2');
  await page.locator('#member-join').click();
  const mline = page.locator('#membership .form-error');
  assert.equal(await mline.textContent(), 'Not sent — type: raft does not support join (its membership is fixed).');
  assert.deepEqual(await page.evaluate(() => lab.scenario().events), [], 'nothing refused is recorded');
  await page.evaluate(() => lab.play());
  const t0 = await page.evaluate(() => lab.displayTime());
  await page.waitForFunction((t) => lab.displayTime() > t + 20, t0);
  await screenshot(page, 'controls-commands');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('bad input shows the engine\'s reason in plain words, and the page keeps running', async () => {
  const { page, errors } = await openPage(env, { viewport: { width: 1280, height: 1000 } });
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'raft', nodes: 5, seed: 3, params: { leader_noop: true } });
  });
  await openRules(page);
  await page.locator('#param-heartbeat_ms').fill('soon');
  await page.locator('#params-apply').click();
  const error = page.locator('#params-error');
  assert.equal(await error.textContent(), 'Not applied — heartbeat_ms: must be a whole number, not a string. The run on screen is unchanged.');
  await page.locator('#param-heartbeat_ms').fill('50');
  await page.locator('#param-election_timeout_ms').fill('300');
  await page.locator('#param-election_timeout_ms-max').fill('100');
  await page.locator('#param-election_timeout_ms-max').press('Enter');
  assert.equal(await error.textContent(), 'Not applied — election_timeout_ms [300, 100] must be a range [min, max] with 1 <= min <= max <= 600000. The run on screen is unchanged.');
  assert.deepEqual(await page.evaluate(() => lab.scenario().params), { leader_noop: true }, 'the run keeps its params');
  const t0 = await page.evaluate(() => lab.displayTime());
  await page.waitForFunction((t) => lab.displayTime() > t + 20, t0);
  await screenshot(page, 'controls-params-error');
  // Fixing the input and applying clears the message.
  await page.locator('#param-election_timeout_ms-max').fill('400');
  await page.locator('#params-apply').click();
  assert.deepEqual(await page.evaluate(() => lab.scenario().params), { election_timeout_ms: [300, 400], leader_noop: true });
  assert.equal(await error.isVisible(), false);
  assert.equal(await page.locator('#rules-dialog').evaluate((d) => d.open), false, 'the dialog closes on the new run');
  await openRules(page);
  await page.locator('#param-heartbeat_ms').fill('-5');
  await page.locator('#params-apply').click();
  assert.match(await error.textContent(), /heartbeat_ms: must not be negative \(got -5\)/);
  assert.deepEqual(errors, []);
});
