// Embed mode (`embed=1` in the fragment): the lab inside a blog post's
// iframe. The cluster and the play bar come first and always fit the frame's
// height (a host that strips the sizing script still shows them); the
// caption and legend follow. The frame tells its host how tall its content
// would like to be (postMessage, so hosts can size the iframe), and time
// stops while the frame is scrolled out of view or its tab is hidden. It
// needs nothing from the host page.

const $ = (id) => document.getElementById(id);

/** The height a host without the sizing script should give the frame (a 700 px column). */
export const DEFAULT_HEIGHT = 640;

/** The full page's address for the same run (the fragment without embed=1). */
export function fullPageUrl() {
  const params = new URLSearchParams(location.hash.slice(1));
  params.delete('embed');
  const url = new URL('index.html', location.href);
  const rest = params.toString().replaceAll('%2C', ',');
  url.hash = rest;
  return url.href;
}

/** The canvas height the frame would like at this width. */
function naturalCanvas() {
  return Math.round(Math.min(520, Math.max(260, window.innerWidth * 0.62)));
}

/**
 * Switches the page to embed mode.
 * @param setVisible called with false while the frame cannot be seen
 */
export function setupEmbed(setVisible) {
  document.body.classList.add('embed');
  // The header (and its h1) is hidden in a frame: this heading stands in for it.
  $('embed-heading').hidden = false;
  const open = $('embed-open');
  open.hidden = false;
  open.addEventListener('click', (e) => {
    e.currentTarget.href = fullPageUrl();
  });

  // The canvas takes its natural height, or less when the frame is shorter,
  // so that the cluster, the timeline and the play bar always fit.
  const wrap = document.querySelector('.canvas-wrap');
  const fit = () => {
    const below = $('timeline').parentElement.offsetHeight + $('timeline-legend').offsetHeight + $('playbar').offsetHeight;
    const h = Math.max(180, Math.min(naturalCanvas(), window.innerHeight - below));
    document.body.style.setProperty('--embed-canvas', `${h}px`);
    return h;
  };
  fit();
  window.addEventListener('resize', fit);
  const ro = new ResizeObserver(fit);
  ro.observe($('playbar'));
  ro.observe($('timeline-legend'));

  // Tell the host how tall the content would be with the canvas at its
  // natural height (not the document's scroll height, which never drops
  // below the frame's, and not the fitted height, which would only shrink).
  if (window.parent !== window) {
    let last = 0;
    const report = () => {
      const shown = wrap.offsetHeight;
      const height = Math.ceil(document.querySelector('main').getBoundingClientRect().bottom + naturalCanvas() - shown);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: 'consensus-lab:height', height }, '*');
      }
    };
    new ResizeObserver(report).observe(document.querySelector('main'));
    window.addEventListener('resize', report);
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
