// Words for the side panel and the message card. Each protocol's renderer
// describes its own node (`describe(node, snap)`) and names its messages'
// fields (`messageFields(payload)`); this module is the fallback for a
// protocol that does not, and it never prints debug text: objects become
// `key=value` lists, ballots `(r,n)`, node ids `nN`, missing values '–'.
import { ballotText, nodeName } from './names.js';
import { t } from './i18n.js';

const NODE_KEYS = new Set(['leader', 'candidate', 'from', 'to', 'node', 'known_leader', 'voted_for', 'coordinator']);
const BALLOT_KEYS = new Set(['ballot', 'promised']);

/** A value as plain words. */
export function plainValue(v, key = '') {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? t('word.yes') : t('word.no');
  if (NODE_KEYS.has(key) && typeof v === 'number') return nodeName(v);
  if (BALLOT_KEYS.has(key) && Array.isArray(v)) return ballotText(v);
  if (Array.isArray(v)) return v.length ? v.map((x) => plainValue(x, key)).join(', ') : t('word.none');
  if (typeof v === 'object') {
    if ('ballot' in v && 'value' in v) return `${ballotText(v.ballot)}=${plainValue(v.value)}`;
    const parts = Object.entries(v).map(([k, x]) => `${words(k)} ${plainValue(x, k)}`);
    return parts.length ? parts.join(' · ') : t('word.none');
  }
  return String(v);
}

const NAMES = { tx: 'transaction', cmd: 'value' };

/** A field name as words: `prev_log_index` → `prev log index`. */
export function words(key) {
  return NAMES[key] ?? key.replaceAll('_', ' ');
}

/** The generic details: every field of the view as a line. */
function genericLines(node) {
  const lines = [];
  if (!node.up) lines.push(t('describe.crashed'));
  if (node.paused_until != null) lines.push(pausedLine(node));
  for (const [k, v] of Object.entries(node)) {
    if (['id', 'up', 'paused_until', 'timers'].includes(k)) continue;
    lines.push(`${words(k)}: ${plainValue(v, k)}`);
  }
  for (const tm of node.timers ?? []) lines.push(timerLine(tm));
  return lines;
}

/** Node `id`'s whole view at `snap` (a compact snapshot, of a large cluster, fetches it from the engine). */
export function wholeNode(snap, id) {
  if (id == null) return null;
  return snap.compact ? snap.node(id) : snap.nodes.find((d) => d.id === id) ?? null;
}

/** The selected node's details as text lines, in its protocol's words. */
export function describeNode(renderer, node, snap) {
  return (renderer.describe ? renderer.describe(node, snap) : genericLines(node)).join('\n');
}

/** The message card's rows `[name, value]`: the protocol's names, or every field in words. */
export function messageRows(renderer, payload) {
  const named = renderer.messageFields?.(payload);
  if (named) return named.map(([k, v]) => [k, typeof v === 'string' ? v : plainValue(v)]);
  return Object.entries(payload)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => [words(k), plainValue(v, k)]);
}

/** The lines shared by every protocol's description: pause and timers. */
export function commonLines(node) {
  const lines = [];
  if (node.paused_until != null) lines.push(pausedLine(node));
  for (const tm of node.timers ?? []) lines.push(timerLine(tm));
  return lines;
}

/** `paused until 1200 ms`. */
export const pausedLine = (node) => t('describe.paused_until', { ms: node.paused_until });

/** `election timer fires at 300 ms`. */
export const timerLine = (tm) => t('describe.timer', { name: tm.name, ms: tm.fire_at });
