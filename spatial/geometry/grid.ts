// Uniform spatial hash over 3D points for fixed-radius neighbour queries in O(n) expected time:
// points are bucketed into cubic cells of side `cell`, sorted by cell (counting sort through a
// CellTable of cell -> bucket), and a query visits the 27 cells around the point. `pairs` finds
// every pair of points within a radius at once, visiting each pair only once (DBSCAN reads the pair
// list directly); `adjacency` turns it into per-point neighbour lists (CSR) for outlier removal.
import { CellTable } from './cell-table';

/**
 * Fixed-radius neighbour lists in compressed-sparse-row form: the neighbours of point i (never i
 * itself) are nbr[start[i]..start[i+1]), with their squared distances in d2 at the same positions
 * (d2 is empty when built without distances).
 */
export interface Adjacency {
  count: number;
  start: Int32Array;
  nbr: Int32Array;
  d2: Float64Array;
}

function grownInt32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function grownFloat64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/**
 * Every pair of points within a radius, each once: points a[e] and b[e] for e < m, squared distance
 * d2[e] (when asked for), and degree[i] = pairs point i is in. Views into scratch buffers.
 */
export interface PointPairs {
  count: number;
  m: number;
  a: Int32Array;
  b: Int32Array;
  d2: Float64Array;
  degree: Int32Array;
}

/** The 13 cell offsets (dx, dy, dz) lexicographically after (0, 0, 0): half of the 26 around. */
const HALF_SHELL: readonly number[] = (() => {
  const o: number[] = [];
  for (let dx = -1; dx <= 1; dx++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dz = -1; dz <= 1; dz++)
        if (dx > 0 || (dx === 0 && (dy > 0 || (dy === 0 && dz > 0)))) o.push(dx, dy, dz);
  return o;
})();

/** Scratch buffers of `pairs` (single-threaded use; contents never outlive a call). */
const scratch: {
  p: Float64Array;
  pa: Int32Array;
  pb: Int32Array;
  pd: Float64Array;
  deg: Int32Array;
  targets: Int32Array;
} = {
  p: new Float64Array(0),
  pa: new Int32Array(0),
  pb: new Int32Array(0),
  pd: new Float64Array(0),
  deg: new Int32Array(0),
  targets: new Int32Array(14),
};

export class PointGrid {
  readonly cell: number;
  private readonly xyz: ArrayLike<number>;
  /** Cell -> bucket when the grid is not dense (null when it is). */
  private readonly buckets: CellTable | null = null;
  /** Point indices ordered by bucket. */
  readonly order: Int32Array;
  /** start[b]..start[b+1] is bucket b's range in `order`. */
  readonly start: Int32Array;
  /** Integer cell coordinates of every bucket. */
  private readonly cellOf: Int32Array;
  /** Lazily built list of the (up to 27) occupied buckets around each bucket. */
  private around: (Int32Array | undefined)[] | null = null;
  private readonly bucketOfPoint: Int32Array;
  readonly count: number;
  /**
   * Bucket of every cell of the points' cell bounding box grown by one cell on each side (x
   * fastest, -1 = empty) when that box is small, so lookups index an array instead of hashing and
   * the cells around any occupied cell need no bounds check; null otherwise.
   */
  private readonly dense: Int32Array | null = null;
  /** Dense index of every bucket's cell (dense grids only). */
  private readonly denseCellOf: Int32Array | null = null;
  /** Dense index offsets of the 13 HALF_SHELL cells (dense grids only). */
  private readonly halfShell: Int32Array | null = null;
  private readonly lo: [number, number, number] = [0, 0, 0];
  private readonly dims: [number, number, number] = [0, 0, 0];

