// How a heartbeat failure detector looks (heartbeat and phi-accrual share it).
// A node's body shows how many live nodes suspect it: white while trusted by
// all, deepening red as more of them suspect it. Inside it, a small bar per
// peer shows this node's own suspicion level towards that peer (time since
// its last heartbeat, or φ) against the threshold: grey below, red past it.
// A crashed node is grey and dashed: a detector keeps nothing on disk.
import { palette, text, labelLines, labelRoom, labelBounds, crashMark } from './common.js';
import { nodeName } from '../names.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

export const milestoneLegend = t('hb.milestone');

export const messageStyles = {
  Heartbeat: { shape: 'circle', fill: '#e26d7a', stroke: '#8f2532', small: true, legend: t('raft.heartbeat'), explain: t('hb.explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

const facts = new WeakMap();

/** Who suspects whom, for every node of the snapshot. */
export function split(rect, snap) {
  const live = snap.nodes.filter((d) => d.up);
  const bounds = labelBounds(rect);
  const room = labelRoom(rect, snap.nodes.length);
  for (const node of snap.nodes) {
    const by = live.filter((d) => d.id !== node.id && (d.suspects ?? []).includes(node.id)).map((d) => d.id);
    const others = live.filter((d) => d.id !== node.id).length;
    facts.set(node, { by, others, bounds, room });
  }
  return { ring: rect, detail: null };
}

export function drawDetail() {}

/** A peer's level as a share of the threshold (1 = at the threshold). */
export function share(node, peer) {
  const t = node.threshold || 1;
  const level = node.phi ? node.phi[peer] : node.since_ms?.[peer];
  return level == null ? 0 : level / t;
}

function bars(ctx, node, p, r) {
  const peers = Object.keys(node.since_ms ?? {});
  if (!node.up || peers.length === 0 || r < 16) return;
  const w = Math.min(6, (1.3 * r) / peers.length);
  const h = r * 0.7;
  const x0 = p.x - (w * peers.length) / 2;
  const base = p.y + r * 0.45;
  peers.forEach((peer, k) => {
    const s = Math.min(1.5, share(node, peer));
    const x = x0 + k * w;
    ctx.fillStyle = s > 1 ? palette.danger : '#9aa8b8';
    ctx.fillRect(x + 0.5, base - (h * s) / 1.5, w - 1, (h * s) / 1.5);
  });
  ctx.strokeStyle = palette.muted;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(x0, base - h / 1.5);
  ctx.lineTo(x0 + w * peers.length, base - h / 1.5);
  ctx.stroke();
}

export function drawNode(ctx, node, p, r) {
  const f = facts.get(node) ?? { by: [], others: 0, bounds: null, room: 'full' };
  const frac = f.others ? f.by.length / f.others : 0;
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = node.up ? `rgba(214, 69, 80, ${0.12 + 0.6 * frac})` : '#eef0f2';
  if (node.up && frac === 0) ctx.fillStyle = '#f4f7fa';
  ctx.fill();
  ctx.setLineDash(node.up ? [] : [4, 3]);
  ctx.lineWidth = 2;
  ctx.strokeStyle = node.up ? '#5b6b7f' : palette.down;
  ctx.stroke();
  ctx.setLineDash([]);
  text(ctx, nodeName(node.id), p.x, p.y - (r > 20 ? r * 0.25 : 0), { px: Math.max(10, Math.round(r * 0.42)), weight: 650, color: node.up ? palette.ink : palette.muted });
  bars(ctx, node, p, r);
  if (!node.up) crashMark(ctx, p, r);
  const lines = [];
  if (f.room !== 'id') {
    const sus = node.suspects ?? [];
    if (node.paused_until != null) lines.push({ s: roleWord('paused'), px: 11, color: palette.paused });
    if (node.up) lines.push({ s: sus.length ? t('hb.suspects', { names: sus.map(nodeName).join(' ') }) : t('hb.trusts_all'), px: 11, color: sus.length ? palette.danger : palette.muted });
    if (f.by.length) lines.push({ s: t('hb.suspected_by', { by: f.by.length, others: f.others }), px: 10, color: palette.danger });
  }
  labelLines(ctx, p, r, lines, f.bounds);
}

export function emptyHint(snap) {
  if (snap.nodes.some((d) => !d.up || (d.suspects ?? []).length)) return null;
  return [t('hb.hint_none'), t('hb.hint_crash')];
}

/** A detector takes no client requests: the hint's button crashes a node. */
export function hintAction(snap) {
  const node = Math.min(1, snap.nodes.length - 1);
  return { label: t('hb.crash_n', { name: `n${node}` }), event: { type: 'crash', node } };
}

function levelText(node, peer) {
  if (node.phi) return t('hb.phi_of', { phi: Number(node.phi[peer] ?? 0).toFixed(2), max: node.threshold });
  return t('hb.ms_of', { ms: node.since_ms?.[peer] ?? 0, max: node.threshold });
}

export function describe(node) {
  const lines = [];
  if (!node.up) {
    lines.push(t('hb.d_crashed'));
  } else {
    const sus = node.suspects ?? [];
    lines.push(sus.length ? t('hb.suspects', { names: sus.map(nodeName).join(', ') }) : t('hb.d_nobody'));
    for (const peer of Object.keys(node.since_ms ?? {})) {
      lines.push(`${nodeName(peer)}: ${t('hb.d_last_heard', { ms: node.since_ms[peer] })} · ${levelText(node, peer)}`);
    }
    lines.push(t('hb.d_sent', { n: node.sent ?? 0 }));
  }
  lines.push(...commonLines(node));
  return lines;
}

export function messageFields(p) {
  if (p.type === 'Heartbeat') return [['heartbeat', t('hb.since_start', { seq: p.seq })]];
  return null;
}
