// The fast clean-up and footprint paths against plain reference implementations on random input:
// voxel down-sampling (dense and hashed cell lookup), DBSCAN (labels, with and without an include
// mask), statistical outlier removal (k-NN mean distances by brute force), quickselect, and the
// convex hull on points with many tied coordinates.
import { describe, expect, it } from 'vitest';
import { dbscanFromPairs, dbscanOnGrid } from './dbscan';
import { convexHull } from './footprint';
import { PointGrid } from './grid';
import { statisticalOutlierMaskFromAdjacency } from './outliers';
import { mulberry32 } from './rng';
import { selectKth } from './select';
import { voxelDownsample } from './voxel';

/** Random clustered cloud: a few blobs plus uniform stragglers, as interleaved xyz. */
function cloud(seed: number, n: number): Float32Array {
  const rng = mulberry32(seed);
  const xyz = new Float32Array(n * 3);
  const centres = [0, 1, 2].map(() => [rng() * 2, rng() * 2, rng() * 2]);
  for (let i = 0; i < n; i++) {
    const straggler = rng() < 0.1;
    const c = centres[i % 3]!;
    for (let a = 0; a < 3; a++)
      xyz[i * 3 + a] = straggler ? rng() * 3 - 0.5 : c[a]! + (rng() - 0.5) * 0.3;
  }
  return xyz;
}

function d2(xyz: Float32Array, i: number, j: number): number {
  const ex = xyz[i * 3]! - xyz[j * 3]!;
  const ey = xyz[i * 3 + 1]! - xyz[j * 3 + 1]!;
  const ez = xyz[i * 3 + 2]! - xyz[j * 3 + 2]!;
  return ex * ex + ey * ey + ez * ez;
}

/** Textbook DBSCAN (quadratic neighbour search, breadth-first expansion). */
function referenceDbscan(
  xyz: Float32Array,
  n: number,
  eps: number,
  minPts: number,
  include: Uint8Array,
): Int32Array {
  const near = (i: number): number[] => {
    const out: number[] = [];
    for (let j = 0; j < n; j++)
      if (j !== i && include[j] && d2(xyz, i, j) <= eps * eps) out.push(j);
    return out;
  };
  const labels = new Int32Array(n).fill(-2);
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -2) continue;
    if (!include[i] || near(i).length + 1 < minPts) {
      labels[i] = -1;
      continue;
    }
    labels[i] = c;
    const queue = near(i);
    while (queue.length > 0) {
      const j = queue.shift()!;
      if (labels[j]! >= 0) continue;
      labels[j] = c;
      const nj = near(j);
      if (nj.length + 1 >= minPts) queue.push(...nj);
    }
    c++;
  }
  return labels;
}

