import { describe, expect, it } from 'vitest';
import { resampleWeights, resizeToChw } from './resample';

const levels = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };

describe("resizeToChw: Pillow's 8-bit resample", () => {
  it('rounds each pass to whole levels, half up, as Pillow (0, 255 → 0, 64, 191, 255)', () => {
    // Bilinear 2 → 4: the middle pixels are 0.75 · 0 + 0.25 · 255 = 63.75 and 191.25 exactly.
    const src = Uint8Array.of(0, 0, 0, 255, 255, 255);
    const out = resizeToChw(src, 2, 1, 3, 4, 1, 'bilinear', levels);
    expect([...out.subarray(0, 4)]).toEqual([0, 64, 191, 255]);
    // The float pipeline (OWLv2) keeps the sums.
    const float = resizeToChw(src, 2, 1, 3, 4, 1, 'bilinear', levels, undefined, 'float');
    expect([...float.subarray(0, 4)]).toEqual([0, 63.75, 191.25, 255]);
  });

  it('clips the bicubic overshoot of the horizontal pass before the vertical one', () => {
    // An edge 0 | 255 enlarged 4 → 8 across and 2 → 3 down: across, the cubic rings to about
    // −15 and 270; Pillow stores 0 and 255 there, and the vertical pass averages those.
    const w = 4;
    const h = 2;
    const src = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 2; x < w; x++) src.fill(255, (y * w + x) * 3, (y * w + x + 1) * 3);
    const out = resizeToChw(src, w, h, 3, 8, 3, 'bicubic', levels);
    const float = resizeToChw(src, w, h, 3, 8, 3, 'bicubic', levels, undefined, 'float');
    expect(Math.min(...float)).toBeLessThan(-5);
    expect(Math.max(...float)).toBeGreaterThan(260);
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(255);
    for (const v of out) expect(Number.isInteger(v)).toBe(true);
  });

  it('takes fixed-point coefficients rounded half away from zero (normalize_coeffs_8bpc)', () => {
    const { k, w, ksize, count } = resampleWeights(7, 3, 'bicubic');
    for (let i = 0; i < 3; i++) {
      for (let t = 0; t < count[i]!; t++) {
        const v = w[i * ksize + t]! * 2 ** 22;
        expect(Math.abs(k[i * ksize + t]! - v)).toBeLessThanOrEqual(0.5 + 1e-6 * Math.abs(v));
      }
    }
    // Negative lobes stay negative: the cubic's side taps when shrinking.
    expect(Math.min(...k)).toBeLessThan(0);
  });

  it('refuses a padding value an 8-bit image cannot hold', () => {
    const src = new Uint8Array(4 * 3);
    expect(() =>
      resizeToChw(src, 2, 2, 3, 3, 3, 'bilinear', levels, { width: 3, height: 3, value: 127.5 }),
    ).toThrow(RangeError);
  });
});
