// Every story opens from the Stories menu (a reader's click), shows its
// caption, and runs exactly as the headless runner runs it (whose outcome
// the Rust story tests check against each caption); and the page's
// Content-Security-Policy holds, allowing neither inline scripts nor eval.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBrowser, openPage, screenshot } from './harness.mjs';
import { runCli } from '../node/engine.mjs';
import { root } from '../../scripts/lib/run.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

const stories = JSON.parse(fs.readFileSync(path.join(root, 'www', 'stories', 'index.json'), 'utf8'));
const registry = JSON.parse(fs.readFileSync(path.join(root, 'www', 'pkg', 'protocols.json'), 'utf8'));

test('every story opens from the menu, shows its caption and runs as the headless runner runs it', async () => {
  assert.ok(stories.length >= 20, `${stories.length} stories`);
  const { page, errors } = await openPage(env);
  const protocols = new Set();
  for (const story of stories) {
    await page.locator('#story').selectOption(story.path);
    await page.waitForFunction((t) => document.getElementById('caption-title').textContent === t, story.title);
    assert.equal(await page.locator('#caption-text').textContent(), story.caption);
    const text = fs.readFileSync(path.join(root, 'www', 'stories', story.path), 'utf8');
    const until = JSON.parse(text).run_until_ms;
    const hash = await page.evaluate((t) => {
      lab.pause();
      lab.runUntil(t);
      return lab.traceHash();
    }, until);
    const native = runCli(text);
    assert.equal(native.status, 0, native.stderr);
    assert.equal(hash, native.json.trace_hash, story.path);
    protocols.add(story.protocol);
  }
  // Every protocol the registry lists has stories, and no story names another.
  assert.deepEqual([...protocols].sort(), registry.map((p) => p.name).sort());
  await screenshot(page, 'story-last');
  assert.deepEqual(errors, []);
});

test('the Content-Security-Policy forbids inline scripts and eval, and the page never trips it', async () => {
  const { page, errors } = await openPage(env);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  await page.evaluate(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // Exercise the page: another protocol (engine and drawing fetched), a story, the timeline, the dialogs.
  await page.locator('#protocol').selectOption('3pc');
  await page.waitForFunction(() => lab.snapshot().protocol === '3pc');
  await page.locator('#story').selectOption('raft/leader-crash.json');
  await page.waitForFunction(() => document.getElementById('caption-title').textContent.length > 0);
  await page.keyboard.press('?');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Embed…' }).click();
  await page.locator('#embed-dialog[open]').waitFor();
  await page.keyboard.press('Escape');
  // An inline script would be refused: the policy is really in force.
  const blocked = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 100));
    return window.inlineRan === undefined;
  });
  assert.equal(blocked, true);
  const violations = await page.evaluate(() => window.violations.filter((v) => !v.startsWith('script-src-elem inline')));
  assert.deepEqual(violations, []);
  assert.deepEqual(errors.filter((e) => !e.includes('Content Security Policy')), []);
});
