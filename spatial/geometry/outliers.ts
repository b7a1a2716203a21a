// Statistical outlier removal (as in PCL / Open3D): a point is an outlier when its mean distance to
// its k nearest neighbours exceeds mean + stdRatio * std of that statistic over the cloud. The k-NN
// search is limited to `radius` through a PointGrid's neighbour lists (not quadratic); points with fewer than k
// neighbours inside the radius use `radius` for the missing ones, so isolated points score high.
import { PointGrid, type Adjacency } from './grid';

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
  if (count <= Math.max(1, opts.k)) return new Uint8Array(count).fill(1);
  return statisticalOutlierMaskFromAdjacency(grid.adjacency(opts.radius), opts);
}

/**
 * The same keep-mask from precomputed neighbour lists within `opts.radius` (PointGrid.adjacency),
 * so one neighbour pass can serve outlier removal and DBSCAN.
 */
export function statisticalOutlierMaskFromAdjacency(
  adj: Adjacency,
  opts: OutlierOptions,
): Uint8Array {
  const count = adj.count;
  const k = Math.max(1, opts.k);
  const keep = new Uint8Array(count).fill(1);
  if (count <= k) return keep;
  // The mean k-NN distance never exceeds the radius (missing neighbours count as the radius), so
  // with minDistance >= radius no point can pass the limit: nothing to compute. (Only rounding
  // could otherwise push a point with no neighbour inside the radius a hair over it.)
  if ((opts.minDistance ?? 0) >= opts.radius) return keep;
  const meanDist = new Float64Array(count);
  const best = new Float64Array(k);
  const r2max = opts.radius * opts.radius;
  const { start, d2 } = adj;
  const rmax = Math.sqrt(r2max);
  for (let i = 0; i < count; i++) {
    const end = start[i + 1]!;
    if (end - start[i]! <= k) {
      // Every neighbour is among the k nearest; missing ones count as the radius.
      let s = 0;
      let filled = 0;
      for (let t = start[i]!; t < end; t++) {
        const d = d2[t]!;
        if (d < r2max) {
          s += Math.sqrt(d);
          filled++;
        }
      }
      for (; filled < k; filled++) s += rmax;
      meanDist[i] = s / k;
      continue;
    }
    // best[0..k) holds the k smallest squared distances so far, ascending (r2max = none yet).
    best.fill(r2max);
    for (let t = start[i]!; t < end; t++) {
      const d = d2[t]!;
      if (d >= best[k - 1]!) continue;
      let q = k - 1;
      for (; q > 0 && best[q - 1]! > d; q--) best[q] = best[q - 1]!;
      best[q] = d;
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
