// Embed mode (`embed=1` in the fragment): the lab inside a blog post's
// iframe. Only the canvas, the timeline, the caption and a compact control
// bar show; the frame tells its host how tall it is (postMessage, so hosts
// can size the iframe), and time stops while the frame is scrolled out of
// view or its tab is hidden. It needs nothing from the host page.

const $ = (id) => document.getElementById(id);

/** The full page's address for the same run (the fragment without embed=1). */
export function fullPageUrl() {
  const params = new URLSearchParams(location.hash.slice(1));
  params.delete('embed');
  const url = new URL('index.html', location.href);
  const rest = params.toString().replaceAll('%2C', ',');
  url.hash = rest;
  return url.href;
}

/**
 * Switches the page to embed mode.
 * @param lab the Lab
 * @param controls the Controls (the bar reuses its actions)
 * @param setVisible called with false while the frame cannot be seen
 */
export function setupEmbed(lab, controls, setVisible) {
  document.body.classList.add('embed');
  $('embed-bar').hidden = false;
  const bar = $('embed-bar');
  bar.addEventListener('click', (e) => {
    const act = e.target.closest('[data-embed]')?.dataset.embed;
    if (!act) return;
    if (act === 'play') controls.togglePlay();
    else if (act === 'back') controls.act(() => lab.stepBack());
    else if (act === 'step') controls.act(() => lab.step());
    else controls.nodeAction(act);
  });
  $('embed-speed').addEventListener('change', (e) => controls.setSpeed(Number(e.target.value)));
  $('embed-open').addEventListener('click', (e) => {
    e.currentTarget.href = fullPageUrl();
  });

  // Tell the host how tall the content is, whenever it changes. (The
  // content's own height: the document's scroll height never drops below
  // the frame's, so it could only ever grow.)
  if (window.parent !== window) {
    let last = 0;
    const report = () => {
      const height = Math.ceil(document.querySelector('main').getBoundingClientRect().bottom);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: 'consensus-lab:height', height }, '*');
      }
    };
    new ResizeObserver(report).observe(document.querySelector('main'));
    report();
  }

  // Stop time while nobody can see it.
  let inView = true;
  const update = () => setVisible(inView && document.visibilityState === 'visible');
  new IntersectionObserver((entries) => {
    inView = entries.some((en) => en.isIntersecting);
    update();
  }).observe($('canvas'));
  document.addEventListener('visibilitychange', update);
}

/** Keeps the bar in step with the run: play state, speed, the selected node. */
export function updateEmbedBar(lab, node) {
  const play = document.querySelector('#embed-bar [data-embed="play"]');
  play.textContent = lab.playing ? '❚❚' : '▶';
  play.title = lab.playing ? 'Pause (Space)' : 'Play (Space)';
  $('embed-speed').value = String(closestSpeed(lab.speed));
  const box = $('embed-node');
  box.hidden = !node;
  if (node) {
    $('embed-node-name').textContent = `n${node.id}`;
    for (const b of box.querySelectorAll('button')) {
      const act = b.dataset.embed;
      b.disabled = act === 'restart' ? node.up : !node.up;
    }
  }
}

const SPEEDS = [0.02, 0.05, 0.1, 0.25, 0.5, 1, 2];

function closestSpeed(s) {
  return SPEEDS.reduce((best, x) => (Math.abs(Math.log(x / s)) < Math.abs(Math.log(best / s)) ? x : best));
}
