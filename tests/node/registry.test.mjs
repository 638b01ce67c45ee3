// The registry is the one list of protocols: the file the build writes
// beside the wasm modules equals what the CLI prints, each module runs its
// family's protocols, the stories menu follows it, and the tables in docs/
// are written from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from '../../scripts/lib/run.mjs';
import { loadFamily } from '../../scripts/lib/build-wasm.mjs';
import { renderDocs } from '../../scripts/lib/docs.mjs';

const cli = path.join(root, 'target', 'release', 'consensus-lab');
const built = JSON.parse(fs.readFileSync(path.join(root, 'www', 'pkg', 'protocols.json'), 'utf8'));

test('protocols.json is the registry the CLI prints', () => {
  const r = spawnSync(cli, ['protocols', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), built);
  const text = spawnSync(cli, ['protocols'], { encoding: 'utf8' }).stdout;
  for (const p of built) {
    assert.ok(text.includes(p.name), `${p.name} in the text listing`);
    for (const v of p.variants) assert.ok(text.includes(v.name), `${p.name}'s variant ${v.name} in the text listing`);
  }
});

test('each wasm module runs exactly its family and describes it as the CLI does', async () => {
  for (const family of [...new Set(built.map((p) => p.family))]) {
    const mod = await loadFamily(family);
    const inModule = mod.Simulation.protocols();
    assert.deepEqual(inModule, built.filter((p) => p.family === family), family);
  }
});

test('the stories menu lists protocols in registry order', () => {
  const index = JSON.parse(fs.readFileSync(path.join(root, 'www', 'stories', 'index.json'), 'utf8'));
  const order = built.map((p) => p.name);
  const seen = [...new Set(index.map((s) => s.protocol))];
  assert.deepEqual(seen, order.filter((n) => seen.includes(n)), 'protocols in registry order');
  for (const s of index) assert.ok(order.includes(s.protocol), `${s.path}: ${s.protocol} is in the registry`);
});

test('the registry tables in docs/ are up to date (npm run docs)', () => {
  const stale = [...renderDocs(built)].filter(([, v]) => v.before !== v.after).map(([f]) => path.relative(root, f));
  assert.deepEqual(stale, [], `run \`npm run docs\` to rewrite: ${stale.join(', ')}`);
  const all = [...renderDocs(built).values()].map((v) => v.after).join('\n');
  for (const p of built) assert.ok(all.includes(`<!-- registry:params ${p.name} -->`), `docs list ${p.name}'s params`);
});
