// DBSCAN over 3D points from a PointGrid's pair list (cell = eps), so neighbour queries are O(1)
// expected and the whole run O(n) for bounded density. Noise gets label -1, clusters 0..k-1.
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
