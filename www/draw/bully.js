// How a bully election looks. Ids are what the algorithm compares, so each
// node shows its id large inside it; the body's colour says its state — green
// with a double ring for a coordinator, grey-blue for a follower, amber while
// it holds an election or waits for a COORDINATOR — and the line beside it
// says whom it follows. An arc counts down the timer it is waiting on. The
// middle of the ring names the coordinator, the election under way, or — the
// lesson of a partition — every node that coordinates at once, in red.
import { palette, text, labelLines, labelRoom, labelBounds, crashMark, roleCircle, countdownArc, centerArea, summary } from './common.js';
import { nodeName } from '../names.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

export const milestoneLegend = t('bully.milestone');

export const messageStyles = {
  ELECTION: { shape: 'triangle', fill: '#fde9c4', stroke: '#b8740a', legend: 'ELECTION', explain: t('bully.election_explain') },
  OK: { shape: 'circle', fill: '#ffffff', stroke: '#b8740a', small: true, legend: 'OK', explain: t('bully.ok_explain') },
  COORDINATOR: { shape: 'star', fill: '#3fa35f', stroke: '#1f7a42', legend: 'COORDINATOR', explain: t('bully.coord_explain') },
  ALIVE: { shape: 'circle', fill: '#d3eedb', stroke: '#1f7a42', small: true, legend: t('bully.alive'), explain: t('bully.alive_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

const SPLIT = '#c62f2f';
const style = { coordinator: palette.roles.leader, follower: palette.roles.follower, electing: palette.roles.candidate, waiting: palette.roles.candidate };

const facts = new WeakMap();

/** The coordinators of the snapshot, for the nodes and the middle. */
export function split(rect, snap) {
  const n = snap.nodes.length;
  const coordinators = snap.nodes.filter((d) => d.up && d.state === 'coordinator').map((d) => d.id);
  const f = { bounds: labelBounds(rect), room: labelRoom(rect, n), split: coordinators.length > 1 };
  for (const node of snap.nodes) facts.set(node, f);
  return { ring: rect, detail: centerArea(rect, n) };
}

function stateLine(node) {
  if (!node.up) return roleWord('crashed');
  switch (node.state) {
    case 'coordinator':
      return roleWord('coordinator');
    case 'follower':
      return t('bully.follows', { name: nodeName(node.coordinator) });
    case 'electing':
      return t('bully.electing');
    case 'waiting':
      return t('bully.waiting');
    default:
      return roleWord(node.state ?? '');
  }
}

export function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { bounds: null, room: r >= 20 ? 'full' : 'id', split: false };
  const s = style[node.state] ?? palette.roles.follower;
  const lead = node.up && node.state === 'coordinator';
  countdownArc(ctx, node, p, r, view.time, 'answer', '#d59a2d');
  countdownArc(ctx, node, p, r, view.time, 'await', '#d59a2d');
  countdownArc(ctx, node, p, r, view.time, 'watch', '#9aa8b8');
  roleCircle(ctx, p, r, s, node.up, lead);
  if (lead && f.split) {
    // Two or more coordinators at once: a red ring around each.
    ctx.beginPath();
    ctx.arc(p.x, p.y, r + 9, 0, 2 * Math.PI);
    ctx.strokeStyle = SPLIT;
    ctx.lineWidth = 3;
    ctx.stroke();
  }
  // The id, large: it is what the algorithm compares.
  const big = Math.max(11, Math.round(r * 0.8));
  text(ctx, String(node.id), p.x, p.y + (r > 20 ? -r * 0.08 : 0), { px: big, weight: 700, color: node.up ? palette.ink : palette.muted });
  if (r > 22 && node.up && node.coordinator != null && node.state === 'follower') {
    text(ctx, `→ ${node.coordinator}`, p.x, p.y + r * 0.55, { px: Math.max(8, Math.round(r * 0.28)), weight: 600, color: s.stroke });
  } else if (r > 22 && lead) {
    text(ctx, t('bully.coord_short'), p.x, p.y + r * 0.55, { px: Math.max(8, Math.round(r * 0.26)), weight: 600, color: s.stroke });
  }
  if (!node.up) crashMark(ctx, p, r);
  const color = node.up ? (lead && f.split ? SPLIT : s.stroke) : palette.muted;
  const px = Math.max(10, Math.min(13, r * 0.5));
  const lines = [];
  if (f.room === 'id') {
    lines.push({ s: nodeName(node.id), px: 10, weight: 600, color });
  } else {
    lines.push({ s: `${nodeName(node.id)} · ${stateLine(node)}`, short: nodeName(node.id), px, weight: 600, color });
    if (f.room !== 'short' && node.paused_until != null) lines.push({ s: t('draw.paused_to', { ms: node.paused_until }), px: px - 1, color: palette.paused });
  }
  labelLines(ctx, p, r, lines, f.bounds);
}

/** The middle of the ring: who coordinates, who is electing. */
export function drawDetail(ctx, snap, area) {
  const live = snap.nodes.filter((d) => d.up);
  const coords = live.filter((d) => d.state === 'coordinator').map((d) => d.id);
  const electing = live.filter((d) => d.electing).map((d) => d.id);
  const lines = [];
  if (coords.length > 1) {
    lines.push({ s: t('bully.n_coordinators', { n: coords.length, names: coords.map(nodeName).join(', ') }), px: 13, weight: 700, color: SPLIT });
    lines.push({ s: t('bully.one_per_side'), px: 11, color: SPLIT });
    lines.push({ s: t('bully.the_lesson'), px: 11, color: SPLIT });
  } else if (coords.length === 1) {
    const c = coords[0];
    const followers = live.filter((d) => d.coordinator === c && d.id !== c).length;
    lines.push({ s: t('bully.coordinator_is', { name: nodeName(c) }), px: 13, weight: 700, color: palette.roles.leader.stroke });
    lines.push({ s: t('bully.live_follow', { followers, others: live.length - 1 }), px: 11 });
  } else {
    lines.push({ s: t('bully.no_coordinator'), px: 13, weight: 700, color: palette.ink });
  }
  if (electing.length) lines.push({ s: t('bully.electing_list', { names: electing.map(nodeName).join(' ') }), px: 11, color: palette.roles.candidate.stroke });
  summary(ctx, area, lines);
}

export function emptyHint(snap) {
  // Once anything was done to the run (a crash, a cut, a timeout), the story is under way.
  if (snap.applied_events) return null;
  const live = snap.nodes.filter((d) => d.up);
  if (live.length < snap.nodes.length || live.some((d) => d.electing)) return null;
  const top = Math.max(...snap.nodes.map((d) => d.id));
  if (!live.every((d) => d.coordinator === top)) return null;
  return [t('bully.hint_coordinates', { name: nodeName(top) }), t('bully.hint_crash')];
}

/** The hint's button crashes the coordinator. */
export function hintAction(snap) {
  const top = Math.max(...snap.nodes.map((d) => d.id));
  return { label: t('hb.crash_n', { name: nodeName(top) }), event: { type: 'crash', node: top } };
}

export function describe(node) {
  const lines = [];
  if (!node.up) {
    lines.push(t('bully.d_crashed'));
  } else {
    lines.push(t('bully.d_state', { state: stateLine(node), id: node.id }));
    if (node.state === 'coordinator') lines.push(t('bully.d_coordinator'));
    if (node.state === 'follower') lines.push(t('bully.d_follower', { name: nodeName(node.coordinator) }));
    lines.push(t('bully.d_elections', { n: node.elections ?? 0 }));
  }
  lines.push(...commonLines(node));
  return lines;
}

export function messageFields(p) {
  switch (p.type) {
    case 'Election':
      return [['means', t('bully.m_election')]];
    case 'Ok':
      return [['means', t('bully.m_ok')]];
    case 'Coordinator':
      return [['means', t('bully.m_coordinator')]];
    case 'Alive':
      return [['heartbeat', t('bully.m_alive', { seq: p.seq })]];
    default:
      return null;
  }
}
