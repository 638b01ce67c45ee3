// Boots the page: loads the engine, builds the first run, and keeps the
// canvas and the panels in step with the simulation, frame by frame. It also
// exposes the live simulation as `window.lab` for the console and for tests.
import { loadManifest, loadFamily, Lab, protocols, protocolInfo, freshSeed } from './engine.js';
import { drawScene, rendererFor, loadRenderer, prefersReducedMotion } from './render.js';
import { RING_MAX } from './draw/dots.js';
import { Controls, sliderFromSpeed } from './controls.js';
import { buildLegend } from './legend.js';
import { Panels } from './panels.js';
import { MessageCard } from './msgcard.js';
import { MomentTrack, momentText } from './moments.js';
import { StoryGuard } from './fork.js';
import { TimelineBar } from './timeline.js';
import { setupFiles, composeImage, scenarioToSave } from './files.js';
import { Share, hasLink, MAX_LINK_T_MS } from './share.js';
import { setupRegistryControls } from './registry-controls.js';
import { setupExplore } from './explore.js';
import { setupSpacetime } from './views/spacetime.js';
import { setupCharts } from './views/charts.js';
import { setupHistory } from './views/history.js';
import { setupCompare } from './compare.js';
import { t, lang, translatePage, setupLanguageSwitch } from './i18n.js';
import { Announcer } from './announce.js';

const $ = (id) => document.getElementById(id);

const lab = new Lab();
// Past the ring, the page draws dots from the engine's compact frames.
lab.compactAbove = RING_MAX;
let controls;
let panels;
let card;
let timeline;
let spacetime;
let charts;
let historyView;
let compare = null;
let announcer;
let moments = new MomentTrack();
let layout = null;
let lastDrawn = { version: -1, time: -1, w: 0, h: 0 };
const frameTimes = [];
/** False while an embedded frame is out of view or its tab is hidden. */
let visible = true;
/** Embed mode (`embed=1` in the fragment); its module loads only then. */
const embedded = new URLSearchParams(location.hash.slice(1)).get('embed') === '1';

/** Shows a message above the cluster (a warning, or `info`), or hides it with null. */
function show(message, kind = 'warn') {
  const box = $('message');
  if (!message) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = message instanceof Error ? message.message : String(message);
  box.classList.toggle('info', kind === 'info');
  box.hidden = false;
}

/** The default scenario for a protocol: no events, a fresh seed. */
function defaultScenario(protocol = 'raft', nodes = null, seed = null) {
  const info = protocolInfo(protocol) ?? { default_nodes: 5 };
  return { version: 1, protocol, nodes: nodes ?? info.default_nodes, seed: seed ?? freshSeed(), events: [] };
}

/**
 * Loads a scenario (fetching its engine if needed); on error keeps the
 * current run and shows the reason. The panels reset on the lab's "load". A
 * scenario saved at a moment (`open_at_ms`) opens there, paused.
 */
function load(scenario) {
  let pending;
  try {
    pending = withRenderer(lab.load(scenario));
  } catch (e) {
    show(e);
    return Promise.reject(e);
  }
  show(null);
  return pending.then(
    (l) => {
      const at = lab.sim.scenario().open_at_ms;
      if (at > 0 && at <= MAX_LINK_T_MS) {
        lab.seek(at);
        lab.pause();
      }
      return l;
    },
    (e) => {
      show(e);
      throw e;
    },
  );
}

/** Waits for the run and then for its protocol's drawing module. */
function withRenderer(pending) {
  return pending.then(async (l) => {
    const protocol = l.sim.protocol();
    const drawnWith = rendererFor(protocol);
    if ((await loadRenderer(protocol)) !== drawnWith) {
      buildLegend($('legend'), rendererFor(protocol));
      lab.changed('renderer');
    }
    return l;
  });
}

