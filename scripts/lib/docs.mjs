// The tables in docs/ that list protocols, their params, message kinds,
// variants and commands are written from the registry (www/pkg/protocols.json,
// as `consensus-lab protocols --json` prints it), between markers:
//   <!-- registry:index -->            every protocol, its module and nodes
//   <!-- registry:params NAME -->      NAME's params: key, default, type, meaning
//   <!-- registry:kinds NAME -->       NAME's message kinds
//   <!-- registry:variants NAME -->    NAME's variants and the params they set
//   <!-- registry:commands NAME -->    NAME's commands and their arguments
// each closed by <!-- /registry -->. `npm run docs` rewrites them; the Node
// tests fail when a table is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './run.mjs';

const DOCS = path.join(root, 'docs');

const code = (v) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
const cell = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(head, rows) {
  if (rows.length === 0) return '_none_';
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function block(kind, name, registry) {
  if (kind === 'index') {
    return table(['protocol', 'wasm module', 'nodes', 'what it solves'],
      registry.map((p) => [code(p.name), code(p.family), `${p.min_nodes}–${p.max_nodes}, default ${p.default_nodes}`, p.summary]));
  }
  const p = registry.find((x) => x.name === name);
  if (!p) throw new Error(`docs name protocol "${name}", which the registry does not list`);
  switch (kind) {
    case 'params':
      return table(['key', 'default', 'type', 'meaning'], p.params.map((d) => [code(d.name), code(d.default), d.choices ? `one of ${d.choices.map(code).join(', ')}` : d.type, d.doc]));
    case 'kinds':
      return table(['kind', 'meaning'], p.kinds.map((k) => [code(k.name), k.doc]));
    case 'variants':
      return table(['variant', 'sets', 'what it shows'], p.variants.map((v) => [code(v.name), code(v.params), v.doc]));
    case 'commands':
      return table(['command', 'arguments', 'what it does'], p.commands.map((c) => [code(c.name),
        c.args.map((a) => `${a.name} (${a.type}${a.required ? '' : ', optional'}): ${a.doc}`).join('; ') || '—', c.doc]));
    default:
      throw new Error(`unknown registry table "${kind}"`);
  }
}

const MARK = /<!-- registry:(\w+)(?: ([\w-]+))? -->\n[\s\S]*?<!-- \/registry -->/g;

/** Every markdown file under docs/ with its tables rewritten from `registry`. */
export function renderDocs(registry) {
  const out = new Map();
  const files = fs.readdirSync(DOCS, { recursive: true }).filter((f) => f.endsWith('.md'));
  for (const rel of files) {
    const file = path.join(DOCS, rel);
    const text = fs.readFileSync(file, 'utf8');
    const next = text.replace(MARK, (_, kind, name) => `<!-- registry:${kind}${name ? ` ${name}` : ''} -->\n${block(kind, name, registry)}\n<!-- /registry -->`);
    out.set(file, { before: text, after: next });
  }
  return out;
}

export function readRegistry() {
  return JSON.parse(fs.readFileSync(path.join(root, 'www', 'pkg', 'protocols.json'), 'utf8'));
}

/** Rewrites the tables; returns the files that changed. */
export function writeDocs(registry = readRegistry()) {
  const changed = [];
  for (const [file, { before, after }] of renderDocs(registry)) {
    if (before !== after) {
      fs.writeFileSync(file, after);
      changed.push(path.relative(root, file));
    }
  }
  return changed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const changed = writeDocs();
  console.log(changed.length ? `Rewrote the registry tables in ${changed.join(', ')}.` : 'The registry tables in docs/ are up to date.');
}
