// Builds one wasm module per protocol family into www/pkg/<family>/:
// cargo (wasm profile, the family's feature only) → wasm-bindgen (--target
// web: a plain ES module, no bundler) → wasm-opt when available. Each family
// has its own cargo target directory, so switching features never forces a
// rebuild, and steps whose inputs did not change are skipped: a rebuild takes
// seconds. Finally www/pkg/protocols.json lists every protocol and its module.
import fs from 'node:fs';
import path from 'node:path';
import { root, run, has } from './run.mjs';

export const pkgDir = path.join(root, 'www', 'pkg');
export const FAMILIES = ['raft', 'paxos', 'commit'];

const OPT_FLAGS = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

function buildFamily(family, optimize) {
  const targetDir = path.join(root, 'target', `wasm-${family}`);
  run('cargo', ['build', '--quiet', '--lib', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown',
    '--no-default-features', '--features', family, '--target-dir', targetDir]);
  const built = path.join(targetDir, 'wasm32-unknown-unknown', 'wasm', 'consensus_lab.wasm');
  const out = path.join(pkgDir, family);
  const stamp = path.join(out, '.source-mtime');
  const wantOpt = optimize && has('wasm-opt');
  const key = `${fs.statSync(built).mtimeMs} ${wantOpt}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key && fs.existsSync(path.join(out, 'consensus_lab_bg.wasm'))) return;
  run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, built]);
  if (wantOpt) {
    const wasm = path.join(out, 'consensus_lab_bg.wasm');
    run('wasm-opt', ['-O3', ...OPT_FLAGS, wasm, '-o', wasm]);
  }
  fs.writeFileSync(stamp, key);
}

/** Loads a family's module in Node. */
export async function loadFamily(family) {
  const dir = path.join(pkgDir, family);
  const mod = await import(path.join(dir, 'consensus_lab.js'));
  mod.initSync({ module: fs.readFileSync(path.join(dir, 'consensus_lab_bg.wasm')) });
  return mod;
}

export async function buildWasm({ optimize = true } = {}) {
  for (const family of FAMILIES) buildFamily(family, optimize);
  const protocols = [];
  for (const family of FAMILIES) protocols.push(...(await loadFamily(family)).Simulation.protocols());
  fs.writeFileSync(path.join(pkgDir, 'protocols.json'), `${JSON.stringify(protocols, null, 1)}\n`);
  return protocols;
}
