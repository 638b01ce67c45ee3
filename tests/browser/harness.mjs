// Shared setup for the browser tests: serve the project, launch Debian's
// Chromium headless through playwright-core, collect console errors, and save
// screenshots under test-artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/lib/serve.mjs';
import { root } from '../../scripts/lib/run.mjs';
import { chromiumPath } from '../../scripts/lib/toolchain.mjs';

export const artifacts = path.join(root, 'test-artifacts');

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts a server for `dir` (the project root by default) and a browser. */
export async function startBrowser({ dir = root, prefix = '' } = {}) {
  const { server, url } = await serve(dir, { port: 0, prefix });
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: run `npm test`, which installs it, or set CHROMIUM_PATH');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * A new page that records console errors and uncaught exceptions in `errors`.
 * `context` adds browser-context options (a11y.test.mjs sets bypassCSP to
 * inject axe-core past the page's Content-Security-Policy).
 */
export async function openPage(env, { path: p = 'index.html', hash = '', viewport = { width: 1280, height: 800 }, scale = 1, context: options = {} } = {}) {
  const context = await env.browser.newContext({ viewport, deviceScaleFactor: scale, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.goto(`${env.url}${p}${hash}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' || !document.getElementById('message')?.hidden, null, { timeout: 15000 });
  return { page, errors, context };
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Waits until the page has drawn two more frames. */
export async function frames(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Clicks (or with `tap`, taps) the canvas at (x, y) CSS pixels from its top-left corner. */
export async function canvasClick(page, x, y, { tap = false } = {}) {
  const box = await page.locator('#canvas').boundingBox();
  if (tap) await page.touchscreen.tap(box.x + x, box.y + y);
  else await page.mouse.click(box.x + x, box.y + y);
}

/** Loads `scenario` (awaiting its engine), pauses, runs to `until`, waits for the frame that draws it. */
export async function runTo(page, scenario, until) {
  await page.evaluate(async ([s, t]) => {
    await lab.load(s);
    lab.pause();
    lab.runUntil(t);
  }, [scenario, until]);
  await frames(page);
}

/** A story scenario from www/stories/. */
export function storyFile(rel) {
  return JSON.parse(fs.readFileSync(path.join(root, 'www', 'stories', rel), 'utf8'));
}

/** Every story in the menu: [{ protocol, path, title, caption }]. */
export function storyIndex() {
  return JSON.parse(fs.readFileSync(path.join(root, 'www', 'stories', 'index.json'), 'utf8'));
}

/** Whether two boxes overlap (by more than half a pixel); a box with `r` is a circle. */
function overlap(a, b) {
  if (!(a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5)) return false;
  const c = a.r != null ? a : b.r != null ? b : null;
  if (!c) return true;
  const box = c === a ? b : a;
  const dx = Math.max(box.x0 - c.cx, 0, c.cx - box.x1);
  const dy = Math.max(box.y0 - c.cy, 0, c.cy - box.y1);
  return dx * dx + dy * dy < (c.r - 0.5) ** 2;
}

/**
 * The drawing rules of www/draw/scene.js, checked on the last frame: every
 * text inside the canvas; labels never on a node, another label or a ✕.
 * Returns a list of problems (empty when the frame follows the rules).
 */
export async function ruleProblems(page, what, scene = null) {
  const sc = scene ?? (await page.evaluate(() => lab.scene()));
  return sceneProblems(sc, what);
}

/** ruleProblems() for a scene already read. */
export function sceneProblems(sc, what) {
  const out = [];
  for (const t of sc.texts) {
    if (t.x0 < -0.5 || t.y0 < -0.5 || t.x1 > sc.w + 0.5 || t.y1 > sc.h + 0.5) out.push(`${what}: "${t.s}" leaves the canvas (${Math.round(t.x0)},${Math.round(t.y0)})–(${Math.round(t.x1)},${Math.round(t.y1)}) of ${sc.w}×${sc.h}`);
  }
  const nodes = sc.obstacles.filter((o) => o.kind === 'node');
  for (const [i, l] of sc.labels.entries()) {
    for (const m of sc.labels.slice(i + 1)) if (overlap(l, m)) out.push(`${what}: label "${l.s}" overlaps label "${m.s}"`);
    for (const n of nodes) if (overlap(l, n)) out.push(`${what}: label "${l.s}" sits on a node`);
    for (const c of sc.crosses) if (overlap(l, c)) out.push(`${what}: label "${l.s}" sits on a ✕`);
  }
  return out;
}
