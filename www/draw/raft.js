// How a Raft cluster looks: nodes coloured and labelled by role, term inside,
// election countdown arcs, votes; every node's log in a panel (raft-log.js);
// the details panel's lines, the message card's fields and the empty-state
// hint for Raft.
import { palette, text, countdownArc, roleCircle, crashMark, labelLines, labelRoom, labelBounds } from './common.js';
import { nodeName } from '../names.js';
import { logSplit, drawLog } from './raft-log.js';
import { t, roleWord } from '../i18n.js';
import { pausedLine, timerLine } from '../describe.js';

const refused = { fill: '#f3b5b5', stroke: palette.danger };

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('raft.milestone');

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  RequestVote: { shape: 'ring', fill: '#fff4de', stroke: '#b8740a', legend: 'RequestVote', explain: t('raft.requestvote_explain') },
  Vote: { shape: 'circle', fill: '#e0a43a', stroke: '#8a5606', legend: t('raft.vote_granted'), explain: '“vote yes t2”' },
  VoteNo: { shape: 'circle', ...refused, legend: t('raft.vote_refused'), explain: '“vote no t2”' },
  AppendEntries: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: 'AppendEntries', explain: t('raft.append_explain') },
  Heartbeat: { shape: 'square', fill: '#ffffff', stroke: '#4f86d9', small: true, legend: t('raft.heartbeat'), explain: t('raft.heartbeat_explain') },
  AppendReply: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', legend: t('raft.reply'), explain: t('raft.reply_explain') },
  AppendRefused: { shape: 'diamond', ...refused, legend: t('raft.refusal'), explain: t('raft.refusal_explain') },
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
  if (r > 20) text(ctx, t('raft.term'), p.x, p.y - r * 0.55, { px: Math.max(8, Math.round(r * 0.26)), color: palette.muted });
  if (!up) crashMark(ctx, p, r);
  labelLines(ctx, p, r, outsideLines(node, role, style, f.room, view, r), f.bounds);
}

function outsideLines(node, role, style, room, view, r) {
  const px = Math.max(10, Math.min(13, r * 0.5));
  const color = node.up ? style.stroke : palette.muted;
  if (room === 'id') return [{ s: nodeName(node.id), px: 10, weight: 600, color }];
  const head = { s: `${nodeName(node.id)} · ${roleWord(role)}`, px, weight: 600, color };
  if (room === 'short') {
    // One line: the id, and the role unless it is the usual one.
    const tag = node.paused_until != null ? 'paused' : role === 'follower' ? '' : role;
    return [{ ...head, s: tag ? `${nodeName(node.id)} · ${roleWord(tag)}` : nodeName(node.id), color: tag === 'paused' ? palette.paused : color }];
  }
  const lines = [head];
  const small = px - 1;
  if (node.paused_until != null) lines.push({ s: t('draw.paused_to', { ms: node.paused_until }), px: small, color: palette.paused });
  if (node.up && role === 'candidate' && node.votes) lines.push({ s: t('raft.votes_of', { got: node.votes.length, need: Math.floor(view.n / 2) + 1 }), px: small });
  if (node.voted_for != null && role !== 'leader' && role !== 'candidate') lines.push({ s: t('raft.voted', { name: nodeName(node.voted_for) }), px: small });
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
    return [t('raft.hint_leads', { name: nodeName(leader.id), term: leader.term }), t('raft.hint_send')];
  }
  return [t('raft.hint_waiting'), t('raft.hint_timeout')];
}

const entryText = (e) => (e.value === '' ? t('draw.noop') : e.value);

/** The details panel's lines for one node. */
export function describe(node) {
  const lines = [];
  const role = roleOf(node);
  const votedFor = node.voted_for != null ? ` · ${t('raft.voted_for', { name: nodeName(node.voted_for) })}` : '';
  if (!node.up) lines.push(t('raft.crashed'));
  else lines.push(`${t('raft.role_in_term', { role: roleWord(role), term: node.term })}${votedFor}${node.leader != null && role !== 'leader' ? ` · ${t('raft.follows', { name: nodeName(node.leader) })}` : ''}`);
  if (!node.up) lines.push(`${t('raft.term_n', { term: node.term })}${votedFor}`);
  if (node.paused_until != null) lines.push(pausedLine(node));
  if (node.up) lines.push(t('raft.commit_line', { commit: node.commit_index, applied: node.last_applied }));
  if (node.votes) lines.push(t('raft.votes_from', { names: node.votes.map(nodeName).join(', ') || t('raft.nobody') }));
  const kv = Object.entries(node.kv ?? {});
  if (node.up) lines.push(t('raft.state_machine', { kv: kv.length ? kv.map(([k, v]) => `${k}=${v}`).join(' ') : t('raft.empty') }));
  const log = node.log ?? [];
  const first = Math.max(0, log.length - 6);
  const tail = log.slice(first).map((e, i) => `${first + i + 1}: t${e.term} ${entryText(e)}`);
  lines.push(`${t('raft.log_entries', { n: log.length })}${log.length ? `: ${first > 0 ? '… ' : ''}${tail.join(' · ')}` : ''}`);
  if (node.next_index) {
    const peers = node.next_index.map((_, i) => i).filter((i) => i !== node.id);
    lines.push(`nextIndex ${peers.map((i) => `${nodeName(i)} ${node.next_index[i]}`).join(' · ')}`);
    lines.push(`matchIndex ${peers.map((i) => `${nodeName(i)} ${node.match_index[i]}`).join(' · ')}`);
  }
  for (const tm of node.timers ?? []) lines.push(timerLine(tm));
  return lines;
}

const yes = (b) => (b ? t('word.yes') : t('word.no'));

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
        : t('raft.no_entries');
      return [['term', p.term], ['leader', nodeName(p.leader)], ['prevIndex', p.prev_log_index], ['prevTerm', p.prev_log_term], ['entries', entries], ['leaderCommit', p.leader_commit]];
    }
    case 'AppendReply':
      return [['term', p.term], ['success', yes(p.success)], [t('raft.answers_prev'), p.prev_log_index], [t('raft.match_index'), p.success ? p.match_index : '–']];
    default:
      return null;
  }
}
