// `npm run build`: a self-contained static site in dist/ that works from any
// host and any sub-path (every URL is relative; no server code). The page's
// JavaScript is bundled into one minified www/main.js (which keeps its
// place, so every URL it builds from import.meta.url still holds); each
// family's wasm-bindgen glue stays a separate module, imported when that
// family is first shown; vendored code (www/vendor/) becomes a chunk loaded
// when first needed, its style sheet and licence copied; CSS is minified;
// wasm, the protocol list and the story scenarios are copied as they are.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './lib/run.mjs';
import { ensureRust, ensureNodeModules, ensureWasmOpt } from './lib/toolchain.mjs';
import { writePageIndexes } from './lib/stories.mjs';
import { buildWasm } from './lib/build-wasm.mjs';

export const dist = path.join(root, 'dist');

/** Every file under `dir`, relative to the project root. */
function files(dir) {
  return fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)));
}

export async function build() {
  ensureRust();
  ensureNodeModules();
  ensureWasmOpt({ install: true });
  await buildWasm();
  writePageIndexes();
  const esbuild = await import('esbuild');
  fs.rmSync(dist, { recursive: true, force: true });
  const copy = (rel) => {
    fs.mkdirSync(path.dirname(path.join(dist, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(dist, rel));
  };
  for (const page of ['index.html', 'embed.html']) if (fs.existsSync(path.join(root, page))) copy(page);
  // Dot files (the wasm build's .source-key stamps among them) stay out.
  const skip = (rel) => path.basename(rel).startsWith('.');
  const www = files('www').filter((rel) => !skip(rel));
  // Plain files: everything but source JS and CSS (the bundle replaces
  // them); vendored style sheets are loaded by the page as they are.
  const vendor = path.join('www', 'vendor');
  for (const rel of www) if (!/\.(js|css)$/.test(rel) || (rel.startsWith(vendor) && rel.endsWith('.css'))) copy(rel);
  const common = { minify: true, format: 'esm', target: ['es2022'], logLevel: 'error' };
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'www', 'main.js'), path.join(root, 'www', 'style.css')],
    outdir: path.join(dist, 'www'),
    bundle: true,
    // Other protocols' drawing modules become chunks loaded on demand; the
    // engines' glue is loaded at run time, per family.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    external: ['./pkg/*'],
  });
  // The Explore panel's worker (new URL('./explore-worker.js', import.meta.url)
  // in explore.js) is a bundle of its own beside main.js.
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'www', 'explore-worker.js')], outdir: path.join(dist, 'www'), bundle: true, external: ['./pkg/*'] });
  const glue = www.filter((rel) => rel.startsWith(path.join('www', 'pkg')) && rel.endsWith('.js'));
  await esbuild.build({ ...common, entryPoints: glue.map((rel) => path.join(root, rel)), outbase: path.join(root, 'www'), outdir: path.join(dist, 'www') });
  return dist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await build();
  console.log(`\nBuilt ${path.relative(root, out)}/: publish that folder as it is, at any path (see README).`);
}
