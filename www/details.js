// The selected node's state as a few plain-text lines for the side panel.

function value(v) {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  if (typeof v === 'object') {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${value(x)}`).join(', ')} }`;
  }
  return String(v);
}

const SKIP = new Set(['id', 'timers', 'log']);

export function describeNode(node) {
  const lines = [];
  if (!node.up) lines.push('crashed — shown with what it keeps on disk');
  if (node.paused_until != null) lines.push(`paused until ${node.paused_until} ms`);
  for (const [k, v] of Object.entries(node)) {
    if (SKIP.has(k) || k === 'up' || k === 'paused_until') continue;
    if (v === null && (k === 'votes' || k === 'next_index' || k === 'match_index')) continue;
    lines.push(`${k.replaceAll('_', ' ')}: ${value(v)}`);
  }
  if (Array.isArray(node.log)) {
    const tail = node.log.slice(-6).map((e, i) => `${node.log.length - Math.min(6, node.log.length) + i + 1}:t${e.term} ${e.value === '' ? '(no-op)' : e.value}`);
    lines.push(`log (${node.log.length}): ${node.log.length > 6 ? '… ' : ''}${tail.join('  ')}`);
  }
  for (const t of node.timers ?? []) lines.push(`${t.name} timer fires at ${t.fire_at} ms`);
  return lines.join('\n');
}
