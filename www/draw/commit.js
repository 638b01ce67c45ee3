// How two- and three-phase commit look. The coordinator (node 0) is a rounded
// square, participants are circles. Each node is filled with its state in the
// transaction in focus (working, prepared, BLOCKED, pre-committed, committed,
// aborted) and says so in words; a blocked 2PC participant is hatched amber
// with a dashed amber halo and the word BLOCKED. When a transaction is
// committed at some nodes and aborted at others (3PC under a partition), every
// node that decided it gets a red zigzag halo, a "!" badge and a SPLIT line.
// Beside the coordinator: the votes and acknowledgements it has collected.
// Below the ring, a grid: one row per node, one column per transaction.
// The module serves both protocols: `twoPc` and `threePc` differ only in
// their message kinds and legend.
import { palette, text, font, fit, labelLines, labelRoom, labelBounds, crashMark, card, cross, hatch, checkMark, note, roundRect, centerArea, summary, gridPanel } from './common.js';
import { t, roleWord } from '../i18n.js';
import { explain, milestoneTone, milestoneLegend, emptyHint, describe, messageFields } from './commit-text.js';

const vote = { shape: 'circle', fill: '#7cc695', stroke: '#1f6b3c', legend: t('commit.vote_yes'), explain: explain.Vote };
const voteNo = { shape: 'triangle', fill: '#f3b5b5', stroke: '#b02a2a', legend: t('commit.vote_no'), explain: explain.VoteNo };
const commit = { shape: 'star', fill: '#3fae66', stroke: '#1f6b3c', legend: t('commit.commit'), explain: explain.Commit };
const abort = { shape: 'noentry', fill: '#d64545', stroke: '#8f1d1d', legend: t('commit.abort'), explain: explain.Abort };

/** Every style messageStyle() returns, with what its label says. */
const styles2 = {
  Prepare: { shape: 'ring', fill: '#e8eef7', stroke: '#3d5a80', legend: t('commit.prepare'), explain: explain.Prepare },
  Vote: vote,
  VoteNo: voteNo,
  Commit: commit,
  Abort: abort,
  Ack: { shape: 'diamond', fill: '#d9dee5', stroke: '#5b6b7f', small: true, legend: t('commit.ack'), explain: explain.Ack },
  Query: { shape: 'square', fill: '#ffd98a', stroke: '#9a5200', small: true, legend: t('commit.outcome'), explain: explain.Query },
};

const styles3 = {
  CanCommit: { shape: 'ring', fill: '#e8eef7', stroke: '#3d5a80', legend: t('commit.can_commit'), explain: explain.CanCommit },
  Vote: vote,
  VoteNo: voteNo,
  PreCommit: { shape: 'hexagon', fill: '#b79ae0', stroke: '#5b3a8f', legend: t('commit.precommit'), explain: explain.PreCommit },
  Ack: { shape: 'diamond', fill: '#eee4fa', stroke: '#7a4fb3', small: true, legend: t('commit.ack'), explain: t('commit.ack_pre_explain') },
  DoCommit: commit,
  Abort: abort,
  Done: { shape: 'square', fill: '#d9dee5', stroke: '#5b6b7f', small: true, legend: t('commit.done'), explain: explain.Done },
};

function styleFor(styles) {
  return (m) => {
    if (m.kind === 'Vote' && m.label.startsWith('no')) return styles.VoteNo;
    return styles[m.kind] ?? null;
  };
}

/** How each state looks: fill, outline, the word inside, a short form, a mark. */
const STATES = {
  none: { fill: '#f1f3f6', stroke: '#8793a1', word: '–', short: '–' },
  working: { fill: '#eaf0f6', stroke: '#5b6b7f', word: t('commit.s_working'), short: t('commit.s_working_short') },
  voting: { fill: '#e3ecf9', stroke: '#3d5a80', word: t('commit.s_voting'), short: t('commit.s_voting_short') },
  prepared: { fill: '#fff3c4', stroke: '#9a7400', word: t('commit.s_prepared'), short: t('commit.s_prepared_short') },
  blocked: { fill: '#ffe2a6', stroke: '#9a5200', word: t('commit.blocked'), short: t('commit.blocked'), hatch: '#e09a1a' },
  precommitting: { fill: '#eee4fa', stroke: '#6a43a3', word: t('commit.s_precommit'), short: t('commit.s_precommit_short') },
  precommitted: { fill: '#eee4fa', stroke: '#6a43a3', word: t('commit.s_precommit'), short: t('commit.s_precommit_short') },
  committed: { fill: '#d3eedb', stroke: '#1f7a42', word: t('commit.s_committed'), short: t('commit.s_committed_short'), mark: 'check' },
  aborted: { fill: '#f8d7d7', stroke: '#b02a2a', word: t('commit.s_aborted'), short: t('commit.s_aborted_short'), mark: 'cross' },
};

