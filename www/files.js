// Saving and loading: the scenario as a .json file (button or drag-and-drop
// anywhere on the page), the whole trace as JSON, the canvas as a PNG.
// Everything is built in the browser; nothing is sent anywhere.

const $ = (id) => document.getElementById(id);

function download(name, blob) {
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
function baseName(lab) {
  const sc = lab.sim.scenario();
  return `${sc.protocol}-seed${sc.seed}-${Math.floor(lab.displayTime)}ms`;
}

/**
 * Wires the buttons and drag-and-drop.
 * @param lab the Lab
 * @param hooks { load(text) → Promise, show(message|Error|null) }
 */
export function setupFiles(lab, hooks) {
  $('download-scenario').addEventListener('click', () => {
    const pretty = JSON.stringify(JSON.parse(lab.sim.scenarioJson()), null, 2);
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
    $('canvas').toBlob((blob) => {
      if (blob) download(`${baseName(lab)}.png`, blob);
      else hooks.show('The picture could not be made.');
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
    hooks.show(`That file is too large for a scenario (${(file.size / 1048576).toFixed(1)} MB; at most 8 MB).`);
    return;
  }
  try {
    await hooks.load(await file.text());
  } catch {
    // load() has already shown what is wrong; the current run goes on.
  }
}
