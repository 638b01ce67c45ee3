// Writes the page's two indexes. www/draw/index.json: the protocols that have
// a drawing of their own (www/draw/<protocol>.js), so the page fetches only
// drawings that exist. www/stories/index.json, the stories menu: every story scenario in
// www/stories/<protocol>/ with its title and caption (and their translations,
// www/stories/<protocol>/<lang>/, and the second run of a story told in
// compare mode, www/stories/<protocol>/vs/), protocols in the
// registry's order (www/pkg/protocols.json, written by the wasm build) and
// stories in the order each protocol's order.json gives (the order a reader
// should meet them; stories it does not list come after, by name).
import fs from 'node:fs';
import path from 'node:path';
import { root } from './run.mjs';

const dir = path.join(root, 'www', 'stories');

const rank = (list, x) => (list.includes(x) ? list.indexOf(x) : list.length);

function protocolOrder() {
  const file = path.join(root, 'www', 'pkg', 'protocols.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).map((p) => p.name) : [];
}

/**
 * A story told in compare mode has its second run beside it:
 * www/stories/<protocol>/vs/<slug>.json, a scenario of its own (any
 * protocol with the same nodes). The page opens the story and then compares
 * it with that run, under one clock; the index names the file as `vs`.
 */
const VS = 'vs';

/**
 * A story's words in other languages: www/stories/<protocol>/<lang>/<slug>.json
 * holds { title, caption, moments: [the key moments' captions, in order] }.
 * They live in a folder beside the stories, so the story tests and this
 * index, which read only the protocol folder's own .json files, never take
 * them for scenarios.
 */
function translations(folder, file) {
  const out = {};
  for (const lang of fs.readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== VS).map((e) => e.name)) {
    const p = path.join(folder, lang, file);
    if (fs.existsSync(p)) out[lang] = JSON.parse(fs.readFileSync(p, 'utf8'));
  }
  return out;
}

export function writeStoriesIndex() {
  const stories = [];
  const order = new Map();
  for (const protocol of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    const folder = path.join(dir, protocol);
    const orderFile = path.join(folder, 'order.json');
    order.set(protocol, fs.existsSync(orderFile) ? JSON.parse(fs.readFileSync(orderFile, 'utf8')) : []);
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.json') && f !== 'order.json')) {
      const doc = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8'));
      const slug = file.replace(/\.json$/, '');
      const vs = fs.existsSync(path.join(folder, VS, file)) ? { vs: `${protocol}/${VS}/${file}` } : {};
      stories.push({ protocol: doc.protocol, folder: protocol, slug, path: `${protocol}/${file}`, title: doc.title ?? slug, caption: doc.caption ?? '', ...vs, ...translations(folder, file) });
    }
  }
  const protocols = protocolOrder();
  stories.sort((a, b) => rank(protocols, a.protocol) - rank(protocols, b.protocol) || a.protocol.localeCompare(b.protocol)
    || rank(order.get(a.folder), a.slug) - rank(order.get(b.folder), b.slug) || a.slug.localeCompare(b.slug));
  const index = stories.map(({ folder, ...s }) => s);
  fs.writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  return index;
}

/** Writes www/draw/index.json: the registry's protocols that have a www/draw/<protocol>.js. */
export function writeDrawingsIndex() {
  const drawn = protocolOrder().filter((name) => fs.existsSync(path.join(root, 'www', 'draw', `${name}.js`)));
  fs.writeFileSync(path.join(root, 'www', 'draw', 'index.json'), `${JSON.stringify(drawn)}\n`);
  return drawn;
}

/** Both indexes the page reads; run after the wasm build has written the registry. */
export function writePageIndexes() {
  writeDrawingsIndex();
  return writeStoriesIndex();
}
