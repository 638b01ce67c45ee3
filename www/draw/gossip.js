// How gossip looks (Demers et al. 1987). A node is coloured by what it knows:
// one colour per value, a pie when it knows several, pale grey while it knows
// nothing (susceptible). A node still spreading a rumor (infective, "hot")
// wears a thick orange ring; a node that knows but has lost interest
// (removed) has a thin outline. A crashed node is grey and dashed with its
// database still drawn faintly: the values survive on disk.
//
// The same drawing holds from 16 to 1,000 nodes: on the ring the nodes shrink
// to dots when they crowd it; past 25 nodes the page lays every node out as a
// dot (draw/dots.js) coloured by dotStyle(), and a strip along the bottom says
// how many live nodes know each value and how many still spread it. With few
// nodes the middle of the ring sums that up.
import { palette, text, font, fit, labelLines, labelRoom, labelBounds, crashMark, centerArea, summary, ringLayout } from './common.js';
import { RING_MAX } from './dots.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

/** What a milestone marker on the timeline stands for. */
export const milestoneLegend = t('gossip.milestone');

/** Every style messageStyle() returns, with what its label says. */
export const messageStyles = {
  Push: { shape: 'circle', fill: '#f08a4b', stroke: '#9a4410', legend: t('gossip.push'), explain: t('gossip.push_explain') },
  Feedback: { shape: 'diamond', fill: '#d9dee5', stroke: '#5b6b7f', small: true, legend: t('gossip.feedback'), explain: t('gossip.feedback_explain') },
  Pull: { shape: 'ring', fill: '#e3ecf9', stroke: '#3d73c9', small: true, legend: t('gossip.pull'), explain: t('gossip.pull_explain') },
  PushPull: { shape: 'square', fill: '#f6b98f', stroke: '#9a4410', legend: t('gossip.pushpull'), explain: t('gossip.pushpull_explain') },
  Reply: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', small: true, legend: t('raft.reply'), explain: t('gossip.reply_explain') },
  AntiEntropy: { shape: 'square', fill: '#b7e0c4', stroke: '#1f7a42', legend: t('gossip.ae'), explain: t('gossip.ae_explain') },
  AntiEntropyReply: { shape: 'diamond', fill: '#d3eedb', stroke: '#1f7a42', small: true, legend: t('gossip.aer'), explain: t('gossip.aer_explain') },
};

export function messageStyle(m) {
  return messageStyles[m.kind] ?? null;
}

// One colour per value, picked by the value's text so that it never changes
// while the run goes on.
const VALUE_COLORS = ['#3d73c9', '#2b9b8f', '#a347c2', '#c98a1b', '#d1572f', '#5a9e2f', '#c2477a', '#4f5fb8'];
const NOTHING = '#e9edf1';
const HOT = '#e8641e';

export function valueColor(v) {
  let h = 0;
  for (const c of String(v)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return VALUE_COLORS[h % VALUE_COLORS.length];
}

// What one node's drawing needs to know about the whole picture (computed in
// split() for each snapshot): how much room labels have and how big a dot may be.
const facts = new WeakMap();

/** The values a node knows, as pie sectors (or one disc) of radius `r`. */
function pie(ctx, p, r, known, alpha) {
  ctx.globalAlpha = alpha;
  if (known.length === 0) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    ctx.fillStyle = NOTHING;
    ctx.fill();
  } else if (known.length === 1 || r < 3) {
    // Too small for sectors: the value it learned last.
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    ctx.fillStyle = valueColor(known[known.length - 1]);
    ctx.fill();
  } else {
    const step = (2 * Math.PI) / known.length;
    known.forEach((v, i) => {
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.arc(p.x, p.y, r, -Math.PI / 2 + i * step, -Math.PI / 2 + (i + 1) * step);
      ctx.closePath();
      ctx.fillStyle = valueColor(v);
      ctx.fill();
    });
  }
  ctx.globalAlpha = 1;
}

/** Draws one node at `p`: in full when there is room, as a dot otherwise. */
export function drawNode(ctx, node, p, r, view) {
  const f = facts.get(node) ?? { room: r >= 20 ? 'full' : 'id', dot: r, bounds: null };
  const known = node.known ?? [];
  const hot = node.up ? node.hot ?? [] : [];
  const d = Math.min(r, f.dot);
  if (f.room === 'dot') {
    pie(ctx, p, d, known, node.up ? 1 : 0.35);
    // Below 3 px a ring would hide the colour: tiny dots show only what they know.
    if (d >= 3 || !node.up) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, d, 0, 2 * Math.PI);
      ctx.strokeStyle = !node.up ? palette.down : hot.length ? HOT : 'rgba(29,39,51,0.35)';
      ctx.lineWidth = hot.length ? Math.max(1, Math.min(2.5, d * 0.5)) : 1;
      ctx.stroke();
    }
    return;
  }
  pie(ctx, p, r, known, node.up ? 0.85 : 0.3);
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.setLineDash(node.up ? [] : [4, 3]);
  ctx.strokeStyle = !node.up ? palette.down : '#5b6b7f';
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.setLineDash([]);
  if (hot.length) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, r + 4, 0, 2 * Math.PI);
    ctx.strokeStyle = HOT;
    ctx.lineWidth = 3;
    ctx.stroke();
  }
  if (r >= 12) text(ctx, `n${node.id}`, p.x, p.y, { px: Math.max(9, Math.min(14, r * 0.5)), weight: 700, color: node.up ? palette.ink : palette.muted });
  if (!node.up) crashMark(ctx, p, r);
  labelLines(ctx, p, r + (hot.length ? 4 : 0), outsideLines(ctx, node, hot, f.room, r), f.bounds);
}