function stateKey(tx) {
  if (!tx) return 'none';
  if (tx.blocked || tx.state === 'uncertain') return 'blocked';
  return STATES[tx.state] ? tx.state : 'working';
}

const facts = new WeakMap();

/** Transactions in the order the coordinator began them, then any others. */
function txOrder(snap) {
  const order = [];
  const seen = new Set();
  const add = (name) => {
    if (!seen.has(name)) {
      seen.add(name);
      order.push(name);
    }
  };
  const coord = snap.nodes.find((d) => d.role === 'coordinator');
  for (const rec of coord?.log ?? []) if (rec.startsWith('begin ')) add(rec.slice(6));
  for (const node of snap.nodes) for (const name of Object.keys(node.transactions ?? {})) add(name);
  return order;
}

/** What the nodes' drawings need to know about the whole cluster. */
function clusterFacts(snap) {
  const order = txOrder(snap);
  const split = new Map(); // name → { commit: [ids], abort: [ids] } for split decisions
  const open = new Set();
  for (const name of order) {
    const commit = [];
    const abort = [];
    for (const node of snap.nodes) {
      const tx = node.transactions?.[name];
      if (tx?.decision === 'commit') commit.push(node.id);
      else if (tx?.decision === 'abort') abort.push(node.id);
      else if (tx) open.add(name);
    }
    if (commit.length && abort.length) split.set(name, { commit, abort });
  }
  // The transaction every node shows: a split one, else the latest still in
  // progress somewhere, else the latest.
  const focus = order.find((t) => split.has(t)) ?? [...order].reverse().find((t) => open.has(t)) ?? order[order.length - 1] ?? null;
  return { order, split, focus };
}

/** The node's outline: a rounded square for the coordinator, a circle otherwise. */
function bodyPath(ctx, node, p, r, grow = 0) {
  ctx.beginPath();
  if (node.role === 'coordinator') {
    const h = r * 0.92 + grow;
    ctx.roundRect(p.x - h, p.y - h, 2 * h, 2 * h, Math.max(4, r * 0.3));
  } else {
    ctx.arc(p.x, p.y, r + grow, 0, 2 * Math.PI);
  }
}

/** A red zigzag around a node whose decision contradicts another node's. */
function zigzag(ctx, p, R) {
  const k = Math.max(12, Math.round(R * 0.9));
  ctx.beginPath();
  for (let i = 0; i <= 2 * k; i++) {
    const a = (Math.PI * i) / k;
    const d = i % 2 ? R + 4 : R;
    ctx.lineTo(p.x + d * Math.cos(a), p.y + d * Math.sin(a));
  }
  ctx.closePath();
  ctx.strokeStyle = palette.danger;
  ctx.lineWidth = 2;
  ctx.stroke();
}

/** A warning triangle with "!" at the node's upper right. */
function badge(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x, y - s);
  ctx.lineTo(x + s * 1.05, y + s * 0.8);
  ctx.lineTo(x - s * 1.05, y + s * 0.8);
  ctx.closePath();
  ctx.fillStyle = palette.danger;
  ctx.fill();
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 1.5;
  ctx.stroke();
  text(ctx, '!', x, y + s * 0.15, { px: Math.max(9, Math.round(s * 1.15)), weight: 800, color: '#ffffff' });
}

/** A small round-ended cross (abort, no). */
function xMark(ctx, x, y, s, color, width = 2) {
  cross(ctx, x, y, s, color, width, true);
}

/** A word on a white backing, so that it reads over hatching. */
function plate(ctx, s, x, y, px, color, weight = 700) {
  font(ctx, px, weight);
  const w = ctx.measureText(s).width + 6;
  ctx.fillStyle = 'rgba(255,255,255,0.9)';
  roundRect(ctx, x - w / 2, y - px / 2 - 2, w, px + 4, 3);
  ctx.fill();
  text(ctx, s, x, y + 0.5, { px, weight, color });
}

