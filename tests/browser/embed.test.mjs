// Embedding in a blog post: a host page with the lab in an iframe gets the
// frame's height by postMessage; time stops while the frame is scrolled out
// of view and resumes when it is back; the frame links to the full page with
// the same run.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, screenshot } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

async function host(width) {
  const context = await env.browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/host.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><body style="margin:0;font-family:sans-serif">
      <p>A blog post about Raft.</p>
      <iframe id="lab" src="index.html#embed=1" style="width:100%;max-width:${width}px;border:0" height="300" title="Consensus Lab"></iframe>
      <div id="spacer" style="height:3000px">more of the post</div>
      <script>
        window.heights = [];
        addEventListener('message', (e) => {
          if (e.data && e.data.type === 'consensus-lab:height') {
            window.heights.push(e.data.height);
            document.getElementById('lab').height = e.data.height;
          }
        });
      </script></body></html>`,
  }));
  await page.goto(`${env.url}host.html`);
  const frame = page.frameLocator('#lab');
  await page.waitForFunction(() => window.heights.length > 0, null, { timeout: 15000 });
  const lab = page.frames().find((f) => f.url().includes('index.html'));
  await lab.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  // Let the reports settle: none for half a second.
  let count = -1;
  for (let i = 0; i < 20; i++) {
    const now = await page.evaluate(() => window.heights.length);
    if (now === count) break;
    count = now;
    await page.waitForTimeout(500);
  }
  return { page, frame, lab, errors, context };
}

for (const width of [700, 390]) {
  test(`the frame reports its height to the host and fits a ${width} px column`, async () => {
    const { page, lab, errors, context } = await host(width);
    const heights = await page.evaluate(() => window.heights);
    const last = heights[heights.length - 1];
    assert.ok(last > 300 && last < 1200, `reported ${last}px`);
    const scroll = await lab.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `no sideways scrolling in the frame (${scroll}px)`);
    const content = await lab.evaluate(() => Math.ceil(document.querySelector('.stage').getBoundingClientRect().bottom));
    assert.ok(Math.abs(content - last) <= 2, `the last report (${last}px) matches the content (${content}px)`);
    assert.equal(await lab.evaluate(() => getComputedStyle(document.querySelector('.top')).display), 'none', 'no page chrome');
    await page.waitForTimeout(300);
    await screenshot(page, `embed-host-${width}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('time stops while the frame is out of view and goes on when it is back', async () => {
  const { page, lab, errors, context } = await host(700);
  await lab.evaluate(() => lab.play());
  const t0 = await lab.evaluate(() => lab.timeMs());
  await lab.waitForFunction((t) => lab.timeMs() > t + 10, t0);
  await page.evaluate(() => window.scrollTo(0, 2500));
  await page.waitForTimeout(300);
  const hidden0 = await lab.evaluate(() => lab.timeMs());
  await page.waitForTimeout(700);
  assert.equal(await lab.evaluate(() => lab.timeMs()), hidden0, 'no progress while out of view');
  assert.equal(await lab.evaluate(() => lab.playing), true, "the reader's play state is kept");
  await page.evaluate(() => window.scrollTo(0, 0));
  await lab.waitForFunction((t) => lab.timeMs() > t + 10, hidden0, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the frame links to the full page with the same fragment, minus embed', async () => {
  const { lab, errors, context } = await host(700);
  const href = await lab.evaluate(async () => {
    const a = document.getElementById('embed-open');
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    return a.href;
  });
  assert.match(href, /index\.html/);
  assert.doesNotMatch(href, /embed=1/);
  assert.deepEqual(errors, []);
  await context.close();
});
