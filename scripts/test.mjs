// `npm test`: installs what is missing, then runs every check and stops at
// the first failure: formatting, clippy (native and wasm), the Rust tests,
// the release CLI and wasm builds, the Node tests (the wasm engine in Node)
// and the browser tests (headless Chromium).
//
// CI has two cores and much of a build keeps only one busy (linking, LTO with
// one codegen unit, wasm-opt), so independent steps overlap: the Rust tests
// build and run beside the release CLI and the wasm modules, and the Node
// tests run beside the browser tests. A step that runs beside another
// prints its output when it ends, so the two never interleave.
import { run, runAsync } from './lib/run.mjs';
import { ensureRust, ensureNodeModules, ensureChromium, ensureWasmOpt } from './lib/toolchain.mjs';
import { writePageIndexes } from './lib/stories.mjs';
import { buildWasm } from './lib/build-wasm.mjs';

// A fresh clone has nothing to reuse: incremental compilation only costs.
process.env.CARGO_INCREMENTAL ??= '0';

const started = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const step = async (name, fn) => {
  const t = Date.now();
  console.log(`\n── ${name}`);
  await fn();
  console.log(`   ${name}: ok (${secs(t)})`);
};

/** Runs named steps at once; each prints its output when it ends. */
async function together(steps) {
  const t = Date.now();
  console.log(`\n── ${steps.map(([name]) => name).join(' ‖ ')}`);
  const results = await Promise.allSettled(steps.map(async ([name, fn]) => {
    const s = Date.now();
    try {
      const out = await fn();
      if (out) process.stdout.write(out);
      console.log(`   ${name}: ok (${secs(s)})`);
    } catch (e) {
      if (e.out) process.stdout.write(e.out);
      console.log(`   ${name}: FAILED (${secs(s)})`);
      throw e;
    }
  }));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  console.log(`   together: ${secs(t)}`);
}

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
  await together([
    ['cargo test', () => runAsync('cargo', ['test', '--quiet'], { capture: true })],
    ['release CLI, wasm build', async () => {
      const out = await runAsync('cargo', ['build', '--release', '--quiet'], { capture: true });
      await buildWasm({ quiet: true });
      writePageIndexes();
      return out;
    }],
  ]);
  await step('static build (dist/)', async () => {
    const { build } = await import('./build.mjs');
    await build();
  });
  await together([
    ['node tests', () => runAsync('node', ['--test', '--test-reporter=spec', 'tests/node/'], { capture: true })],
    ['browser tests', () => runAsync('node', ['--test', '--test-concurrency=2', '--test-reporter=spec', 'tests/browser/'], { capture: true })],
  ]);
  console.log(`\nAll checks passed in ${((Date.now() - started) / 60000).toFixed(1)} min.`);
} catch (e) {
  console.error(`\nFAILED: ${e.message}`);
  process.exit(1);
}
