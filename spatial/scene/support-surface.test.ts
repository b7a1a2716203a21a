// Box -> mask separates the supporting surface (the top of the box an object stands on) from the
// object (issue 20 item 3): the support shows beside and in front of the object's base, outside
// its footprint, or just below a tight box, and is dropped like the floor. Standard synthetic
// scenes (some objects stacked on boxes), 640x480, range noise 4 mm per metre, 1% holes, objects
// given as 2D boxes only. bench/support-bench.ts prints the same measurement for any seed range.
import { describe, expect, it } from 'vitest';
import { buildScene } from './build-scene-graph';
import { makeSyntheticScene } from './synthetic-scene';
import { sceneInput } from './test-support';
import { emptyCoverage, quantile, scoreSupport } from './testing/support-coverage';

describe('supporting surface under a boxed object', () => {
  it('is found under stacked objects and never under floor objects', () => {
    const acc = emptyCoverage();
    for (let seed = 1000; seed < 1050; seed++) {
      const sc = makeSyntheticScene(seed, { width: 640, height: 480, noise: 0.004, holes: 0.01 });
      scoreSupport(acc, sc, buildScene(sceneInput(sc, { masks: false })).graph, String(seed));
    }
    expect(acc.floor).toBeGreaterThan(50);
    expect(acc.stacked).toBeGreaterThan(30);
    expect(acc.floorSnapped).toBe(0);
    // Seeds 1000-1099 (bench/support-bench.ts): the support under 12 of 81 such objects with the
    // bottom-layer test, 51 with the footprint test, 81 with the rows below the object read too;
    // width median 0.9% -> 0.5%, depth 5.1% -> 4.3% (held-out seeds 2000-2199: 187 of 193).
    expect(acc.stackedSnapped / acc.stacked, `missed ${acc.missed.join(' ')}`).toBeGreaterThan(0.9);
    expect(quantile(acc.width, 0.5)).toBeLessThan(0.02);
    expect(quantile(acc.width, 0.9)).toBeLessThan(0.05);
    expect(quantile(acc.height, 0.9)).toBeLessThan(0.05);
    expect(quantile(acc.depth, 0.5)).toBeLessThan(0.06);
  });
});