function outsideLines(ctx, node, hot, room, r) {
  const px = Math.max(10, Math.min(12, r * 0.45));
  const known = node.known ?? [];
  const state = !node.up ? roleWord('crashed') : hot.length ? t('gossip.spreading') : known.length ? t('gossip.knows') : t('gossip.knows_nothing');
  const color = !node.up ? palette.muted : hot.length ? HOT : palette.ink;
  if (room !== 'full') return [{ s: room === 'id' && r < 12 ? `n${node.id}` : `n${node.id} · ${state}`, short: `n${node.id}`, px: 10, weight: 600, color }];
  const lines = [{ s: `n${node.id} · ${state}`, px, weight: 600, color }];
  font(ctx, px - 1);
  if (known.length) lines.push({ s: fit(ctx, t('gossip.knows_list', { list: known.map((v) => `"${v}"`).join(', ') }), 170), short: t('gossip.knows_n', { n: known.length }), px: px - 1 });
  if (hot.length) lines.push({ s: fit(ctx, t('gossip.hot_list', { list: hot.map((v) => `"${v}"`).join(', ') }), 170), short: t('gossip.n_hot', { n: hot.length }), px: px - 1, color: HOT });
  return lines;
}

/**
 * The ring, with its middle kept for the summary of what is known. Past the
 * ring's 25 nodes the page draws every node as a dot (draw/dots.js, coloured
 * by dotStyle below) and the summary takes a strip along the bottom.
 */
export function split(rect, snap) {
  const n = snap.nodes.length;
  if (n > RING_MAX) {
    const h = Math.min(96, Math.max(60, rect.h * 0.16));
    return { ring: { ...rect, h: rect.h - h }, detail: { x: rect.x + 16, y: rect.y + rect.h - h + 4, w: rect.w - 32, h: h - 8 } };
  }
  const room = labelRoom(rect, n);
  // The ring as render.js lays it out (the same inset), to size the dots.
  const ring = ringLayout(n, { x: rect.x + 10, y: rect.y + 28, w: Math.max(10, rect.w - 20), h: Math.max(10, rect.h - 36) });
  const spacing = n <= 1 ? Infinity : (2 * Math.PI * ring.ringR) / n;
  const crowded = spacing < 2 * ring.nodeR + 4;
  const f = { room: crowded ? 'dot' : room, dot: crowded ? Math.max(1.2, Math.min(ring.nodeR, spacing * 0.42)) : ring.nodeR, bounds: labelBounds(rect) };
  for (const node of snap.nodes) facts.set(node, f);
  return { ring: rect, detail: centerArea(rect, n) };
}

/** A node as a dot in a large cluster: the value it learned last, orange while it spreads, a grey ring while down. */
export function dotStyle(node, snap) {
  if (!node.up) return { fill: null, stroke: palette.down, shape: 'ring' };
  // A compact frame's node carries the engine's columns: the name of the value it learned last, and how many it spreads.
  if (node.look) {
    const last = node.look.last >= 0 ? snap.names[node.look.last] : null;
    return { fill: last != null ? valueColor(last) : NOTHING, stroke: node.look.hot > 0 ? HOT : null, shape: 'circle' };
  }
  const known = node.known ?? [];
  const fill = known.length ? valueColor(known[known.length - 1]) : NOTHING;
  return { fill, stroke: node.hot?.length ? HOT : null, shape: 'circle' };
}

/** The strip past the ring, from a compact frame's summary: the first rumors (in the order they were started) with who knows and spreads each. */
function drawStrip(ctx, snap, area) {
  const s = snap.summary;
  const live = s.live ?? snap.nodes.filter((d) => d.up).length;
  let y = area.y + 10;
  for (const { value: v, knows, hot } of (s.values ?? []).slice(0, 3)) {
    font(ctx, 12, 700);
    const line = fit(ctx, `● "${v}" ${t('gossip.known_by', { knows, live })}${s.mongers ? ` · ${hot ? t('gossip.n_spreading', { n: hot }) : t('gossip.nobody_spreads')}` : ''}`, area.w);
    text(ctx, line, area.x + area.w / 2, y, { px: 12, weight: 700, color: valueColor(v) });
    y += 16;
  }
  const count = s.value_count ?? 0;
  if (!count) text(ctx, t('gossip.no_rumor'), area.x + area.w / 2, y, { px: 12, weight: 600 });
  else if (count > 3) text(ctx, t('gossip.more_values', { n: count - 3 }), area.x + area.w / 2, y, { px: 10, color: palette.muted });
}

