// The dots layout (www/draw/dots.js) for clusters beyond the ring's 25 nodes:
// every node gets its own spot inside the drawing area, with room between
// neighbours, from 26 nodes to a thousand, on a wide and on a phone-shaped area.
import test from 'node:test';
import assert from 'node:assert/strict';
import { dotsLayout, RING_MAX } from '../../www/draw/dots.js';

for (const rect of [{ x: 0, y: 40, w: 900, h: 560 }, { x: 0, y: 0, w: 360, h: 420 }]) {
  for (const n of [RING_MAX + 1, 60, 200, 1000]) {
    test(`${n} dots in ${rect.w}×${rect.h}: inside, apart, visible`, () => {
      const { pos, nodeR } = dotsLayout(n, rect);
      assert.equal(pos.length, n);
      assert.ok(nodeR >= 1.5, `radius ${nodeR}`);
      for (const p of pos) {
        assert.ok(p.x - nodeR >= rect.x && p.x + nodeR <= rect.x + rect.w, `x ${p.x}`);
        assert.ok(p.y - nodeR >= rect.y && p.y + nodeR <= rect.y + rect.h, `y ${p.y}`);
      }
      // No two dots touch: the nearest pair is more than two radii apart.
      let nearest = Infinity;
      const sorted = [...pos].sort((a, b) => a.x - b.x);
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length && sorted[j].x - sorted[i].x < nearest; j++) {
          nearest = Math.min(nearest, Math.hypot(sorted[j].x - sorted[i].x, sorted[j].y - sorted[i].y));
        }
      }
      assert.ok(nearest > 2 * nodeR, `nearest ${nearest.toFixed(2)} vs radius ${nodeR.toFixed(2)}`);
    });
  }
}
