// How a Raft cluster looks: nodes coloured and labelled by role, term inside,
// election countdown arcs, votes; every node's log in a panel (raft-log.js);
// the details panel's lines, the message card's fields and the empty-state
// hint for Raft.
import { palette, text, countdownArc, roleCircle, crashMark, labelLines, labelRoom, labelBounds } from './common.js';
import { nodeName, plural } from '../names.js';
import { logSplit, drawLog } from './raft-log.js';

const refused = { fill: '#f3b5b5', stroke: palette.danger };

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = 'new leader';

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  RequestVote: { shape: 'ring', fill: '#fff4de', stroke: '#b8740a', legend: 'RequestVote', explain: '“RequestVote t2”: a candidate asks for votes in term 2' },
  Vote: { shape: 'circle', fill: '#e0a43a', stroke: '#8a5606', legend: 'vote granted', explain: '“vote yes t2”' },
  VoteNo: { shape: 'circle', ...refused, legend: 'vote refused', explain: '“vote no t2”' },
  AppendEntries: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: 'AppendEntries', explain: '“append [2..3] t1”: entries 2 to 3, term 1' },
  Heartbeat: { shape: 'square', fill: '#ffffff', stroke: '#4f86d9', small: true, legend: 'heartbeat', explain: '“heartbeat t1”: AppendEntries with no entries' },
  AppendReply: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', legend: 'reply', explain: '“ok, have 3”: log matches the leader’s up to index 3' },
  AppendRefused: { shape: 'diamond', ...refused, legend: 'refusal', explain: '“no match at 2”: no matching entry at index 2' },
};

export function messageStyle(m) {
  if (m.kind === 'Vote' && m.label.includes(' no')) return messageStyles.VoteNo;
  if (m.kind === 'AppendReply' && m.label.startsWith('no ')) return messageStyles.AppendRefused;
  return messageStyles[m.kind] ?? null;
}

export function roleOf(node) {
  if (!node.up) return 'crashed';
  return node.role;
}

// Facts about the whole picture one node's drawing needs, set in split().
const facts = new WeakMap();

/** Draws one node at `p` with radius `r`. */
export function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { bounds: null, room: r >= 20 ? 'full' : 'id' };
  const role = roleOf(node);
  const style = palette.roles[node.role] ?? palette.roles.follower;
  const up = node.up;
  countdownArc(ctx, node, p, r, view.time, 'election', role === 'candidate' ? '#d59a2d' : '#9aa8b8');
  roleCircle(ctx, p, r, style, up, role === 'leader');
  const big = Math.max(10, Math.round(r * 0.62));
  text(ctx, String(node.term), p.x, p.y + (r > 18 ? 1 : 0), { px: big, weight: 650, color: up ? palette.ink : palette.muted });
  if (r > 20) text(ctx, 'term', p.x, p.y - r * 0.55, { px: Math.max(8, Math.round(r * 0.26)), color: palette.muted });
  if (!up) crashMark(ctx, p, r);
  labelLines(ctx, p, r, outsideLines(node, role, style, f.room, view, r), f.bounds);
}

function outsideLines(node, role, style, room, view, r) {
  const px = Math.max(10, Math.min(13, r * 0.5));
  const color = node.up ? style.stroke : palette.muted;
  if (room === 'id') return [{ s: nodeName(node.id), px: 10, weight: 600, color }];
  const head = { s: `${nodeName(node.id)} · ${role}`, px, weight: 600, color };
  if (room === 'short') {
    // One line: the id, and the role unless it is the usual one.
    const tag = node.paused_until != null ? 'paused' : role === 'follower' ? '' : role;
    return [{ ...head, s: tag ? `${nodeName(node.id)} · ${tag}` : nodeName(node.id), color: tag === 'paused' ? palette.paused : color }];
  }
  const lines = [head];
  const small = px - 1;
  if (node.paused_until != null) lines.push({ s: `paused → ${node.paused_until} ms`, px: small, color: palette.paused });
  if (node.up && role === 'candidate' && node.votes) lines.push({ s: `${node.votes.length}/${Math.floor(view.n / 2) + 1} votes`, px: small });
  if (node.voted_for != null && role !== 'leader' && role !== 'candidate') lines.push({ s: `voted ${nodeName(node.voted_for)}`, px: small });
  return lines;
}

