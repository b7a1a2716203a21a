// Summary statistics of a canonical millimetre depth raster (0 = missing), computed with a 65536-bin
// histogram: O(n) and no sort, so a 100-megapixel map does not stall the caller.

export interface DepthStats {
  /** Pixels with a reading. */
  valid: number;
  total: number;
  validRatio: number;
  minMm: number | null;
  maxMm: number | null;
  histogram: Uint32Array;
}

/** Adds the readings of `mm` to `histogram` (65536 bins; callers may feed a raster in slices). */
export function accumulateHistogram(
  mm: Uint16Array,
  histogram: Uint32Array = new Uint32Array(0x10000),
): Uint32Array {
  for (let i = 0; i < mm.length; i++) histogram[mm[i]!]!++;
  return histogram;
}

export function depthStats(mm: Uint16Array): DepthStats {
  return statsFromHistogram(accumulateHistogram(mm));
}

export function statsFromHistogram(histogram: Uint32Array): DepthStats {
  let total = 0;
  for (let v = 0; v <= 0xffff; v++) total += histogram[v]!;
  const valid = total - histogram[0]!;
  let minMm: number | null = null;
  let maxMm: number | null = null;
  if (valid > 0) {
    for (let v = 1; v <= 0xffff; v++) {
      if (histogram[v]) {
        minMm = v;
        break;
      }
    }
    for (let v = 0xffff; v >= 1; v--) {
      if (histogram[v]) {
        maxMm = v;
        break;
      }
    }
  }
  return { valid, total, validRatio: total ? valid / total : 0, minMm, maxMm, histogram };
}

/**
 * Value at quantile q (0..1) of the valid readings (nearest-rank), or null when none are valid.
 */
export function histogramQuantile(stats: DepthStats, q: number): number | null {
  if (stats.valid === 0) return null;
  const rank = Math.min(stats.valid, Math.max(1, Math.ceil(q * stats.valid)));
  let seen = 0;
  for (let v = 1; v <= 0xffff; v++) {
    seen += stats.histogram[v]!;
    if (seen >= rank) return v;
  }
  return stats.maxMm;
}

/** Robust display range: 2nd..98th percentile of valid readings, widened when degenerate. */
export function robustRange(
  stats: DepthStats,
  lo = 0.02,
  hi = 0.98,
): { near: number; far: number } | null {
  const near = histogramQuantile(stats, lo);
  const far = histogramQuantile(stats, hi);
  if (near === null || far === null) return null;
  return far > near ? { near, far } : { near, far: near + 1 };
}
