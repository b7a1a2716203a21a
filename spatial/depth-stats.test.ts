import { describe, expect, it } from 'vitest';
import {
  accumulateHistogram,
  depthStats,
  histogramQuantile,
  robustRange,
  statsFromHistogram,
} from './depth-stats';

describe('depthStats', () => {
  it('counts valid readings and min/max ignoring zeros', () => {
    const s = depthStats(Uint16Array.from([0, 1000, 3000, 0, 2000]));
    expect(s.valid).toBe(3);
    expect(s.validRatio).toBeCloseTo(0.6, 12);
    expect(s.minMm).toBe(1000);
    expect(s.maxMm).toBe(3000);
  });

  it('all missing: ratio 0 and no range', () => {
    const s = depthStats(new Uint16Array(10));
    expect(s.validRatio).toBe(0);
    expect(s.minMm).toBeNull();
    expect(s.maxMm).toBeNull();
    expect(robustRange(s)).toBeNull();
  });

  it('nearest-rank quantiles over valid readings; robust range drops outliers', () => {
    // 100 readings 1..100 mm plus one 60000 mm outlier and zeros
    const values = [0, 0, 60000, ...Array.from({ length: 100 }, (_, i) => i + 1)];
    const s = depthStats(Uint16Array.from(values));
    expect(s.valid).toBe(101);
    expect(histogramQuantile(s, 0.5)).toBe(51); // rank ceil(50.5) = 51
    expect(histogramQuantile(s, 0)).toBe(1);
    expect(histogramQuantile(s, 1)).toBe(60000);
    // 2% of 101 -> rank 3 -> value 3; 98% -> rank 99 -> value 99
    expect(robustRange(s)).toEqual({ near: 3, far: 99 });
  });

  it('a constant map gets a non-empty range', () => {
    expect(robustRange(depthStats(Uint16Array.from([500, 500])))).toEqual({ near: 500, far: 501 });
  });

  it('slices accumulated into one histogram give the same stats as the whole raster', () => {
    const mm = Uint16Array.from([0, 1200, 800, 0, 65535, 3000, 1]);
    const h = accumulateHistogram(mm.subarray(0, 3));
    accumulateHistogram(mm.subarray(3), h);
    expect(statsFromHistogram(h)).toEqual(depthStats(mm));
    expect(statsFromHistogram(h)).toMatchObject({ valid: 5, total: 7, minMm: 1, maxMm: 65535 });
  });
});