  constructor(xyz: ArrayLike<number>, count: number, cell: number) {
    this.xyz = xyz;
    this.cell = cell;
    this.count = count;
    const bucketOf = new Int32Array(count);
    // At most one bucket per point: sizes and cell coordinates fit in arrays of the input's size.
    const sizes = new Int32Array(count);
    const cellsAll = new Int32Array(count * 3);
    const inv = 1 / cell;
    let minX = Infinity;
    let minY = Infinity;
    let minZ = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let maxZ = -Infinity;
    for (let i = 0; i < count; i++) {
      const x = xyz[i * 3]!;
      const y = xyz[i * 3 + 1]!;
      const z = xyz[i * 3 + 2]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (z < minZ) minZ = z;
      if (z > maxZ) maxZ = z;
    }
    // floor(v * inv) is monotone in v: the extreme points' cells bound every point's cell.
    const lx = Math.floor(minX * inv) - 1;
    const ly = Math.floor(minY * inv) - 1;
    const lz = Math.floor(minZ * inv) - 1;
    const nx = Math.floor(maxX * inv) - lx + 2;
    const ny = Math.floor(maxY * inv) - ly + 2;
    const nz = Math.floor(maxZ * inv) - lz + 2;
    const cellsInBox = nx * ny * nz;
    let nb = 0;
    // (false for NaN: empty or non-finite input hashes)
    if (cellsInBox <= Math.max(4096, 16 * count)) {
      const dense = new Int32Array(cellsInBox).fill(-1);
      const denseCellOf = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const x = Math.floor(xyz[i * 3]! * inv);
        const y = Math.floor(xyz[i * 3 + 1]! * inv);
        const z = Math.floor(xyz[i * 3 + 2]! * inv);
        const c = x - lx + nx * (y - ly + ny * (z - lz));
        let b = dense[c]!;
        if (b < 0) {
          b = nb++;
          dense[c] = b;
          denseCellOf[b] = c;
          cellsAll[b * 3] = x;
          cellsAll[b * 3 + 1] = y;
          cellsAll[b * 3 + 2] = z;
        }
        bucketOf[i] = b;
        sizes[b]!++;
      }
      const halfShell = new Int32Array(HALF_SHELL.length / 3);
      for (let h = 0; h < halfShell.length; h++)
        halfShell[h] =
          HALF_SHELL[h * 3]! + nx * (HALF_SHELL[h * 3 + 1]! + ny * HALF_SHELL[h * 3 + 2]!);
      this.dense = dense;
      this.denseCellOf = denseCellOf;
      this.halfShell = halfShell;
      this.lo = [lx, ly, lz];
      this.dims = [nx, ny, nz];
    } else {
      const buckets = new CellTable(count);
      for (let i = 0; i < count; i++) {
        const x = Math.floor(xyz[i * 3]! * inv);
        const y = Math.floor(xyz[i * 3 + 1]! * inv);
        const z = Math.floor(xyz[i * 3 + 2]! * inv);
        const b = buckets.getOrAdd(x, y, z);
        if (b === nb) {
          cellsAll[nb * 3] = x;
          cellsAll[nb * 3 + 1] = y;
          cellsAll[nb * 3 + 2] = z;
          nb++;
        }
        bucketOf[i] = b;
        sizes[b]!++;
      }
      this.buckets = buckets;
    }
    // Buckets are numbered in order of first appearance either way.
    this.cellOf = cellsAll.subarray(0, nb * 3);
    this.bucketOfPoint = bucketOf;
    this.start = new Int32Array(nb + 1);
    for (let b = 0; b < nb; b++) this.start[b + 1] = this.start[b]! + sizes[b]!;
    const fill = sizes; // reused as the write cursor of every bucket
    fill.set(this.start.subarray(0, nb));
    this.order = new Int32Array(count);
    for (let i = 0; i < count; i++) this.order[fill[bucketOf[i]!]!++] = i;
  }

  /**
   * Writes the indices (into `out`) and squared distances (into `outD2`) of every point j,
   * including i itself, within distance r of point i (r must not exceed the cell size); returns how
   * many were written, at most out.length. Point i must be one of the grid's points (the 27-cell
   * neighbourhood is looked up once per cell and shared by the cell's points).
   */
  neighbours(i: number, r: number, out: Int32Array, outD2: Float64Array): number {
    const xyz = this.xyz;
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    const r2 = r * r;
    const cap = out.length;
    const b0 = this.bucketOfPoint[i]!;
    // built on the first query only: pairs() does not need it
    const around = (this.around ??= new Array<Int32Array | undefined>(this.start.length - 1));
    let list = around[b0];
    if (!list) {
      const cx = this.cellOf[b0 * 3]!;
      const cy = this.cellOf[b0 * 3 + 1]!;
      const cz = this.cellOf[b0 * 3 + 2]!;
      const found: number[] = [];
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dz = -1; dz <= 1; dz++) {
            const b = this.bucketAt(cx + dx, cy + dy, cz + dz);
            if (b >= 0) found.push(b);
          }
      list = Int32Array.from(found);
      around[b0] = list;
    }
    let n = 0;
    for (let q = 0; q < list.length; q++) {
      const b = list[q]!;
      const end = this.start[b + 1]!;
      for (let s = this.start[b]!; s < end; s++) {
        const j = this.order[s]!;
        const ex = xyz[j * 3]! - x;
        const ey = xyz[j * 3 + 1]! - y;
        const ez = xyz[j * 3 + 2]! - z;
        const d2 = ex * ex + ey * ey + ez * ez;
        if (d2 <= r2 && n < cap) {
          out[n] = j;
          outD2[n++] = d2;
        }
      }
    }
    return n;
  }

  /** Bucket of cell (x, y, z), or -1. */
  private bucketAt(x: number, y: number, z: number): number {
    const dense = this.dense;
    if (!dense) return this.buckets!.get(x, y, z);
    const dx = x - this.lo[0];
    const dy = y - this.lo[1];
    const dz = z - this.lo[2];
    const nx = this.dims[0];
    const ny = this.dims[1];
    if (dx < 0 || dy < 0 || dz < 0 || dx >= nx || dy >= ny || dz >= this.dims[2]) return -1;
    return dense[dx + nx * (dy + ny * dz)]!;
  }

  /**
   * The points' coordinates in bucket order (position s holds point order[s]): contiguous and
   * monomorphic for pair searches. Module-level scratch, valid until the next call on any grid.
   */
  coordsInBucketOrder(): Float64Array {
    const n = this.count;
    const order = this.order;
    const src = this.xyz;
    if (scratch.p.length < n * 3) scratch.p = new Float64Array(n * 3 * 2);
    const p = scratch.p;
    for (let s = 0; s < n; s++) {
      const o = order[s]! * 3;
      p[s * 3] = src[o]!;
      p[s * 3 + 1] = src[o + 1]!;
      p[s * 3 + 2] = src[o + 2]!;
    }
    return p;
  }

  /**
   * Writes bucket b and the occupied buckets of the 13 cells of its forward half shell to
   * `targets` (length >= 14); returns how many. Over all buckets, every pair of neighbouring
   * cells comes up exactly once.
   */
  forwardBuckets(b: number, targets: Int32Array): number {
    let nt = 0;
    targets[nt++] = b;
    const dense = this.dense;
    if (dense) {
      // The margin of empty cells: every neighbour of an occupied cell is inside the array.
      const c = this.denseCellOf![b]!;
      const halfShell = this.halfShell!;
      for (let h = 0; h < 13; h++) {
        const o = dense[c + halfShell[h]!]!;
        if (o >= 0) targets[nt++] = o;
      }
      return nt;
    }
    const cx = this.cellOf[b * 3]!;
    const cy = this.cellOf[b * 3 + 1]!;
    const cz = this.cellOf[b * 3 + 2]!;
    for (let h = 0; h < HALF_SHELL.length; h += 3) {
      const o = this.bucketAt(
        cx + HALF_SHELL[h]!,
        cy + HALF_SHELL[h + 1]!,
        cz + HALF_SHELL[h + 2]!,
      );
      if (o >= 0) targets[nt++] = o;
    }
    return nt;
  }

  /**
   * Every pair of points within distance r (r must not exceed the cell size), each pair once, in a
   * deterministic order. Each pair is tested once (own cell + the 13 cells of the forward half
   * shell). The result lives in module-level scratch: valid until the next `pairs` or `adjacency`
   * call on any grid. Without `withDistances` its d2 is not filled.
   */
  pairs(r: number, withDistances = true): PointPairs {
    const n = this.count;
    const order = this.order;
    const start = this.start;
    const r2 = r * r;
    const nb = start.length - 1;
    // Pairs are found between positions s, t in bucket order and mapped back to point indices
    // through `order`. Working buffers are module-level scratch (grown, never shrunk): clean-up
    // calls this once per object, and fresh zeroed arrays per call cost more than the pair search
    // on small objects.
    const p = this.coordsInBucketOrder();
    if (scratch.pa.length < n * 8) {
      scratch.pa = new Int32Array(n * 16);
      scratch.pb = new Int32Array(n * 16);
      scratch.pd = new Float64Array(n * 16);
    }
    let pa = scratch.pa;
    let pb = scratch.pb;
    let pd = scratch.pd;
    let cap = pa.length;
    let m = 0;
    if (scratch.deg.length < n + 1) scratch.deg = new Int32Array((n + 1) * 2);
    const deg = scratch.deg;
    deg.fill(0, 0, n + 1);
    const targets = scratch.targets;
    for (let b = 0; b < nb; b++) {
      const s0 = start[b]!;
      const s1 = start[b + 1]!;
      // The cell itself (pairs s < t), then the forward half of the surrounding cells.
      const nt = this.forwardBuckets(b, targets);
      for (let q = 0; q < nt; q++) {
        const o = targets[q]!;
        const t1 = start[o + 1]!;
        for (let s = s0; s < s1; s++) {
          const x = p[s * 3]!;
          const y = p[s * 3 + 1]!;
          const z = p[s * 3 + 2]!;
          for (let t = q === 0 ? s + 1 : start[o]!; t < t1; t++) {
            const ex = p[t * 3]! - x;
            const ey = p[t * 3 + 1]! - y;
            const ez = p[t * 3 + 2]! - z;
            const d2 = ex * ex + ey * ey + ez * ez;
            if (d2 <= r2) {
              if (m === cap) {
                cap *= 2;
                pa = scratch.pa = grownInt32(pa, cap);
                pb = scratch.pb = grownInt32(pb, cap);
                pd = scratch.pd = grownFloat64(pd, cap);
              }
              const i = order[s]!;
              const j = order[t]!;
              pa[m] = i;
              pb[m] = j;
              if (withDistances) pd[m] = d2;
              m++;
              deg[i]!++;
              deg[j]!++;
            }
          }
        }
      }
    }
    return { count: n, m, a: pa, b: pb, d2: pd, degree: deg };
  }

  /**
   * Neighbour lists of every point within distance r (r must not exceed the cell size), i itself
   * excluded, from `pairs`. Without `withDistances` the result's d2 is empty (for callers that
   * only need who is near whom).
   */
  adjacency(r: number, withDistances = true): Adjacency {
    return adjacencyFromPairs(this.pairs(r, withDistances), withDistances);
  }
}