function afterLoad() {
  const sc = lab.sim.scenario();
  $('seed').textContent = String(sc.seed);
  $('nodes').value = String(sc.nodes);
  $('protocol').value = sc.protocol;
  const info = protocolInfo(sc.protocol);
  if (info) {
    $('nodes').min = String(info.min_nodes);
    $('nodes').max = String(info.max_nodes);
  }
  controls.selected = null;
  controls.draft = null;
  card.close();
  $('partition-tool').hidden = true;
  panels.resetEvents();
  syncNetworkSliders();
  buildLegend($('legend'), rendererFor(sc.protocol));
  // A story (or a link that carries a title) says what to watch, in the page's language when the story has it.
  const story = stories.find((st) => st.title === sc.title && st.protocol === sc.protocol);
  const words = storyWords(story, sc);
  document.title = `${words.title ? `${words.title} — ` : ''}Consensus Lab`;
  moments = new MomentTrack(words.moments);
  $('caption').hidden = !words.title && !words.caption && moments.length === 0;
  $('caption-title').textContent = words.title ?? '';
  $('caption-text').textContent = words.caption ?? '';
  $('story').value = story ? story.path : '';
}

/**
 * A story's title, caption and key moments in the page's language: a story
 * has them in www/stories/<protocol>/<lang>/<slug>.json (the menu's index
 * carries them); any other scenario shows its own words.
 */
function storyWords(story, sc) {
  const tr = story?.[lang()];
  const moments = (sc.moments ?? []).map((m, i) => (tr?.moments?.[i] ? { ...m, caption: tr.moments[i] } : m));
  return { title: tr?.title ?? sc.title, caption: tr?.caption ?? sc.caption, moments };
}

let hintAction = null;

/** The protocol's empty-state hint, above the cluster, with the button that does it. */
function showHint(lines, action) {
  const el = $('hint');
  el.hidden = !lines;
  if (!lines) return;
  hintAction = action ?? null;
  const label = action?.label ?? t('page.send_client_request');
  if ($('hint-request').textContent !== label) $('hint-request').textContent = label;
  const text = $('hint-text');
  text.textContent = '';
  const b = document.createElement('span');
  b.className = 'hint-lead';
  b.textContent = lines[0];
  text.append(b, document.createTextNode(` ${lines.slice(1).join(' ')}`));
}

/** The key moment on screen, under the caption. */
function showMoment() {
  const m = moments.activeAt(lab.displayTime);
  const el = $('moment');
  if (!m) {
    el.hidden = true;
    return;
  }
  const state = lab.playing && lab.effectiveSpeed() < lab.speed ? 'slow' : !lab.playing && m.pause && lab.displayTime === m.at_ms ? 'stopped' : null;
  const text = momentText(m, state);
  if (el.textContent !== text) el.textContent = text;
  el.hidden = false;
}

/** The stories menu, grouped by protocol. */
let stories = [];

async function loadStoriesMenu() {
  try {
    const res = await fetch(new URL('./stories/index.json', import.meta.url));
    stories = res.ok ? await res.json() : [];
  } catch {
    stories = [];
  }
  const select = $('story');
  let group = null;
  for (const st of stories) {
    if (!group || group.label !== st.protocol) {
      group = document.createElement('optgroup');
      group.label = st.protocol;
      select.append(group);
    }
    const o = document.createElement('option');
    o.value = st.path;
    o.textContent = st[lang()]?.title ?? st.title;
    o.title = st[lang()]?.caption ?? st.caption;
    group.append(o);
  }
  select.addEventListener('change', () => {
    if (select.value) openStory(select.value).catch(() => {});
  });
}

/** Fetches a file of www/stories/ as text, or null (saying why) when it cannot. */
async function storyText(storyPath) {
  const res = await fetch(new URL(`./stories/${storyPath}`, import.meta.url));
  if (!res.ok) {
    show(t('main.story_failed', { status: res.status }));
    return null;
  }
  return res.text();
}

