// How Multi-Paxos looks: each node shows its ballot inside and its role
// beside it; the leader is green with a double outline and the word leader, a
// candidate shows how many promises it has. Below the ring, the slot grid:
// one row per node, one column per slot. A chosen slot holds its value (filled
// once executed, outlined while not yet executed), a no-op is hatched and says
// "no-op", a value only accepted (not known chosen) is dashed, and a bar marks
// where each replica's executed prefix ends.
import { palette, text, font, fit, labelLines, labelRoom, labelBounds, crashMark, card, hatch, note, centerArea, summary, countdownArc, roleCircle, sidePanel } from './common.js';
import { ballotText as ballot, nodeName } from '../names.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('raft.milestone');

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  Prepare: { shape: 'ring', fill: '#fff4de', stroke: '#b8740a', legend: t('mp.prepare'), explain: t('mp.prepare_explain') },
  Promise: { shape: 'circle', fill: '#e0a43a', stroke: '#8a5606', legend: t('mp.promise'), explain: t('mp.promise_explain') },
  Accept: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: t('mp.accept'), explain: t('mp.accept_explain') },
  Accepted: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', legend: t('paxos.accepted'), explain: '“accepted s3 (2,4)”' },
  Decide: { shape: 'star', fill: '#3fae66', stroke: '#1f6b3c', legend: t('paxos.decide'), explain: t('mp.decide_explain') },
  Heartbeat: { shape: 'square', fill: '#ffffff', stroke: '#1f7a42', small: true, legend: t('mp.heartbeat'), explain: '“heartbeat (2,4)”' },
  CatchUp: { shape: 'triangle', fill: '#d9dee5', stroke: '#5b6b7f', small: true, legend: t('mp.catchup'), explain: t('mp.catchup_explain') },
  Nack: { shape: 'noentry', fill: '#d64545', stroke: '#8f1d1d', legend: t('paxos.nack'), explain: t('mp.nack_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

const cellColors = {
  executed: '#cfe9d7',
  chosen: '#ffffff',
  stroke: '#1f7a42',
  noop: '#eceff3',
  noopHatch: '#a9b2bd',
  accepted: '#7a8a9c',
};

const facts = new WeakMap();

function roleOf(node) {
  if (!node.up) return 'crashed';
  return node.leader ? 'leader' : node.role ?? 'follower';
}

function chosenCount(node) {
  return (node.chosen ?? []).filter((v) => v != null).length;
}

/** Draws one node at `p` with radius `r`. */
export function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { bounds: null, room: r >= 20 ? 'full' : 'id' };
  const role = roleOf(node);
  const style = palette.roles[role] ?? palette.roles.follower;
  const up = node.up;
  // The leader-failure countdown, as in the Raft drawing.
  countdownArc(ctx, node, p, r, view.time, 'election', role === 'candidate' ? '#d59a2d' : '#9aa8b8');
  roleCircle(ctx, p, r, style, up, role === 'leader');
  const ink = up ? palette.ink : palette.muted;
  if (r >= 18) {
    const captioned = r >= 26;
    if (captioned) {
      const cap = Math.max(8, Math.round(r * 0.27));
      text(ctx, role === 'leader' ? roleWord('leader') : t('mp.ballot_word'), p.x, p.y - r * 0.45, { px: cap, weight: role === 'leader' ? 700 : 400, color: role === 'leader' ? style.stroke : palette.muted });
    }
    const px = Math.max(9, Math.min(15, Math.round(r * 0.42)));
    font(ctx, px, 650);
    text(ctx, fit(ctx, ballot(node.ballot), r * 1.6), p.x, p.y + (captioned ? r * 0.1 : 0.5), { px, weight: 650, color: ink });
  } else if (role === 'leader') {
    text(ctx, 'L', p.x, p.y + 0.5, { px: Math.max(9, Math.round(r * 0.9)), weight: 700, color: style.stroke });
  }
  if (!up) crashMark(ctx, p, r);
  labelLines(ctx, p, r, outsideLines(node, role, style, f, view, r), f.bounds);
}

function outsideLines(node, role, style, f, view, r) {
  const px = Math.max(10, Math.min(12, r * 0.45));
  const color = node.up ? style.stroke : palette.muted;
  const name = roleWord(role);
  if (f.room !== 'full') {
    // Crowded: followers are the rule, so only the others say what they are.
    const s = role === 'follower' ? `n${node.id}` : `n${node.id} · ${name}`;
    return [{ s, px: f.room === 'id' ? 10 : px, weight: 600, color }];
  }
  const lines = [{ s: `n${node.id} · ${name}`, px, weight: 600, color }];
  const small = px - 1;
  const maj = Math.floor(view.n / 2) + 1;
  if (role === 'candidate') lines.push({ s: t('mp.promises_of', { got: node.promises?.length ?? 0, maj }), px: small, color: style.stroke });
  if (role === 'leader' && node.proposals?.length) lines.push({ s: t('mp.slots_phase2', { n: node.proposals.length }), px: small });
  if (role === 'follower' && node.known_leader != null) lines.push({ s: t('mp.leader_is', { name: nodeName(node.known_leader) }), px: small });
  if (!f.detail) {
    lines.push({ s: t('mp.chosen_executed', { chosen: chosenCount(node), executed: node.executed ?? 0 }), px: small });
  }
  return lines;
}

const GRID_NOTE = t('mp.note');

/** The slot grid beside the ring on a wide canvas, else below it when there is room. */
export function split(rect, snap) {
  const n = snap.nodes.length;
  let parts = (n <= 12 && sidePanel(rect, n + 0.9, GRID_NOTE, { minRowH: 14 })) || { ring: rect, detail: null };
  if (!parts.detail && rect.h >= 360 && n <= 12) {
    const rowH = Math.min(24, Math.max(17, (rect.h * 0.34) / (n + 2.6)));
    const h = rowH * (n + 1.2) + (rect.w < 640 ? 2 : 1) * 13 + 12;
    parts = {
      ring: { x: rect.x, y: rect.y, w: rect.w, h: rect.h - h },
      detail: { x: rect.x + 12, y: rect.y + rect.h - h, w: rect.w - 24, h: h - 6, rowH },
    };
  }
  const f = { bounds: labelBounds(parts.ring), room: labelRoom(parts.ring, n), detail: !!parts.detail };
  for (const node of snap.nodes) facts.set(node, f);
  if (!parts.detail && f.room !== 'full') parts.detail = centerArea(parts.ring, n);
  return parts;
}

/** Slots a node knows something about: chosen, accepted or being proposed. */
function slotCount(node) {
  let k = node.chosen?.length ?? 0;
  for (const a of node.accepted ?? []) k = Math.max(k, a.slot + 1);
  for (const pr of node.proposals ?? []) k = Math.max(k, pr.slot + 1);
  return k;
}

/** A crowded ring's middle: the leader, and how far the log is chosen and executed. */
function drawSummary(ctx, snap, area) {
  const leader = snap.nodes.find((d) => d.up && d.leader);
  const up = snap.nodes.filter((d) => d.up);
  const chosen = Math.max(0, ...snap.nodes.map(chosenCount));
  const executed = up.length ? Math.min(...up.map((d) => d.executed ?? 0)) : 0;
  const lines = [
    leader
      ? { s: `${roleWord('leader')} n${leader.id} · ${t('paxos.ballot', { b: ballot(leader.ballot) })}`, px: 13, weight: 700, color: palette.ok }
      : { s: t('mp.no_leader'), px: 13, weight: 700, color: palette.ink },
    { s: t('mp.summary', { chosen, executed }), px: 11 },
  ];
  const log = (leader ?? up[0])?.chosen ?? [];
  const noops = new Set((leader ?? up[0])?.noops ?? []);
  const first = Math.max(0, log.length - 5);
  const tail = log.slice(first).map((v, i) => `s${first + i} ${v == null ? '?' : noops.has(first + i) ? t('draw.noop') : v}`);
  if (tail.length) lines.push({ s: `${first > 0 ? '… ' : ''}${tail.join(' · ')}`, px: 11, color: palette.ink });
  summary(ctx, area, lines);
}

/** Rows = nodes, columns = slots. */
export function drawDetail(ctx, snap, area, view) {
  if (area.summary) return drawSummary(ctx, snap, area);
  const { rowH } = area;
  const n = snap.nodes.length;
  const maj = Math.floor(n / 2) + 1;
  const slots = Math.max(0, ...snap.nodes.map(slotCount));
  const narrow = area.w < 420;
  const labelW = narrow ? 72 : 92;
  const avail = area.w - labelW - 4;
  const cell = Math.max(24, Math.min(64, avail / Math.max(1, slots)));
  const cols = Math.max(1, Math.floor(avail / cell));
  const first = Math.max(0, slots - cols);
  card(ctx, area);
  text(ctx, t('mp.slot'), area.x, area.y + rowH * 0.45, { px: 10, color: palette.muted, align: 'left' });
  for (let c = 0; c < cols && first + c < slots; c++) {
    const s = first + c;
    if (cell < 30 && s % 5 !== 0 && s !== first) continue;
    text(ctx, `s${s}`, area.x + labelW + c * cell + cell / 2, area.y + rowH * 0.45, { px: 10, color: palette.muted });
  }
  const top = area.y + rowH * 0.9;
  const valPx = Math.min(11, rowH - 8);
  snap.nodes.forEach((node, i) => {
    const y = top + i * rowH;
    const role = roleOf(node);
    const sel = view.selected === node.id;
    if (sel) {
      ctx.fillStyle = 'rgba(47,111,222,0.08)';
      ctx.fillRect(area.x - 4, y, area.w + 8, rowH);
    }
    text(ctx, `n${node.id}`, area.x, y + rowH / 2, { px: 11, weight: sel ? 700 : 600, color: node.up ? palette.ink : palette.muted, align: 'left' });
    const tag = role === 'follower' ? '' : role === 'crashed' && narrow ? t('commit.down') : roleWord(role);
    if (tag) text(ctx, tag, area.x + 24, y + rowH / 2, { px: 10, weight: role === 'leader' ? 700 : 400, color: role === 'leader' ? palette.ok : palette.muted, align: 'left' });
    if (first > 0) text(ctx, '…', area.x + labelW - 8, y + rowH / 2, { px: 11, color: palette.muted });
    const accepted = new Map((node.accepted ?? []).map((a) => [a.slot, a]));
    const proposals = new Map((node.proposals ?? []).map((pr) => [pr.slot, pr]));
    const noops = new Set(node.noops ?? []);
    for (let s = first; s < slots && s < first + cols; s++) {
      const x = area.x + labelW + (s - first) * cell;
      const box = { x: x + 1.5, y: y + 2, w: cell - 3, h: rowH - 4 };
      const chosen = node.chosen?.[s];
      const pr = proposals.get(s);
      const acc = accepted.get(s);
      ctx.beginPath();
      ctx.roundRect(box.x, box.y, box.w, box.h, 3);
      if (chosen != null) {
        const noop = noops.has(s);
        const executed = s < (node.executed ?? 0);
        ctx.fillStyle = noop ? cellColors.noop : executed ? cellColors.executed : cellColors.chosen;
        ctx.fill();
        if (noop) hatch(ctx, box, cellColors.noopHatch, 5, 1);
        ctx.beginPath();
        ctx.roundRect(box.x, box.y, box.w, box.h, 3);
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = node.up ? (noop ? '#5b6b7f' : cellColors.stroke) : palette.down;
        ctx.stroke();
        const label = noop ? (box.w >= 34 ? t('draw.noop') : '∅') : chosen;
        font(ctx, valPx, 650);
        const shown = fit(ctx, label, box.w - 4);
        if (noop) {
          // A white backing keeps the word readable over the hatching.
          const w = ctx.measureText(shown).width + 4;
          ctx.fillStyle = 'rgba(255,255,255,0.85)';
          ctx.fillRect(x + cell / 2 - w / 2, y + rowH / 2 - valPx / 2 - 1, w, valPx + 2);
        }
        text(ctx, shown, x + cell / 2, y + rowH / 2 + 0.5, { px: valPx, weight: 650, color: node.up ? palette.ink : palette.muted });
      } else if (pr || acc) {
        ctx.fillStyle = '#ffffff';
        ctx.fill();
        ctx.setLineDash([3, 2]);
        ctx.lineWidth = 1.2;
        ctx.strokeStyle = node.up ? (pr ? '#3d73c9' : cellColors.accepted) : palette.down;
        ctx.stroke();
        ctx.setLineDash([]);
        const v = pr ? pr.value : acc.value;
        const label = pr && box.w >= 44 ? `${v} ${pr.accepts?.length ?? 0}/${maj}` : v;
        font(ctx, valPx, 400);
        text(ctx, fit(ctx, label, box.w - 4), x + cell / 2, y + rowH / 2 + 0.5, { px: valPx, color: palette.muted });
      }
    }
    // Where the executed prefix ends.
    const ex = node.executed ?? 0;
    if (ex > first && ex <= first + cols) {
      const bx = area.x + labelW + (ex - first) * cell;
      ctx.fillStyle = node.up ? palette.ink : palette.down;
      ctx.fillRect(bx - 1.5, y + 1, 3, rowH - 2);
    }
  });
  if (slots === 0) {
    font(ctx, 12);
    text(ctx, fit(ctx, t('mp.no_slots'), area.w - labelW - 4), area.x + labelW, top + rowH / 2, { px: 12, color: palette.muted, align: 'left' });
  }
  note(ctx, GRID_NOTE, area.x, top + n * rowH + 10, area.w, area.noteLines ?? (area.w < 640 ? 2 : 1));
}

/** What to do first, while no slot holds anything. */
export function emptyHint(snap) {
  if (snap.nodes.some(slotCount) || snap.pending_requests?.length) return null;
  const leader = snap.nodes.find((d) => d.up && d.leader);
  if (leader) return [t('mp.hint_leads', { name: nodeName(leader.id), b: ballot(leader.ballot) }), t('mp.hint_send')];
  return [t('mp.hint_none'), t('mp.hint_phase1')];
}

/** The details panel's lines for one node. */
export function describe(node) {
  const lines = [];
  const role = roleOf(node);
  if (!node.up) lines.push(t('mp.crashed'));
  else lines.push(`${roleWord(role)} · ${t('paxos.ballot', { b: ballot(node.ballot) })}${role !== 'leader' && node.known_leader != null ? ` · ${t('raft.follows', { name: nodeName(node.known_leader) })}` : ''}`);
  if (role === 'candidate') lines.push(t('mp.promises_from', { names: (node.promises ?? []).map(nodeName).join(', ') || t('raft.nobody') }));
  const chosen = node.chosen ?? [];
  const noops = new Set(node.noops ?? []);
  if (node.up) {
    const slots = chosen.map((v, s) => `s${s} ${v == null ? '?' : noops.has(s) ? t('draw.noop') : v}`);
    lines.push(`${t('mp.chosen_slots', { n: chosenCount(node) })}${slots.length ? `: ${slots.slice(-6).join(' · ')}` : ''} · ${t('mp.executed', { n: node.executed ?? 0 })}`);
  }
  const acc = node.accepted ?? [];
  if (acc.length) lines.push(`${t('paxos.accepted')}: ${acc.slice(-6).map((a) => `s${a.slot} ${ballot(a.ballot)}=${a.value}`).join(' · ')}`);
  for (const pr of node.proposals ?? []) lines.push(t('mp.proposing', { slot: `s${pr.slot}`, v: pr.value, n: pr.accepts?.length ?? 0 }));
  const kv = Object.entries(node.kv ?? {});
  if (node.up && kv.length) lines.push(t('raft.state_machine', { kv: kv.map(([k, v]) => `${k}=${v}`).join(' ') }));
  lines.push(...commonLines(node));
  return lines;
}

/** The message card's rows. */
export function messageFields(p) {
  switch (p.type) {
    case 'Prepare':
      return [['ballot', ballot(p.ballot)], ['for slots from', `s${p.from_slot}`]];
    case 'Promise':
      return [['ballot', ballot(p.ballot)], ['had accepted', p.accepted.length ? p.accepted.map((a) => `s${a.slot} ${ballot(a.ballot)}=${a.cmd}`).join(', ') : t('word.nothing')]];
    case 'Accept':
      return [['ballot', ballot(p.ballot)], ['slot', `s${p.slot}`], ['value', p.cmd]];
    case 'Accepted':
      return [['ballot', ballot(p.ballot)], ['slot', `s${p.slot}`]];
    case 'Nack':
      return [['refused ballot', ballot(p.ballot)], ['promised instead', ballot(p.promised)]];
    case 'Decide':
      return [['chosen', p.decisions.map((d) => `s${d.slot}=${d.cmd}`).join(', ')]];
    case 'Heartbeat':
      return [['ballot', ballot(p.ballot)], ['chosen below', `s${p.chosen_upto}`]];
    case 'CatchUp':
      return [['decisions from', `s${p.from_slot}`]];
    default:
      return null;
  }
}
