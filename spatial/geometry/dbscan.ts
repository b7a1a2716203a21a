// DBSCAN over 3D points on a PointGrid (cell = eps), so neighbour queries are O(1) expected and the
// whole run O(n) for bounded density. Noise gets label -1, clusters 0..k-1. Two routes to the same
// labels: straight on the grid for minPts <= 3 without an include mask (clean-up's case), else from
// the grid's pair list.
import { PointGrid, type PointPairs } from './grid';

export interface DbscanResult {
  labels: Int32Array;
  clusters: number;
  /** Points per cluster. */
  sizes: number[];
}

export function dbscan(
  xyz: ArrayLike<number>,
  count: number,
  eps: number,
  minPts: number,
  /** Only points with include[i] !== 0 take part (others are labelled -1). */
  include?: Uint8Array,
  /** A grid over the same points with cell >= eps, to share with other passes. */
  grid: PointGrid = new PointGrid(xyz, count, eps),
): DbscanResult {
  if (!include && minPts <= 3) return dbscanOnGrid(grid, eps, minPts);
  return dbscanFromPairs(grid.pairs(eps, false), minPts, include);
}

/** Scratch (single-threaded use; contents never outlive a call). */
let parentScratch = new Int32Array(0);
let rankScratch = new Uint8Array(0);
let coreScratch = new Uint8Array(0);
let borderScratch = new Int32Array(0);
let clusterScratch = new Int32Array(0);

/** Root of i's set, halving the path on the way. */
function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    const g = parent[parent[i]!]!;
    parent[i] = g;
    i = g;
  }
  return i;
}

/**
 * DBSCAN on every pair of points within eps (PointGrid.pairs); a point is core when it and its
 * included neighbours number at least minPts.
 *
 * The labels are those of the textbook expansion (clusters numbered in the order a scan over the
 * indices starts them; a border point joins the first cluster that reaches it), computed without
 * neighbour lists: a cluster's core points are a connected component of the core-core pairs
 * (union-find), the scan starts the clusters in the order of their smallest core index, and a
 * border point joins the lowest-numbered cluster among its core neighbours' (the one started, hence
 * expanded, first).
 */
export function dbscanFromPairs(
  pairs: PointPairs,
  minPts: number,
  include?: Uint8Array,
): DbscanResult {
  const { count, m, a, b } = pairs;
  if (parentScratch.length < count) {
    parentScratch = new Int32Array(count * 2);
    rankScratch = new Uint8Array(count * 2);
    coreScratch = new Uint8Array(count * 2);
    clusterScratch = new Int32Array(count * 2);
  }
  const parent = parentScratch;
  const rank = rankScratch;
  const core = coreScratch;
  // Core flags: a point and its included neighbours number >= minPts.
  if (!include) {
    const degree = pairs.degree;
    for (let i = 0; i < count; i++) core[i] = degree[i]! + 1 >= minPts ? 1 : 0;
  } else {
    // Included neighbours per point, counted in `parent` before it becomes the union-find forest.
    parent.fill(0, 0, count);
    for (let e = 0; e < m; e++) {
      const i = a[e]!;
      const j = b[e]!;
      parent[i]! += include[j]!;
      parent[j]! += include[i]!;
    }
    for (let i = 0; i < count; i++) core[i] = include[i] && parent[i]! + 1 >= minPts ? 1 : 0;
  }
  for (let i = 0; i < count; i++) parent[i] = i;
  rank.fill(0, 0, count);
  // Core-core pairs join sets (union by rank); pairs of a core and a non-core point are kept for
  // the border labels (few: non-core points are rare on surfaces).
  if (borderScratch.length < m) borderScratch = new Int32Array(m * 2);
  const border = borderScratch;
  let nBorder = 0;
  for (let e = 0; e < m; e++) {
    const i = a[e]!;
    const j = b[e]!;
    const ci = core[i]!;
    const cj = core[j]!;
    if (ci & cj) {
      // Most pairs on a surface join points already in one set, mostly children of its root.
      if (parent[i] === parent[j]) continue;
      let ri = find(parent, i);
      let rj = find(parent, j);
      if (ri === rj) continue;
      if (rank[ri]! < rank[rj]!) {
        const t = ri;
        ri = rj;
        rj = t;
      } else if (rank[ri] === rank[rj]) rank[ri]!++;
      parent[rj] = ri;
    } else if (ci | cj) border[nBorder++] = e;
  }
  // Clusters numbered in the order of their smallest core index (the scan's order).
  const labels = new Int32Array(count).fill(-1);
  const clusterOfRoot = clusterScratch;
  clusterOfRoot.fill(-1, 0, count);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!core[i]) continue;
    const r = find(parent, i);
    let c = clusterOfRoot[r]!;
    if (c < 0) {
      c = sizes.length;
      clusterOfRoot[r] = c;
      sizes.push(0);
    }
    labels[i] = c;
    sizes[c]!++;
  }
  // Border points: the lowest cluster among their core neighbours'.
  for (let k = 0; k < nBorder; k++) {
    const e = border[k]!;
    const i = a[e]!;
    const j = b[e]!;
    const c = core[i] ? i : j;
    const q = core[i] ? j : i;
    if (include && !include[q]) continue;
    const lc = labels[c]!;
    const lq = labels[q]!;
    if (lq < 0) {
      labels[q] = lc;
      sizes[lc]!++;
    } else if (lc < lq) {
      labels[q] = lc;
      sizes[lq]!--;
      sizes[lc]!++;
    }
  }
  return { labels, clusters: sizes.length, sizes };
}

