// Builds the wasm module into www/pkg: cargo (wasm profile) → wasm-bindgen
// (--target web: a plain ES module, no bundler) → wasm-opt when available.
// Steps whose inputs did not change are skipped, so a rebuild takes seconds.
import fs from 'node:fs';
import path from 'node:path';
import { root, run, has } from './run.mjs';

const built = path.join(root, 'target', 'wasm32-unknown-unknown', 'wasm', 'consensus_lab.wasm');
export const pkgDir = path.join(root, 'www', 'pkg');

export function buildWasm({ optimize = true } = {}) {
  run('cargo', ['build', '--quiet', '--lib', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown']);
  const stamp = path.join(pkgDir, '.source-mtime');
  const mtime = String(fs.statSync(built).mtimeMs);
  const wantOpt = optimize && has('wasm-opt');
  const current = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === `${mtime} ${wantOpt}`;
  if (current && fs.existsSync(path.join(pkgDir, 'consensus_lab_bg.wasm'))) return;
  run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', pkgDir, built]);
  if (wantOpt) {
    const out = path.join(pkgDir, 'consensus_lab_bg.wasm');
    run('wasm-opt', ['-O3', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
      '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', out, '-o', out]);
  }
  fs.writeFileSync(stamp, `${mtime} ${wantOpt}`);
}