/** Draws one node at `p` with radius `r`. */
function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { ...clusterFacts({ nodes: [node] }), bounds: null, room: r >= 20 ? 'full' : 'id' };
  const tx = f.focus ? node.transactions?.[f.focus] : null;
  const key = stateKey(tx);
  const S = STATES[key];
  const up = node.up;
  const splitHere = tx?.decision && f.split.has(f.focus);
  if (splitHere) zigzag(ctx, p, r + 9);
  if (key === 'blocked' && up) {
    bodyPath(ctx, node, p, r, 6);
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = '#d98200';
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.setLineDash([]);
  }
  // 3PC: a participant's timeout runs out as an arc.
  const timer = node.timers?.find((t) => t.name === 'timeout');
  if (up && timer && !tx?.decision && !node.paused_until) {
    const total = Math.max(1, timer.fire_at - timer.set_at);
    const left = Math.min(1, Math.max(0, (timer.fire_at - view.time) / total));
    ctx.strokeStyle = key === 'precommitted' ? STATES.precommitted.stroke : '#9aa8b8';
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(p.x, p.y, r + 5, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * left);
    ctx.stroke();
  }
  bodyPath(ctx, node, p, r);
  ctx.fillStyle = up ? S.fill : '#eef0f2';
  ctx.fill();
  if (S.hatch && up) hatch(ctx, { x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r }, S.hatch, 6, 2);
  bodyPath(ctx, node, p, r);
  ctx.setLineDash(up ? [] : [4, 3]);
  ctx.lineWidth = tx?.decision || key === 'blocked' ? 3 : 2;
  ctx.strokeStyle = up ? S.stroke : palette.down;
  ctx.stroke();
  ctx.setLineDash([]);
  drawInside(ctx, node, p, r, key, f.focus);
  if (!up) crashMark(ctx, p, r);
  if (splitHere) badge(ctx, p.x + r * 0.8, p.y - r * 0.8, Math.max(6, r * 0.3));
  labelLines(ctx, p, r, outsideLines(node, tx, key, f, view, r), f.bounds);
}

function drawInside(ctx, node, p, r, key, name) {
  const S = STATES[key];
  const ink = node.up ? palette.ink : palette.muted;
  const color = node.up ? S.stroke : palette.muted;
  if (r < 16) {
    if (S.mark === 'check') checkMark(ctx, p.x, p.y, r * 0.5, color, 2);
    else if (S.mark === 'cross') xMark(ctx, p.x, p.y, r * 0.4, color, 2);
    else if (key === 'blocked') plate(ctx, '?', p.x, p.y, Math.max(9, Math.round(r)), color, 800);
    return;
  }
  if (r >= 22 && name) {
    const cap = Math.max(8, Math.round(r * 0.27));
    font(ctx, cap);
    const s = fit(ctx, name, r * 1.4);
    if (key === 'blocked') plate(ctx, s, p.x, p.y - r * 0.45, cap, '#6b3a00', 400);
    else text(ctx, s, p.x, p.y - r * 0.45, { px: cap, color: palette.muted });
  }
  let px = Math.max(8, Math.min(13, Math.round(r * 0.38)));
  const weight = key === 'blocked' || node.transactions?.[name]?.decision ? 750 : 500;
  // BLOCKED may overflow the node a little: it sits on its own white plate.
  const room = key === 'blocked' ? r * 2.3 : r * 1.7;
  font(ctx, px, weight);
  let word = S.word;
  while (px > 8 && ctx.measureText(word).width > room) font(ctx, --px, weight);
  if (ctx.measureText(word).width > room) word = S.short;
  const y = p.y + (r >= 22 ? r * 0.08 : 0);
  if (key === 'blocked') plate(ctx, word, p.x, y, px, node.up ? '#6b3a00' : palette.muted, 800);
  else text(ctx, word, p.x, y, { px, weight, color: key === 'none' ? palette.muted : ink });
  if (r >= 26 && S.mark) {
    const my = p.y + r * 0.52;
    if (S.mark === 'check') checkMark(ctx, p.x, my, r * 0.16, color, 2);
    else xMark(ctx, p.x, my, r * 0.12, color, 2);
  }
}

