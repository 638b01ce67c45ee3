// How single-decree Paxos looks. Every node is an acceptor and a learner: the
// value inside it is what it accepted, and once it has learned the value the
// node turns green with a double outline and the word "learned". Beside it:
// its promised ballot, its accepted proposal, and, while it proposes, its
// phase, ballot and value. A proposer at work wears an outer ring of ticks,
// one per reply it has counted out of the majority it needs (amber in phase 1,
// blue in phase 2). With room to spare, a table below the ring lines up
// promised / accepted / learned for every node.
import { palette, text, font, fit, labelLines, labelRoom, labelBounds, crashMark, checkMark, card, note, centerArea, summary } from './common.js';
import { ballotText, nodeName } from '../names.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('paxos.milestone');

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  Prepare: { shape: 'ring', fill: '#fff4de', stroke: '#b8740a', legend: t('paxos.prepare'), explain: t('paxos.prepare_explain') },
  Promise: { shape: 'circle', fill: '#e0a43a', stroke: '#8a5606', legend: t('paxos.promise'), explain: '“promise (2,1)”' },
  PromiseHad: { shape: 'circle', fill: '#e0a43a', stroke: '#1f4f99', legend: t('paxos.promise_value'), explain: t('paxos.promise_value_explain') },
  Accept: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: t('paxos.accept'), explain: '“accept (2,1) blue”' },
  Accepted: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', legend: t('paxos.accepted_msg'), explain: '“accepted (2,1)”' },
  Nack: { shape: 'noentry', fill: '#d64545', stroke: '#8f1d1d', legend: t('paxos.nack'), explain: t('paxos.nack_explain') },
  Decide: { shape: 'star', fill: '#3fae66', stroke: '#1f6b3c', legend: t('paxos.decide'), explain: t('paxos.decide_explain') },
};

/** A promise that carries an accepted proposal ("had …") gets its own outline. */
export function messageStyle(m) {
  if (m.kind === 'Promise' && m.label.includes(' had ')) return messageStyles.PromiseHad;
  return messageStyles[m.kind] ?? null;
}

export const colors = {
  learnedFill: '#d3eedb',
  learned: '#1f7a42',
  acceptedFill: '#e3ecf9',
  idleFill: '#f1f3f6',
  stroke: '#5b6b7f',
  phase1: '#c98a1b',
  phase2: '#3d73c9',
};

/** A ballot as the engine's labels write it: (round,node). */
export const ballot = ballotText;

// Facts about the whole picture that one node's drawing needs (the canvas
// bounds and how crowded the ring is), computed in split() for each snapshot.
const facts = new WeakMap();

function phaseInfo(node, n) {
  const maj = Math.floor(n / 2) + 1;
  switch (node.up ? node.phase : 'idle') {
    case 'preparing':
      return { name: t('paxos.phase1'), color: colors.phase1, got: node.promises?.length ?? 0, maj, what: t('paxos.promises') };
    case 'accepting':
      return { name: t('paxos.phase2'), color: colors.phase2, got: node.accepts?.length ?? 0, maj, what: t('paxos.accepted') };
    case 'backing_off':
      return { name: t('paxos.backing_off'), color: palette.muted, backingOff: true };
    default:
      return null;
  }
}

/** Arcs around the node, one per reply the proposer needs; counted ones solid. */
function drawTicks(ctx, p, r, info) {
  const R = r + 6;
  const k = Math.max(1, info.maj);
  const gap = Math.min(0.25, Math.PI / k / 2);
  for (let i = 0; i < k; i++) {
    const a0 = -Math.PI / 2 + (2 * Math.PI * i) / k + gap / 2;
    const a1 = -Math.PI / 2 + (2 * Math.PI * (i + 1)) / k - gap / 2;
    ctx.beginPath();
    ctx.arc(p.x, p.y, R, a0, a1);
    ctx.strokeStyle = i < info.got ? info.color : palette.faint;
    ctx.lineWidth = i < info.got ? 4 : 2.5;
    ctx.stroke();
  }
}

