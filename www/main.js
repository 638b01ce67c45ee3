// Boots the page: loads the engine, builds the first run, and keeps the
// canvas and the panels in step with the simulation, frame by frame. It also
// exposes the live simulation as `window.lab` for the console and for tests.
import { loadManifest, loadFamily, Lab, protocols, protocolInfo, freshSeed } from './engine.js';
import { drawScene, rendererFor, loadRenderer } from './render.js';
import { Controls, formatSpeed, sliderFromSpeed } from './controls.js';
import { glyph } from './draw/common.js';
import { describeNode } from './details.js';
import { TimelineBar } from './timeline.js';
import { setupFiles } from './files.js';
import { Share, hasLink } from './share.js';

const $ = (id) => document.getElementById(id);

const lab = new Lab();
let controls;
let timeline;
let layout = null;
let lastDrawn = { version: -1, time: -1, w: 0, h: 0 };
let lastSeq = 0;
const frameTimes = [];
/** False while an embedded frame is out of view or its tab is hidden. */
let visible = true;
/** Embed mode (`embed=1` in the fragment); its module loads only then. */
const embedded = new URLSearchParams(location.hash.slice(1)).get('embed') === '1';
let embed = null;

function show(message) {
  const box = $('message');
  if (!message) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = message instanceof Error ? message.message : String(message);
  box.hidden = false;
}

/** The default scenario for a protocol: no events, a fresh seed. */
function defaultScenario(protocol = 'raft', nodes = null, seed = null) {
  const info = protocolInfo(protocol) ?? { default_nodes: 5 };
  return { version: 1, protocol, nodes: nodes ?? info.default_nodes, seed: seed ?? freshSeed(), events: [] };
}

