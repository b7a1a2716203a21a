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
  // Neighbours (included ones) of a point, counting the point itself.
  const degree = (i: number): number => {
    const end = start[i + 1]!;
    if (!include) return end - start[i]! + 1;
    let n = 1;
    for (let t = start[i]!; t < end; t++) if (include[nbr[t]!]) n++;
    return n;
  };
  // Every push follows one adjacency entry: the stack never holds more than nbr.length items.
  const stack = new Int32Array(nbr.length + 1);
  for (let i = 0; i < count; i++) {
    if (labels[i] !== -2) continue;
    if (include && !include[i]) {
      labels[i] = -1;
      continue;
    }
    if (degree(i) < minPts) {
      labels[i] = -1;
      continue;
    }
    const c = sizes.length;
    let size = 1;
    labels[i] = c;
    let sp = 0;
    for (let t = start[i]!, end = start[i + 1]!; t < end; t++) {
      const j = nbr[t]!;
      if (!include || include[j]) stack[sp++] = j;
    }
    while (sp > 0) {
      const j = stack[--sp]!;
      if (labels[j] === -1) {
        labels[j] = c; // border point
        size++;
        continue;
      }
      if (labels[j] !== -2) continue;
      labels[j] = c;
      size++;
      if (degree(j) >= minPts)
        for (let t = start[j]!, end = start[j + 1]!; t < end; t++) {
          const q = nbr[t]!;
          if (labels[q]! < 0 && (!include || include[q])) stack[sp++] = q;
        }
    }
    sizes.push(size);
  }
  for (let i = 0; i < count; i++) if (labels[i] === -2) labels[i] = -1;
  return { labels, clusters: sizes.length, sizes };
}