/** Draws one node at `p` with radius `r`. */
export function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { bounds: null, room: r >= 20 ? 'full' : 'id' };
  const up = node.up;
  const learned = node.learned != null;
  const info = phaseInfo(node, view.n);
  if (info?.maj) drawTicks(ctx, p, r, info);
  if (info && !info.maj) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, r + 6, 0, 2 * Math.PI);
    ctx.setLineDash([3, 4]);
    ctx.strokeStyle = info.color;
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.setLineDash([]);
  }
  // Body.
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = !up ? '#eef0f2' : learned ? colors.learnedFill : node.accepted ? colors.acceptedFill : colors.idleFill;
  ctx.fill();
  ctx.setLineDash(up ? [] : [4, 3]);
  ctx.lineWidth = learned ? 4 : 2;
  ctx.strokeStyle = !up ? palette.down : learned ? colors.learned : colors.stroke;
  ctx.stroke();
  ctx.setLineDash([]);
  if (learned) {
    // A second ring: "learned" reads without colour.
    ctx.beginPath();
    ctx.arc(p.x, p.y, Math.max(2, r - 5), 0, 2 * Math.PI);
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  drawInside(ctx, node, p, r);
  if (!up) crashMark(ctx, p, r);
  labelLines(ctx, p, r, outsideLines(node, info, f.room, r), f.bounds);
}

/** The value in the middle: learned (bold, captioned) or accepted (plain). */
function drawInside(ctx, node, p, r) {
  const learned = node.learned != null;
  const value = learned ? node.learned : node.accepted?.value;
  const ink = node.up ? palette.ink : palette.muted;
  if (r < 15) {
    if (learned) checkMark(ctx, p.x, p.y, r * 0.5, colors.learned, 2);
    else if (value != null) text(ctx, '•', p.x, p.y, { px: 12, color: ink });
    return;
  }
  const caption = learned ? t('paxos.learned') : value != null ? t('paxos.accepted') : '';
  const capPx = Math.max(8, Math.round(r * 0.27));
  const captioned = caption && r >= 26;
  if (captioned) {
    text(ctx, caption, p.x, p.y - r * 0.42, { px: capPx, weight: learned ? 700 : 400, color: learned && node.up ? colors.learned : palette.muted });
  }
  const px = Math.max(9, Math.min(16, Math.round(r * 0.46)));
  font(ctx, px, learned ? 700 : 500);
  const s = value == null ? '–' : fit(ctx, value, r * 1.6);
  text(ctx, s, p.x, p.y + (captioned ? r * 0.12 : learned ? -r * 0.12 : 0), { px, weight: learned ? 700 : 500, color: value == null ? palette.muted : ink });
  // Too small for the word: a check mark under the value says "learned".
  if (learned && !captioned) checkMark(ctx, p.x, p.y + r * 0.42, r * 0.17, node.up ? colors.learned : palette.muted, 1.8);
}

function outsideLines(node, info, room, r) {
  const px = Math.max(10, Math.min(12, r * 0.45));
  const learned = node.learned != null;
  let role = roleWord('acceptor');
  if (!node.up) role = roleWord('crashed');
  else if (learned) role = t('paxos.learned');
  else if (info) role = info.backingOff ? t('paxos.proposer_backing_off') : `${roleWord('proposer')} · ${info.name}`;
  const color = !node.up ? palette.muted : learned ? colors.learned : info?.color ?? palette.ink;
  if (room !== 'full') {
    // Crowded: the id, and a word only where it stands out (the summary in
    // the middle of the ring names the learned value).
    const tag = !node.up ? roleWord('crashed') : info && !learned ? info.name : '';
    return [{ s: tag && room === 'short' ? `n${node.id} · ${tag}` : `n${node.id}`, px: room === 'id' ? 10 : px, weight: 600, color }];
  }
  const lines = [{ s: `n${node.id} · ${role}`, px, weight: 600, color }];
  const small = px - 1;
  if (info?.maj) {
    const v = node.value != null ? ` "${node.value}"${node.adopted ? t('paxos.adopted') : ''}` : '';
    lines.push({ s: `${t('paxos.ballot', { b: ballot(node.ballot) })}${v}`, px: small, color: info.color, weight: 600 });
    lines.push({ s: `${info.got}/${info.maj} ${info.what}`, px: small, color: info.color });
  }
  lines.push({ s: t('paxos.promised_b', { b: ballot(node.promised) }), px: small });
  lines.push({ s: node.accepted ? t('paxos.accepted_b', { b: `${ballot(node.accepted.ballot)}=${node.accepted.value}` }) : t('paxos.accepted_none'), px: small });
  return lines;
}