/**
 * Loads a story scenario from www/stories/ and plays it. A story told in
 * compare mode (its index entry names a `vs` run) opens with that second
 * run beside it.
 */
async function openStory(storyPath) {
  const text = await storyText(storyPath);
  if (text === null) return;
  await load(text);
  const loaded = lab.sim;
  const vs = stories.find((st) => st.path === storyPath)?.vs;
  const other = vs && compare ? await storyText(vs) : null;
  // The reader may have opened another run meanwhile (a story, a protocol,
  // Back): then this story is no longer on screen, and nothing is compared.
  if (lab.sim !== loaded) return;
  if (other !== null) {
    try {
      await compare.start(null, JSON.parse(other));
    } catch (e) {
      show(e);
    }
  }
  lab.play();
}

function syncNetworkSliders() {
  const net = lab.snapshot().network;
  const mean = Math.round((net.latency_ms[0] + net.latency_ms[1]) / 2);
  $('latency').value = String(mean);
  $('latency-out').textContent = t('unit.approx_ms', { n: mean });
  $('drop').value = String(Math.round(net.drop_rate * 100));
  $('drop-out').textContent = `${Math.round(net.drop_rate * 100)}%`;
}

function newRun() {
  const sc = lab.sim.scenario();
  load({ version: 1, protocol: sc.protocol, nodes: sc.nodes, seed: freshSeed(), network: sc.network, params: sc.params, events: [] }).catch(() => {});
}

function resizeCanvas() {
  const canvas = $('canvas');
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  return { w, h, dpr };
}

function draw(force) {
  const { w, h, dpr } = resizeCanvas();
  const time = lab.displayTime;
  if (!force && lastDrawn.version === lab.version && lastDrawn.time === time && lastDrawn.w === w && lastDrawn.h === h) return;
  const snap = lab.snapshot();
  const ctx = $('canvas').getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  layout = drawScene(ctx, snap, { width: w, height: h, time, selected: controls.selected, selectedMessage: card.id, draftGroups: controls.draft, paused: !lab.playing, reducedMotion: prefersReducedMotion() });
  if (lastDrawn.version !== lab.version) {
    panels.update(snap);
    showHint(layout.scene.hint, layout.scene.hintAction);
  }
  card.update(snap);
  announcer.update(snap, time, { playing: lab.playing });
  showMoment();
  timeline.draw();
  spacetime?.draw();
  charts?.draw();
  historyView?.draw();
  compare?.draw();
  lastDrawn = { version: lab.version, time, w, h };
}

function frame(now) {
  const dt = frame.last ? now - frame.last : 0;
  frame.last = now;
  const t0 = performance.now();
  if (!visible) {
    requestAnimationFrame(frame);
    return;
  }
  try {
    lab.tick(dt);
  } catch (e) {
    lab.pause();
    show(e);
  }
  draw(false);
  const spent = performance.now() - t0;
  frameTimes.push(spent);
  if (frameTimes.length > 2000) frameTimes.splice(0, frameTimes.length - 2000);
  requestAnimationFrame(frame);
}

