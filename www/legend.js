// The legend under the cluster, built from the protocol's renderer: every
// style its messageStyle() can return (rule: a message kind drawn is a
// message kind in the legend), each with what its label says, and the
// lost-message cross. (What a detail panel's marks mean is written under the
// panel itself.) The same items draw onto a saved image.
import { glyph, cross, font, palette, wrapText } from './draw/common.js';
import { t } from './i18n.js';

const LOST = { name: t('legend.lost'), explain: t('legend.lost_explain') };

/** The legend's entries: [{ style, name, explain }], the lost cross last. */
export function legendItems(renderer) {
  const items = Object.values(renderer.messageStyles ?? {}).map((style) => ({ style, name: style.legend, explain: style.explain ?? '' }));
  items.push({ style: null, ...LOST });
  return items;
}

function glyphCanvas(style) {
  const c = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  c.width = 18 * dpr;
  c.height = 18 * dpr;
  c.className = 'legend-glyph';
  c.setAttribute('aria-hidden', 'true');
  const g = c.getContext('2d');
  g.scale(dpr, dpr);
  if (style) glyph(g, style.shape, 9, 9, style.small ? 4 : 5.5, style.fill, style.stroke);
  else cross(g, 9, 9, 5);
  return c;
}

/** Fills `el` with the legend of `renderer`. */
export function buildLegend(el, renderer) {
  el.textContent = '';
  const list = document.createElement('div');
  list.className = 'legend-items';
  for (const item of legendItems(renderer)) {
    const span = document.createElement('span');
    span.className = 'legend-item';
    if (item.explain) span.title = item.explain;
    const name = document.createElement('span');
    name.className = 'legend-name';
    name.textContent = item.name;
    span.append(glyphCanvas(item.style), name);
    if (item.explain) {
      const ex = document.createElement('span');
      ex.className = 'legend-explain';
      ex.textContent = item.explain;
      span.append(ex);
    }
    list.append(span);
  }
  el.append(list);
}


/**
 * Draws the legend into a `w`-wide band at (x, y) of a saved image; with
 * `measure` only returns the band's height.
 */
export function drawLegend(ctx, renderer, x, y, w, measure = false) {
  const colW = w >= 700 ? (w - 16) / 2 : w;
  const cols = colW === w ? 1 : 2;
  let rowY = y;
  const items = legendItems(renderer);
  for (let i = 0; i < items.length; i += cols) {
    let h = 0;
    for (let c = 0; c < cols && i + c < items.length; c++) {
      const it = items[i + c];
      const cx = x + c * (colW + 16);
      font(ctx, 11);
      const lines = wrapText(ctx, `${it.name}${it.explain ? ` — ${it.explain}` : ''}`, colW - 24);
      if (!measure) {
        const g = it.style;
        if (g) glyph(ctx, g.shape, cx + 8, rowY + 8, g.small ? 4 : 5.5, g.fill, g.stroke);
        else cross(ctx, cx + 8, rowY + 8, 5);
        ctx.fillStyle = palette.ink;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        lines.forEach((l, k) => ctx.fillText(l, cx + 22, rowY + 2 + k * 14));
      }
      h = Math.max(h, lines.length * 14 + 4);
    }
    rowY += h;
  }
  return rowY - y;
}
