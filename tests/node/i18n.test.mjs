// The page's two languages stay whole: every key the page uses exists in
// English and in Chinese, no key is left unused, both say the same
// placeholders, the page's fixed text is the English of its keys, Chinese
// words are Chinese, every protocol's drawing speaks Chinese on a Chinese
// page (so a new protocol with English legends or hints fails here), and
// every story has its Chinese title, caption and key moments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root } from '../../scripts/lib/run.mjs';
import en from '../../www/i18n/en.js';
import zh from '../../www/i18n/zh.js';
import * as i18n from '../../www/i18n.js';

const www = path.join(root, 'www');

/** Every page source a key may be used in: www/**.js (not vendor, pkg or the dictionaries) and the HTML pages. */
function sources() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!['vendor', 'pkg', 'i18n', 'stories'].includes(e.name)) walk(p);
      } else if (e.name.endsWith('.js') || e.name.endsWith('.html')) out.push(p);
    }
  };
  walk(www);
  out.push(path.join(root, 'index.html'));
  return out.map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }));
}

const SRC = sources();
const KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** Keys looked up with t('…') (or `tr`, share.js's name for it) and named by data-i18n attributes. */
function calledKeys() {
  const out = new Map();
  for (const { file, text } of SRC) {
    const found = [
      ...[...text.matchAll(/\btr?\(\s*'([^']+)'/g)].map((m) => m[1]),
      ...[...text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)].map((m) => m[1]),
    ];
    for (const k of found) if (KEY.test(k)) out.set(k, file);
  }
  return out;
}

/** Every quoted string in the sources that is a key (tables of keys count as uses). */
function mentionedKeys() {
  const out = new Set();
  for (const { text } of SRC) for (const m of text.matchAll(/['"]([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)['"]/g)) out.add(m[1]);
  return out;
}

const placeholders = (v) => new Set([...(typeof v === 'object' ? `${v.one} ${v.other}` : v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
const sorted = (s) => [...s].sort().join(',');
const CJK = /[\u3400-\u9fff]/;

test('every key the page looks up exists in English and Chinese', () => {
  const missing = [];
  for (const [k, file] of calledKeys()) {
    if (!(k in en)) missing.push(`${k} (en, used in ${file})`);
    if (!(k in zh)) missing.push(`${k} (zh, used in ${file})`);
  }
  assert.deepEqual(missing, []);
  assert.ok(calledKeys().size > 300, 'the page looks up its words by key');
});

test('no key is unused, and both languages have the same keys', () => {
  const used = mentionedKeys();
  assert.deepEqual(Object.keys(en).filter((k) => !used.has(k)), [], 'keys in en.js that nothing uses');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in zh)), [], 'keys missing from zh.js');
  assert.deepEqual(Object.keys(zh).filter((k) => !(k in en)), [], 'keys in zh.js that en.js lacks');
});

test('a key says the same placeholders in both languages, and Chinese text is Chinese', () => {
  const bad = [];
  for (const [k, v] of Object.entries(en)) {
    const z = zh[k];
    if (typeof v === 'object' && !(typeof v.one === 'string' && typeof v.other === 'string')) bad.push(`${k}: an English plural needs one and other`);
    if (sorted(placeholders(v)) !== sorted(placeholders(z))) bad.push(`${k}: placeholders ${sorted(placeholders(v))} vs ${sorted(placeholders(z))}`);
    const words = (typeof v === 'object' ? v.other : v).replace(/\{\w+\}/g, '').replace(/\b(ms|SVG|JSON|HTTP|Consensus Lab|WebAssembly)\b/g, '');
    const zs = typeof z === 'object' ? z.other : z;
    if (/[A-Za-z]{3,}/.test(words) && !CJK.test(zs ?? '')) bad.push(`${k}: "${zs}" is not Chinese`);
  }
  assert.deepEqual(bad, []);
});

test('the fixed text of index.html is the English of its keys', () => {
  const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
  const bad = [];
  for (const m of html.matchAll(/data-i18n="([^"]+)"[^>]*>([^<]*)</g)) {
    const text = m[2].replaceAll('&amp;', '&');
    if (text !== en[m[1]]) bad.push(`${m[1]}: "${text}" vs "${en[m[1]]}"`);
  }
  assert.deepEqual(bad, []);
});

test('lookups fill placeholders, pick plurals, and fall back to English', () => {
  i18n.setLang('en');
  assert.equal(i18n.t('panels.steps', { n: 1 }), '1 step');
  assert.equal(i18n.t('panels.steps', { n: 1234 }), '1,234 steps');
  i18n.setLang('zh');
  assert.equal(i18n.t('panels.steps', { n: 3 }), '3 步');
  assert.equal(i18n.roleWord('leader'), '领导者');
  assert.equal(i18n.roleWord('unknown_state'), 'unknown_state');
  assert.equal(i18n.t('no.such.key'), 'no.such.key');
  i18n.setLang('en');
});

test('the language comes from lang= in the fragment, else from the browser', () => {
  assert.equal(i18n.langFromFragment('#s=1.abc&lang=zh'), 'zh');
  assert.equal(i18n.langFromFragment('s=1.abc&t=5&lang=en&lang=zh'), 'en');
  assert.equal(i18n.langFromFragment('#s=1.abc&lang=fr'), null);
  assert.equal(i18n.langFromFragment('#s=1.abc'), null);
  assert.equal(i18n.browserLang(['zh-CN', 'en']), 'zh');
  assert.equal(i18n.browserLang(['zh-TW']), 'zh');
  assert.equal(i18n.browserLang(['de-DE', 'en-US']), 'en');
  assert.equal(i18n.browserLang([]), 'en');
  assert.equal(i18n.withLang('s=1.abc&t=0&lang=en', 'zh'), 's=1.abc&t=0&lang=zh');
  assert.equal(i18n.withLang('s=1.abc&lang=zh', null), 's=1.abc');
});

/**
 * English in a string without Chinese: two Latin words in a row, or one
 * lower-case word (a paper's message name, RequestVote or DIFF, may stay).
 */
const english = (s) => {
  const text = String(s ?? '');
  if (CJK.test(text)) return false;
  const words = text.replace(/“[^”]*”/g, '').replace(/\{\w+\}/g, '').trim();
  return /[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}/.test(words) || /^[a-z][a-z-]{3,}$/.test(words);
};

test('every protocol drawing speaks Chinese on a Chinese page: legends, milestones, hints', async () => {
  i18n.setLang('zh');
  const drawn = JSON.parse(fs.readFileSync(path.join(www, 'draw', 'index.json'), 'utf8'));
  const files = fs.readdirSync(path.join(www, 'draw')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''));
  // Every drawing the registry names, and every protocol drawing on disk (a new one is checked before the index lists it).
  const names = [...new Set([...drawn, ...files.filter((f) => !['common', 'scene', 'dots', 'generic', 'raft-log', 'commit', 'commit-text'].includes(f))])];
  const bad = [];
  const empty = { nodes: [], messages: [], network: { groups: [] }, pending_requests: [], protocol: 'x' };
  for (const name of names) {
    const mod = await import(`../../www/draw/${name}.js`);
    const r = mod.default ?? mod;
    for (const [kind, st] of Object.entries(r.messageStyles ?? {})) {
      if (english(st.legend)) bad.push(`${name} ${kind} legend "${st.legend}"`);
      if (english(st.explain)) bad.push(`${name} ${kind} explain "${st.explain}"`);
    }
    if (english(r.milestoneLegend)) bad.push(`${name} milestoneLegend "${r.milestoneLegend}"`);
    let hint = null;
    try {
      hint = r.emptyHint?.({ ...empty, protocol: name }) ?? null;
    } catch {
      // A hint that needs a real snapshot is checked by the browser test.
    }
    for (const line of hint ?? []) if (english(line)) bad.push(`${name} hint "${line}"`);
  }
  i18n.setLang('en');
  assert.deepEqual(bad, []);
  assert.ok(names.includes('raft') && names.length >= 10);
});

test('every story has a Chinese title, caption and key moments', () => {
  const bad = [];
  let n = 0;
  for (const dir of fs.readdirSync(path.join(www, 'stories'), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const folder = path.join(www, 'stories', dir.name);
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.json') && f !== 'order.json')) {
      n += 1;
      const story = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8'));
      const zhFile = path.join(folder, 'zh', file);
      if (!fs.existsSync(zhFile)) {
        bad.push(`${dir.name}/${file}: no zh/${file}`);
        continue;
      }
      const tr = JSON.parse(fs.readFileSync(zhFile, 'utf8'));
      if (!CJK.test(tr.title ?? '')) bad.push(`${dir.name}/${file}: no Chinese title`);
      if (!CJK.test(tr.caption ?? '')) bad.push(`${dir.name}/${file}: no Chinese caption`);
      const moments = story.moments ?? [];
      if ((tr.moments ?? []).length !== moments.length) bad.push(`${dir.name}/${file}: ${moments.length} moments, ${(tr.moments ?? []).length} translated`);
      for (const [i, m] of (tr.moments ?? []).entries()) if (moments[i]?.caption && !CJK.test(m)) bad.push(`${dir.name}/${file}: moment ${i} is not Chinese`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(n >= 40);
});

test('the glossary page lists the role words and core terms the page uses, in both languages', () => {
  const html = fs.readFileSync(path.join(www, 'glossary.html'), 'utf8');
  const keys = ['role.leader', 'role.follower', 'role.candidate', 'role.proposer', 'role.acceptor', 'role.learner', 'role.coordinator', 'role.participant', 'raft.term', 'raft.heartbeat', 'zab.epoch', 'commit.blocked', 'gossip.ae', 'qkv.repair', 'mp.slot', 'role.orchestrator', 'tcc.s_hanging'];
  const missing = keys.filter((k) => !html.includes(`>${zh[k]}<`) || !html.toLowerCase().includes(`>${en[k].toLowerCase()}`));
  assert.deepEqual(missing, []);
});
