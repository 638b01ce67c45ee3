// The reader's page preferences that belong to no scenario (which views are
// open), remembered in this browser. Links and scenario files never carry
// them; a browser that refuses storage just forgets them.

const KEY = 'consensus-lab:ui';

function readAll() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** The preference `name`, or `fallback` when none was kept. */
export function uiPref(name, fallback) {
  const v = readAll()[name];
  return v === undefined ? fallback : v;
}

/** Keeps preference `name`. */
export function setUiPref(name, value) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...readAll(), [name]: value }));
  } catch {
    // Storage refused (private mode, a sandboxed frame): nothing is kept.
  }
}
