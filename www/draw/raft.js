// How a Raft cluster looks: nodes coloured and labelled by role, term inside,
// election countdown arcs, votes; below the ring, every node's log aligned by
// index, committed entries solid and uncommitted ones dashed.
import { palette, text, roundRect, termColor, termStroke, font, countdownArc, roleCircle, crashMark, card } from './common.js';

export const messageStyles = {
  RequestVote: { shape: 'ring', fill: '#fff4de', stroke: '#b8740a', legend: 'RequestVote' },
  Vote: { shape: 'circle', fill: '#e0a43a', stroke: '#8a5606', legend: 'vote reply' },
  AppendEntries: { shape: 'square', fill: '#4f86d9', stroke: '#1f4f99', legend: 'AppendEntries (entries)' },
  Heartbeat: { shape: 'square', fill: '#ffffff', stroke: '#4f86d9', small: true, legend: 'heartbeat (empty AppendEntries)' },
  AppendReply: { shape: 'diamond', fill: '#9fc0ee', stroke: '#1f4f99', legend: 'AppendEntries reply' },
};

/** A failed reply reads as red. */
export function messageStyle(m) {
  const s = messageStyles[m.kind];
  if (!s) return null;
  if ((m.kind === 'Vote' && m.label.includes(' no')) || (m.kind === 'AppendReply' && m.label.startsWith('no '))) {
    return { ...s, fill: '#f3b5b5', stroke: palette.danger };
  }
  return s;
}

export function roleOf(node) {
  if (!node.up) return 'crashed';
  return node.role;
}

/** Draws one node at `p` with radius `r`. */
export function drawNode(ctx, node, p, r, view) {
  const role = roleOf(node);
  const style = palette.roles[node.role] ?? palette.roles.follower;
  const up = node.up;
  // Election countdown arc (followers and candidates).
  countdownArc(ctx, node, p, r, view.time, 'election', role === 'candidate' ? '#d59a2d' : '#9aa8b8');
  roleCircle(ctx, p, r, style, up, role === 'leader');
  // Term in the middle.
  const big = Math.max(10, Math.round(r * 0.62));
  text(ctx, String(node.term), p.x, p.y + (r > 18 ? 1 : 0), { px: big, weight: 650, color: up ? palette.ink : palette.muted });
  if (r > 20) text(ctx, 'term', p.x, p.y - r * 0.55, { px: Math.max(8, Math.round(r * 0.26)), color: palette.muted });
  if (!up) crashMark(ctx, p, r);
  // Labels outside the ring: id above-out, role below-out.
  const out = { x: Math.cos(p.angle), y: Math.sin(p.angle) };
  const px = Math.max(10, Math.min(13, r * 0.5));
  const lx = p.x + out.x * (r + 14);
  const ly = p.y + out.y * (r + 14);
  const align = Math.abs(out.x) < 0.3 ? 'center' : out.x > 0 ? 'left' : 'right';
  const below = out.y > 0.3;
  const lines = [`n${node.id} · ${role}`];
  const extra = [];
  if (node.paused_until != null) extra.push(`paused → ${node.paused_until} ms`);
  if (up && role === 'candidate' && node.votes) extra.push(`${node.votes.length}/${Math.floor(view.n / 2) + 1} votes`);
  if (node.voted_for != null && role !== 'leader' && role !== 'candidate') extra.push(`voted n${node.voted_for}`);
  lines.push(...extra);
  const lh = px + 3;
  const y0 = below ? ly + 2 : ly - (lines.length - 1) * lh - 2;
  lines.forEach((s, i) => {
    const color = i === 0 ? (up ? style.stroke : palette.muted) : s.startsWith('paused') ? palette.paused : palette.muted;
    text(ctx, s, lx, y0 + i * lh, { px: i === 0 ? px : px - 1, weight: i === 0 ? 600 : 400, color, align, baseline: below ? 'top' : 'bottom' });
  });
}

/** Raft uses the lower part of the canvas for the logs when there is room. */
export function split(rect, snap) {
  const n = snap.nodes.length;
  if (rect.h < 360 || n > 12) return { ring: rect, detail: null };
  const rowH = Math.min(24, Math.max(16, (rect.h * 0.36) / (n + 1.5)));
  const h = rowH * (n + 1.6) + 8;
  return {
    ring: { x: rect.x, y: rect.y, w: rect.w, h: rect.h - h },
    detail: { x: rect.x + 12, y: rect.y + rect.h - h, w: rect.w - 24, h: h - 6, rowH },
  };
}

/** The logs, one row per node, aligned by index. */
export function drawDetail(ctx, snap, area, view) {
  const { rowH } = area;
  const n = snap.nodes.length;
  const maxLen = Math.max(0, ...snap.nodes.map((d) => d.log.length));
  const labelW = 78;
  const avail = area.w - labelW - 8;
  const cell = Math.max(16, Math.min(30, rowH + 6));
  const cols = Math.max(1, Math.floor(avail / cell));
  const first = Math.max(1, maxLen - cols + 1);
  const top = area.y + rowH * 0.9;
  card(ctx, area);
  text(ctx, 'log index', area.x, area.y + rowH * 0.45, { px: 10, color: palette.muted, align: 'left' });
  for (let c = 0; c < cols && first + c <= maxLen; c++) {
    const idx = first + c;
    if (cell < 22 && idx % 5 !== 0 && idx !== first) continue;
    text(ctx, String(idx), area.x + labelW + c * cell + cell / 2, area.y + rowH * 0.45, { px: 10, color: palette.muted });
  }
  font(ctx, 11);
  snap.nodes.forEach((node, i) => {
    const y = top + i * rowH;
    const role = roleOf(node);
    const sel = view.selected === node.id;
    text(ctx, `n${node.id}`, area.x, y + rowH / 2, { px: 11, weight: sel ? 700 : 600, color: node.up ? palette.ink : palette.muted, align: 'left' });
    text(ctx, role === 'follower' ? '' : role, area.x + 22, y + rowH / 2, { px: 10, color: role === 'leader' ? palette.ok : palette.muted, align: 'left' });
    if (first > 1) text(ctx, '…', area.x + labelW - 8, y + rowH / 2, { px: 11, color: palette.muted });
    for (let idx = first; idx <= node.log.length && idx < first + cols; idx++) {
      const e = node.log[idx - 1];
      const x = area.x + labelW + (idx - first) * cell;
      const committed = idx <= node.commit_index;
      roundRect(ctx, x + 1.5, y + 2, cell - 3, rowH - 4, 3);
      ctx.fillStyle = committed ? termColor(e.term) : '#ffffff';
      ctx.fill();
      ctx.setLineDash(committed ? [] : [3, 2]);
      ctx.lineWidth = committed ? 1.5 : 1.2;
      ctx.strokeStyle = node.up ? termStroke(e.term) : palette.down;
      ctx.stroke();
      ctx.setLineDash([]);
      text(ctx, String(e.term), x + cell / 2, y + rowH / 2 + 0.5, { px: Math.min(11, rowH - 7), weight: committed ? 650 : 400, color: node.up ? palette.ink : palette.muted });
    }
  });
  if (maxLen === 0) {
    text(ctx, 'No entries yet: send a client request once a leader is elected.', area.x + labelW, top + rowH / 2, { px: 12, color: palette.muted, align: 'left' });
  }
  const legendY = top + n * rowH + 4;
  text(ctx, 'numbers are terms · solid = committed · dashed = not yet committed', area.x, legendY + 6, { px: 10, color: palette.muted, align: 'left' });
}