/** The log panel below the ring, or beside it on a wide canvas. */
export function split(rect, snap) {
  const parts = logSplit(rect, snap);
  const f = { bounds: labelBounds(parts.ring), room: labelRoom(parts.ring, snap.nodes.length) };
  for (const node of snap.nodes) facts.set(node, f);
  return parts;
}

export const drawDetail = drawLog;

/** What to do first, while every log is empty. */
export function emptyHint(snap) {
  if (snap.nodes.some((d) => d.log.length > 0) || snap.pending_requests?.length) return null;
  const leader = snap.nodes.find((d) => d.up && d.role === 'leader');
  if (leader) {
    return [`${nodeName(leader.id)} leads term ${leader.term}.`, 'Send a client request (C): the leader appends it to its log and replicates it.'];
  }
  return ['Waiting for an election.', 'When a node’s timeout (its grey arc) runs out it asks for votes. Then send a client request (C).'];
}

const entryText = (e) => (e.value === '' ? 'no-op' : e.value);

/** The details panel's lines for one node. */
export function describe(node) {
  const lines = [];
  const role = roleOf(node);
  if (!node.up) lines.push('crashed: keeps its term, vote and log on disk; its commit index and state machine return when it restarts');
  else lines.push(`${role} in term ${node.term}${node.voted_for != null ? ` · voted for ${nodeName(node.voted_for)}` : ''}${node.leader != null && role !== 'leader' ? ` · follows ${nodeName(node.leader)}` : ''}`);
  if (!node.up) lines.push(`term ${node.term}${node.voted_for != null ? ` · voted for ${nodeName(node.voted_for)}` : ''}`);
  if (node.paused_until != null) lines.push(`paused until ${node.paused_until} ms`);
  if (node.up) lines.push(`commit index ${node.commit_index} · last applied ${node.last_applied}`);
  if (node.votes) lines.push(`votes from ${node.votes.map(nodeName).join(', ') || 'nobody yet'}`);
  const kv = Object.entries(node.kv ?? {});
  if (node.up) lines.push(`state machine: ${kv.length ? kv.map(([k, v]) => `${k}=${v}`).join(' ') : 'empty'}`);
  const log = node.log ?? [];
  const first = Math.max(0, log.length - 6);
  const tail = log.slice(first).map((e, i) => `${first + i + 1}: t${e.term} ${entryText(e)}`);
  lines.push(`log, ${plural(log.length, 'entry', 'entries')}${log.length ? `: ${first > 0 ? '… ' : ''}${tail.join(' · ')}` : ''}`);
  if (node.next_index) {
    const peers = node.next_index.map((_, i) => i).filter((i) => i !== node.id);
    lines.push(`nextIndex ${peers.map((i) => `${nodeName(i)} ${node.next_index[i]}`).join(' · ')}`);
    lines.push(`matchIndex ${peers.map((i) => `${nodeName(i)} ${node.match_index[i]}`).join(' · ')}`);
  }
  for (const t of node.timers ?? []) lines.push(`${t.name} timer fires at ${t.fire_at} ms`);
  return lines;
}

const yes = (b) => (b ? 'yes' : 'no');

/** The message card's rows: Figure 2's field names. */
export function messageFields(p) {
  switch (p.type) {
    case 'RequestVote':
      return [['term', p.term], ['candidate', nodeName(p.candidate)], ['lastLogIndex', p.last_log_index], ['lastLogTerm', p.last_log_term]];
    case 'Vote':
      return [['term', p.term], ['voteGranted', yes(p.granted)]];
    case 'AppendEntries': {
      const entries = p.entries.length
        ? p.entries.map((e, i) => `${p.prev_log_index + 1 + i}: t${e.term} ${entryText(e)}`).join(', ')
        : 'none (a heartbeat)';
      return [['term', p.term], ['leader', nodeName(p.leader)], ['prevIndex', p.prev_log_index], ['prevTerm', p.prev_log_term], ['entries', entries], ['leaderCommit', p.leader_commit]];
    }
    case 'AppendReply':
      return [['term', p.term], ['success', yes(p.success)], ['answers prevIndex', p.prev_log_index], ['match index', p.success ? p.match_index : '–']];
    default:
      return null;
  }
}
