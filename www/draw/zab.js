// How a Zab ensemble looks: each server coloured by its state (looking,
// following, leading), its currentEpoch inside, its phase, acceptedEpoch
// and last logged / last committed zxid beside it; every server's history
// as a zxid-ordered strip in a panel (cells coloured by epoch, solid when
// committed); messages named as ZooKeeper names its packets. It renders the
// node views the engine emits and decides nothing.
import { palette, text, roundRect, termColor, termStroke, font, card, note, noteLineCount, sidePanel, countdownArc, roleCircle, crashMark, labelLines, labelRoom, labelBounds } from './common.js';
import { activeScene } from './scene.js';
import { nodeName } from '../names.js';
import { t, roleWord } from '../i18n.js';
import { pausedLine, timerLine } from '../describe.js';

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('zab.milestone');

const election = { shape: 'ring', fill: '#fff4de', stroke: '#b8740a' };
const discovery = { shape: 'diamond', fill: '#e4d2f7', stroke: '#7a3fb0' };
const sync = { shape: 'square', fill: '#d8f0ec', stroke: '#1f7a6e' };
const broadcast = { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99' };

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  Notification: { ...election, legend: t('zab.notification'), explain: t('zab.notification_explain') },
  FOLLOWERINFO: { ...discovery, legend: 'FOLLOWERINFO', explain: t('zab.followerinfo_explain') },
  LEADERINFO: { ...discovery, fill: '#7a3fb0', legend: 'LEADERINFO', explain: t('zab.leaderinfo_explain') },
  ACKEPOCH: { ...discovery, fill: '#ffffff', legend: 'ACKEPOCH', explain: t('zab.ackepoch_explain') },
  DIFF: { ...sync, legend: 'DIFF', explain: t('zab.diff_explain') },
  TRUNC: { ...sync, fill: '#f3c9a8', stroke: '#a4501a', legend: 'TRUNC', explain: t('zab.trunc_explain') },
  SNAP: { ...sync, fill: '#1f7a6e', legend: 'SNAP', explain: t('zab.snap_explain') },
  NEWLEADER: { ...sync, shape: 'ring', legend: 'NEWLEADER', explain: t('zab.newleader_explain') },
  UPTODATE: { ...sync, shape: 'circle', legend: 'UPTODATE', explain: t('zab.uptodate_explain') },
  PROPOSAL: { ...broadcast, legend: 'PROPOSAL', explain: t('zab.proposal_explain') },
  ACK: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', legend: 'ACK', explain: t('zab.ack_explain') },
  COMMIT: { shape: 'circle', fill: '#23874a', stroke: '#14572e', legend: 'COMMIT', explain: t('zab.commit_explain') },
  PING: { shape: 'square', fill: '#ffffff', stroke: '#9aa8b8', small: true, legend: 'PING', explain: t('zab.ping_explain') },
  REQUEST: { shape: 'circle', fill: '#ffffff', stroke: '#1f4f99', small: true, legend: 'REQUEST', explain: t('zab.request_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

const roleStyle = { leading: palette.roles.leader, following: palette.roles.follower, looking: palette.roles.candidate };

const zx = (z) => (z ? `${z[0]}.${z[1]}` : '–');

// Facts about the whole picture one node's drawing needs, set in split().
const facts = new WeakMap();

/** Draws one server at `p` with radius `r`. */
export function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { bounds: null, room: r >= 20 ? 'full' : 'id' };
  const style = roleStyle[node.state] ?? palette.roles.follower;
  const up = node.up;
  countdownArc(ctx, node, p, r, view.time, 'finalize', '#d59a2d');
  countdownArc(ctx, node, p, r, view.time, 'watchdog', '#9aa8b8');
  roleCircle(ctx, p, r, style, up, up && node.state === 'leading');
  const big = Math.max(10, Math.round(r * 0.62));
  text(ctx, String(node.current_epoch), p.x, p.y + (r > 18 ? 1 : 0), { px: big, weight: 650, color: up ? palette.ink : palette.muted });
  if (r > 20) text(ctx, t('zab.epoch'), p.x, p.y - r * 0.55, { px: Math.max(8, Math.round(r * 0.26)), color: palette.muted });
  if (!up) crashMark(ctx, p, r);
  labelLines(ctx, p, r, outsideLines(node, style, f.room, r), f.bounds);
}

function outsideLines(node, style, room, r) {
  const px = Math.max(10, Math.min(13, r * 0.5));
  const color = node.up ? style.stroke : palette.muted;
  const state = node.up ? node.state : 'crashed';
  if (room === 'id') return [{ s: nodeName(node.id), px: 10, weight: 600, color }];
  const head = { s: `${nodeName(node.id)} · ${roleWord(state)}`, short: nodeName(node.id), px, weight: 600, color };
  if (room === 'short') return [head];
  const small = px - 1;
  const lines = [head];
  if (node.paused_until != null) lines.push({ s: t('draw.paused_to', { ms: node.paused_until }), px: small, color: palette.paused });
  if (node.up) lines.push({ s: roleWord(node.phase), px: small });
  lines.push({ s: t('zab.last_committed', { last: zx(node.last_zxid), committed: zx(node.last_committed) }), short: t('zab.last', { last: zx(node.last_zxid) }), px: small, color: palette.muted });
  return lines;
}

const NOTE = t('zab.note');

/** The history panel beside the ring on a wide canvas, below it otherwise. */
export function split(rect, snap) {
  const n = snap.nodes.length;
  let parts = sidePanel(rect, n + 0.9, NOTE, { force: n > 7 });
  if (!parts && rect.h >= 300) {
    const foot = noteLineCount(NOTE, rect.w - 24) * 13 + 12;
    const rowH = Math.min(22, Math.max(9, Math.floor((rect.h * 0.34 - foot) / (n + 0.9))));
    const h = rowH * (n + 0.9) + foot;
    if (rect.h - h >= 170) {
      parts = {
        ring: { x: rect.x, y: rect.y, w: rect.w, h: rect.h - h - 4 },
        detail: { x: rect.x + 12, y: rect.y + rect.h - h - 2, w: rect.w - 24, h, rowH },
      };
    }
  }
  parts ??= { ring: rect, detail: null };
  const f = { bounds: labelBounds(parts.ring), room: labelRoom(parts.ring, n) };
  for (const node of snap.nodes) facts.set(node, f);
  return parts;
}

/** Every zxid any server holds, in order: the strip's columns. */
function columns(nodes) {
  const all = new Map();
  for (const d of nodes) for (const t of d.history ?? []) all.set(zx(t.zxid), t.zxid);
  return [...all.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The histories, one row per server, aligned by zxid. */
export function drawDetail(ctx, snap, area, view) {
  const { rowH } = area;
  const sc = activeScene();
  const cols = columns(snap.nodes);
  const labelW = area.w < 360 ? 56 : 84;
  const avail = area.w - labelW - 8;
  const cell = Math.max(16, Math.min(44, avail / Math.max(cols.length, 4)));
  const fits = Math.max(1, Math.floor(avail / cell));
  const shown = cols.slice(Math.max(0, cols.length - fits));
  const at = new Map(shown.map((z, i) => [zx(z), i]));
  const top = area.y + rowH * 0.9;
  const headPx = Math.min(10, Math.max(8, rowH - 4));
  card(ctx, area);
  text(ctx, t('zab.history'), area.x, area.y + rowH * 0.45, { px: headPx, color: palette.muted, align: 'left' });
  snap.nodes.forEach((node, i) => {
    const y = top + i * rowH;
    const sel = view.selected === node.id;
    const namePx = Math.min(11, rowH - 2);
    if (sel) {
      ctx.fillStyle = 'rgba(47,111,222,0.08)';
      ctx.fillRect(area.x - 4, y, area.w + 8, rowH);
    }
    if (!node.up) {
      ctx.fillStyle = 'rgba(163,170,179,0.12)';
      ctx.fillRect(area.x + labelW - 2, y + 1, area.w - labelW + 2, rowH - 2);
    }
    text(ctx, nodeName(node.id), area.x, y + rowH / 2, { px: namePx, weight: sel ? 700 : 600, color: node.up ? palette.ink : palette.muted, align: 'left' });
    if (labelW > 60 && node.up && node.state !== 'following') {
      text(ctx, roleWord(node.state), area.x + 24, y + rowH / 2, { px: Math.min(10, namePx), color: node.state === 'leading' ? palette.ok : palette.muted, align: 'left' });
    }
    const hist = node.history ?? [];
    const written = hist.length - (node.unwritten ?? 0);
    hist.forEach((txn, k) => {
      const c = at.get(zx(txn.zxid));
      if (c === undefined) return;
      const x = area.x + labelW + c * cell;
      const solid = node.up && k < node.committed;
      const box = { x: x + 1.5, y: y + 1.5, w: cell - 3, h: rowH - 4 };
      drawCell(ctx, box, txn, solid, node.up, k >= written);
      const state = solid ? t('raftlog.committed') : t('zab.not_committed_here');
      const tip = `${nodeName(node.id)} · zxid ${zx(txn.zxid)} · ${txn.value} · ${state}${k >= written ? t('zab.in_memory') : ''}${node.up ? '' : t('zab.on_disk')}`;
      sc?.hit({ x0: x, y0: y, x1: x + cell, y1: y + rowH }, { kind: 'cell', id: node.id, index: k + 1, value: txn.value, committed: solid, tip });
    });
  });
  note(ctx, NOTE, area.x, top + snap.nodes.length * rowH + 8, area.w, area.noteLines ?? noteLineCount(NOTE, area.w));
}

function drawCell(ctx, box, txn, solid, up, unwritten) {
  const epoch = txn.zxid[0];
  roundRect(ctx, box.x, box.y, box.w, box.h, 3);
  ctx.globalAlpha = up ? 1 : 0.5;
  ctx.fillStyle = solid ? termColor(epoch) : '#ffffff';
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.setLineDash(solid ? [] : [3, 2]);
  ctx.lineWidth = unwritten ? 2 : solid ? 1.5 : 1.2;
  ctx.strokeStyle = unwritten ? palette.danger : up ? termStroke(epoch) : palette.down;
  ctx.stroke();
  ctx.setLineDash([]);
  const px = Math.max(7, Math.min(10, box.h - 3));
  font(ctx, px, solid ? 600 : 400);
  text(ctx, zx(txn.zxid), box.x + box.w / 2, box.y + box.h / 2 + 0.5, { px, weight: solid ? 600 : 400, color: up ? palette.ink : palette.muted });
}

/** What to do first, before anything is in a history. */
export function emptyHint(snap) {
  if (snap.nodes.some((d) => (d.history ?? []).length > 0) || snap.pending_requests?.length) return null;
  const leader = snap.nodes.find((d) => d.up && d.state === 'leading' && d.phase === 'broadcast');
  if (leader) {
    return [t('zab.hint_leads', { name: nodeName(leader.id), epoch: leader.current_epoch }), t('zab.hint_send')];
  }
  return [t('zab.hint_fle'), t('zab.hint_votes')];
}

/** The details panel's lines for one server. */
export function describe(node) {
  const lines = [];
  if (!node.up) {
    lines.push(t('zab.crashed', { accepted: node.accepted_epoch, current: node.current_epoch, n: (node.history ?? []).length }));
  } else {
    const follows = node.state === 'following' && node.leader != null ? ` · ${t('raft.follows', { name: nodeName(node.leader) })}` : '';
    lines.push(`${roleWord(node.state)} · ${roleWord(node.phase)}${follows}`);
    lines.push(`acceptedEpoch ${node.accepted_epoch} · currentEpoch ${node.current_epoch}`);
    lines.push(t('zab.last_line', { last: zx(node.last_zxid), committed: zx(node.last_committed) }));
    if (node.state === 'looking' && node.vote) {
      lines.push(t('zab.round', { round: node.election_epoch, name: nodeName(node.vote.leader), peer: node.vote.peer_epoch, zxid: zx(node.vote.zxid) }));
    }
    if (node.unwritten) lines.push(t('zab.unwritten', { n: node.unwritten }));
    const kv = Object.entries(node.kv ?? {});
    lines.push(t('zab.store', { kv: kv.length ? kv.map(([k, v]) => `${k}=${v}`).join(' ') : t('raft.empty') }));
  }
  if (node.paused_until != null) lines.push(pausedLine(node));
  for (const l of node.learners ?? []) lines.push(t('zab.learner', { name: nodeName(l.id), stage: l.stage, acked: zx(l.acked) }));
  const h = node.history ?? [];
  const tail = h.slice(-6).map((txn) => `${zx(txn.zxid)} ${txn.value}`);
  if (h.length) lines.push(`${t('zab.history_line')}: ${h.length > 6 ? '… ' : ''}${tail.join(' · ')}`);
  for (const tm of node.timers ?? []) lines.push(timerLine(tm));
  return lines;
}

const txns = (list) => (list.length ? list.map((txn) => `${zx(txn.zxid)} ${txn.value}`).join(', ') : t('word.none'));

/** The message card's rows, in ZooKeeper's words. */
export function messageFields(p) {
  switch (p.type) {
    case 'Notification':
      return [['leader', nodeName(p.vote.leader)], ['zxid', zx(p.vote.zxid)], ['peerEpoch', p.vote.peer_epoch], ['electionEpoch', p.election_epoch], ['state', p.state], ['sid', nodeName(p.sid)]];
    case 'FollowerInfo':
      return [['acceptedEpoch', p.accepted_epoch], ['last zxid', zx(p.last_zxid)]];
    case 'AckEpoch':
      return [['currentEpoch', p.fresh ? p.current_epoch : t('zab.had_epoch')], ['last zxid', zx(p.last_zxid)]];
    case 'Ack':
      return [['zxid', zx(p.zxid)]];
    case 'FollowerPing':
      return [['last zxid', zx(p.last_zxid)]];
    case 'Request':
      return [['operation', p.value], ['from', nodeName(p.origin)]];
    case 'Leader': {
      const k = p.packet;
      const rows = [['packet', k.packet], ['seq', p.seq]];
      if (k.epoch != null) rows.push(['epoch', k.epoch]);
      if (k.to) rows.push(['truncate after', zx(k.to)]);
      if (k.txns) rows.push(['transactions', txns(k.txns)]);
      if (k.txn) rows.push(['transaction', `${zx(k.txn.zxid)} ${k.txn.value}`]);
      if (k.zxid) rows.push(['zxid', zx(k.zxid)]);
      if (k.committed) rows.push(['committed through', zx(k.committed)]);
      return rows;
    }
    default:
      return null;
  }
}
