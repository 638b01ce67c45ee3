// Builds one wasm module per protocol family into www/pkg/<family>/:
// cargo (wasm profile, the family's feature only) → wasm-bindgen (--target
// web: a plain ES module, no bundler) → wasm-opt when available. The first
// family compiles the dependencies; a copy of its cargo target directory then
// lets two families build at once (see buildFamilies), and
// a family whose inputs (the crate's sources, manifests and lock file) did not
// change since its module was written is not rebuilt at all: a second build
// takes seconds. The families, and www/pkg/protocols.json beside the modules, come
// from the registry as the native CLI prints it (`protocols --json`): the
// one list of protocols everything else reads.
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { root, run, runAsync, has, capture } from './run.mjs';

export const pkgDir = path.join(root, 'www', 'pkg');

let registryCache = null;

/** The registry: every protocol with its family, params, kinds, variants… */
export function registry({ quiet = false } = {}) {
  if (registryCache) return registryCache;
  run('cargo', ['build', '--release', '--quiet', '--bin', 'consensus-lab'], { quiet });
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

function needsBuild(family, key) {
  const out = path.join(pkgDir, family);
  const stamp = path.join(out, '.source-key');
  return !(fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key && fs.existsSync(path.join(out, 'consensus_lab_bg.wasm')));
}

/** Builds one family's module with the cargo target directory `targetDir`. */
async function buildFamily(family, key, wantOpt, targetDir, quiet) {
  const out = path.join(pkgDir, family);
  await runAsync('cargo', ['build', '--quiet', '--lib', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown',
    '--no-default-features', '--features', family, '--target-dir', targetDir], { quiet });
  // The next family's build in this directory overwrites this file: bind it now.
  const built = path.join(targetDir, 'wasm32-unknown-unknown', 'wasm', 'consensus_lab.wasm');
  await runAsync('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, built], { quiet });
  if (wantOpt) {
    const wasm = path.join(out, 'consensus_lab_bg.wasm');
    await runAsync('wasm-opt', ['-O3', ...OPT_FLAGS, wasm, '-o', wasm], { quiet });
  }
  fs.writeFileSync(path.join(out, '.source-key'), key);
}

/** Builds the families that changed. The first builds alone, compiling the
 *  dependencies; then a copy of its target directory lets two families build
 *  at once, since most of a family's build (LTO with one codegen unit, then
 *  wasm-opt) keeps only one core busy. */
async function buildFamilies(list, optimize, sources, quiet) {
  const wantOpt = optimize && has('wasm-opt');
  const key = `${sources} ${wantOpt}`;
  const todo = list.filter((f) => needsBuild(f, key));
  if (!todo.length) return;
  const lanes = [path.join(root, 'target', 'wasm'), path.join(root, 'target', 'wasm-2')];
  await buildFamily(todo[0], key, wantOpt, lanes[0], quiet);
  const rest = todo.slice(1);
  if (!rest.length) return;
  fs.rmSync(lanes[1], { recursive: true, force: true });
  fs.cpSync(lanes[0], lanes[1], { recursive: true, preserveTimestamps: true });
  const lane = async (dir, families) => {
    for (const f of families) await buildFamily(f, key, wantOpt, dir, quiet);
  };
  await Promise.all([
    lane(lanes[0], rest.filter((_, i) => i % 2 === 0)),
    lane(lanes[1], rest.filter((_, i) => i % 2 === 1)),
  ]);
}

/** Loads a family's module in Node. */
export async function loadFamily(family) {
  const dir = path.join(pkgDir, family);
  const mod = await import(path.join(dir, 'consensus_lab.js'));
  mod.initSync({ module: fs.readFileSync(path.join(dir, 'consensus_lab_bg.wasm')) });
  return mod;
}

export async function buildWasm({ optimize = true, quiet = false } = {}) {
  const protocols = registry({ quiet });
  const sources = sourcesKey();
  await buildFamilies(families(), optimize, sources, quiet);
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
