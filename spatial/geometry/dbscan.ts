// DBSCAN over 3D points with a PointGrid (cell = eps), so neighbour queries are O(1) expected and
// the whole run O(n) for bounded density. Noise gets label -1, clusters 0..k-1.
import { PointGrid } from './grid';

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
  const labels = new Int32Array(count).fill(-2); // -2 unvisited, -1 noise
  const sizes: number[] = [];
  const nb = new Int32Array(4096);
  const nd = new Float64Array(4096);
  let nn = 0;
  const collect = (i: number): void => {
    const m = grid.neighbours(i, eps, nb, nd);
    nn = 0;
    for (let t = 0; t < m; t++) if (!include || include[nb[t]!]) nb[nn++] = nb[t]!;
  };
  const stack: number[] = [];
  for (let i = 0; i < count; i++) {
    if (labels[i] !== -2) continue;
    if (include && !include[i]) {
      labels[i] = -1;
      continue;
    }
    collect(i);
    if (nn < minPts) {
      labels[i] = -1;
      continue;
    }
    const c = sizes.length;
    sizes.push(0);
    labels[i] = c;
    sizes[c]!++;
    stack.length = 0;
    for (let t = 0; t < nn; t++) if (nb[t] !== i) stack.push(nb[t]!);
    while (stack.length > 0) {
      const j = stack.pop()!;
      if (labels[j] === -1) {
        labels[j] = c; // border point
        sizes[c]!++;
        continue;
      }
      if (labels[j] !== -2) continue;
      labels[j] = c;
      sizes[c]!++;
      collect(j);
      if (nn >= minPts) for (let t = 0; t < nn; t++) if (labels[nb[t]!]! < 0) stack.push(nb[t]!);
    }
  }
  for (let i = 0; i < count; i++) if (labels[i] === -2) labels[i] = -1;
  return { labels, clusters: sizes.length, sizes };
}
