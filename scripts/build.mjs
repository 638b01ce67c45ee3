// `npm run build`: a self-contained static site in dist/ that works from any
// host and any sub-path (every URL is relative; no server code). JS and CSS
// are minified file by file, keeping the module graph and its relative
// imports exactly as in www/; the wasm modules, the protocol list and the
// story scenarios are copied as they are.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './lib/run.mjs';
import { ensureRust, ensureNodeModules, ensureWasmOpt } from './lib/toolchain.mjs';
import { writeStoriesIndex } from './lib/stories.mjs';
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
  writeStoriesIndex();
  const esbuild = await import('esbuild');
  fs.rmSync(dist, { recursive: true, force: true });
  const copy = (rel) => {
    fs.mkdirSync(path.dirname(path.join(dist, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(dist, rel));
  };
  for (const page of ['index.html', 'embed.html']) if (fs.existsSync(path.join(root, page))) copy(page);
  const skip = (rel) => rel.endsWith('.source-mtime') || path.basename(rel).startsWith('.');
  const www = files('www').filter((rel) => !skip(rel));
  const code = www.filter((rel) => /\.(js|css)$/.test(rel));
  for (const rel of www) if (!code.includes(rel)) copy(rel);
  await esbuild.build({
    entryPoints: code.map((rel) => path.join(root, rel)),
    outbase: path.join(root, 'www'),
    outdir: path.join(dist, 'www'),
    minify: true,
    bundle: false,
    format: 'esm',
    target: ['es2022'],
    logLevel: 'warning',
  });
  return dist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await build();
  console.log(`\nBuilt ${path.relative(root, out)}/: publish that folder as it is, at any path (see README).`);
}
