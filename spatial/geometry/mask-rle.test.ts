import { describe, expect, it } from 'vitest';
import {
  ascendingPixelBounds,
  ascendingPixels,
  countsFromString,
  countsToString,
  decodeRle,
  encodeRle,
  encodeRlePixels,
  MaskError,
  maskPixelIndices,
  pixelListBounds,
  rlePixelIndices,
} from './mask-rle';

// 2 rows x 3 columns, row-major:   0 1 1
//                                  0 0 1
// Column-major sequence 0,0 | 1,0 | 1,1 -> runs of 0s/1s: [2, 1, 1, 2] (pycocotools convention).
const MASK = Uint8Array.from([0, 1, 1, 0, 0, 1]);

describe('COCO RLE', () => {
  it('encodes column-major runs starting with zeros', () => {
    expect(encodeRle(MASK, 3, 2)).toEqual({ size: [2, 3], counts: [2, 1, 1, 2] });
    expect(encodeRle(Uint8Array.from([1, 1]), 2, 1).counts).toEqual([0, 2]);
  });

  it('decodes uncompressed and compressed counts to the same row-major bitmap', () => {
    expect(Array.from(decodeRle({ size: [2, 3], counts: [2, 1, 1, 2] }).mask)).toEqual(
      Array.from(MASK),
    );
    // Compressed: 2,1,1 verbatim, then 2 - counts[1] = 1 -> "2111".
    expect(countsToString([2, 1, 1, 2])).toBe('2111');
    expect(Array.from(decodeRle({ size: [2, 3], counts: '2111' }).mask)).toEqual(Array.from(MASK));
    expect(Array.from(rlePixelIndices({ size: [2, 3], counts: '2111' }))).toEqual([1, 2, 5]);
    expect(Array.from(maskPixelIndices(MASK))).toEqual([1, 2, 5]);
  });

  it('round-trips negative deltas and long runs through the string form', () => {
    for (const counts of [[0, 10, 2, 1], [5, 100000, 3, 7, 1, 99999], [4]]) {
      expect(countsFromString(countsToString(counts))).toEqual(counts);
    }
    expect(countsToString([0, 10, 2, 1])).toBe('0:2G'); // 1 - 10 = -9 -> 'G'
  });

  it('rejects runs that overflow the size and bad characters', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 5] })).toThrow(MaskError);
    expect(() => rlePixelIndices({ size: [2, 2], counts: [1, -1] })).toThrow(MaskError);
    expect(() => countsFromString('\u0001')).toThrow(MaskError);
  });

  it('encodes a pixel list exactly as the bitmap encoder does (no full-image bitmap)', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 200; t++) {
      const w = 1 + Math.floor(rnd() * 9);
      const h = 1 + Math.floor(rnd() * 7);
      const density = [0, 0.1, 0.5, 0.9, 1][t % 5]!;
      const bm = Uint8Array.from({ length: w * h }, () => (rnd() < density ? 1 : 0));
      const px = maskPixelIndices(bm);
      expect(encodeRlePixels(px, w, h)).toEqual(encodeRle(bm, w, h));
      // A plain array takes the column-bucketing path: the same runs.
      expect(encodeRlePixels(Array.from(px), w, h)).toEqual(encodeRle(bm, w, h));
    }
  });

  it('gives ascending lists the bounds pixelListBounds gives, and null where ascendingPixels sorts', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 300; t++) {
      const w = 1 + Math.floor(rnd() * 12);
      const h = 1 + Math.floor(rnd() * 9);
      const bm = Uint8Array.from({ length: w * h }, () => (rnd() < 0.4 ? 1 : 0));
      const px = maskPixelIndices(bm);
      if (px.length === 0) continue;
      // Every third list swapped somewhere (not ascending), and one with a repeated pixel.
      if (t % 3 === 1 && px.length > 1) {
        const i = Math.floor(rnd() * (px.length - 1));
        [px[i], px[i + 1]] = [px[i + 1]!, px[i]!];
      }
      if (t % 3 === 2) px[px.length - 1] = px[Math.max(0, px.length - 2)]!;
      const got = ascendingPixelBounds(px, px.length, w);
      if (ascendingPixels(px, px.length) === px)
        expect(got).toEqual(pixelListBounds(px, px.length, w));
      else expect(got).toBeNull();
    }
  });
});
