import { describe, expect, it } from 'vitest';
import { chwPadded, resizeToChwFast } from './image-prep';
import { resizeToChw } from './resample';

const norm = { scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const;

function pattern(w: number, h: number, channels: 3 | 4): Uint8Array {
  const px = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) {
        px[(y * w + x) * channels + c] = Math.round(
          127 + 100 * Math.sin(x / 9 + c) * Math.cos(y / 11),
        );
      }
    }
  }
  return px;
}

describe('resizeToChwFast', () => {
  it('shrinks with libvips when asked, close to the PIL-exact resampler (RGB and RGBA)', async () => {
    for (const channels of [3, 4] as const) {
      const src = pattern(300, 200, channels);
      for (const filter of ['bilinear', 'bicubic'] as const) {
        const fast = await resizeToChwFast(src, 300, 200, channels, 120, 80, filter, norm, true);
        const exact = resizeToChw(src, 300, 200, channels, 120, 80, filter, norm);
        let max = 0;
        let sum = 0;
        for (let i = 0; i < exact.length; i++) {
          const d = Math.abs(fast[i]! - exact[i]!) * 0.25 * 255; // in uint8 levels
          max = Math.max(max, d);
          sum += d;
        }
        // Measured on this fine pattern (period ≈ 57 px): mean ≈ 1–3 levels, max ≤ 13.
        expect(sum / exact.length).toBeLessThan(4);
        expect(max).toBeLessThan(16);
      }
      // Without the flag the exact resampler runs.
      expect(await resizeToChwFast(src, 300, 200, channels, 120, 80, 'bicubic', norm)).toEqual(
        resizeToChw(src, 300, 200, channels, 120, 80, 'bicubic', norm),
      );
    }
  });

  it('enlarges with the JS resampler (identical output)', async () => {
    const src = pattern(60, 40, 3);
    const fast = await resizeToChwFast(src, 60, 40, 3, 90, 60, 'bicubic', norm, true);
    expect(fast).toEqual(resizeToChw(src, 60, 40, 3, 90, 60, 'bicubic', norm));
  });

  it('pads after normalisation at the bottom/right', async () => {
    const src = new Uint8Array(4 * 2 * 3).fill(255);
    const out = await chwPadded(src, 4, 2, 3, 4, 2, 6, 3, 'bilinear', norm, 0);
    // Channel 0: rows 0–1 image ((1 − 0.5) / 0.25 = 2) in columns 0–3, zero elsewhere.
    expect([...out.subarray(0, 18)]).toEqual([
      2, 2, 2, 2, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });
});