describe('clean-up against reference implementations', () => {
  it('DBSCAN labels equal a textbook DBSCAN (pair list with and without an include mask; on the grid)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const n = 400;
      const xyz = cloud(seed, n);
      // eps 0.08 / 0.12: clusters touch through border points and some points stay noise (a
      // hashed grid); eps 0.2: a dense grid.
      const eps = [0.08, 0.12, 0.2][seed % 3]!;
      const minPts = 1 + (seed % 5);
      const rng = mulberry32(seed * 7);
      const masked = seed % 4 !== 0;
      const include = new Uint8Array(n).map(() => (!masked || rng() < 0.9 ? 1 : 0));
      const grid = new PointGrid(xyz, n, eps);
      const want = referenceDbscan(xyz, n, eps, minPts, include);
      const sizes = new Array<number>(Math.max(...want) + 1).fill(0);
      for (const l of want) if (l >= 0) sizes[l]!++;
      const results = [
        dbscanFromPairs(grid.pairs(eps, false), minPts, masked ? include : undefined),
      ];
      if (!masked) results.push(dbscanOnGrid(grid, eps, minPts));
      for (const got of results) {
        expect(Array.from(got.labels)).toEqual(Array.from(want));
        expect(got.sizes).toEqual(sizes);
      }
    }
    // The grid path for minPts <= 3 on every seed, without a mask, sparse and dense.
    for (let seed = 1; seed <= 9; seed++) {
      const n = 400;
      const xyz = cloud(50 + seed, n);
      const eps = [0.06, 0.1, 0.2][Math.floor(seed / 3) % 3]!;
      const minPts = 1 + (seed % 3);
      const got = dbscanOnGrid(new PointGrid(xyz, n, eps), eps, minPts);
      const want = referenceDbscan(xyz, n, eps, minPts, new Uint8Array(n).fill(1));
      expect(Array.from(got.labels)).toEqual(Array.from(want));
      if (minPts === 3) {
        expect(got.clusters).toBeGreaterThan(1);
        expect(want.includes(-1)).toBe(true);
      }
    }
  });

  it('grid pairs are exactly the pairs within the radius (dense and hashed cell lookup)', () => {
    for (let seed = 1; seed <= 4; seed++) {
      // 600 points within ~3 units at r = 0.25: a dense grid; plus a point 10 km away: hashed.
      const compact = cloud(200 + seed, 600);
      const farFlung = Float32Array.from([...compact, 1e4, -3, 2]);
      for (const xyz of [compact, farFlung]) {
        const n = xyz.length / 3;
        const r = 0.25;
        const pairs = new PointGrid(xyz, n, r).pairs(r);
        const got: number[] = [];
        let wrongD2 = 0;
        for (let e = 0; e < pairs.m; e++) {
          const i = Math.min(pairs.a[e]!, pairs.b[e]!);
          const j = Math.max(pairs.a[e]!, pairs.b[e]!);
          if (pairs.d2[e] !== d2(xyz, i, j)) wrongD2++;
          got.push(i * n + j);
        }
        expect(wrongD2).toBe(0);
        const want: number[] = [];
        const degree = new Array<number>(n).fill(0);
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++)
            if (d2(xyz, i, j) <= r * r) {
              want.push(i * n + j);
              degree[i]!++;
              degree[j]!++;
            }
        expect(got.sort((x, y) => x - y)).toEqual(want);
        expect(Array.from(pairs.degree.subarray(0, n))).toEqual(degree);
      }
    }
  });

  it('voxel down-sampling equals a keyed reference, on a compact cloud and a far-flung one', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const compact = cloud(seed, 500);
      // A point 10 km away makes the voxel box too large for the dense lookup: the hashed path.
      const farFlung = Float32Array.from([...compact, 1e4, -3, 2]);
      for (const xyz of [compact, farFlung]) {
        const n = xyz.length / 3;
        const size = 0.05;
        const got = voxelDownsample(xyz, n, size);
        const ids = new Map<string, number>();
        const sums: number[][] = [];
        const voxelOf: number[] = [];
        for (let i = 0; i < n; i++) {
          const key = [0, 1, 2].map((a) => Math.floor(xyz[i * 3 + a]! * (1 / size))).join();
          let v = ids.get(key);
          if (v === undefined) {
            v = ids.size;
            ids.set(key, v);
            sums.push([0, 0, 0, 0]);
          }
          voxelOf.push(v);
          const s = sums[v]!;
          for (let a = 0; a < 3; a++) s[a]! += xyz[i * 3 + a]!;
          s[3]!++;
        }
        expect(got.count).toBe(ids.size);
        expect(Array.from(got.voxelOf)).toEqual(voxelOf);
        expect(Array.from(got.weight)).toEqual(sums.map((s) => s[3]));
        expect(Array.from(got.xyz)).toEqual(
          Array.from(
            Float32Array.from(sums.flatMap((s) => [s[0]! / s[3]!, s[1]! / s[3]!, s[2]! / s[3]!])),
          ),
        );
      }
    }
  });

  it('outlier removal keeps exactly the points a brute-force k-NN statistic keeps', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const n = 300;
      const xyz = cloud(100 + seed, n);
      const radius = 0.1;
      const k = 8;
      const adj = new PointGrid(xyz, n, radius).adjacency(radius);
      const got = statisticalOutlierMaskFromAdjacency(adj, { k, stdRatio: 1, radius });
      // Reference: mean of the k smallest distances within the radius, missing ones = radius.
      const mean = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const ds: number[] = [];
        for (let j = 0; j < n; j++) {
          const d = d2(xyz, i, j);
          if (j !== i && d < radius * radius) ds.push(Math.sqrt(d));
        }
        ds.sort((a, b) => a - b);
        let s = 0;
        for (let q = 0; q < k; q++) s += q < ds.length ? ds[q]! : radius;
        mean[i] = s / k;
      }
      const mu = mean.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(mean.reduce((a, b) => a + (b - mu) ** 2, 0) / n);
      let compared = 0;
      for (let i = 0; i < n; i++) {
        // Points within rounding of the limit could go either way (summation order differs).
        if (Math.abs(mean[i]! - (mu + sd)) < 1e-9) continue;
        compared++;
        expect(got[i], `point ${i}`).toBe(mean[i]! > mu + sd ? 0 : 1);
      }
      expect(compared).toBeGreaterThan(n - 3);
      expect(got.includes(0)).toBe(true);
      // The statistic is capped at the radius: a floor at the radius leaves every point in.
      expect(Math.max(...mean)).toBeLessThanOrEqual(radius + 1e-12);
      const floored = statisticalOutlierMaskFromAdjacency(adj, {
        k,
        stdRatio: 1,
        radius,
        minDistance: radius,
      });
      expect(floored.includes(0)).toBe(false);
    }
  });

  it('quickselect returns what sorting puts at k, duplicates included, and leaves the k smallest first', () => {
    const rng = mulberry32(5);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rng() * 60);
      const a = Float64Array.from({ length: n }, () => Math.floor(rng() * 10) / 4);
      const sorted = Float64Array.from(a).sort();
      const k = Math.floor(rng() * n);
      const b = Float64Array.from(a);
      expect(selectKth(b, n, k)).toBe(sorted[k]);
      // The k smallest are left in b[0..k): a lower rank can be selected among them alone.
      if (k > 0) {
        const j = Math.floor(rng() * k);
        expect(selectKth(b, k, j)).toBe(sorted[j]);
      }
    }
  });

  it('convex hull with many tied x and y equals a sort-based monotone chain', () => {
    const rng = mulberry32(9);
    for (let t = 0; t < 30; t++) {
      const n = 3 + Math.floor(rng() * 200);
      // Coordinates on a coarse lattice: many equal x, equal y and duplicate points.
      const xy = Float64Array.from({ length: n * 2 }, () => Math.floor(rng() * 8) * 0.25);
      const idx = Array.from({ length: n }, (_, i) => i);
      idx.sort((a, b) => xy[a * 2]! - xy[b * 2]! || xy[a * 2 + 1]! - xy[b * 2 + 1]!);
      const cross = (o: number, a: number, b: number): number =>
        (xy[a * 2]! - xy[o * 2]!) * (xy[b * 2 + 1]! - xy[o * 2 + 1]!) -
        (xy[a * 2 + 1]! - xy[o * 2 + 1]!) * (xy[b * 2]! - xy[o * 2]!);
      const chain = (order: number[]): number[] => {
        const h: number[] = [];
        for (const p of order) {
          while (h.length >= 2 && cross(h[h.length - 2]!, h[h.length - 1]!, p) <= 0) h.pop();
          h.push(p);
        }
        h.pop();
        return h;
      };
      const want: number[] = [];
      for (const p of [...chain(idx), ...chain([...idx].reverse())])
        want.push(xy[p * 2]!, xy[p * 2 + 1]!);
      expect(convexHull(xy, n)).toEqual(want);
    }
  });
});
