// Small helpers for the project scripts: run a command with live output, run
// one and capture it, and say where things are.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a command in the project root with output shown; throws on failure. */
export function run(cmd, args, opts = {}) {
  const shown = [cmd, ...args].join(' ');
  if (!opts.quiet) console.log(`$ ${shown}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${shown}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${shown} failed (exit ${r.status})`);
}

/**
 * Like `run`, without blocking: resolves when the command succeeds. With
 * `capture`, its output (and the command line) is kept instead of shown:
 * the promise resolves with it, and a failure's error carries it as `out`.
 */
export function runAsync(cmd, args, { capture = false, quiet = false, ...opts } = {}) {
  const shown = [cmd, ...args].join(' ');
  let out = `$ ${shown}\n`;
  if (!quiet && !capture) console.log(`$ ${shown}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', ...opts });
    if (capture) {
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
    }
    const fail = (why) => reject(Object.assign(new Error(`${shown}${why}`), { out }));
    child.on('error', (e) => fail(`: ${e.message}`));
    child.on('exit', (code) => (code === 0 ? resolve(capture ? out : undefined) : fail(` failed (exit ${code})`)));
  });
}

/** Runs a command and returns its stdout, or null if it cannot run or fails. */
export function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  if (r.error || r.status !== 0) return null;
  return r.stdout;
}

export function has(cmd) {
  return capture('sh', ['-c', `command -v ${cmd}`]) !== null;
}

/** Stops the script with one line saying what to do. */
export function stop(message) {
  console.error(`\n${message}`);
  process.exit(1);
}
