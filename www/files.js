// Saving and loading: the scenario as a .json file (button or drag-and-drop
// anywhere on the page; a downloaded scenario carries the moment it was
// saved at, `open_at_ms`, and reopens there), the whole trace as JSON, and
// the picture as a PNG with the story's caption above it and the legend
// below (without the selection ring: a picture of the run, not of the
// reader's clicks). Everything is built in the browser; nothing is sent
// anywhere.
import { drawScene, rendererFor } from './render.js';
import { drawLegend } from './legend.js';
import { font, palette, wrapText } from './draw/common.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name for this run, such as `raft-seed42-2300ms`. */
export function baseName(lab) {
  const sc = lab.sim.scenario();
  return `${sc.protocol}-seed${sc.seed}-${Math.floor(lab.displayTime)}ms`;
}

/** The scenario to download: the run so far, opening at the moment on screen. */
export function scenarioToSave(lab) {
  const doc = JSON.parse(lab.sim.scenarioJson());
  const t = Math.floor(lab.displayTime);
  if (t > 0) doc.open_at_ms = t;
  else delete doc.open_at_ms;
  return doc;
}

/**
 * The picture to save: caption, the cluster as on screen (`width`×`height`
 * CSS pixels, no selection ring), legend. Returns the canvas and where the
 * cluster sits in it.
 */
export function composeImage(lab, width, height) {
  const snap = lab.snapshot();
  const sc = lab.sim.scenario();
  const r = rendererFor(snap.protocol);
  const dpr = window.devicePixelRatio || 1;
  const probe = document.createElement('canvas').getContext('2d');
  const pad = 12;
  // The title in bold on its own line(s), then the caption.
  font(probe, 13, 650);
  // The words on screen: a story's in the page's language (main.js storyWords).
  const title = document.getElementById('caption-title')?.textContent || sc.title;
  const caption = document.getElementById('caption-text')?.textContent || sc.caption;
  const lines = title ? wrapText(probe, title, width - 2 * pad).map((s) => ({ s, bold: true })) : [];
  font(probe, 13);
  if (caption) lines.push(...wrapText(probe, caption, width - 2 * pad).map((s) => ({ s, bold: false })));
  const top = lines.length ? lines.length * 18 + 2 * pad : 0;
  const legendH = drawLegend(probe, r, pad, 0, width - 2 * pad, true) + 2 * pad + 16;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round((top + height + legendH) * dpr);
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, top + height + legendH);
  if (lines.length) {
    ctx.fillStyle = '#eef4fd';
    ctx.fillRect(0, 0, width, top);
    lines.forEach((l, i) => {
      font(ctx, 13, l.bold ? 650 : 400);
      ctx.fillStyle = '#1e3a66';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(l.s, pad, pad + i * 18);
    });
  }
  ctx.save();
  ctx.translate(0, top);
  drawScene(ctx, snap, { width, height, time: lab.displayTime, selected: null, paused: true });
  ctx.restore();
  drawLegend(ctx, r, pad, top + height + pad, width - 2 * pad);
  font(ctx, 10);
  ctx.fillStyle = palette.muted;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(t('files.image_footer', { protocol: sc.protocol, seed: sc.seed, ms: Math.floor(lab.displayTime).toLocaleString('en-US') }), pad, top + height + legendH - 6);
  return { canvas, top, height, width };
}

/**
 * Wires the buttons and drag-and-drop.
 * @param lab the Lab
 * @param hooks { load(text) → Promise, show(message|Error|null) }
 */
export function setupFiles(lab, hooks) {
  $('download-scenario').addEventListener('click', () => {
    const pretty = JSON.stringify(scenarioToSave(lab), null, 2);
    download(`${baseName(lab)}.json`, new Blob([`${pretty}\n`], { type: 'application/json' }));
  });
  $('export-trace').addEventListener('click', () => {
    try {
      const text = lab.sim.traceJson(500_000);
      download(`${baseName(lab)}-trace.json`, new Blob([text], { type: 'application/json' }));
    } catch (e) {
      hooks.show(e);
    }
  });
  $('save-image').addEventListener('click', () => {
    const c = $('canvas');
    composeImage(lab, c.clientWidth, c.clientHeight).canvas.toBlob((blob) => {
      if (blob) download(`${baseName(lab)}.png`, blob);
      else hooks.show(t('files.no_picture'));
    }, 'image/png');
  });
  const input = $('load-file');
  $('load-scenario').addEventListener('click', () => input.click());
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) await openFile(file, hooks);
  });
  // Drop a scenario file anywhere on the page.
  let depth = 0;
  const dragging = (on) => document.body.classList.toggle('dragging', on);
  document.addEventListener('dragenter', (e) => {
    if (!e.dataTransfer?.types?.includes('Files')) return;
    depth += 1;
    dragging(true);
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dragging(false);
  });
  document.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types?.includes('Files')) e.preventDefault();
  });
  document.addEventListener('drop', async (e) => {
    depth = 0;
    dragging(false);
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    await openFile(file, hooks);
  });
}

/** The most a dropped or chosen file may weigh. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

async function openFile(file, hooks) {
  if (file.size > MAX_FILE_BYTES) {
    hooks.show(t('files.too_large', { mb: (file.size / 1048576).toFixed(1) }));
    return;
  }
  try {
    await hooks.load(await file.text());
  } catch {
    // load() has already shown what is wrong; the current run goes on.
  }
}
