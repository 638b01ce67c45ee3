// `npm test`: installs what is missing, then runs every check in order and
// stops at the first failure: formatting, clippy (native and wasm), the Rust
// tests, the release CLI and wasm builds, the Node tests (the wasm engine in
// Node) and the browser tests (headless Chromium).
import { run } from './lib/run.mjs';
import { ensureRust, ensureNodeModules, ensureChromium, ensureWasmOpt } from './lib/toolchain.mjs';
import { writePageIndexes } from './lib/stories.mjs';
import { buildWasm } from './lib/build-wasm.mjs';

const started = Date.now();
const step = async (name, fn) => {
  const t = Date.now();
  console.log(`\n── ${name}`);
  await fn();
  console.log(`   ${name}: ok (${((Date.now() - t) / 1000).toFixed(1)} s)`);
};

try {
  await step('toolchain', () => {
    ensureRust({ lint: true });
    ensureNodeModules();
    ensureChromium();
    ensureWasmOpt({ install: true });
  });
  await step('cargo fmt --check', () => run('cargo', ['fmt', '--all', '--check']));
  await step('cargo clippy', () => {
    run('cargo', ['clippy', '--all-targets', '--quiet', '--', '-D', 'warnings']);
    run('cargo', ['clippy', '--lib', '--quiet', '--target', 'wasm32-unknown-unknown', '--', '-D', 'warnings']);
  });
  await step('cargo test', () => run('cargo', ['test', '--quiet']));
  await step('release CLI', () => run('cargo', ['build', '--release', '--quiet']));
  await step('wasm build', async () => {
    await buildWasm();
    writePageIndexes();
  });
  await step('static build (dist/)', async () => {
    const { build } = await import('./build.mjs');
    await build();
  });
  await step('node tests', () => run('node', ['--test', '--test-reporter=spec', 'tests/node/']));
  await step('browser tests', () => run('node', ['--test', '--test-concurrency=1', '--test-reporter=spec', 'tests/browser/']));
  console.log(`\nAll checks passed in ${((Date.now() - started) / 60000).toFixed(1)} min.`);
} catch (e) {
  console.error(`\nFAILED: ${e.message}`);
  process.exit(1);
}
