// DBSCAN over 3D points with a PointGrid's neighbour lists (cell = eps), so neighbour queries are O(1) expected and
// the whole run O(n) for bounded density. Noise gets label -1, clusters 0..k-1.
import { PointGrid, type Adjacency } from './grid';

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
  return dbscanFromAdjacency(grid.adjacency(eps), minPts, include);
}

/**
 * DBSCAN on precomputed neighbour lists within eps (PointGrid.adjacency, self excluded); a point is
 * core when it and its included neighbours number at least minPts.
 */
export function dbscanFromAdjacency(
  adj: Adjacency,
  minPts: number,
  include?: Uint8Array,
): DbscanResult {
  const count = adj.count;
  const { start, nbr } = adj;
  const labels = new Int32Array(count).fill(-2); // -2 unvisited, -1 noise
  const sizes: number[] = [];
  // Core flags up front: a point is core when it and its included neighbours number >= minPts.
  const core = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    if (include && !include[i]) continue;
    const end = start[i + 1]!;
    let n = 1;
    if (!include) n += end - start[i]!;
    else for (let t = start[i]!; t < end; t++) n += include[nbr[t]!]!;
    if (n >= minPts) core[i] = 1;
  }
  // Points are labelled when first reached and only core points are expanded, so each point enters
  // the stack at most once. Which cluster a point joins does not depend on the order of expansion
  // within a cluster (clusters grow one after another, in the order of their first point).
  const stack = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (labels[i] !== -2) continue;
    if (!core[i]) {
      labels[i] = -1;
      continue;
    }
    const c = sizes.length;
    let size = 1;
    labels[i] = c;
    let sp = 0;
    stack[sp++] = i;
    while (sp > 0) {
      const j = stack[--sp]!;
      for (let t = start[j]!, end = start[j + 1]!; t < end; t++) {
        const q = nbr[t]!;
        if (labels[q]! >= 0 || (include && !include[q])) continue;
        labels[q] = c; // border point (noise so far, or not visited yet) or core point
        size++;
        if (core[q]) stack[sp++] = q;
      }
    }
    sizes.push(size);
  }
  for (let i = 0; i < count; i++) if (labels[i] === -2) labels[i] = -1;
  return { labels, clusters: sizes.length, sizes };
}