/** A table of the acceptors' state below the ring when there is room. */
export function split(rect, snap) {
  const n = snap.nodes.length;
  let parts = { ring: rect, detail: null };
  if (rect.h >= 360 && n <= 9) {
    const rowH = rect.h >= 520 ? 20 : 18;
    const h = rowH * (n + 1.2) + (rect.w < 640 ? 2 : 1) * 13 + 12;
    parts = {
      ring: { x: rect.x, y: rect.y, w: rect.w, h: rect.h - h },
      detail: { x: rect.x + 12, y: rect.y + rect.h - h, w: rect.w - 24, h: h - 6, rowH },
    };
  }
  const f = { bounds: labelBounds(parts.ring), room: labelRoom(parts.ring, n) };
  for (const node of snap.nodes) facts.set(node, f);
  if (!parts.detail && f.room !== 'full') parts.detail = centerArea(parts.ring, n);
  return parts;
}

/** A crowded ring's middle: what was learned, by how many, who proposes. */
function drawSummary(ctx, snap, area) {
  const n = snap.nodes.length;
  const values = new Map();
  for (const node of snap.nodes) if (node.learned != null) values.set(node.learned, (values.get(node.learned) ?? 0) + 1);
  const lines = [];
  if (values.size === 0) lines.push({ s: t('paxos.nothing_learned'), px: 13, weight: 600, color: palette.ink });
  for (const [v, k] of values) {
    lines.push({ s: t('paxos.learned_v', { v }), px: 14, weight: 700, color: colors.learned });
    lines.push({ s: t('paxos.by_k_of_n', { k, n }), px: 11 });
  }
  const active = snap.nodes.filter((d) => d.up && (d.phase === 'preparing' || d.phase === 'accepting'));
  if (active.length) lines.push({ s: t('paxos.proposing', { list: active.map((d) => `n${d.id} ${d.phase === 'preparing' ? t('paxos.phase1') : t('paxos.phase2')} ${ballot(d.ballot)}`).join(', ') }), px: 11, color: palette.ink });
  lines.push({ s: t('paxos.majority', { maj: Math.floor(n / 2) + 1, n }), px: 11 });
  summary(ctx, area, lines);
}

/** One row per node: proposer, promised, accepted, learned. */
export function drawDetail(ctx, snap, area, view) {
  if (area.summary) return drawSummary(ctx, snap, area);
  const { rowH } = area;
  const n = snap.nodes.length;
  card(ctx, area);
  const narrow = area.w < 500;
  const cols = [
    { key: 'node', title: t('ops.node'), w: 0.1 },
    { key: 'proposer', title: roleWord('proposer'), w: narrow ? 0.37 : 0.34 },
    { key: 'promised', title: t('paxos.promised'), w: narrow ? 0.15 : 0.13 },
    { key: 'accepted', title: t('paxos.accepted'), w: narrow ? 0.2 : 0.23 },
    { key: 'learned', title: t('paxos.learned'), w: narrow ? 0.18 : 0.2 },
  ];
  let x = area.x;
  for (const c of cols) {
    c.x = x;
    c.px = c.w * area.w;
    x += c.px;
  }
  const head = area.y + rowH * 0.45;
  for (const c of cols) text(ctx, c.title, c.x, head, { px: 10, color: palette.muted, align: 'left' });
  const maj = Math.floor(n / 2) + 1;
  snap.nodes.forEach((node, i) => {
    const y = area.y + rowH * (i + 1) + rowH / 2;
    const sel = view.selected === node.id;
    const ink = node.up ? palette.ink : palette.muted;
    if (sel) {
      ctx.fillStyle = 'rgba(47,111,222,0.08)';
      ctx.fillRect(area.x - 4, y - rowH / 2, area.w + 8, rowH);
    }
    const cell = (c, s, opts = {}) => {
      font(ctx, opts.px ?? 11, opts.weight ?? 400);
      text(ctx, fit(ctx, s, c.px - 8), c.x, y, { px: opts.px ?? 11, weight: opts.weight ?? 400, color: opts.color ?? ink, align: 'left' });
    };
    cell(cols[0], `n${node.id}`, { weight: sel ? 700 : 600 });
    const info = phaseInfo(node, n);
    let prop = node.up && node.proposer === false ? t('paxos.not_a_proposer') : '–';
    if (!node.up) prop = roleWord('crashed');
    else if (info?.maj && narrow) prop = `${info.name} ${ballot(node.ballot)} ${info.got}/${maj}`;
    else if (info?.maj) prop = `${info.name} ${ballot(node.ballot)}${node.value != null ? ` "${node.value}"` : ''} · ${info.got}/${maj} ${info.what}`;
    else if (info) prop = narrow ? t('paxos.backing_off') : t('paxos.backing_off_after', { b: ballot(node.ballot) });
    else if (node.up && node.phase === 'done') prop = t('paxos.done_b', { b: ballot(node.ballot) });
    cell(cols[1], prop, { color: info?.color ?? (node.up ? palette.muted : palette.muted) });
    cell(cols[2], ballot(node.promised));
    cell(cols[3], node.accepted ? `${ballot(node.accepted.ballot)}=${node.accepted.value}` : '–');
    const lc = cols[4];
    if (node.learned != null) {
      font(ctx, 11, 700);
      const s = fit(ctx, node.learned, lc.px - 34);
      const w = ctx.measureText(s).width + 24;
      ctx.beginPath();
      ctx.roundRect(lc.x - 2, y - rowH / 2 + 2, w, rowH - 4, 4);
      ctx.fillStyle = colors.learnedFill;
      ctx.fill();
      ctx.strokeStyle = colors.learned;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      checkMark(ctx, lc.x + 7, y, 4, colors.learned, 1.8);
      text(ctx, s, lc.x + 15, y + 0.5, { px: 11, weight: 700, color: palette.ink, align: 'left' });
    } else {
      cell(lc, '–', { color: palette.muted });
    }
  });
  const foot = area.y + rowH * (n + 1) + 10;
  note(ctx, t('paxos.note', { maj, n }), area.x, foot, area.w, area.w < 640 ? 2 : 1);
}

