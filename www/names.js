// One naming scheme for everything a reader sees (canvas, event log, details,
// captions, timeline tooltips, cards): nodes are `n0`, ballots `(r,n)`,
// partitions `{0,1} | {2,3,4}`, roles lower case in every protocol, counts
// with the right plural, times in ms below a second and in seconds above.
// The engines write their notes this way too; the few engine texts that are
// part of the trace digest (violation details, ignored injects) keep their
// words, and readerText() gives them the same node names on the page.

export const nodeName = (id) => `n${id}`;

/** A ballot `[round, node]` as `(round,node)`; '–' for none. */
export function ballotText(b) {
  return Array.isArray(b) && b.length === 2 ? `(${b[0]},${b[1]})` : '–';
}

/** Partition groups as `{0,1} | {2,3,4}`. */
export function groupsText(groups) {
  return groups.map((g) => `{${g.join(',')}}`).join(' | ');
}

/** `1 gap`, `3 gaps`; `many` when the plural is not `one` + s. */
export function plural(n, one, many = `${one}s`) {
  return `${Number(n).toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A simulated time for a sentence: `850 ms`, `1.18 s`, `12.5 s`, `2 min 5 s`. */
export function timeText(ms) {
  const t = Math.max(0, Math.round(ms));
  if (t < 1000) return `${t} ms`;
  if (t < 60_000) return `${Number((t / 1000).toFixed(t < 10_000 ? 2 : 1))} s`;
  const min = Math.floor(t / 60_000);
  const s = Math.round((t % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}

/** Engine text with node names as the page writes them ("node 3" → "n3", "nodes 1 and 2" → "n1 and n2"). */
export function readerText(s) {
  return String(s)
    .replace(/\bnodes (\d+) and (\d+)\b/g, 'n$1 and n$2')
    .replace(/\b(?:node|leader) (\d+)\b/g, (m, id) => (m.startsWith('leader') ? `leader n${id}` : `n${id}`));
}
