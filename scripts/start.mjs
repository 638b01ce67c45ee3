// `npm start`: installs what is missing, builds the wasm module and serves the
// app. Re-running it when everything is installed takes seconds.
import { ensureRust, ensureNodeModules } from './lib/toolchain.mjs';
import { writePageIndexes } from './lib/stories.mjs';
import { buildWasm } from './lib/build-wasm.mjs';
import { root } from './lib/run.mjs';

ensureRust();
ensureNodeModules();
await buildWasm();
writePageIndexes();
const { serve } = await import('./lib/serve.mjs');
const { url } = await serve(root, { port: Number(process.env.PORT) || 8080, host: process.env.HOST || '127.0.0.1' });
console.log(`\nConsensus Lab is running at ${url}\nPress Ctrl+C to stop.`);
