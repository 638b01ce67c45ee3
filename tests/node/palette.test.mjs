// Colour is never the only cue, and where it is the one difference it holds
// up under the common colour-vision deficiencies: any two message styles of
// one protocol drawn with the same glyph at the same size must still differ
// clearly in colour (CIE76 ΔE ≥ 10, fill or outline) for normal vision and
// as protanopia, deuteranopia and tritanopia see them (Machado, Oliveira and
// Fernandes 2009, severity 1, applied in linear sRGB). Styles with different
// glyphs are told apart by shape, and every style's legend names it in words.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root } from '../../scripts/lib/run.mjs';

const DEFICIENCIES = {
  normal: null,
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};
const MIN_DELTA_E = 10;

function linear(hex) {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  assert.match(full, /^[0-9a-f]{6}$/i, `a colour written as #rrggbb: ${hex}`);
  return [0, 2, 4].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
}

function seenAs([r, g, b], m) {
  if (!m) return [r, g, b];
  return m.map((row) => Math.min(1, Math.max(0, row[0] * r + row[1] * g + row[2] * b)));
}

function lab([r, g, b]) {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (841 / 108) * t + 4 / 29);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

const deltaE = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** How far apart two styles' colours look under `m`: the larger of the fills' and the outlines' ΔE. */
function apart(a, b, m) {
  const d = (x, y) => deltaE(lab(seenAs(linear(x), m)), lab(seenAs(linear(y), m)));
  return Math.max(d(a.fill, b.fill), d(a.stroke ?? a.fill, b.stroke ?? b.fill));
}

test('the colour check can fail: red and green look alike to a deuteranope, blue and orange do not', () => {
  const red = { fill: '#d95f02', stroke: '#d95f02' };
  const green = { fill: '#7a8c00', stroke: '#7a8c00' };
  assert.ok(apart(red, green, null) > MIN_DELTA_E);
  assert.ok(apart(red, green, DEFICIENCIES.deuteranopia) < MIN_DELTA_E);
  assert.ok(apart({ fill: '#1f4f99' }, { fill: '#f08a4b' }, DEFICIENCIES.deuteranopia) > 3 * MIN_DELTA_E);
});

const drawings = fs.readdirSync(path.join(root, 'www', 'draw')).filter((f) => f.endsWith('.js'));
for (const file of drawings) {
  test(`${file}: message styles that share a glyph stay apart in colour under colour-vision deficiencies`, async () => {
    const mod = await import(`../../www/draw/${file}`);
    if (!mod.messageStyles) return;
    const styles = Object.entries(mod.messageStyles);
    const close = [];
    for (let i = 0; i < styles.length; i++) {
      for (let j = i + 1; j < styles.length; j++) {
        const [na, a] = styles[i];
        const [nb, b] = styles[j];
        if (a.shape !== b.shape || !!a.small !== !!b.small) continue;
        for (const [who, m] of Object.entries(DEFICIENCIES)) {
          const d = apart(a, b, m);
          if (d < MIN_DELTA_E) close.push(`${na} and ${nb} (${a.shape}) under ${who}: ΔE ${d.toFixed(1)}`);
        }
      }
    }
    assert.deepEqual(close, []);
  });
}