function coordinatorLine(tx, n) {
  const parts = Math.max(0, n - 1);
  const votes = tx.votes ?? [];
  const yes = votes.filter((v) => v.vote === 'yes').length;
  const no = votes.length - yes;
  const acks = tx.acks?.length ?? 0;
  if (tx.ended) return t('commit.ended_all');
  if (tx.state === 'voting') return `${t('commit.votes_yes', { yes, parts })}${no ? ` · ${t('commit.n_no', { no })}` : ''}`;
  if (tx.state === 'precommitting') return `${t('commit.votes_yes', { yes, parts })} · ${t('commit.acks', { acks, parts })}`;
  if (tx.decision) return `${tx.decision === 'commit' ? STATES.committed.word : STATES.aborted.word} · ${t('commit.acks', { acks, parts })}`;
  return STATES[tx.state]?.word ?? tx.state;
}

function outsideLines(node, tx, key, f, view, r) {
  const px = Math.max(10, Math.min(12, r * 0.45));
  const small = px - 1;
  const coord = node.role === 'coordinator';
  const S = STATES[key];
  const color = node.up ? (coord ? '#1d2733' : '#3d4a5a') : palette.muted;
  const split = tx?.decision ? f.split.get(f.focus) : null;
  const other = split ? (tx.decision === 'commit' ? split.abort : split.commit) : null;
  const splitLine = other && { s: `${t('commit.split')}: ${other.map((i) => `n${i}`).join(',')} ${tx.decision === 'commit' ? STATES.aborted.word : STATES.committed.word}`, px: small, weight: 700, color: palette.danger };
  if (f.room === 'id') return [{ s: coord ? `n${node.id} ${t('commit.coord_short')}` : `n${node.id}`, px: 10, weight: 600, color }];
  const blockedHere = key === 'blocked' && node.up;
  const lines = [{ s: `n${node.id} · ${roleWord(coord ? 'coordinator' : 'participant')}${node.up ? '' : ` (${roleWord('crashed')})`}${blockedHere ? ` · ${t('commit.blocked')}` : ''}`, px, weight: blockedHere ? 700 : 600, color: blockedHere ? S.stroke : color }];
  if (f.room === 'short') {
    // One line: the id, and the one thing that must not be missed.
    if (splitLine) return [{ s: `n${node.id} · ${t('commit.split')}`, px, weight: 700, color: palette.danger }];
    if (key === 'blocked') return [{ s: `n${node.id} · ${t('commit.blocked')}`, px, weight: 700, color: S.stroke }];
    if (!node.up) return [{ s: `n${node.id} · ${coord ? `${t('commit.coord_short')} ` : ''}${roleWord('crashed')}`, px, weight: 600, color }];
    const timer = node.timers?.find((tm) => tm.name === 'timeout');
    if (timer && tx && !tx.decision) return [{ s: `n${node.id} · ${t('commit.timeout_to', { what: key === 'precommitted' ? t('commit.commit') : t('commit.abort') })}`, short: `n${node.id}`, px, weight: 600, color }];
    return [{ s: coord ? `n${node.id} · ${roleWord('coordinator')}` : `n${node.id}`, px, weight: 600, color }];
  }
  const name = f.focus;
  if (tx && coord) {
    // Votes and acks are volatile: a crashed coordinator only has its log.
    const logged = tx.decision ? t('commit.in_log', { what: tx.decision === 'commit' ? t('commit.commit') : t('commit.abort') }) : tx.state === 'precommitting' ? t('commit.precommit_in_log') : t('commit.no_decision');
    const s = node.up ? coordinatorLine(tx, view.n) : logged;
    lines.push({ s: `${name}: ${s}`, px: small, color: node.up ? S.stroke : palette.muted, weight: 600 });
  }
  if (tx && !coord) {
    if (key === 'blocked') {
      lines.push({ s: `${name}: ${t('commit.cannot_decide')}`, px: small, weight: 600, color: S.stroke });
    } else {
      const v = tx.vote ? t('commit.voted', { vote: tx.vote === 'yes' ? t('word.yes') : t('word.no') }) : STATES[tx.state]?.word ?? tx.state;
      const how = tx.by_timeout ? t('commit.by_timeout') : '';
      lines.push({ s: `${name}: ${v}${tx.decision ? `, ${S.word}${how}` : ''}`, px: small, color: tx.decision ? S.stroke : palette.muted, weight: tx.decision ? 600 : 400 });
    }
    const timer = node.timers?.find((tm) => tm.name === 'timeout');
    if (node.up && timer && !tx.decision) {
      const left = Math.max(0, Math.round(timer.fire_at - view.time));
      lines.push({ s: t('commit.timeout_in', { left, what: key === 'precommitted' ? t('commit.commit') : t('commit.abort') }), px: small });
    }
  }
  if (splitLine) lines.push(splitLine);
  if (coord && f.order.length > 1) lines.push({ s: `+${t('commit.more_tx', { n: f.order.length - 1 })}${f.detail ? t('commit.grid_below') : ''}`, px: small });
  return lines;
}