/** The console and test API: the live simulation plus a few page helpers. */
function exposeLab() {
  window.lab = {
    /**
     * A new run from a scenario. For the protocol on screen it is in place
     * before this returns (a bad scenario throws at once); the promise
     * resolves when the run is ready (await it when switching protocols).
     */
    load(scenario) {
      let pending;
      try {
        pending = withRenderer(lab.load(scenario));
      } catch (e) {
        show(e);
        throw e;
      }
      show(null);
      return pending.then(
        () => window.lab,
        (e) => {
          show(e);
          throw e;
        },
      );
    },
    get simulation() {
      return lab.sim;
    },
    step: () => lab.step(),
    stepBack: () => lab.stepBack(),
    seek: (ms) => lab.seek(ms),
    headMs: () => lab.headMs(),
    memoryBytes: () => lab.memoryBytes(),
    checkpointCount: () => lab.sim.checkpointCount(),
    markers: () => lab.sim.markers(),
    /** The timeline's marks as the reader sees them: { kind, time_ms, text } (the tooltip's words). */
    timelineMarks: () => timeline.collect(),
    runUntil: (ms) => lab.runUntil(ms),
    inject: (event) => lab.inject(event),
    snapshot: () => lab.sim.snapshot(),
    /** The snapshot the page draws from: the engine's compact frame past the ring's 25 nodes. */
    drawnSnapshot: () => lab.snapshot(),
    message: (id) => lab.sim.message(id),
    eventsSince: (seq) => lab.sim.eventsSince(seq),
    scenario: () => lab.sim.scenario(),
    scenarioJson: () => lab.sim.scenarioJson(),
    traceHash: () => lab.sim.traceHash(),
    timeMs: () => lab.sim.timeMs(),
    displayTime: () => lab.displayTime,
    stats: () => lab.sim.stats(),
    result: () => lab.sim.result(),
    play: () => lab.play(),
    pause: () => lab.pause(),
    get playing() {
      return lab.playing;
    },
    setSpeed: (x) => controls.setSpeed(x),
    /** The speed playback runs at now (slower around a story's key moments). */
    effectiveSpeed: () => lab.effectiveSpeed(),
    stories: () => stories.slice(),
    openStory: (p) => openStory(p),
    select: (id) => controls.select(id),
    frameTimes: () => frameTimes.slice(),
    /** Where node `id` is drawn, in CSS pixels from the canvas's top-left corner. */
    nodePosition: (id) => (layout && layout.pos[id] ? { x: layout.pos[id].x, y: layout.pos[id].y } : null),
    /** Where message `id` is drawn now, or null. */
    messagePosition: (id) => {
      const m = layout?.scene?.messages.find((x) => x.id === id);
      return m ? { x: m.x, y: m.y } : null;
    },
    /** The canvas in words: the description and the last polite announcement (announce.js). */
    spoken: () => ({ text: $('cluster-text').textContent, said: announcer.said }),
    /** Draws the frame now (tests read the scene without waiting for the next animation frame). */
    redraw: () => draw(true),
    /** What the last frame drew: labels, texts, hit areas, messages, crosses, state cues, hint (see draw/scene.js). */
    scene: (part = null) => {
      const sc = layout?.scene;
      if (!sc) return null;
      if (part) return JSON.parse(JSON.stringify(sc[part]));
      const { w, h, labels, texts, hits, messages, crosses, hint, obstacles, cues } = sc;
      return JSON.parse(JSON.stringify({ w, h, labels, texts, hits, messages, crosses, hint, obstacles, cues }));
    },
    /** The picture Save image makes, as a data URL with where the cluster sits in it. */
    image: () => {
      const c = $('canvas');
      const img = composeImage(lab, c.clientWidth, c.clientHeight);
      return { url: img.canvas.toDataURL('image/png'), top: img.top, height: img.height, width: img.width, pixelWidth: img.canvas.width, pixelHeight: img.canvas.height };
    },
    /** The scenario Download scenario saves. */
    savedScenario: () => scenarioToSave(lab),
    protocols: () => protocols(),
    freshSeed: () => freshSeed(),
    /** The space-time diagram: state() is what its last frame drew; setWindow(t0, t1), show(open), svg(). */
    spacetime: spacetime?.api() ?? null,
    /** The charts and figures: state() is what they show; show(open). */
    charts: charts?.api() ?? null,
    /** The history of client operations and its checks: state(), show(open), document(). */
    history: historyView?.api() ?? null,
    /** Compare mode: state(), start(protocol, scenario?), stop(), simulation() (the second run). */
    compare: compare?.api() ?? null,
  };
}

