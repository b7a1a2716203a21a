// Uniform spatial hash over 3D points for fixed-radius neighbour queries in O(n) expected time:
// points are bucketed into cubic cells of side `cell`, sorted by cell (counting sort through a
// CellTable of cell -> bucket), and a query visits the 27 cells around the point.
import { CellTable } from './cell-table';

export class PointGrid {
  readonly cell: number;
  private readonly xyz: ArrayLike<number>;
  private readonly buckets: CellTable;
  /** Point indices ordered by bucket. */
  readonly order: Int32Array;
  /** start[b]..start[b+1] is bucket b's range in `order`. */
  private readonly start: Int32Array;
  /** Integer cell coordinates of every bucket. */
  private readonly cellOf: Int32Array;
  /** Lazily built list of the (up to 27) occupied buckets around each bucket. */
  private readonly around: (Int32Array | undefined)[];
  private readonly bucketOfPoint: Int32Array;

  constructor(xyz: ArrayLike<number>, count: number, cell: number) {
    this.xyz = xyz;
    this.cell = cell;
    this.buckets = new CellTable(count);
    const bucketOf = new Int32Array(count);
    const sizes: number[] = [];
    const cells: number[] = [];
    const inv = 1 / cell;
    for (let i = 0; i < count; i++) {
      const x = Math.floor(xyz[i * 3]! * inv);
      const y = Math.floor(xyz[i * 3 + 1]! * inv);
      const z = Math.floor(xyz[i * 3 + 2]! * inv);
      const b = this.buckets.getOrAdd(x, y, z);
      if (b === sizes.length) {
        sizes.push(0);
        cells.push(x, y, z);
      }
      bucketOf[i] = b;
      sizes[b]!++;
    }
    this.cellOf = Int32Array.from(cells);
    this.around = new Array<Int32Array | undefined>(sizes.length);
    this.bucketOfPoint = bucketOf;
    this.start = new Int32Array(sizes.length + 1);
    for (let b = 0; b < sizes.length; b++) this.start[b + 1] = this.start[b]! + sizes[b]!;
    const fill = this.start.slice(0, sizes.length);
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
    let list = this.around[b0];
    if (!list) {
      const cx = this.cellOf[b0 * 3]!;
      const cy = this.cellOf[b0 * 3 + 1]!;
      const cz = this.cellOf[b0 * 3 + 2]!;
      const found: number[] = [];
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dz = -1; dz <= 1; dz++) {
            const b = this.buckets.get(cx + dx, cy + dy, cz + dz);
            if (b >= 0) found.push(b);
          }
      list = Int32Array.from(found);
      this.around[b0] = list;
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
}
