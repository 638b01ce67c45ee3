// The shared drawing of the flexible transactions, saga and tcc (www/draw/saga.js,
// www/draw/tcc.js): node 0, the orchestrator or coordinator, is a rounded
// square, participants are circles, each filled with its state in the
// transaction in focus and saying it in words; beside or below the ring a
// grid of one row per node and one column per transaction. A protocol hands
// in its kit: its states (fill, outline, word, mark), how a node's state is
// read, the lines beside a node, a grid cell's words, an optional mark drawn
// inside a node (tcc: the seats), the grid's footnote and its message styles.
import { palette, text, font, fit, labelLines, labelRoom, labelBounds, crashMark, card, checkMark, cross, hatch, note, roundRect, centerArea, summary, gridPanel } from './common.js';
import { commonLines } from '../describe.js';
import { t, roleWord } from '../i18n.js';

/** Transactions in the order node 0 began them, then any others. */
export function txOrder(snap) {
  const order = [];
  const seen = new Set();
  const add = (name) => {
    if (!seen.has(name)) {
      seen.add(name);
      order.push(name);
    }
  };
  const head = snap.nodes.find((d) => d.id === 0);
  for (const rec of head?.log ?? []) if (rec.startsWith('begin ')) add(rec.slice(6));
  for (const node of snap.nodes) for (const name of Object.keys(node.transactions ?? {})) add(name);
  return order;
}

/** The transaction every node shows: the latest not yet ended, else the latest. */
function focusOf(snap, order, open) {
  return [...order].reverse().find((name) => open(snap, name)) ?? order[order.length - 1] ?? null;
}

function bodyPath(ctx, node, p, r) {
  ctx.beginPath();
  if (node.id === 0) {
    const h = r * 0.92;
    ctx.roundRect(p.x - h, p.y - h, 2 * h, 2 * h, Math.max(4, r * 0.3));
  } else {
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  }
}