/** The values in play, in the order the nodes learned them (node by node). */
function valuesOf(snap) {
  const seen = new Set();
  for (const node of snap.nodes) for (const v of node.known ?? []) seen.add(v);
  return [...seen];
}

/** The middle of the ring: for each value, who knows it and who spreads it. */
export function drawDetail(ctx, snap, area) {
  if (snap.compact) {
    drawStrip(ctx, snap, area);
    return;
  }
  const live = snap.nodes.filter((d) => d.up);
  const values = valuesOf(snap);
  // Gossip's nodes say which rumors they spread; broadcast's (this drawing is shared) do not.
  const mongers = snap.nodes.some((d) => 'hot' in d);
  // Past the ring: one line per value along the bottom strip.
  if (snap.nodes.length > RING_MAX) {
    let y = area.y + 10;
    for (const v of values.slice(0, 3)) {
      const knows = live.filter((d) => d.known?.includes(v)).length;
      const hot = live.filter((d) => d.hot?.includes(v)).length;
      font(ctx, 12, 700);
      const s = fit(ctx, `● "${v}" ${t('gossip.known_by', { knows, live: live.length })}${mongers ? ` · ${hot ? t('gossip.n_spreading', { n: hot }) : t('gossip.nobody_spreads')}` : ''}`, area.w);
      text(ctx, s, area.x + area.w / 2, y, { px: 12, weight: 700, color: valueColor(v) });
      y += 16;
    }
    if (!values.length) text(ctx, t('gossip.no_rumor'), area.x + area.w / 2, y, { px: 12, weight: 600 });
    else if (values.length > 3) text(ctx, t('gossip.more_values', { n: values.length - 3 }), area.x + area.w / 2, y, { px: 10, color: palette.muted });
    return;
  }
  const lines = [];
  if (!values.length) lines.push({ s: t('gossip.no_rumor'), px: 13, weight: 600, color: palette.ink });
  for (const v of values.slice(0, 4)) {
    const knows = live.filter((d) => d.known?.includes(v)).length;
    const hot = live.filter((d) => d.hot?.includes(v)).length;
    font(ctx, 13, 700);
    lines.push({ s: fit(ctx, `■ "${v}"`, area.w - 24), px: 13, weight: 700, color: valueColor(v) });
    lines.push({ s: `${t('gossip.known_by', { knows, live: live.length })}${mongers ? ` · ${hot ? t('gossip.n_spreading', { n: hot }) : t('gossip.nobody_spreads')}` : ''}`, px: 11 });
  }
  if (values.length > 4) lines.push({ s: t('gossip.more_values', { n: values.length - 4 }), px: 11, color: palette.muted });
  const down = snap.nodes.length - live.length;
  if (down) lines.push({ s: t('gossip.down', { n: down }), px: 11, color: palette.muted });
  if (mongers) lines.push({ s: t('gossip.orange'), px: 10, color: HOT });
  summary(ctx, area, lines);
}

/** What to do first, before any rumor exists. */
export function emptyHint(snap) {
  const started = snap.compact ? (snap.summary.value_count ?? 0) > 0 : snap.nodes.some((d) => (d.known ?? []).length);
  if (started || snap.pending_requests?.length) return null;
  return [t('gossip.hint_none'), t('gossip.hint_send')];
}

/** The details panel's lines for one node. */
export function describe(node) {
  const known = node.known ?? [];
  const hot = node.up ? node.hot ?? [] : [];
  const list = (vs) => vs.map((v) => `"${v}"`).join(', ');
  const lines = [];
  if (!node.up) {
    lines.push(t('gossip.d_crashed', { list: known.length ? list(known) : t('gossip.d_no_values') }));
  } else {
    lines.push(known.length ? t('gossip.d_knows', { list: list(known) }) : t('gossip.d_knows_nothing'));
    lines.push(hot.length ? t('gossip.d_spreading', { list: list(hot) }) : known.length ? t('gossip.d_removed') : t('gossip.d_spreads_nothing'));
    if (node.sent != null) lines.push(t('gossip.d_sent', { n: node.sent }));
  }
  lines.push(...commonLines(node));
  return lines;
}

/** The message card's rows. */
export function messageFields(p) {
  const list = (vs) => (vs?.length ? vs.map((v) => `"${v}"`).join(', ') : t('word.none'));
  switch (p.type) {
    case 'Push':
      return [['hot rumors', list(p.rumors)]];
    case 'Feedback':
      return [['pushed', list(p.rumors)], ['already known', list(p.known)]];
    case 'Pull':
      return [['asker has', list(p.have)]];
    case 'PushPull':
      return [['hot rumors', list(p.rumors)], ['initiator has', list(p.have)]];
    case 'Reply':
      return [['rumors it lacked', list(p.rumors)], ['of its pushes, already known', list(p.known)]];
    case 'AntiEntropy':
      return [['whole database', list(p.values)]];
    case 'AntiEntropyReply':
      return [['values it lacked', list(p.values)]];
    default:
      return null;
  }
}
