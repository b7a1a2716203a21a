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

/**
 * Voxel id per cell of the points' voxel bounding box (x fastest), -1 = not seen: module-level
 * scratch, kept all -1 between calls (only the cells a call used are reset), so a call neither
 * allocates nor clears a whole box.
 */
let denseIds = new Int32Array(0);
/** Dense cell index of every voxel of the current call (to reset denseIds afterwards). */
let denseCellOf = new Int32Array(0);
/** Largest box (cells) looked up densely: 1 M cells = 4 MB of ids; larger boxes hash. */
const MAX_DENSE_CELLS = 1 << 20;

export function voxelDownsample(xyz: ArrayLike<number>, count: number, size: number): VoxelCloud {
  const inv = 1 / size;
  const voxelOf = new Int32Array(count);
  // At most one voxel per point: sums and weights fit in arrays of the input's size. Both are
  // module-level scratch (cleared as voxels are created), not a fresh zeroed array per object.
  if (sumScratch.length < count * 3) sumScratch = new Float64Array(count * 3 * 2);
  if (weightScratch.length < count) weightScratch = new Int32Array(count * 2);
  const n = assignDense(xyz, count, inv, voxelOf) ?? assignHashed(xyz, count, inv, voxelOf);
  const sums = sumScratch;
  const weights = weightScratch;
  const out = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    const w = weights[v]!;
    out[v * 3] = sums[v * 3]! / w;
    out[v * 3 + 1] = sums[v * 3 + 1]! / w;
    out[v * 3 + 2] = sums[v * 3 + 2]! / w;
  }
  return { xyz: out, weight: weights.slice(0, n), count: n, voxelOf };
}

/**
 * Voxel ids through a dense array over the voxel bounding box (an object's points span a few
 * dozen voxels per axis): one multiply-add per point instead of a hash probe. Ids are given in
 * order of first appearance, as the hash table gives them, so both paths produce the same cloud.
 * Returns the voxel count, or null when the box is too large (or not finite) for a dense array.
 */
function assignDense(
  xyz: ArrayLike<number>,
  count: number,
  inv: number,
  voxelOf: Int32Array,
): number | null {
  if (count === 0) return null;
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
  // floor(v * inv) is monotone in v, so the box's cells bound every point's cell.
  const lx = Math.floor(minX * inv);
  const ly = Math.floor(minY * inv);
  const lz = Math.floor(minZ * inv);
  const nx = Math.floor(maxX * inv) - lx + 1;
  const ny = Math.floor(maxY * inv) - ly + 1;
  const nz = Math.floor(maxZ * inv) - lz + 1;
  const cells = nx * ny * nz;
  // Also false for NaN (a non-finite coordinate): the hash path handles those as before.
  if (!(cells <= MAX_DENSE_CELLS)) return null;
  if (denseIds.length < cells) {
    denseIds = new Int32Array(Math.min(MAX_DENSE_CELLS, cells * 2)).fill(-1);
  }
  if (denseCellOf.length < count) denseCellOf = new Int32Array(count * 2);
  const ids = denseIds;
  const cellOf = denseCellOf;
  const sums = sumScratch;
  const weights = weightScratch;
  const nxy = nx * ny;
  let n = 0;
  // Consecutive points (neighbouring pixels) often share a voxel: the voxel of a run of points is
  // looked up once, and its sums and weight are carried in locals through the run (the same
  // additions in the same order as adding to the arrays point by point).
  let lastCell = -1;
  let v = -1;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  let w = 0;
  for (let i = 0; i < count; i++) {
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    const c =
      Math.floor(x * inv) - lx + nx * (Math.floor(y * inv) - ly) + nxy * (Math.floor(z * inv) - lz);
    if (c !== lastCell) {
      if (v >= 0) {
        sums[v * 3] = sx;
        sums[v * 3 + 1] = sy;
        sums[v * 3 + 2] = sz;
        weights[v] = w;
      }
      v = ids[c]!;
      if (v < 0) {
        v = n++;
        ids[c] = v;
        cellOf[v] = c;
        sx = 0;
        sy = 0;
        sz = 0;
        w = 0;
      } else {
        sx = sums[v * 3]!;
        sy = sums[v * 3 + 1]!;
        sz = sums[v * 3 + 2]!;
        w = weights[v]!;
      }
      lastCell = c;
    }
    voxelOf[i] = v;
    w++;
    sx += x;
    sy += y;
    sz += z;
  }
  sums[v * 3] = sx;
  sums[v * 3 + 1] = sy;
  sums[v * 3 + 2] = sz;
  weights[v] = w;
  for (let u = 0; u < n; u++) ids[cellOf[u]!] = -1;
  return n;
}

/** The same assignment through a hash table of cell coordinates (any extent). */
function assignHashed(
  xyz: ArrayLike<number>,
  count: number,
  inv: number,
  voxelOf: Int32Array,
): number {
  // Voxels are at least ~4 pixel footprints wide in use (object-cloud.ts): ~16 points a voxel on
  // a surface. The table grows when there are more; a table sized for count / 4 was mostly empty
  // slots to clear and to miss the cache in.
  const index = new CellTable(Math.max(16, count >> 4));
  const sums = sumScratch;
  const weights = weightScratch;
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
  return index.size;
}