/** What to do first, before anything was proposed. */
export function emptyHint(snap) {
  const started = snap.nodes.some((d) => d.phase !== 'idle' || d.promised != null || d.accepted || d.learned != null);
  if (started || snap.pending_requests?.length) return null;
  return [t('paxos.hint_none'), t('paxos.hint_send')];
}

const PHASES = { idle: t('paxos.ph_idle'), preparing: t('paxos.ph_preparing'), accepting: t('paxos.ph_accepting'), backing_off: t('paxos.ph_backing_off'), done: t('paxos.ph_done') };

/** The node's state in a word, for the canvas's text alternative (announce.js). */
export const stateWord = (node) => (node.phase ? PHASES[node.phase] ?? node.phase : null);

/** The details panel's lines for one node. */
export function describe(node, snap) {
  const n = snap?.nodes.length ?? 1;
  const maj = Math.floor(n / 2) + 1;
  const lines = [];
  if (!node.up) lines.push(t('paxos.crashed'));
  const learned = node.learned != null ? ` · ${t('paxos.learned_v', { v: node.learned })}` : '';
  if (node.up) lines.push(`${node.proposer === false ? t('paxos.not_proposer') : t('paxos.may_propose')}${learned}`);
  lines.push(`${t('paxos.promised_b', { b: ballotText(node.promised) })} · ${t('paxos.accepted_b', { b: node.accepted ? `${ballotText(node.accepted.ballot)}="${node.accepted.value}"` : '–' })}`);
  if (node.up && node.phase && node.phase !== 'idle') {
    lines.push(`${roleWord('proposer')}: ${PHASES[node.phase] ?? node.phase} · ${t('paxos.ballot', { b: ballotText(node.ballot) })}`);
    if (node.value != null) lines.push(`${t('paxos.proposes', { v: node.value })}${node.adopted ? t('paxos.adopted_promise') : ''}${node.own_value != null && node.own_value !== node.value ? ` · ${t('paxos.own_value', { v: node.own_value })}` : ''}`);
    if (node.phase === 'preparing') lines.push(t('paxos.promises_from', { names: (node.promises ?? []).map(nodeName).join(', ') || t('raft.nobody'), got: node.promises?.length ?? 0, maj }));
    if (node.phase === 'accepting') lines.push(t('paxos.accepted_by', { names: (node.accepts ?? []).map(nodeName).join(', ') || t('raft.nobody'), got: node.accepts?.length ?? 0, maj }));
  }
  if (node.rounds) lines.push(t('paxos.rounds', { n: node.rounds }));
  lines.push(...commonLines(node));
  return lines;
}

/** The message card's rows. */
export function messageFields(p) {
  switch (p.type) {
    case 'Prepare':
      return [['ballot', ballotText(p.ballot)]];
    case 'Promise':
      return [['ballot', ballotText(p.ballot)], ['had accepted', p.accepted ? `${ballotText(p.accepted.ballot)}="${p.accepted.value}"` : t('word.nothing')]];
    case 'Accept':
      return [['ballot', ballotText(p.ballot)], ['value', `"${p.value}"`]];
    case 'Accepted':
      return [['ballot', ballotText(p.ballot)]];
    case 'Nack':
      return [['refused ballot', ballotText(p.ballot)], ['promised instead', ballotText(p.promised)]];
    case 'Decide':
      return [['chosen value', `"${p.value}"`]];
    default:
      return null;
  }
}
