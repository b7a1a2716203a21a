import { describe, expect, it } from 'vitest';
import { rasterizePolygons } from './polygon-mask';

const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

describe('rasterizePolygons', () => {
  it('fills an axis-aligned rectangle by pixel centres', () => {
    const m = rasterizePolygons([[2, 1, 6, 1, 6, 4, 2, 4]], 10, 6);
    expect(count(m)).toBe(4 * 3);
    expect(m[1 * 10 + 2]).toBe(1);
    expect(m[1 * 10 + 6]).toBe(0);
    expect(m[4 * 10 + 2]).toBe(0);
  });

  it('keeps a hole given as a second ring', () => {
    const outer = [0, 0, 10, 0, 10, 10, 0, 10];
    const hole = [3, 3, 7, 3, 7, 7, 3, 7];
    expect(count(rasterizePolygons([outer, hole], 10, 10))).toBe(100 - 16);
  });

  it('fills a triangle with about its area and clips to the image', () => {
    const m = rasterizePolygons([[0, 0, 40, 0, 0, 40]], 40, 40);
    expect(Math.abs(count(m) - 800)).toBeLessThan(40);
    expect(count(rasterizePolygons([[-5, -5, 50, -5, 50, 50, -5, 50]], 8, 8))).toBe(64);
  });
});
