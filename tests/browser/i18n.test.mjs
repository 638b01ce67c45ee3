// The page in Chinese, as a reader gets it: the EN / 中文 switch reopens the
// same run in Chinese with lang=zh in the address; then every protocol's
// page (one page load, switching protocols) shows no English in its chrome,
// its legend, its hint or on its canvas, its labels keep the drawing rules
// (inside the canvas, on no node or other label), and it leaves a screenshot
// (test-artifacts/zh-<protocol>.png) to look at for tofu and overflow. The
// event log holds the engine's own notes, which stay English, and message
// labels are the engine's too; both are left out.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, frames, ruleProblems, runTo, storyFile } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

/** English left on the page: visible text (and titles) with two Latin words in a row and no Chinese. */
async function englishOnPage(page) {
  return page.evaluate(() => {
    const CJK = /[\u3400-\u9fff]/;
    // Two English words in a row, or one lower-case word standing alone (a role, a caption); no Chinese.
    const english = (s) => {
      if (CJK.test(s)) return false;
      const words = s.replace(/“[^”]*”/g, '').replace(/\bn\d+\b/g, ' ').replace(/[·:→]/g, ' ').trim();
      return /[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}/.test(words) || /^[a-z][a-z-]{3,}$/.test(words);
    };
    const skip = (el) => el.closest('#events, code, kbd, .brand, #status-hash, #explore-form, noscript, option');
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const s = n.textContent.trim();
      if (!s || skip(el) || !el.checkVisibility()) continue;
      if (english(s)) out.push(`text "${s}" in <${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}>`);
    }
    for (const el of document.querySelectorAll('[title], [aria-label]')) {
      if (skip(el) || !el.checkVisibility()) continue;
      for (const a of ['title', 'aria-label']) {
        const s = el.getAttribute(a) ?? '';
        if (english(s)) out.push(`${a} "${s}" on <${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}>`);
      }
    }
    // The canvas: what the drawing wrote, less the engine's message labels.
    const labels = new Set(lab.snapshot().messages.map((m) => m.label));
    for (const t of lab.scene().texts) if (!labels.has(t.s) && english(t.s)) out.push(`canvas "${t.s}"`);
    return out;
  });
}

