// Embedding in a blog post: a host page with the lab in an iframe gets the
// frame's height by postMessage; a host that strips the script still sees
// the cluster and the play bar first, in a frame of the snippet's default
// height; labels are whole at phone width; a reader can send a client
// request from the frame; time stops while the frame is scrolled out of view
// and resumes when it is back; the frame links to the full page with the
// same run.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, screenshot, sceneProblems, storyFile } from './harness.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env.close();
});

async function host(width, { script = true, height = 300 } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/host.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><body style="margin:0;font-family:sans-serif">
      <p>A blog post about Raft.</p>
      <iframe id="lab" src="index.html#embed=1" style="width:100%;max-width:${width}px;border:0" height="${height}" title="Consensus Lab"></iframe>
      <div id="spacer" style="height:3000px">more of the post</div>
      <script>${script ? '' : 'window.stripped = true;'}
        window.heights = [];
        addEventListener('message', (e) => {
          if (e.data && e.data.type === 'consensus-lab:height') {
            window.heights.push(e.data.height);
            if (!window.stripped) document.getElementById('lab').height = e.data.height;
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

test('a host that strips the sizing script still shows the cluster and the play bar first', async () => {
  // The snippet's height, for such hosts.
  const main = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await main.goto(`${env.url}index.html`);
  await main.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await main.getByRole('button', { name: 'Embed…' }).click();
  await main.locator('#embed-dialog[open]').waitFor();
  await main.waitForFunction(() => document.getElementById('embed-snippet').value.includes('iframe'));
  const snippet = await main.locator('#embed-snippet').inputValue();
  const height = Number(snippet.match(/height="(\d+)"/)[1]);
  assert.ok(height >= 560 && height <= 720, `default height ${height}`);
  await main.close();
  for (const h of [450, height]) {
    const { page, lab, errors, context } = await host(700, { script: false, height: h });
    await lab.evaluate(async () => {
      await lab.openStory('raft/leader-crash.json');
      lab.pause();
      lab.runUntil(1600);
    });
    await page.waitForTimeout(200);
    const boxes = await lab.evaluate(() => {
      const b = (sel) => document.querySelector(sel).getBoundingClientRect();
      return { canvas: b('.canvas-wrap'), bar: b('#playbar'), caption: b('#caption'), inner: window.innerHeight };
    });
    assert.ok(boxes.bar.bottom <= boxes.inner + 1, `${h} px frame: the play bar is in view (${boxes.bar.bottom} of ${boxes.inner})`);
    assert.ok(boxes.canvas.top < 5 && boxes.canvas.height >= 250, `the cluster first, ${boxes.canvas.height} px tall`);
    assert.ok(boxes.caption.top >= boxes.bar.bottom - 1, 'the caption comes after the bar');
    await screenshot(page, `embed-stripped-${h}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('in an embed at phone width labels are whole, and a reader can send a client request', async () => {
  const { page, lab, errors, context } = await host(390);
  const sc = storyFile('raft/leader-crash.json');
  const scenes = await lab.evaluate(async (s) => {
    await lab.load(s);
    lab.pause();
    return [0.3, 0.6, 1].map((f) => {
      lab.runUntil(Math.round(s.run_until_ms * f));
      lab.redraw();
      return lab.scene();
    });
  }, sc);
  const problems = scenes.flatMap((scene, i) => sceneProblems(scene, `390 embed #${i}`));
  for (const scene of scenes) for (const t of scene.texts) if (t.s.endsWith('…')) problems.push(`cut: "${t.s}"`);
  assert.deepEqual(problems, []);
  const before = await lab.evaluate(() => lab.scenario().events.filter((e) => e.type === 'client_request').length);
  await page.frameLocator('#lab').getByRole('button', { name: 'Send request' }).click();
  const after = await lab.evaluate(() => lab.scenario().events.filter((e) => e.type === 'client_request').length);
  assert.equal(after, before + 1, 'the request is in the run');
  await page.waitForTimeout(200);
  await screenshot(page, 'embed-390-request');
  assert.deepEqual(errors, []);
  await context.close();
});
