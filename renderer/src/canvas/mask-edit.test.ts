import { describe, expect, it } from 'vitest';
import { decodeRle } from '../../../spatial/geometry/mask-rle';
import {
  bitmapOf,
  closesPolygon,
  countPixels,
  paintDisc,
  paintPolygon,
  paintSegment,
  toRle,
} from './mask-edit';

describe('mask editing on a bitmap', () => {
  it('brush and eraser paint discs along a stroke without gaps', () => {
    const m = bitmapOf(null, 100, 50);
    paintSegment(m, { x: 10, y: 25 }, { x: 90, y: 25 }, 3, 1);
    // A 6-px-wide band from x≈7 to x≈93 along row 25, every column covered.
    for (let x = 8; x < 92; x++) expect(m.bits[25 * 100 + x]).toBe(1);
    expect(m.bits[25 * 100 + 2]).toBe(0);
    expect(m.bits[20 * 100 + 50]).toBe(0);
    const painted = countPixels(m);
    paintDisc(m, { x: 50, y: 25 }, 5, 0);
    expect(m.bits[25 * 100 + 50]).toBe(0);
    expect(countPixels(m)).toBeLessThan(painted);
  });

  it('polygons add and cut, and the result round-trips through COCO RLE', () => {
    const m = bitmapOf(null, 40, 30);
    paintPolygon(
      m,
      [
        { x: 5, y: 5 },
        { x: 35, y: 5 },
        { x: 35, y: 25 },
        { x: 5, y: 25 },
      ],
      1,
    );
    expect(countPixels(m)).toBe(30 * 20);
    paintPolygon(
      m,
      [
        { x: 5, y: 5 },
        { x: 15, y: 5 },
        { x: 15, y: 25 },
      ],
      0,
    );
    expect(countPixels(m)).toBeLessThan(600);
    const back = bitmapOf(toRle(m), 40, 30);
    expect(back.bits).toEqual(m.bits);
    expect(decodeRle(toRle(m)).mask).toEqual(m.bits);
    // A mask of another size is not edited in place: the editor starts empty.
    expect(countPixels(bitmapOf(toRle(m), 30, 40))).toBe(0);
  });

  it('a click near the first point closes a polygon of three or more points', () => {
    const pts = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
    ];
    expect(closesPolygon(pts, { x: 2, y: 2 }, 2)).toBe(true); // 5.7 screen px
    expect(closesPolygon(pts, { x: 6, y: 6 }, 2)).toBe(false);
    expect(closesPolygon(pts.slice(0, 2), { x: 0, y: 0 }, 1)).toBe(false);
  });
});
