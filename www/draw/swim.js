// How SWIM looks (Das, Gupta, Motivala 2002). Each node is drawn as the group
// sees it — what the live members hold about it, read from their `members`
// lists: green circle = every live member holds it alive; orange diamond =
// some member suspects it (§4.2); red square = some member has confirmed it
// dead; grey = it left. A crashed node is a dashed ring whose colour says
// whether the group has noticed yet. Past 25 nodes the page draws dots
// (draw/dots.js) styled by dotStyle() with the same colours and shapes, and a
// strip along the bottom counts the states.
import { palette, text, labelLines, crashMark, centerArea, summary } from './common.js';
import { RING_MAX } from './dots.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('swim.milestone');

export function milestoneTone(record) {
  return /confirms|declares/.test(record?.text ?? '') ? 'bad' : null;
}

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  Ping: { shape: 'circle', fill: '#9fc0ee', stroke: '#1f4f99', legend: t('swim.ping'), explain: t('swim.ping_explain') },
  PingReq: { shape: 'square', fill: '#f6b98f', stroke: '#9a4410', legend: t('swim.pingreq'), explain: t('swim.pingreq_explain') },
  Ack: { shape: 'diamond', fill: '#b7e0c4', stroke: '#1f7a42', small: true, legend: t('commit.ack'), explain: t('swim.ack_explain') },
  Gossip: { shape: 'ring', fill: '#f3e3f7', stroke: '#a347c2', small: true, legend: t('swim.gossip'), explain: t('swim.gossip_explain') },
  Join: { shape: 'circle', fill: '#d3eedb', stroke: '#1f7a42', legend: t('swim.join'), explain: t('swim.join_explain') },
  Sync: { shape: 'square', fill: '#e3ecf9', stroke: '#3d73c9', legend: t('swim.sync'), explain: t('swim.sync_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

const LOOK = {
  alive: { fill: '#5fbf7f', stroke: '#1f7a42', shape: 'circle', word: t('swim.alive') },
  suspect: { fill: '#f0a03c', stroke: '#9a5a10', shape: 'diamond', word: t('swim.suspected') },
  dead: { fill: '#d94a4a', stroke: '#8a1f1f', shape: 'square', word: t('swim.dead') },
  left: { fill: '#c5ccd4', stroke: '#6b7785', shape: 'circle', word: t('swim.left') },
};

// The snapshot being drawn (split() runs before the nodes are drawn).
let current = null;

// For each snapshot: per node, how many live members hold it suspect, dead, left.
const tallies = new WeakMap();

function tally(snap) {
  let t = tallies.get(snap);
  if (t) return t;
  t = new Map();
  let live = 0;
  for (const d of snap.nodes) {
    if (!d.up) continue;
    live += 1;
    for (const [id, m] of Object.entries(d.members ?? {})) {
      const row = t.get(id) ?? { suspect: 0, dead: 0, left: 0 };
      if (m.state in row) row[m.state] += 1;
      t.set(id, row);
    }
  }
  t.live = live;
  tallies.set(snap, t);
  return t;
}

/** How the group sees `node`: the gravest state any live member holds. */
function groupState(node, snap) {
  // A compact frame says it per node (the engine applies the same rule).
  if (snap?.compact) {
    const look = snap.nodes[node.id]?.look;
    return look && look.group >= 0 ? snap.names[look.group] ?? 'alive' : 'alive';
  }
  const row = snap ? tally(snap).get(String(node.id)) : null;
  if (!row) return 'alive';
  if (row.left) return 'left';
  if (row.dead) return 'dead';
  if (row.suspect) return 'suspect';
  return 'alive';
}

/** A node as a dot in a large cluster: colour and shape by how the group sees it. */
export function dotStyle(node, snap) {
  const look = LOOK[groupState(node, snap)];
  if (!node.up) return { fill: null, stroke: groupState(node, snap) === 'alive' ? palette.down : look.fill, shape: 'ring' };
  return { fill: look.fill, stroke: null, shape: look.shape };
}

function shape(ctx, p, r, kind) {
  ctx.beginPath();
  if (kind === 'square') ctx.rect(p.x - r * 0.85, p.y - r * 0.85, r * 1.7, r * 1.7);
  else if (kind === 'diamond') {
    ctx.moveTo(p.x, p.y - r);
    ctx.lineTo(p.x + r, p.y);
    ctx.lineTo(p.x, p.y + r);
    ctx.lineTo(p.x - r, p.y);
    ctx.closePath();
  } else ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
}

/** Draws one node at `p` on the ring (up to 25 nodes). */
export function drawNode(ctx, node, p, r) {
  const state = groupState(node, current);
  const look = LOOK[state];
  shape(ctx, p, r, look.shape);
  ctx.globalAlpha = node.up ? 0.9 : 0.3;
  ctx.fillStyle = look.fill;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.setLineDash(node.up ? [] : [4, 3]);
  ctx.strokeStyle = node.up ? look.stroke : palette.down;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.setLineDash([]);
  if (r >= 12) text(ctx, `n${node.id}`, p.x, p.y, { px: Math.max(9, Math.min(14, r * 0.5)), weight: 700, color: palette.ink });
  if (!node.up) crashMark(ctx, p, r);
  const line = !node.up ? `n${node.id} · ${roleWord('crashed')}` : `n${node.id} · i${node.incarnation ?? 0}${node.probing != null ? ` → n${node.probing}` : ''}`;
  labelLines(ctx, p, r, [{ s: line, short: `n${node.id}`, px: 10, weight: 600, color: node.up ? look.stroke : palette.muted }], null);
}

/** Room for the summary: the ring's middle, or a strip along the bottom past 25 nodes. */
export function split(rect, snap) {
  current = snap;
  const n = snap.nodes.length;
  if (n > RING_MAX) {
    const h = Math.min(80, Math.max(48, rect.h * 0.12));
    return { ring: { ...rect, h: rect.h - h }, detail: { x: rect.x + 16, y: rect.y + rect.h - h + 4, w: rect.w - 32, h: h - 8 } };
  }
  return { ring: rect, detail: centerArea(rect, n) };
}

/** How many nodes the group sees in each state. */
export function drawDetail(ctx, snap, area) {
  const count = { alive: 0, suspect: 0, dead: 0, left: 0 };
  for (const d of snap.nodes) count[groupState(d, snap)] += 1;
  const down = snap.nodes.filter((d) => !d.up).length;
  const lines = [
    { s: t('swim.counts', count), px: 12, weight: 700 },
    { s: t('swim.down_key', { n: down }), px: 11, color: palette.muted },
  ];
  if (snap.nodes.length > RING_MAX) {
    text(ctx, lines[0].s, area.x + area.w / 2, area.y + 12, { px: 12, weight: 700 });
    text(ctx, lines[1].s, area.x + area.w / 2, area.y + 30, { px: 11, color: palette.muted });
    return;
  }
  summary(ctx, area, lines);
}

/** Nothing to do first: the members start probing on their own. */
export function emptyHint(snap) {
  if (snap.nodes.some((d) => !d.up)) return null;
  return [t('swim.hint_none'), t('swim.hint_crash')];
}

/** SWIM takes no client requests: the hint's button crashes a member. */
export function hintAction(snap) {
  const node = Math.min(1, snap.nodes.length - 1);
  return { label: t('hb.crash_n', { name: `n${node}` }), event: { type: 'crash', node } };
}

/** The details panel's lines for one node. */
export function describe(node, snap) {
  const lines = [];
  if (!node.up) {
    lines.push(t('swim.d_crashed', { inc: node.incarnation ?? 0 }));
  } else {
    const members = Object.entries(node.members ?? {});
    const by = (s) => members.filter(([, m]) => m.state === s).map(([id]) => `n${id}`);
    lines.push(t('swim.d_incarnation', { inc: node.incarnation ?? 0, n: members.length }));
    for (const s of ['suspect', 'dead', 'left']) {
      const ids = by(s);
      if (ids.length) lines.push(`${t('swim.d_holds', { state: LOOK[s].word })}: ${ids.slice(0, 12).join(', ')}${ids.length > 12 ? ` … (+${ids.length - 12})` : ''}`);
    }
    if (node.probing != null) lines.push(t('swim.d_probing', { name: `n${node.probing}` }));
    if (node.pending) lines.push(t('swim.d_pending', { n: node.pending }));
    if (node.sent != null) lines.push(t('gossip.d_sent', { n: node.sent }));
  }
  if (snap?.nodes) lines.push(t('swim.d_group', { word: LOOK[groupState(node, snap)].word }));
  lines.push(...commonLines(node));
  return lines;
}

/** The message card's rows. */
export function messageFields(p) {
  const ups = (us) => (us?.length ? us.map((u) => `n${u.node} ${u.state} i${u.incarnation}`).join(', ') : t('word.none'));
  switch (p.type) {
    case 'Ping':
    case 'Ack':
      return [['probe', `#${p.seq}`], ['piggybacked', ups(p.updates)]];
    case 'PingReq':
      return [['probe', `#${p.seq}`], ['target', `n${p.target}`], ['piggybacked', ups(p.updates)]];
    case 'Gossip':
      return [['updates', ups(p.updates)]];
    case 'Join':
      return [['incarnation', String(p.incarnation)]];
    case 'Sync':
      return [['members', ups(p.members)]];
    default:
      return null;
  }
}
