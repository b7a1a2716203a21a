// Voxel down-sampling: one point (the mean) per occupied cubic voxel, remembering which voxel every
// input point fell in so callers can map a decision on voxels back to the original points.
import { CellTable } from './cell-table';

export interface VoxelCloud {
  /** Interleaved xyz of voxel means. */
  xyz: Float32Array;
  /** Points per voxel. */
  weight: Int32Array;
  count: number;
  /** Voxel index of every input point. */
  voxelOf: Int32Array;
}

let sumScratch = new Float64Array(0);
let weightScratch = new Int32Array(0);

export function voxelDownsample(xyz: ArrayLike<number>, count: number, size: number): VoxelCloud {
  const inv = 1 / size;
  // Voxels are at least ~4 pixel footprints wide in use (object-cloud.ts): ~16 points a voxel on
  // a surface. The table grows when there are more; a table sized for count / 4 was mostly empty
  // slots to clear and to miss the cache in.
  const index = new CellTable(Math.max(16, count >> 4));
  const voxelOf = new Int32Array(count);
  // At most one voxel per point: sums and weights fit in arrays of the input's size. Both are
  // module-level scratch (cleared as voxels are created), not a fresh zeroed array per object.
  if (sumScratch.length < count * 3) sumScratch = new Float64Array(count * 3 * 2);
  const sums = sumScratch;
  if (weightScratch.length < count) weightScratch = new Int32Array(count * 2);
  const weights = weightScratch;
  // Consecutive points (neighbouring pixels) often share a voxel: reuse the last lookup.
  let lx = 0;
  let ly = 0;
  let lz = 0;
  let lv = -1;
  for (let i = 0; i < count; i++) {
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    const ix = Math.floor(x * inv);
    const iy = Math.floor(y * inv);
    const iz = Math.floor(z * inv);
    if (lv < 0 || ix !== lx || iy !== ly || iz !== lz) {
      const before = index.size;
      lv = index.getOrAdd(ix, iy, iz);
      if (lv === before) {
        weights[lv] = 0;
        sums[lv * 3] = 0;
        sums[lv * 3 + 1] = 0;
        sums[lv * 3 + 2] = 0;
      }
      lx = ix;
      ly = iy;
      lz = iz;
    }
    const v = lv;
    voxelOf[i] = v;
    weights[v]!++;
    sums[v * 3]! += x;
    sums[v * 3 + 1]! += y;
    sums[v * 3 + 2]! += z;
  }
  const n = index.size;
  const out = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    const w = weights[v]!;
    out[v * 3] = sums[v * 3]! / w;
    out[v * 3 + 1] = sums[v * 3 + 1]! / w;
    out[v * 3 + 2] = sums[v * 3 + 2]! / w;
  }
  return { xyz: out, weight: weights.slice(0, n), count: n, voxelOf };
}
