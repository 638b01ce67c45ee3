// Raft's log panel, as RaftScope readers know it: one row per node, entries
// aligned by index and coloured by term; committed entries solid, the rest
// dashed; each entry's value in its cell when it fits (and in its tooltip
// always); a bar at each node's commit index; and under each follower's row
// the leader's view of it: ▲ at nextIndex, a green line up to matchIndex.
// A crashed node's commit index is volatile and lost, so its entries are
// drawn as the cluster knows them: solid where a running node has committed
// the same entry, greyed because it only keeps them on disk.
import { palette, text, roundRect, termColor, termStroke, font, card, note, noteLineCount, sidePanel } from './common.js';
import { activeScene } from './scene.js';
import { nodeName } from '../names.js';
import { t, roleWord } from '../i18n.js';

const NOTE = t('raftlog.note');

const noteLines = (w) => noteLineCount(NOTE, w);

/** The log panel below the ring, or beside it when the canvas is wide. */
export function logSplit(rect, snap) {
  const n = snap.nodes.length;
  // Beside the ring on a wide canvas, below it otherwise.
  const side = sidePanel(rect, n + 0.9, NOTE, { force: n > 7 });
  if (side) return side;
  if (rect.h >= 300) {
    const foot = noteLines(rect.w - 24) * 13 + 12;
    const rowH = Math.min(22, Math.max(9, Math.floor((rect.h * 0.34 - foot) / (n + 0.9))));
    const h = rowH * (n + 0.9) + foot;
    if (rect.h - h >= 170) {
      return {
        ring: { x: rect.x, y: rect.y, w: rect.w, h: rect.h - h - 4 },
        detail: { x: rect.x + 12, y: rect.y + rect.h - h - 2, w: rect.w - 24, h, rowH },
      };
    }
  }
  return { ring: rect, detail: null };
}

/** Index → term of every entry some running node has committed. */
function clusterCommitted(nodes) {
  const at = new Map();
  for (const d of nodes) {
    if (!d.up) continue;
    for (let i = 1; i <= d.commit_index && i <= d.log.length; i++) at.set(i, d.log[i - 1].term);
  }
  return at;
}

const entryText = (e) => (e.value === '' ? t('draw.noop') : e.value);

/** The logs, one row per node, aligned by index. */
export function drawLog(ctx, snap, area, view) {
  const { rowH } = area;
  const sc = activeScene();
  const maxLen = Math.max(0, ...snap.nodes.map((d) => d.log.length));
  const labelW = area.w < 360 ? 56 : 78;
  const avail = area.w - labelW - 8;
  const cell = Math.max(14, Math.min(60, avail / Math.max(maxLen, 4)));
  const cols = Math.max(1, Math.floor(avail / cell));
  const first = Math.max(1, maxLen - cols + 1);
  const top = area.y + rowH * 0.9;
  const committed = clusterCommitted(snap.nodes);
  const leader = snap.nodes.find((d) => d.up && d.role === 'leader' && d.next_index);
  const strip = rowH >= 14 ? 3 : 0;
  const headPx = Math.min(10, Math.max(8, rowH - 4));
  card(ctx, area);
  text(ctx, t('raftlog.log_index'), area.x, area.y + rowH * 0.45, { px: headPx, color: palette.muted, align: 'left' });
  for (let c = 0; c < cols && first + c <= maxLen; c++) {
    const idx = first + c;
    if (cell < 22 && idx % 5 !== 0 && idx !== first) continue;
    text(ctx, String(idx), area.x + labelW + c * cell + cell / 2, area.y + rowH * 0.45, { px: headPx, color: palette.muted });
  }
  const colX = (idx) => area.x + labelW + (idx - first) * cell;
  snap.nodes.forEach((node, i) => {
    const y = top + i * rowH;
    const role = node.up ? node.role : 'crashed';
    const sel = view.selected === node.id;
    const namePx = Math.min(11, rowH - 2);
    if (sel) {
      ctx.fillStyle = 'rgba(47,111,222,0.08)';
      ctx.fillRect(area.x - 4, y, area.w + 8, rowH);
    }
    if (!node.up) {
      ctx.fillStyle = 'rgba(163,170,179,0.12)';
      ctx.fillRect(area.x + labelW - 2, y + 1, area.w - labelW + 2, rowH - 2);
    }
    text(ctx, nodeName(node.id), area.x, y + rowH / 2, { px: namePx, weight: sel ? 700 : 600, color: node.up ? palette.ink : palette.muted, align: 'left' });
    if (role !== 'follower' && labelW > 60) {
      font(ctx, namePx, 700);
      const after = area.x + Math.max(24, ctx.measureText(nodeName(node.id)).width + 5);
      text(ctx, roleWord(role), after, y + rowH / 2, { px: Math.min(10, namePx), color: role === 'leader' ? palette.ok : palette.muted, align: 'left' });
    }
    if (first > 1) text(ctx, '…', area.x + labelW - 8, y + rowH / 2, { px: namePx, color: palette.muted });
    const ch = rowH - 3 - strip;
    for (let idx = first; idx <= node.log.length && idx < first + cols; idx++) {
      const e = node.log[idx - 1];
      const x = colX(idx);
      const solid = node.up ? idx <= node.commit_index : committed.get(idx) === e.term;
      drawCell(ctx, { x: x + 1.5, y: y + 1.5, w: cell - 3, h: ch - 1 }, e, solid, node.up);
      const state = solid ? t('raftlog.committed') : t('raftlog.not_committed');
      const tip = `${nodeName(node.id)} · ${t('raftlog.index', { idx })} · ${t('raft.term_n', { term: e.term })} · ${entryText(e)} · ${state}${node.up ? '' : t('raftlog.on_disk')}`;
      sc?.hit({ x0: x, y0: y, x1: x + cell, y1: y + rowH }, { kind: 'cell', id: node.id, index: idx, value: entryText(e), committed: solid, tip });
    }
    // The commit index, as a bar after its entry.
    if (node.up && node.commit_index >= first && node.commit_index > 0 && node.commit_index < first + cols) {
      ctx.fillStyle = palette.ink;
      ctx.fillRect(colX(node.commit_index) + cell - 2, y, 2.5, ch + 2);
    }
    if (leader && node.id !== leader.id) marks(ctx, leader, node.id, { y: y + rowH - strip - 1, strip, first, cols, cell, colX });
  });
  note(ctx, NOTE, area.x, top + snap.nodes.length * rowH + 8, area.w, area.noteLines ?? noteLines(area.w));
}

