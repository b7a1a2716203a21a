// Statistical outlier removal (as in PCL / Open3D): a point is an outlier when its mean distance to
// its k nearest neighbours exceeds mean + stdRatio * std of that statistic over the cloud. The k-NN
// search is limited to `radius` through a PointGrid (not quadratic); points with fewer than k
// neighbours inside the radius use `radius` for the missing ones, so isolated points score high.
import { PointGrid } from './grid';

export interface OutlierOptions {
  k: number;
  stdRatio: number;
  /** Search radius (metres); also the grid cell size when no grid is passed. */
  radius: number;
  /**
   * Never call a point an outlier when its mean k-NN distance is below this (metres): keeps
   * sparsely sampled but real surfaces (grazing views) that the statistics alone would cut.
   */
  minDistance?: number;
}

/** Keep-mask (1 = inlier) over the `count` points. */
export function statisticalOutlierMask(
  xyz: ArrayLike<number>,
  count: number,
  opts: OutlierOptions,
  grid: PointGrid = new PointGrid(xyz, count, opts.radius),
): Uint8Array {
  const k = Math.max(1, opts.k);
  const keep = new Uint8Array(count).fill(1);
  if (count <= k) return keep;
  const meanDist = new Float64Array(count);
  const best = new Float64Array(k);
  const r2max = opts.radius * opts.radius;
  const nb = new Int32Array(4096);
  const nd = new Float64Array(4096);
  for (let i = 0; i < count; i++) {
    best.fill(r2max);
    let worst = 0; // index of the largest entry in best
    const m = grid.neighbours(i, opts.radius, nb, nd);
    for (let t = 0; t < m; t++) {
      const d2 = nd[t]!;
      if (nb[t] === i || d2 >= best[worst]!) continue;
      best[worst] = d2;
      worst = 0;
      for (let q = 1; q < k; q++) if (best[q]! > best[worst]!) worst = q;
    }
    let s = 0;
    for (let t = 0; t < k; t++) s += Math.sqrt(best[t]!);
    meanDist[i] = s / k;
  }
  let mu = 0;
  for (let i = 0; i < count; i++) mu += meanDist[i]!;
  mu /= count;
  let v = 0;
  for (let i = 0; i < count; i++) v += (meanDist[i]! - mu) ** 2;
  const limit = Math.max(mu + opts.stdRatio * Math.sqrt(v / count), opts.minDistance ?? 0);
  for (let i = 0; i < count; i++) if (meanDist[i]! > limit) keep[i] = 0;
  return keep;
}
