// Installs what the build and the tests need when it is missing, and stops
// with one clear line when it cannot: the wasm32 target, wasm-bindgen-cli at
// exactly the version in Cargo.lock, rustfmt/clippy, npm packages, and (for the
// browser tests) Debian's Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { root, run, capture, has, stop } from './run.mjs';

export function wasmBindgenVersion() {
  const lock = fs.readFileSync(path.join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
  if (!m) stop('Cargo.lock does not list wasm-bindgen; run `cargo generate-lockfile`.');
  return m[1];
}

export function ensureRust({ lint = false } = {}) {
  if (!has('cargo') || !has('rustup')) {
    stop('Rust is missing: install it from https://rustup.rs (rustup, cargo), then run this again.');
  }
  const targets = capture('rustup', ['target', 'list', '--installed']) ?? '';
  if (!targets.split('\n').includes('wasm32-unknown-unknown')) {
    run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  }
  if (lint) {
    const missing = ['rustfmt', 'clippy'].filter((c) => capture('cargo', [c === 'rustfmt' ? 'fmt' : 'clippy', '--version']) === null);
    if (missing.length) run('rustup', ['component', 'add', ...missing]);
  }
  const want = wasmBindgenVersion();
  const got = (capture('wasm-bindgen', ['--version']) ?? '').trim().split(' ')[1];
  if (got !== want) {
    console.log(`Installing wasm-bindgen-cli ${want} to match Cargo.lock (a few minutes, once)…`);
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', want, '--locked']);
  }
}

export function ensureNodeModules() {
  const need = ['sirv', 'playwright-core', 'esbuild'].filter((p) => !fs.existsSync(path.join(root, 'node_modules', p, 'package.json')));
  if (need.length === 0) return;
  const lock = fs.existsSync(path.join(root, 'package-lock.json'));
  run('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs Debian packages when we are root on Debian; otherwise stops with the command to run. */
function aptInstall(packages, why) {
  if (isRoot() && has('apt-get')) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return true;
  }
  const line = has('apt-get') ? `sudo apt-get install -y ${packages.join(' ')}` : `install ${packages.join(' and ')} with your package manager`;
  stop(`${why}: ${line} (or set CHROMIUM_PATH to a Chromium binary), then run this again.`);
  return false;
}

export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  return null;
}

export function ensureChromium() {
  if (!chromiumPath()) {
    aptInstall(['chromium'], 'The browser tests need Chromium');
    if (!chromiumPath()) stop('Chromium was installed but /usr/bin/chromium is missing; set CHROMIUM_PATH.');
  }
  ensureCjkFont();
}

/** Whether fontconfig knows a font with Chinese glyphs (the page in 中文 draws no tofu boxes). */
export function hasCjkFont() {
  return /\S/.test(capture('fc-list', [':lang=zh', 'family']) ?? '');
}

/** The Chinese page needs a CJK font: Debian's fonts-noto-cjk, installed as Chromium is. */
export function ensureCjkFont() {
  if (hasCjkFont()) return;
  if (!isRoot() || !has('apt-get')) {
    console.warn('No CJK font found (fc-list :lang=zh): the Chinese screenshots will show boxes. Install fonts-noto-cjk.');
    return;
  }
  aptInstall(['fonts-noto-cjk'], 'The browser tests draw the page in Chinese and need a CJK font');
  if (!hasCjkFont()) stop('fonts-noto-cjk was installed but fontconfig lists no Chinese font (fc-list :lang=zh).');
}

/** wasm-opt shrinks the module; optional for `npm start`, installed for tests and builds when we can. */
export function ensureWasmOpt({ install = false } = {}) {
  if (has('wasm-opt')) return true;
  if (install && isRoot() && has('apt-get')) {
    run('apt-get', ['install', '-y', '-qq', 'binaryen'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return has('wasm-opt');
  }
  return false;
}