/** One log entry: solid when committed, dashed when not; its value when the cell is wide enough. */
function drawCell(ctx, box, e, solid, up) {
  roundRect(ctx, box.x, box.y, box.w, box.h, 3);
  ctx.globalAlpha = up ? 1 : 0.5;
  ctx.fillStyle = solid ? termColor(e.term) : '#ffffff';
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.setLineDash(solid ? [] : [3, 2]);
  ctx.lineWidth = solid ? 1.5 : 1.2;
  ctx.strokeStyle = up ? termStroke(e.term) : palette.down;
  ctx.stroke();
  ctx.setLineDash([]);
  const ink = up ? palette.ink : palette.muted;
  const px = Math.max(7, Math.min(11, box.h - 3));
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2 + 0.5;
  const termW = box.h >= 17 ? 9 : 0;
  font(ctx, px, solid ? 600 : 400);
  if (box.h >= 10 && ctx.measureText(entryText(e)).width <= box.w - 6 - termW) {
    // The whole value fits; the term stays as a small number.
    if (termW) text(ctx, String(e.term), box.x + 3, box.y + 2, { px: 7, weight: 700, color: up ? termStroke(e.term) : palette.muted, align: 'left', baseline: 'top' });
    text(ctx, entryText(e), cx + termW / 2, cy, { px, weight: solid ? 600 : 400, color: ink });
  } else {
    text(ctx, String(e.term), cx, cy, { px, weight: solid ? 650 : 400, color: ink });
  }
}

/** The leader's nextIndex (▲) and matchIndex (green line) for follower `id`. */
function marks(ctx, leader, id, g) {
  const next = leader.next_index[id];
  const match = leader.match_index[id];
  const lastCol = g.first + g.cols - 1;
  const h = Math.max(1.5, g.strip);
  if (match >= g.first) {
    const upto = Math.min(match, lastCol);
    ctx.fillStyle = palette.ok;
    ctx.fillRect(g.colX(g.first) + 1.5, g.y + h - 2, g.colX(upto) + g.cell - g.colX(g.first) - 3, 2);
  }
  const at = Math.min(Math.max(next, g.first), lastCol + 1);
  const x = g.colX(at) + Math.min(g.cell, 14) / 2;
  const s = Math.max(2.5, Math.min(4, h));
  ctx.beginPath();
  ctx.moveTo(x, g.y + h - s * 1.6);
  ctx.lineTo(x + s, g.y + h + 0.5);
  ctx.lineTo(x - s, g.y + h + 0.5);
  ctx.closePath();
  ctx.fillStyle = '#2f6fde';
  ctx.fill();
}
