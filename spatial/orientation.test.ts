import { describe, expect, it } from 'vitest';
import { orientedSize, orientRaster, toOrientation, type Orientation } from './orientation';

// 3x2 raster:  1 2 3
//              4 5 6
const src = Uint16Array.from([1, 2, 3, 4, 5, 6]);

const expected: Record<Orientation, number[][]> = {
  1: [
    [1, 2, 3],
    [4, 5, 6],
  ],
  2: [
    [3, 2, 1],
    [6, 5, 4],
  ],
  3: [
    [6, 5, 4],
    [3, 2, 1],
  ],
  4: [
    [4, 5, 6],
    [1, 2, 3],
  ],
  5: [
    [1, 4],
    [2, 5],
    [3, 6],
  ],
  6: [
    [4, 1],
    [5, 2],
    [6, 3],
  ],
  7: [
    [6, 3],
    [5, 2],
    [4, 1],
  ],
  8: [
    [3, 6],
    [2, 5],
    [1, 4],
  ],
};

describe('orientRaster', () => {
  for (const o of [1, 2, 3, 4, 5, 6, 7, 8] as Orientation[]) {
    it(`orientation ${o}`, () => {
      const r = orientRaster(src, 3, 2, 1, o);
      const rows = expected[o];
      expect([r.width, r.height]).toEqual([rows[0]!.length, rows.length]);
      expect(Array.from(r.data)).toEqual(rows.flat());
      expect(r.data).toBeInstanceOf(Uint16Array);
    });
  }

  it('keeps channels together', () => {
    const rgb = Uint8Array.from([1, 1, 1, 2, 2, 2]); // 2x1 RGB
    const r = orientRaster(rgb, 2, 1, 3, 6);
    expect([r.width, r.height]).toEqual([1, 2]);
    expect(Array.from(r.data)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(orientRaster(rgb, 2, 1, 3, 2).data)).toEqual([2, 2, 2, 1, 1, 1]);
  });

  it('rejects a raster of the wrong length', () => {
    expect(() => orientRaster(src, 2, 2, 1, 6)).toThrow(/expected 2x2x1/);
  });

  it('orientedSize and toOrientation', () => {
    expect(orientedSize(640, 480, 6)).toEqual({ width: 480, height: 640 });
    expect(orientedSize(640, 480, 3)).toEqual({ width: 640, height: 480 });
    expect(toOrientation(6)).toBe(6);
    expect(toOrientation(9)).toBe(1);
    expect(toOrientation(undefined)).toBe(1);
  });
});