/**
 * CSR neighbour lists from a pair list: both directions of every pair, each row in pair order. The
 * pair list is left intact (DBSCAN may read it afterwards).
 */
export function adjacencyFromPairs(pairs: PointPairs, withDistances = true): Adjacency {
  const { count: n, m, a: pa, b: pb, d2: pd, degree: deg } = pairs;
  // Counting sort of both directions of every pair into rows (deterministic order).
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i]! + deg[i]!;
  const fill = rowStart.slice(0, n); // write cursor of every row
  const nbr = new Int32Array(2 * m);
  if (!withDistances) {
    for (let e = 0; e < m; e++) {
      const i = pa[e]!;
      const j = pb[e]!;
      nbr[fill[i]!++] = j;
      nbr[fill[j]!++] = i;
    }
    return { count: n, start: rowStart, nbr, d2: new Float64Array(0) };
  }
  const d2s = new Float64Array(2 * m);
  for (let e = 0; e < m; e++) {
    const i = pa[e]!;
    const j = pb[e]!;
    const d = pd[e]!;
    let w = fill[i]!++;
    nbr[w] = j;
    d2s[w] = d;
    w = fill[j]!++;
    nbr[w] = i;
    d2s[w] = d;
  }
  return { count: n, start: rowStart, nbr, d2: d2s };
}
