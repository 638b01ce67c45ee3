// The words of two- and three-phase commit: what each message's label means
// (for the legend), the details panel's lines, the empty-state hint, and
// which milestones are failures (an abort is never drawn like a commit).
import { nodeName } from '../names.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

/** Explanations for the legend, by message kind. */
export const explain = {
  Prepare: t('commit.prepare_explain'),
  CanCommit: t('commit.can_commit_explain'),
  Vote: t('commit.vote_explain'),
  VoteNo: t('commit.vote_no_explain'),
  Commit: '“commit t1”',
  Abort: '“abort t1”',
  Ack: '“ack t1”',
  Query: t('commit.query_explain'),
  PreCommit: t('commit.precommit_explain'),
  Done: '“done t1”',
};

/** Milestones that report a failure (an abort, a blocked participant) get the colour of failure. */
export function milestoneTone(record) {
  return /\babort|uncertain/.test(record.text) ? 'bad' : 'good';
}

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('commit.milestone');

/** What to do first, before any transaction. */
export function emptyHint(snap) {
  if (snap.nodes.some((d) => Object.keys(d.transactions ?? {}).length) || snap.pending_requests?.length) return null;
  return [t('commit.hint_none'), snap.protocol === '3pc' ? t('commit.hint_send3') : t('commit.hint_send2')];
}

function txLine(node, name, tx, n) {
  const parts = Math.max(0, n - 1);
  const decided = (d) => (d === 'commit' ? t('commit.s_committed') : t('commit.s_aborted'));
  if (node.role === 'coordinator') {
    const votes = tx.votes ?? [];
    const yes = votes.filter((v) => v.vote === 'yes').map((v) => nodeName(v.node));
    const no = votes.filter((v) => v.vote !== 'yes').map((v) => nodeName(v.node));
    if (!node.up) return `${name}: ${tx.decision ? t('commit.in_log', { what: tx.decision === 'commit' ? t('commit.commit') : t('commit.abort') }) : t('commit.no_decision')}`;
    if (tx.ended) return `${name}: ${t('commit.d_ended', { what: decided(tx.decision) })}`;
    if (tx.decision) return `${name}: ${t('commit.d_decided', { what: decided(tx.decision), acks: tx.acks?.length ?? 0, parts })}`;
    if (tx.state === 'precommitting') return `${name}: ${t('commit.d_precommit_sent', { acks: tx.acks?.length ?? 0, parts })}`;
    return `${name}: ${t('commit.d_collecting', { yes: yes.join(', ') || t('raft.nobody'), got: votes.length, parts })}${no.length ? ` · ${t('commit.d_no_from', { names: no.join(', ') })}` : ''}`;
  }
  if (tx.blocked || tx.state === 'uncertain') return `${name}: ${t('commit.d_blocked')}`;
  const vote = tx.vote ? t('commit.voted', { vote: tx.vote === 'yes' ? t('word.yes') : t('word.no') }) : t('commit.d_not_voted');
  if (tx.decision) return `${name}: ${decided(tx.decision)}${tx.by_timeout ? t('commit.d_own_timeout') : ''} (${vote})`;
  const state = { precommitted: t('commit.s_precommit'), working: t('commit.s_working'), prepared: t('commit.s_prepared'), voting: t('commit.s_voting') }[tx.state] ?? tx.state;
  return `${name}: ${state} (${vote})`;
}

/** The details panel's lines for one node. */
export function describe(node, snap) {
  const n = snap?.nodes.length ?? 2;
  const lines = [];
  const coord = node.role === 'coordinator';
  if (!node.up) lines.push(t('commit.d_crashed', { role: roleWord(coord ? 'coordinator' : 'participant') }));
  else lines.push(coord ? t('commit.d_coordinator_of', { n: n - 1 }) : roleWord('participant'));
  const txs = Object.entries(node.transactions ?? {});
  for (const [name, tx] of txs.slice(-5)) lines.push(txLine(node, name, tx, n));
  if (txs.length > 5) lines.push(t('commit.d_earlier', { n: txs.length - 5 }));
  const log = node.log ?? [];
  lines.push(`${t('commit.d_log')}: ${log.length ? log.slice(-6).join(' · ') : t('raft.empty')}`);
  lines.push(...commonLines(node));
  return lines;
}

/** The message card's rows. */
export function messageFields(p) {
  const rows = [['transaction', p.tx ?? '–']];
  if (p.type === 'Vote') rows.push(['vote', p.yes ? t('word.yes') : t('word.no')]);
  return rows;
}
