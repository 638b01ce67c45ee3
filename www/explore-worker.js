// The Explore panel's worker (a module worker, started by www/explore.js):
// it loads the campaign protocol's engine module for itself (an engine of
// its own, no timeline, so the page keeps drawing while it works), runs the
// campaign's seeds in batches through the facade's Campaign, reports
// progress after each batch, and shrinks the first failing run it found.
// The runs are the CLI's (`consensus-lab explore`): seed S + i for run i.
//
// In:  { type: 'start', family, protocol, variant, profile, from, runs }
//      { type: 'stop' }  (ends the campaign after the batch that is running)
// Out: { type: 'progress', done, runs, violations, perSecond, first }
//      { type: 'shrinking', first }
//      { type: 'shrunk', result }   (Campaign.shrink's object)
//      { type: 'done', done, runs, violations, first, stopped }
//      { type: 'error', message }
import { loadFamily } from './engine.js';

/** How long one batch should take (wall ms): progress comes this often. */
const BATCH_MS = 150;

let stopping = false;

/** Lets the worker read its messages (a stop) between batches. */
const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An engine error as one plain line (an internal panic with its message). */
function message(e, mod) {
  if (e instanceof WebAssembly.RuntimeError) {
    const p = mod?.lastPanic?.();
    return `internal error in the engine${p ? `: ${p}` : ''}`;
  }
  return (e instanceof Error ? e.message : String(e)).replace(/^Error: /, '');
}

async function campaign(msg) {
  const mod = await loadFamily(msg.family);
  try {
    await explore(mod, msg);
  } catch (e) {
    throw new Error(message(e, mod));
  }
}

async function explore(mod, { protocol, variant, profile, from, runs }) {
  const c = new mod.Campaign(protocol, variant, profile);
  try {
    let done = 0;
    let violations = 0;
    let first = null;
    let batch = 4;
    let spent = 0;
    while (done < runs && !stopping) {
      const n = Math.min(batch, runs - done);
      const t0 = performance.now();
      const r = c.run(from + done, from + done + n);
      const took = Math.max(performance.now() - t0, 0.01);
      spent += took;
      done += r.runs;
      violations += r.violations;
      first = first ?? r.first;
      // The next batch sized to take about BATCH_MS at this pace.
      batch = Math.max(1, Math.min(10_000, Math.round((n * BATCH_MS) / took)));
      postMessage({ type: 'progress', done, runs, violations, perSecond: (done * 1000) / spent, first });
      await breathe();
    }
    if (first) {
      postMessage({ type: 'shrinking', first });
      postMessage({ type: 'shrunk', result: c.shrink(first.seed) });
    }
    postMessage({ type: 'done', done, runs, violations, first, stopped: stopping });
  } finally {
    c.free();
  }
}

self.onmessage = (e) => {
  const msg = e.data;
  if (msg?.type === 'stop') {
    stopping = true;
  } else if (msg?.type === 'start') {
    stopping = false;
    campaign(msg).catch((err) => postMessage({ type: 'error', message: message(err) }));
  }
};
