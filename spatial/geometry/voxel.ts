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

export function voxelDownsample(xyz: ArrayLike<number>, count: number, size: number): VoxelCloud {
  const inv = 1 / size;
  const index = new CellTable(Math.max(16, count >> 2));
  const voxelOf = new Int32Array(count);
  const sums: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    const v = index.getOrAdd(Math.floor(x * inv), Math.floor(y * inv), Math.floor(z * inv));
    if (v === weights.length) {
      weights.push(0);
      sums.push(0, 0, 0);
    }
    voxelOf[i] = v;
    weights[v]!++;
    sums[v * 3]! += x;
    sums[v * 3 + 1]! += y;
    sums[v * 3 + 2]! += z;
  }
  const n = weights.length;
  const out = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    const w = weights[v]!;
    out[v * 3] = sums[v * 3]! / w;
    out[v * 3 + 1] = sums[v * 3 + 1]! / w;
    out[v * 3 + 2] = sums[v * 3 + 2]! / w;
  }
  return { xyz: out, weight: Int32Array.from(weights), count: n, voxelOf };
}