/** Builds a renderer from a protocol's kit. */
export function flexDrawing(kit) {
  const facts = new WeakMap();
  const S = (key) => kit.STATES[key] ?? kit.STATES.none;

  function clusterFacts(snap) {
    const order = txOrder(snap);
    return { order, focus: focusOf(snap, order, kit.open) };
  }

  function drawNode(ctx, node, p, r, view) {
    const f = facts.get(node) ?? { ...clusterFacts({ nodes: [node] }), bounds: null, room: r >= 20 ? 'full' : 'id', snap: { nodes: [node] } };
    const tx = f.focus ? node.transactions?.[f.focus] : null;
    const key = kit.stateKey(node, tx, f.focus, f.snap);
    const st = S(key);
    const up = node.up;
    bodyPath(ctx, node, p, r);
    ctx.fillStyle = up ? st.fill : '#eef0f2';
    ctx.fill();
    if (st.hatch && up) hatch(ctx, { x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r }, st.hatch, 6, 2);
    bodyPath(ctx, node, p, r);
    ctx.setLineDash(up ? [] : [4, 3]);
    ctx.lineWidth = st.mark ? 3 : 2;
    ctx.strokeStyle = up ? st.stroke : palette.down;
    ctx.stroke();
    ctx.setLineDash([]);
    if (r >= 16) {
      if (r >= 22 && f.focus) {
        const cap = Math.max(8, Math.round(r * 0.27));
        font(ctx, cap);
        text(ctx, fit(ctx, f.focus, r * 1.4), p.x, p.y - r * 0.45, { px: cap, color: palette.muted });
      }
      let px = Math.max(8, Math.min(13, Math.round(r * 0.38)));
      font(ctx, px, 700);
      let word = st.word;
      while (px > 8 && ctx.measureText(word).width > r * 1.75) font(ctx, --px, 700);
      if (ctx.measureText(word).width > r * 1.75) word = st.short ?? st.word;
      text(ctx, word, p.x, p.y + (r >= 22 ? r * 0.08 : 0), { px, weight: 700, color: up ? palette.ink : palette.muted });
    }
    if (r >= 22) kit.inside?.(ctx, node, p, r, tx, key);
    // Too small for a word: the mark alone says done or failed.
    if (r < 16 && st.mark === 'check') checkMark(ctx, p.x, p.y, r * 0.5, st.stroke, 2);
    else if (r < 16 && st.mark === 'cross') cross(ctx, p.x, p.y, r * 0.4, st.stroke, 2, true);
    if (!up) crashMark(ctx, p, r);
    labelLines(ctx, p, r, outside(node, tx, key, f, view, r), f.bounds);
  }

  function outside(node, tx, key, f, view, r) {
    const px = Math.max(10, Math.min(12, r * 0.45));
    const head = node.id === 0;
    const color = node.up ? (head ? '#1d2733' : '#3d4a5a') : palette.muted;
    const role = `${roleWord(node.role)}${node.up ? '' : t('flex.crashed_paren')}`;
    if (f.room === 'id') return [{ s: `n${node.id}`, px: 10, weight: 600, color }];
    if (f.room === 'short') return [{ s: `n${node.id} · ${S(key).word}`, px, weight: 600, color: S(key).stroke }];
    const lines = [{ s: `n${node.id} · ${role}`, px, weight: 600, color }];
    for (const l of kit.lines(node, tx, f.focus, f.snap, key)) lines.push({ s: l.s, px: px - 1, weight: l.bad ? 700 : 500, color: l.bad ? palette.danger : S(key).stroke });
    if (head && f.order.length > 1) lines.push({ s: t('flex.more_grid', { n: f.order.length - 1 }), px: px - 1 });
    return lines;
  }

  function split(rect, snap) {
    const n = snap.nodes.length;
    const cf = clusterFacts(snap);
    const parts = gridPanel(rect, n, kit.gridNote);
    const f = { ...cf, snap, bounds: labelBounds(parts.ring), room: labelRoom(parts.ring, n) };
    for (const node of snap.nodes) facts.set(node, f);
    if (!parts.detail && f.room !== 'full') parts.detail = centerArea(parts.ring, n);
    return parts;
  }

  function drawSummary(ctx, snap, area) {
    const { focus } = clusterFacts(snap);
    if (!focus) return summary(ctx, area, [{ s: t('commit.no_tx'), px: 13, weight: 600, color: palette.ink }]);
    const lines = [{ s: focus, px: 14, weight: 700, color: palette.ink }];
    for (const node of snap.nodes) {
      const key = kit.stateKey(node, node.transactions?.[focus], focus, snap);
      lines.push({ s: `n${node.id}: ${S(key).word}`, px: 11, color: S(key).stroke });
    }
    summary(ctx, area, lines.slice(0, 9));
  }

  function drawDetail(ctx, snap, area, view) {
    if (area.summary) return drawSummary(ctx, snap, area);
    const { rowH } = area;
    const n = snap.nodes.length;
    const { order } = clusterFacts(snap);
    const labelW = area.w < 420 ? 64 : 96;
    const avail = area.w - labelW - 4;
    const cell = Math.max(84, Math.min(order.length <= 2 ? 220 : 150, avail / Math.max(1, order.length)));
    const cols = Math.max(1, Math.floor(avail / cell));
    const first = Math.max(0, order.length - cols);
    card(ctx, area);
    const top = area.y + rowH * 0.9;
    text(ctx, t('commit.transaction'), area.x, area.y + rowH * 0.45, { px: 10, color: palette.muted, align: 'left' });
    const shown = order.slice(first, first + cols);
    shown.forEach((name, c) => {
      font(ctx, 11, 700);
      text(ctx, fit(ctx, name, cell - 6), area.x + labelW + c * cell + cell / 2, area.y + rowH * 0.45, { px: 11, weight: 700 });
    });
    snap.nodes.forEach((node, i) => {
      const y = top + i * rowH;
      if (view.selected === node.id) {
        ctx.fillStyle = 'rgba(47,111,222,0.08)';
        ctx.fillRect(area.x - 4, y, area.w + 8, rowH);
      }
      text(ctx, `n${node.id}`, area.x, y + rowH / 2, { px: 11, weight: 600, color: node.up ? palette.ink : palette.muted, align: 'left' });
      const tag = !node.up ? roleWord('crashed') : node.id === 0 ? (labelW > 70 ? roleWord(node.role) : t('commit.coord_short')) : '';
      if (tag) text(ctx, tag, area.x + 22, y + rowH / 2, { px: 10, color: palette.muted, align: 'left' });
      shown.forEach((name, c) => {
        const tx = node.transactions?.[name];
        const x = area.x + labelW + c * cell;
        if (!tx) {
          text(ctx, '–', x + cell / 2, y + rowH / 2, { px: 11, color: palette.muted });
          return;
        }
        const key = kit.stateKey(node, tx, name, snap);
        const st = S(key);
        const box = { x: x + 3, y: y + 2, w: cell - 6, h: rowH - 4 };
        roundRect(ctx, box.x, box.y, box.w, box.h, 3);
        ctx.fillStyle = node.up ? st.fill : '#eef0f2';
        ctx.fill();
        if (st.hatch) hatch(ctx, box, st.hatch, 6, 1.5);
        roundRect(ctx, box.x, box.y, box.w, box.h, 3);
        ctx.lineWidth = st.mark ? 1.8 : 1.2;
        ctx.strokeStyle = node.up ? st.stroke : palette.down;
        ctx.stroke();
        const px = Math.min(11, rowH - 8);
        font(ctx, px, 600);
        text(ctx, fit(ctx, kit.cell(node, tx, name, snap, key), box.w - 6), x + cell / 2, y + rowH / 2 + 0.5, { px, weight: 600, color: node.up ? palette.ink : palette.muted });
      });
    });
    if (order.length === 0) text(ctx, t('commit.no_tx'), area.x + labelW, top + rowH / 2, { px: 12, color: palette.muted, align: 'left' });
    note(ctx, kit.gridNote, area.x, top + n * rowH + 10, area.w, area.noteLines ?? (area.w < 640 ? 2 : 1));
  }

  /** The details panel's lines for one node. */
  function describe(node, snap) {
    const lines = [node.up ? roleWord(node.role) : t('commit.d_crashed', { role: roleWord(node.role) })];
    const txs = Object.entries(node.transactions ?? {});
    for (const [name, tx] of txs.slice(-5)) {
      const key = kit.stateKey(node, tx, name, snap);
      const more = kit.lines(node, tx, name, snap, key).filter((l) => !l.node).map((l) => l.s.replace(`${name}: `, '')).join(' · ');
      lines.push(`${name}: ${more || S(key).word}`);
    }
    if (txs.length > 5) lines.push(t('commit.d_earlier', { n: txs.length - 5 }));
    lines.push(...(kit.describeMore?.(node) ?? []));
    const log = node.log ?? [];
    lines.push(`${t('commit.d_log')}: ${log.length ? log.slice(-6).join(' · ') : t('raft.empty')}`);
    lines.push(...commonLines(node));
    return lines;
  }

  function styleFor(m) {
    return kit.styles[m.kind] ?? null;
  }

  return {
    drawNode,
    split,
    drawDetail,
    describe,
    messageStyles: kit.styles,
    messageStyle: styleFor,
    emptyHint: (snap) => {
      if (snap.nodes.some((d) => Object.keys(d.transactions ?? {}).length) || snap.pending_requests?.length) return null;
      return [t('commit.hint_none'), kit.hint];
    },
    messageFields: (p) => {
      const rows = [['transaction', p.tx ?? '–']];
      if (p.step !== undefined) rows.push(['step', `T${p.step}`]);
      return rows;
    },
    milestoneTone: (record) => (kit.bad.test(record.text) ? 'bad' : 'good'),
    milestoneLegend: t('commit.milestone'),
  };
}
