// The words of two- and three-phase commit: what each message's label means
// (for the legend), the details panel's lines, the empty-state hint, and
// which milestones are failures (an abort is never drawn like a commit).
import { nodeName, plural } from '../names.js';
import { commonLines } from '../describe.js';
import { t } from '../i18n.js';

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
  if (node.role === 'coordinator') {
    const votes = tx.votes ?? [];
    const yes = votes.filter((v) => v.vote === 'yes').map((v) => nodeName(v.node));
    const no = votes.filter((v) => v.vote !== 'yes').map((v) => nodeName(v.node));
    if (!node.up) return `${name}: ${tx.decision ? `${tx.decision} in its log` : 'no decision in its log'}`;
    if (tx.ended) return `${name}: ${tx.decision === 'commit' ? 'committed' : 'aborted'}; every participant confirmed`;
    if (tx.decision) return `${name}: decided ${tx.decision} · ${tx.acks?.length ?? 0} of ${parts} confirmed`;
    if (tx.state === 'precommitting') return `${name}: pre-commit sent · ${tx.acks?.length ?? 0} of ${parts} acks`;
    return `${name}: collecting votes · yes from ${yes.join(', ') || 'nobody yet'}${no.length ? ` · no from ${no.join(', ')}` : ''} (${votes.length} of ${parts})`;
  }
  if (tx.blocked || tx.state === 'uncertain') return `${name}: BLOCKED: voted yes and cannot decide alone; asks the coordinator`;
  const vote = tx.vote ? `voted ${tx.vote}` : 'not voted yet';
  if (tx.decision) return `${name}: ${tx.decision === 'commit' ? 'committed' : 'aborted'}${tx.by_timeout ? ' by its own timeout' : ''} (${vote})`;
  return `${name}: ${tx.state === 'precommitted' ? 'pre-committed' : tx.state} (${vote})`;
}

/** The details panel's lines for one node. */
export function describe(node, snap) {
  const n = snap?.nodes.length ?? 2;
  const lines = [];
  const coord = node.role === 'coordinator';
  if (!node.up) lines.push(`${coord ? 'coordinator' : 'participant'}, crashed: keeps its log on disk`);
  else lines.push(coord ? `coordinator of ${plural(n - 1, 'participant')}` : 'participant');
  const txs = Object.entries(node.transactions ?? {});
  for (const [name, tx] of txs.slice(-5)) lines.push(txLine(node, name, tx, n));
  if (txs.length > 5) lines.push(`… and ${plural(txs.length - 5, 'earlier transaction')}`);
  const log = node.log ?? [];
  lines.push(`log: ${log.length ? log.slice(-6).join(' · ') : 'empty'}`);
  lines.push(...commonLines(node));
  return lines;
}

/** The message card's rows. */
export function messageFields(p) {
  const rows = [['transaction', p.tx ?? '–']];
  if (p.type === 'Vote') rows.push(['vote', p.yes ? 'yes' : 'no']);
  return rows;
}
