// Copies the page's third-party browser modules from node_modules into
// www/vendor/ (gitignored), so the page needs no bundler and works from any
// static host: today fflate's ES module build, which www/link.js imports as
// './vendor/fflate.js' for scenario links. Installs the npm packages first
// when they are missing; copying again only when the source changed.
import fs from 'node:fs';
import path from 'node:path';
import { root, run } from './run.mjs';

const FILES = [['fflate', path.join('esm', 'browser.js'), 'fflate.js']];

export function vendor() {
  const dir = path.join(root, 'www', 'vendor');
  fs.mkdirSync(dir, { recursive: true });
  for (const [pkg, file, name] of FILES) {
    const from = path.join(root, 'node_modules', pkg, file);
    if (!fs.existsSync(from)) run('npm', ['install', '--no-audit', '--no-fund']);
    const to = path.join(dir, name);
    const text = fs.readFileSync(from);
    if (!fs.existsSync(to) || !fs.readFileSync(to).equals(text)) fs.writeFileSync(to, text);
  }
  return dir;
}
