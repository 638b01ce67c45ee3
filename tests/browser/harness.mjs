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

/** A new page that records console errors and uncaught exceptions in `errors`. */
export async function openPage(env, { path: p = 'index.html', hash = '', viewport = { width: 1280, height: 800 }, scale = 1 } = {}) {
  const context = await env.browser.newContext({ viewport, deviceScaleFactor: scale });
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