let degreeScratch = new Int32Array(0);
let positionScratch = new Int32Array(0);
const targetScratch = new Int32Array(14);

/**
 * DBSCAN with minPts <= 3 and every point taking part, straight from the grid (eps <= its cell):
 * the same labels as dbscanFromPairs, with most distance tests skipped.
 *
 * With minPts <= 3 a non-core point has at most one neighbour, so it never links two points: the
 * clusters are the connected components of the whole eps-graph that hold a core point, their
 * non-core members are border points of that one cluster, and the rest is noise. The components
 * are grown by union-find during the pair search, and a candidate pair needs no distance test once
 * both points are known to be core (their degree is only counted up to minPts - 1) and already in
 * one set: the test could neither change a core flag nor join sets.
 */
export function dbscanOnGrid(grid: PointGrid, eps: number, minPts: number): DbscanResult {
  if (minPts > 3) return dbscanFromPairs(grid.pairs(eps, false), minPts);
  const n = grid.count;
  const { order, start } = grid;
  const p = grid.coordsInBucketOrder();
  if (degreeScratch.length < n) {
    degreeScratch = new Int32Array(n * 2);
    positionScratch = new Int32Array(n * 2);
  }
  if (parentScratch.length < n) {
    parentScratch = new Int32Array(n * 2);
    rankScratch = new Uint8Array(n * 2);
    coreScratch = new Uint8Array(n * 2);
    clusterScratch = new Int32Array(n * 2);
  }
  // Union-find over bucket-order positions.
  const parent = parentScratch;
  const rank = rankScratch;
  const deg = degreeScratch;
  const coreDegree = minPts - 1;
  for (let s = 0; s < n; s++) parent[s] = s;
  rank.fill(0, 0, n);
  deg.fill(0, 0, n);
  const r2 = eps * eps;
  const targets = targetScratch;
  const nb = start.length - 1;
  for (let b = 0; b < nb; b++) {
    const s0 = start[b]!;
    const s1 = start[b + 1]!;
    const nt = grid.forwardBuckets(b, targets);
    for (let q = 0; q < nt; q++) {
      const o = targets[q]!;
      const t1 = start[o + 1]!;
      for (let s = s0; s < s1; s++) {
        const x = p[s * 3]!;
        const y = p[s * 3 + 1]!;
        const z = p[s * 3 + 2]!;
        let rs = find(parent, s);
        for (let t = q === 0 ? s + 1 : start[o]!; t < t1; t++) {
          if (deg[s]! >= coreDegree && deg[t]! >= coreDegree) {
            if (parent[t] === rs || find(parent, t) === rs) continue;
          }
          const ex = p[t * 3]! - x;
          const ey = p[t * 3 + 1]! - y;
          const ez = p[t * 3 + 2]! - z;
          if (ex * ex + ey * ey + ez * ez > r2) continue;
          deg[s]!++;
          deg[t]!++;
          const rt = find(parent, t);
          if (rt === rs) continue;
          // union by rank; rs follows the merged root
          if (rank[rs]! < rank[rt]!) {
            parent[rs] = rt;
            rs = rt;
          } else {
            if (rank[rs] === rank[rt]) rank[rs]!++;
            parent[rt] = rs;
          }
        }
      }
    }
  }
  // Clusters numbered in the order of their smallest core index (the scan's order), then every
  // non-core point takes its component's cluster, if it has one.
  const position = positionScratch;
  for (let s = 0; s < n; s++) position[order[s]!] = s;
  const clusterOfRoot = clusterScratch;
  clusterOfRoot.fill(-1, 0, n);
  const labels = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = position[i]!;
    if (deg[s]! < coreDegree) continue;
    const r = find(parent, s);
    let c = clusterOfRoot[r]!;
    if (c < 0) {
      c = sizes.length;
      clusterOfRoot[r] = c;
      sizes.push(0);
    }
    labels[i] = c;
    sizes[c]!++;
  }
  for (let i = 0; i < n; i++) {
    const s = position[i]!;
    if (deg[s]! >= coreDegree) continue;
    const c = clusterOfRoot[find(parent, s)]!;
    if (c >= 0) {
      labels[i] = c;
      sizes[c]!++;
    }
  }
  return { labels, clusters: sizes.length, sizes };
}