async function main() {
  const first = 'raft';
  translatePage();
  try {
    await loadManifest();
    await loadFamily(protocolInfo(first)?.family ?? first);
  } catch (e) {
    show(t('main.engine_failed', { why: e.message }));
    return;
  }
  controls = new Controls(lab, { show, newRun, layout: () => layout });
  card = new MessageCard(lab, { inject: (ev) => controls.inject(ev), layout: () => layout, show });
  controls.hooks.card = card;
  panels = new Panels(lab, controls);
  announcer = new Announcer({
    marks: () => timeline.currentMarks(),
    milestoneName: () => (lab.sim ? rendererFor(lab.sim.protocol()).milestoneLegend ?? t('marker.milestone') : ''),
    renderer: () => (lab.sim ? rendererFor(lab.sim.protocol()) : null),
  });
  timeline = new TimelineBar($('timeline'), lab, show, () => ({
    renderer: lab.sim ? rendererFor(lab.sim.protocol()) : null,
    moments: moments.moments,
    zones: moments.zones(),
    legend: $('timeline-legend'),
  }));
  lab.pacer = {
    speedAt: (t, speed) => moments.speedAt(t, speed),
    stopAt: (from, to) => moments.stopAt(from, to),
  };
  setupFiles(lab, { load, show });
  setupRegistryControls(lab, $('registry-controls'), { show });
  if (!embedded) spacetime = setupSpacetime($('spacetime'), lab, { controls, card, show });
  if (!embedded) charts = setupCharts($('charts'), lab, { show });
  if (!embedded) historyView = setupHistory($('history'), lab, { show });
  // The hint's button does what the protocol's drawing says (a client request unless it says otherwise).
  $('hint-request').addEventListener('click', () => (hintAction ? controls.inject(hintAction.event) : controls.sendRequest(null)));
  new StoryGuard(lab, { load });
  if (embedded) {
    const embed = await import('./embed.js');
    embed.setupEmbed((v) => {
      visible = v;
    });
  }
  lab.addEventListener('change', (e) => {
    if (e.detail === 'load') {
      afterLoad();
      announcer.reset();
    }
    if (e.detail === 'seek') {
      // The run was rebuilt from a checkpoint: list its recent events afresh.
      panels.resetEvents();
    }
  });
  const select = $('protocol');
  for (const p of protocols()) {
    const o = document.createElement('option');
    o.value = p.name;
    o.textContent = p.name;
    select.append(o);
  }
  select.addEventListener('change', () => load(defaultScenario(select.value)).catch(() => {}));
  $('nodes').addEventListener('change', (e) => {
    const sc = lab.sim.scenario();
    load({ version: 1, protocol: sc.protocol, nodes: Number(e.target.value), seed: sc.seed, network: sc.network, params: sc.params, events: [] }).catch(() => {
      $('nodes').value = String(sc.nodes);
    });
  });
  await loadStoriesMenu();
  let share = null;
  compare = setupCompare(lab, { show, changed: () => share?.pushNow(), tip: (h, x, y) => card.showTip(h, x, y), hideTip: () => card.hideTip() });
  share = new Share(lab, { load, show, embedded, defaultScenario: () => defaultScenario(first), compare: () => compare });
  setupLanguageSwitch($('lang-switch'), () => share.fragment({ lang: null }));
  if (!embedded) setupExplore(lab, $('heal').parentElement, { load, show, copy: (text, button) => share.copy(text, button) });
  if (!hasLink() || !(await share.openFromLocation())) {
    if (!lab.sim) await load(defaultScenario(first));
  }
  // The address names this run from the start, so a reload keeps it.
  share.replaceSoon(0);
  $('speed').value = String(sliderFromSpeed(lab.speed));
  exposeLab();
  new ResizeObserver(() => draw(true)).observe($('canvas'));
  new ResizeObserver(() => draw(true)).observe($('timeline'));
  if (!hasLink()) lab.play();
  requestAnimationFrame(frame);
  document.documentElement.dataset.ready = 'true';
}

main();
