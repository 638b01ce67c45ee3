// Builds one wasm module per protocol family into www/pkg/<family>/:
// cargo (wasm profile, the family's feature only) → wasm-bindgen (--target
// web: a plain ES module, no bundler) → wasm-opt when available. The families
// share one cargo target directory, so the dependencies are compiled once for
// all of them (on a fresh clone that is most of the time a module takes), and
// a family whose inputs (the crate's sources, manifests and lock file) did not
// change since its module was written is not rebuilt at all: a second build
// takes seconds. The families, and www/pkg/protocols.json beside the modules, come
// from the registry as the native CLI prints it (`protocols --json`): the
// one list of protocols everything else reads.
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { root, run, has, capture } from './run.mjs';

export const pkgDir = path.join(root, 'www', 'pkg');

let registryCache = null;

/** The registry: every protocol with its family, params, kinds, variants… */
export function registry() {
  if (registryCache) return registryCache;
  run('cargo', ['build', '--release', '--quiet', '--bin', 'consensus-lab']);
  const text = capture(path.join(root, 'target', 'release', 'consensus-lab'), ['protocols', '--json'], { maxBuffer: 1 << 24 });
  if (text === null) throw new Error('`consensus-lab protocols --json` failed');
  registryCache = JSON.parse(text);
  return registryCache;
}

/** The wasm modules to build: each protocol family once, in registry order. */
export function families() {
  return [...new Set(registry().map((p) => p.family))];
}

const OPT_FLAGS = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

/** A digest of everything a wasm module is built from. */
function sourcesKey() {
  const hash = crypto.createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        // NUL ends the name, so no name and content run into another's.
        hash.update(`${path.relative(root, full)}\0`);
        hash.update(fs.readFileSync(full));
      }
    }
  };
  walk(path.join(root, 'crate', 'src'));
  for (const rel of ['Cargo.toml', 'Cargo.lock', path.join('crate', 'Cargo.toml')]) {
    const full = path.join(root, rel);
    if (fs.existsSync(full)) hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex');
}

function buildFamily(family, optimize, sources) {
  const out = path.join(pkgDir, family);
  const stamp = path.join(out, '.source-key');
  const wantOpt = optimize && has('wasm-opt');
  const key = `${sources} ${wantOpt}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key && fs.existsSync(path.join(out, 'consensus_lab_bg.wasm'))) return;
  const targetDir = path.join(root, 'target', 'wasm');
  run('cargo', ['build', '--quiet', '--lib', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown',
    '--no-default-features', '--features', family, '--target-dir', targetDir]);
  // The next family's build overwrites this file: bind it now.
  const built = path.join(targetDir, 'wasm32-unknown-unknown', 'wasm', 'consensus_lab.wasm');
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
  const protocols = registry();
  const sources = sourcesKey();
  for (const family of families()) buildFamily(family, optimize, sources);
  // Each module runs exactly its family's protocols, as the registry says.
  for (const family of families()) {
    const inModule = (await loadFamily(family)).Simulation.protocols().map((p) => p.name);
    const expected = protocols.filter((p) => p.family === family).map((p) => p.name);
    if (inModule.join() !== expected.join()) throw new Error(`the ${family} module runs ${inModule} but the registry lists ${expected}`);
  }
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.writeFileSync(path.join(pkgDir, 'protocols.json'), `${JSON.stringify(protocols, null, 1)}\n`);
  return protocols;
}