const gridNote = (snap) => (snap.protocol === '3pc'
  ? t('commit.note3')
  : t('commit.note2'));

/** The transaction grid beside the ring on a wide canvas, else below it when there is room. */
function split(rect, snap) {
  const n = snap.nodes.length;
  const cf = clusterFacts(snap);
  const parts = gridPanel(rect, n, gridNote(snap));
  const f = { ...cf, bounds: labelBounds(parts.ring), room: labelRoom(parts.ring, n), detail: !!parts.detail };
  for (const node of snap.nodes) facts.set(node, f);
  if (!parts.detail && f.room !== 'full') parts.detail = centerArea(parts.ring, n);
  return parts;
}

/** A crowded ring's middle: how many nodes are in each state for the transaction in focus. */
function drawSummary(ctx, snap, area) {
  const { order, split: splits, focus } = clusterFacts(snap);
  if (!focus) return summary(ctx, area, [{ s: t('commit.no_tx'), px: 13, weight: 600, color: palette.ink }]);
  const counts = new Map();
  for (const node of snap.nodes) {
    if (node.role === 'coordinator') continue;
    const key = stateKey(node.transactions?.[focus]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const coord = snap.nodes.find((d) => d.role === 'coordinator');
  const coordTx = coord?.transactions?.[focus];
  const lines = [{ s: `${focus}${splits.has(focus) ? ` · ${t('commit.split_decision')}` : ''}`, px: 14, weight: 700, color: splits.has(focus) ? palette.danger : palette.ink }];
  const coordState = !coord?.up ? roleWord('crashed') : coordTx ? STATES[stateKey(coordTx)].word : '–';
  lines.push({ s: `${roleWord('coordinator')}: ${coordState}`, px: 11, color: palette.ink });
  for (const key of Object.keys(STATES)) {
    const k = counts.get(key);
    if (!k) continue;
    const S = STATES[key];
    lines.push({ s: t('commit.k_participants', { n: k, state: key === 'none' ? t('commit.not_involved') : S.word }), px: 12, weight: key === 'blocked' || S.mark ? 700 : 400, color: S.stroke });
  }
  if (order.length > 1) lines.push({ s: t('commit.tx_in_all', { n: order.length }), px: 11 });
  summary(ctx, area, lines);
}

/** Rows = nodes, columns = transactions; each cell is that node's state. */
function drawDetail(ctx, snap, area, view) {
  if (area.summary) return drawSummary(ctx, snap, area);
  const { rowH } = area;
  const n = snap.nodes.length;
  const { order, split: splits } = clusterFacts(snap);
  const labelW = area.w < 420 ? 64 : 96;
  const avail = area.w - labelW - 4;
  const cell = Math.max(64, Math.min(132, avail / Math.max(1, order.length)));
  const cols = Math.max(1, Math.floor(avail / cell));
  const first = Math.max(0, order.length - cols);
  card(ctx, area);
  const top = area.y + rowH * 0.9;
  text(ctx, t('commit.transaction'), area.x, area.y + rowH * 0.45, { px: 10, color: palette.muted, align: 'left' });
  const shown = order.slice(first, first + cols);
  shown.forEach((name, c) => {
    const x = area.x + labelW + c * cell;
    const bad = splits.has(name);
    font(ctx, 11, 700);
    const head = fit(ctx, bad ? `${name} ${t('commit.split')}` : name, cell - 6);
    text(ctx, head, x + cell / 2, area.y + rowH * 0.45, { px: 11, weight: 700, color: bad ? palette.danger : palette.ink });
    if (bad) {
      ctx.strokeStyle = palette.danger;
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(x + 0.5, area.y, cell - 1, top - area.y + n * rowH + 2);
      ctx.setLineDash([]);
    }
  });
  const parts = Math.max(0, n - 1);
  snap.nodes.forEach((node, i) => {
    const y = top + i * rowH;
    const coord = node.role === 'coordinator';
    const sel = view.selected === node.id;
    if (sel) {
      ctx.fillStyle = 'rgba(47,111,222,0.08)';
      ctx.fillRect(area.x - 4, y, area.w + 8, rowH);
    }
    text(ctx, `n${node.id}`, area.x, y + rowH / 2, { px: 11, weight: sel ? 700 : 600, color: node.up ? palette.ink : palette.muted, align: 'left' });
    const tag = !node.up ? (labelW > 70 ? roleWord('crashed') : t('commit.down')) : coord ? (labelW > 70 ? roleWord('coordinator') : t('commit.coord_short')) : '';
    if (tag) text(ctx, tag, area.x + 22, y + rowH / 2, { px: 10, weight: coord ? 600 : 400, color: palette.muted, align: 'left' });
    if (first > 0) text(ctx, '…', area.x + labelW - 8, y + rowH / 2, { px: 11, color: palette.muted });
    shown.forEach((name, c) => {
      const tx = node.transactions?.[name];
      const key = stateKey(tx);
      const S = STATES[key];
      const x = area.x + labelW + c * cell;
      const box = { x: x + 3, y: y + 2, w: cell - 6, h: rowH - 4 };
      if (!tx) {
        text(ctx, '–', x + cell / 2, y + rowH / 2, { px: 11, color: palette.muted });
        return;
      }
      roundRect(ctx, box.x, box.y, box.w, box.h, 3);
      ctx.fillStyle = node.up ? S.fill : '#eef0f2';
      ctx.fill();
      if (S.hatch) hatch(ctx, box, S.hatch, 6, 1.5);
      roundRect(ctx, box.x, box.y, box.w, box.h, 3);
      ctx.lineWidth = tx.decision || key === 'blocked' ? 1.8 : 1.2;
      ctx.strokeStyle = node.up ? S.stroke : palette.down;
      ctx.stroke();
      let s = S.word;
      if (coord && !node.up) s = S.word;
      else if (coord && !tx.decision && tx.votes) {
        const yes = tx.votes.filter((v) => v.vote === 'yes').length;
        s = tx.state === 'precommitting' ? `${STATES.precommitting.word} ${t('commit.n_acks', { acks: tx.acks?.length ?? 0, parts })}` : `${STATES.voting.word} ${t('commit.n_yes', { yes, parts })}`;
      } else if (coord && tx.decision) {
        s = tx.ended ? `${S.word} · ${t('commit.ended')}` : `${S.word} ${t('commit.n_acks', { acks: tx.acks?.length ?? 0, parts })}`;
      } else if (tx.by_timeout) s = `${S.word} ${t('commit.timeout_paren')}`;
      const px = Math.min(11, rowH - 8);
      const weight = key === 'blocked' || tx.decision ? 700 : 400;
      const markW = S.mark && box.w > 70 ? 12 : 0;
      font(ctx, px, weight);
      let shown = fit(ctx, s, box.w - 8 - markW);
      if (shown.endsWith('…') && ctx.measureText(S.word).width <= box.w - 8 - markW) shown = S.word;
      const cx = x + cell / 2 + markW / 2;
      if (key === 'blocked') plate(ctx, shown, cx, y + rowH / 2, px, node.up ? '#6b3a00' : palette.muted, 800);
      else text(ctx, shown, cx, y + rowH / 2 + 0.5, { px, weight, color: node.up ? palette.ink : palette.muted });
      if (markW) {
        const tw = ctx.measureText(shown).width;
        const mx = cx - tw / 2 - 8;
        if (S.mark === 'check') checkMark(ctx, mx, y + rowH / 2, 3.5, S.stroke, 1.8);
        else xMark(ctx, mx, y + rowH / 2, 3, S.stroke, 1.8);
      }
    });
  });
  if (order.length === 0) {
    font(ctx, 12);
    text(ctx, fit(ctx, t('commit.no_tx'), area.w - labelW - 4), area.x + labelW, top + rowH / 2, { px: 12, color: palette.muted, align: 'left' });
  }
  note(ctx, gridNote(snap), area.x, top + n * rowH + 10, area.w, area.noteLines ?? (area.w < 640 ? 2 : 1));
}

const shared = { drawNode, split, drawDetail, describe, emptyHint, messageFields, milestoneTone, milestoneLegend };
export const twoPc = { ...shared, messageStyles: styles2, messageStyle: styleFor(styles2) };
export const threePc = { ...shared, messageStyles: styles3, messageStyle: styleFor(styles3) };