/**
 * Loads a scenario (fetching its engine if needed); on error keeps the
 * current run and shows the reason. The panels reset on the lab's "load".
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
  return pending.catch((e) => {
    show(e);
    throw e;
  });
}

/** Waits for the run and then for its protocol's drawing module. */
function withRenderer(pending) {
  return pending.then(async (l) => {
    const protocol = l.sim.protocol();
    const drawnWith = rendererFor(protocol);
    if ((await loadRenderer(protocol)) !== drawnWith) {
      buildLegend(protocol);
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
  $('partition-tool').hidden = true;
  $('events').textContent = '';
  lastSeq = 0;
  syncNetworkSliders();
  buildLegend(sc.protocol);
  document.title = `${sc.title ? `${sc.title} — ` : ''}Consensus Lab`;
  // A story (or a link that carries a title) says what to watch.
  $('caption').hidden = !sc.title && !sc.caption;
  $('caption-title').textContent = sc.title ?? '';
  $('caption-text').textContent = sc.caption ?? '';
  const story = stories.find((st) => st.title === sc.title && st.protocol === sc.protocol);
  $('story').value = story ? story.path : '';
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
    o.textContent = st.title;
    o.title = st.caption;
    group.append(o);
  }
  select.addEventListener('change', () => {
    if (select.value) openStory(select.value).catch(() => {});
  });
}

/** Loads a story scenario from www/stories/ and plays it. */
async function openStory(storyPath) {
  const res = await fetch(new URL(`./stories/${storyPath}`, import.meta.url));
  if (!res.ok) {
    show(`That story could not be loaded (HTTP ${res.status}).`);
    return;
  }
  await load(await res.text());
  lab.play();
}

function syncNetworkSliders() {
  const net = lab.snapshot().network;
  const mean = Math.round((net.latency_ms[0] + net.latency_ms[1]) / 2);
  $('latency').value = String(mean);
  $('latency-out').textContent = `≈${mean} ms`;
  $('drop').value = String(Math.round(net.drop_rate * 100));
  $('drop-out').textContent = `${Math.round(net.drop_rate * 100)}%`;
}

function buildLegend(protocol) {
  const legend = $('legend');
  legend.textContent = '';
  const styles = rendererFor(protocol).messageStyles ?? {};
  for (const style of Object.values(styles)) {
    const item = document.createElement('span');
    item.className = 'legend-item';
    const c = document.createElement('canvas');
    const dpr = window.devicePixelRatio || 1;
    c.width = 18 * dpr;
    c.height = 18 * dpr;
    c.className = 'legend-glyph';
    const g = c.getContext('2d');
    g.scale(dpr, dpr);
    glyph(g, style.shape, 9, 9, style.small ? 4 : 5.5, style.fill, style.stroke);
    item.append(c, document.createTextNode(style.legend));
    legend.append(item);
  }
  const lost = document.createElement('span');
  lost.className = 'legend-item';
  lost.textContent = '✕ lost message';
  legend.append(lost);
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
  layout = drawScene(ctx, snap, { width: w, height: h, time, selected: controls.selected, draftGroups: controls.draft });
  if (lastDrawn.version !== lab.version) updatePanels(snap);
  timeline.draw();
  lastDrawn = { version: lab.version, time, w, h };
}

function updatePanels(snap) {
  $('play').textContent = lab.playing ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(lab.playing));
  $('speed-out').textContent = formatSpeed(lab.speed);
  $('status-time').textContent = `${snap.time_ms.toLocaleString('en-US')} ms`;
  $('status-steps').textContent = `${snap.steps.toLocaleString('en-US')} steps`;
  $('status-flight').textContent = `${snap.messages.length} in flight`;
  $('status-hash').textContent = `trace ${lab.sim.traceHash().slice(0, 12)}…`;
  const v = snap.violations;
  const banner = $('violations');
  if (v.length) {
    const last = v[v.length - 1];
    banner.textContent = `Safety violated (${v.length}): ${last.invariant.replaceAll('_', ' ')} at ${last.at_ms} ms — ${last.detail}`;
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
  const sel = controls.selected;
  const node = sel == null ? null : snap.nodes.find((d) => d.id === sel);
  $('node-title').textContent = node ? `n${node.id}` : '— click one on the ring';
  $('node-details').textContent = node ? describeNode(node) : '';
  for (const b of document.querySelectorAll('#node-actions button')) {
    const act = b.dataset.act;
    b.disabled = !node || (act === 'restart' ? node.up : !node.up && act !== 'isolate');
  }
  $('partition').textContent = controls.draft ? 'Partition (drawing…)' : 'Partition…';
  embed?.updateEmbedBar(lab, node);
  appendEvents();
}

const QUIET = new Set(['send', 'deliver', 'drop', 'timer', 'start']);

function appendEvents() {
  const list = $('events');
  const showAll = $('show-messages').checked;
  const recs = lab.sim.eventsSince(lastSeq);
  if (recs.length === 0) return;
  lastSeq = recs[recs.length - 1].seq + 1;
  const frag = document.createDocumentFragment();
  const shown = showAll ? recs : recs.filter((r) => !QUIET.has(r.kind));
  for (const r of shown.slice(-150)) {
    const li = document.createElement('li');
    li.className = `ev ev-${r.kind}`;
    const t = document.createElement('span');
    t.className = 'ev-time';
    t.textContent = `${r.time_ms}`;
    // Protocol notes speak for their node; the simulator's own texts name it.
    const who = r.node != null && (r.kind === 'note' || r.kind === 'milestone') ? `n${r.node} ` : '';
    li.append(t, document.createTextNode(` ${who}${r.text}`));
    frag.append(li);
  }
  list.append(frag);
  while (list.childElementCount > 150) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
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
    runUntil: (ms) => lab.runUntil(ms),
    inject: (event) => lab.inject(event),
    snapshot: () => lab.sim.snapshot(),
    eventsSince: (seq) => lab.sim.eventsSince(seq),
    scenario: () => lab.sim.scenario(),
    scenarioJson: () => lab.sim.scenarioJson(),
    traceHash: () => lab.sim.traceHash(),
    timeMs: () => lab.sim.timeMs(),
    stats: () => lab.sim.stats(),
    result: () => lab.sim.result(),
    play: () => lab.play(),
    pause: () => lab.pause(),
    get playing() {
      return lab.playing;
    },
    setSpeed: (x) => controls.setSpeed(x),
    stories: () => stories.slice(),
    openStory: (p) => openStory(p),
    select: (id) => controls.select(id),
    frameTimes: () => frameTimes.slice(),
    /** Where node `id` is drawn, in CSS pixels from the canvas's top-left corner. */
    nodePosition: (id) => (layout && layout.pos[id] ? { x: layout.pos[id].x, y: layout.pos[id].y } : null),
    protocols: () => protocols(),
    freshSeed: () => freshSeed(),
  };
}

async function main() {
  const first = 'raft';
  try {
    await loadManifest();
    await loadFamily(protocolInfo(first)?.family ?? first);
  } catch (e) {
    show(`The simulation engine could not load (${e.message}). This page needs WebAssembly.`);
    return;
  }
  controls = new Controls(lab, { show, newRun, layout: () => layout });
  timeline = new TimelineBar($('timeline'), lab, show);
  setupFiles(lab, { load, show });
  if (embedded) {
    embed = await import('./embed.js');
    embed.setupEmbed(lab, controls, (v) => {
      visible = v;
    });
  }
  lab.addEventListener('change', (e) => {
    if (e.detail === 'load') afterLoad();
    if (e.detail === 'seek') {
      // The run was rebuilt from a checkpoint: list its recent events afresh.
      $('events').textContent = '';
      lastSeq = 0;
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
  $('show-messages').addEventListener('change', () => {
    $('events').textContent = '';
    lastSeq = 0;
    appendEvents();
  });
  await loadStoriesMenu();
  const share = new Share(lab, { load, show, embedded, defaultScenario: () => defaultScenario(first) });
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