/** Buttons whose text does not fit (a Chinese label wider than its button). */
async function overflowing(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, .field, .legend-item')]
    .filter((b) => b.checkVisibility() && b.scrollWidth > b.clientWidth + 1)
    .map((b) => `${b.tagName.toLowerCase()}${b.id ? `#${b.id}` : ''} "${b.textContent.trim()}"`));
}

test('the 中文 switch reopens the run in Chinese, and every protocol speaks Chinese', async () => {
  const { page, errors } = await openPage(env, { viewport: { width: 1280, height: 900 } });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('#copy-link').textContent(), 'Copy link');
  const seed = await page.evaluate(() => lab.scenario().seed);
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  await page.locator('#lang-switch button[data-lang="zh"]').click();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && document.documentElement.lang === 'zh-CN', null, { timeout: 15000 });
  assert.equal(await page.evaluate(() => lab.scenario().seed), seed, 'the same run reopens');
  assert.match(await page.evaluate(() => location.hash), /&lang=zh/);
  assert.equal(await page.locator('#copy-link').textContent(), '复制链接');
  assert.equal(await page.locator('#lang-switch button[aria-pressed="true"]').textContent(), '中文');
  await page.waitForFunction(() => /&lang=zh$/.test(location.hash) && /s=1\./.test(location.hash));

  const problems = [];
  // The dialogs: keyboard shortcuts and the embed snippet.
  for (const [open, dialog] of [['#help-open', '#help'], ['#embed-button', '#embed-dialog']]) {
    await page.locator(open).click();
    await page.locator(dialog).waitFor({ state: 'visible' });
    problems.push(...(await englishOnPage(page)).map((s) => `${dialog}: ${s}`));
    await page.keyboard.press('Escape');
  }
  for (const p of await page.evaluate(() => lab.protocols())) {
    await page.evaluate(async (info) => {
      await lab.load({ version: 1, protocol: info.name, nodes: Math.min(info.default_nodes, 9), seed: 7, events: [] });
      lab.pause();
    }, p);
    // At the start: the empty-state hint; a little later: roles, labels, panels.
    await frames(page);
    problems.push(...(await englishOnPage(page)).map((s) => `${p.name} at 0 ms: ${s}`));
    await page.evaluate(() => {
      lab.inject({ type: 'client_request', value: 'x=1' });
      lab.runUntil(1500);
      lab.redraw();
    });
    await frames(page);
    problems.push(...(await englishOnPage(page)).map((s) => `${p.name} at 1500 ms: ${s}`));
    problems.push(...(await overflowing(page)).map((s) => `${p.name}: ${s} overflows`));
    // Chinese labels follow the drawing rules too: inside the canvas, never on a node or another label.
    problems.push(...(await ruleProblems(page, `${p.name} in Chinese`)));
    await screenshot(page, `zh-${p.name}`);
    // A selected node: its details in the side panel and its tooltip on the canvas.
    const tip = await page.evaluate(() => {
      lab.select(0);
      lab.redraw();
      return lab.scene('hits').find((h) => h.kind === 'node' && h.id === 0)?.tip ?? '';
    });
    await frames(page);
    problems.push(...(await englishOnPage(page)).map((s) => `${p.name}, n0 selected: ${s}`));
    for (const line of tip.split('\n')) if (/[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}/.test(line) && !/[\u3400-\u9fff]/.test(line)) problems.push(`${p.name}: n0's tooltip "${line}"`);
    await page.evaluate(() => lab.select(null));
  }
  // A crowded cluster is drawn as dots, and the space-time diagram has words of its own.
  await page.evaluate(async () => {
    await lab.load({ version: 1, protocol: 'gossip', nodes: 200, seed: 3, events: [{ at_ms: 0, type: 'client_request', value: 'x' }] });
    lab.pause();
    lab.runUntil(400);
    lab.spacetime.show(true);
    lab.redraw();
  });
  await frames(page);
  problems.push(...(await englishOnPage(page)).map((s) => `gossip, 200 nodes: ${s}`));
  await screenshot(page, 'zh-gossip-200');
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
});

test('the lessons drawn in Chinese: two bully coordinators, a saga compensating, a hanging try', async () => {
  // States the first test's 1.5 s never reaches: the split centre card, the
  // compensation chain, the hatched hanging reservation, and the node details.
  const { page, errors } = await openPage(env, { hash: '#lang=zh', viewport: { width: 1280, height: 900 } });
  const problems = [];
  for (const [file, at, want] of [
    ['bully/partition-two-coordinators.json', 6900, '2 个协调者：n1, n4'],
    ['saga/compensate-in-reverse.json', 1720, '正在逆序补偿'],
    ['tcc/hanging-try-held-forever.json', null, '悬挂'],
  ]) {
    const sc = storyFile(file);
    await runTo(page, sc, at ?? sc.run_until_ms);
    await page.evaluate(() => {
      lab.select(2);
      lab.redraw();
    });
    await frames(page);
    const texts = await page.evaluate(() => lab.scene().texts.map((x) => x.s));
    if (!texts.includes(want)) problems.push(`${file}: no "${want}" on the canvas`);
    problems.push(...(await englishOnPage(page)).map((s) => `${file}: ${s}`));
    problems.push(...(await ruleProblems(page, `${file} in Chinese`)));
    await screenshot(page, `zh-${file.replace('/', '-').replace('.json', '')}`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
});

test('a link with lang=zh opens in Chinese, and the embed snippet carries it', async () => {
  const { page, errors } = await openPage(env, { hash: '#lang=zh' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await page.locator('#embed-button').click();
  // The snippet is written once the scenario is compressed, then the dialog opens.
  await page.locator('#embed-dialog[open]').waitFor();
  const snippet = await page.locator('#embed-snippet').inputValue();
  assert.match(snippet, /embed=1&amp;lang=zh/);
  assert.deepEqual(errors, []);
});
