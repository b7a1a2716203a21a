// Per-object clean-up of a world-frame point set: voxel down-sampling, statistical outlier removal
// and DBSCAN keeping the main cluster, with every parameter scaled to the object's size and range.
// Voxels come first so the neighbour searches run on at most ~(size/voxel)^2 surface voxels whatever
// the resolution; decisions made on voxels are mapped back to the original points, and boxes are
// measured on those original points (no shrinkage from voxel averaging).
import { dbscanFromPairs, dbscanOnGrid, type DbscanResult } from '../geometry/dbscan';
import { adjacencyFromPairs, PointGrid } from '../geometry/grid';
import { statisticalOutlierMaskFromAdjacency } from '../geometry/outliers';
import { selectKth } from '../geometry/select';
import { voxelDownsample } from '../geometry/voxel';
import type { V3 } from '../geometry/vec';

export interface CleanupOptions {
  /** Fewer valid points than this (before or after clean-up) marks the object unusable. */
  minPoints?: number;
  /** Voxel = max(size / voxelsPerSize, footprintVoxels * pixel footprint at the median range). */
  voxelsPerSize?: number;
  footprintVoxels?: number;
  /** DBSCAN radius in voxels. */
  epsVoxels?: number;
  sorK?: number;
  sorStdRatio?: number;
  /** SOR never removes points whose mean k-NN distance is under this share of the DBSCAN eps. */
  sorMinDistanceEps?: number;
}

export interface CleanCloud {
  /** Indices (into the input points) of the kept points. */
  kept: Int32Array;
  /** Voxel means of the kept voxels (interleaved xyz) for footprint fitting. */
  voxelXyz: Float32Array;
  voxelCount: number;
  voxelSize: number;
  /** Median distance from the camera (m). */
  medianRange: number;
  flags: string[];
}

function percentileRange(v: Float64Array, n: number, lo: number, hi: number): number {
  const kHi = Math.min(n - 1, Math.floor(hi * (n - 1)));
  const kLo = Math.floor(lo * (n - 1));
  const top = selectKth(v, n, kHi);
  // Quickselect leaves the kHi smallest values in v[0..kHi): the lower one is selected among them.
  return top - (kLo < kHi ? selectKth(v, kHi, kLo) : selectKth(v, n, kLo));
}

/**
 * Cleans `count` world points `xyz` of one object; `camera` is the camera centre in the same frame
 * and `focal` the focal length in pixels (for the pixel footprint).
 */
export function cleanObjectCloud(
  xyz: Float32Array,
  count: number,
  camera: V3,
  focal: number,
  opts: CleanupOptions = {},
): CleanCloud {
  const minPoints = opts.minPoints ?? 30;
  const flags: string[] = [];
  const all = (): Int32Array => Int32Array.from({ length: count }, (_, i) => i);
  if (count === 0) {
    flags.push('no-valid-depth');
    return {
      kept: new Int32Array(0),
      voxelXyz: new Float32Array(0),
      voxelCount: 0,
      voxelSize: 0,
      medianRange: 0,
      flags,
    };
  }
  // Robust size and range from a deterministic sample (every step-th point).
  const step = Math.max(1, Math.floor(count / 400));
  const m = Math.ceil(count / step);
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const zs = new Float64Array(m);
  const rs = new Float64Array(m);
  for (let i = 0, q = 0; i < count; i += step, q++) {
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    xs[q] = x;
    ys[q] = y;
    zs[q] = z;
    const dx = x - camera[0];
    const dy = y - camera[1];
    const dz = z - camera[2];
    rs[q] = Math.sqrt(dx * dx + dy * dy + dz * dz); // not Math.hypot: several times slower in V8
  }
  const medianRange = selectKth(rs, m, m >> 1);
  const size = Math.max(
    percentileRange(xs, m, 0.05, 0.95),
    percentileRange(ys, m, 0.05, 0.95),
    percentileRange(zs, m, 0.05, 0.95),
    1e-3,
  );
  const footprint = medianRange / Math.max(focal, 1);
  const voxel = Math.max(
    size / (opts.voxelsPerSize ?? 15),
    (opts.footprintVoxels ?? 4) * footprint,
    1e-3,
  );
  if (count < minPoints) {
    flags.push('too-few-points');
    const vox = voxelDownsample(xyz, count, voxel);
    return {
      kept: all(),
      voxelXyz: vox.xyz,
      voxelCount: vox.count,
      voxelSize: voxel,
      medianRange,
      flags,
    };
  }
  const vox = voxelDownsample(xyz, count, voxel);
  // eps = 2 voxels >= 8 pixel footprints: surfaces seen at grazing angles (down to ~7 degrees)
  // are sampled sparser than the footprint and must stay connected.
  const eps = (opts.epsVoxels ?? 2) * voxel;
  // One neighbour pass (pairs within eps) serves both outlier removal and DBSCAN. SOR's k-NN
  // statistic is capped at its search radius (eps): with a floor of at least eps (the default
  // sorMinDistanceEps = 1) it can remove nothing, so it is skipped, and DBSCAN runs on the grid
  // without a pair list.
  const minDistance = (opts.sorMinDistanceEps ?? 1) * eps;
  const sorActive = minDistance < eps;
  const grid = new PointGrid(vox.xyz, vox.count, eps);
  let db: DbscanResult;
  if (sorActive) {
    const pairs = grid.pairs(eps);
    const sor = statisticalOutlierMaskFromAdjacency(adjacencyFromPairs(pairs), {
      k: opts.sorK ?? 8,
      stdRatio: opts.sorStdRatio ?? 2.5,
      radius: eps,
      minDistance,
    });
    db = dbscanFromPairs(pairs, 3, sor);
  } else db = dbscanOnGrid(grid, eps, 3);
  let main = -1;
  let mainWeight = 0;
  if (db.clusters > 0) {
    const weight = new Float64Array(db.clusters);
    for (let v = 0; v < vox.count; v++) {
      const l = db.labels[v]!;
      if (l >= 0) weight[l] = weight[l]! + vox.weight[v]!;
    }
    for (let c = 0; c < db.clusters; c++)
      if (weight[c]! > mainWeight) {
        mainWeight = weight[c]!;
        main = c;
      }
  }
  if (main < 0) {
    flags.push('no-main-cluster');
    return {
      kept: all(),
      voxelXyz: vox.xyz,
      voxelCount: vox.count,
      voxelSize: voxel,
      medianRange,
      flags,
    };
  }
  const keepVoxel = new Uint8Array(vox.count);
  let nv = 0;
  for (let v = 0; v < vox.count; v++)
    if (db.labels[v] === main) {
      keepVoxel[v] = 1;
      nv++;
    }
  const voxelXyz = new Float32Array(nv * 3);
  for (let v = 0, j = 0; v < vox.count; v++)
    if (keepVoxel[v]) {
      voxelXyz[j * 3] = vox.xyz[v * 3]!;
      voxelXyz[j * 3 + 1] = vox.xyz[v * 3 + 1]!;
      voxelXyz[j * 3 + 2] = vox.xyz[v * 3 + 2]!;
      j++;
    }
  const kept = new Int32Array(mainWeight);
  for (let i = 0, j = 0; i < count; i++) if (keepVoxel[vox.voxelOf[i]!]) kept[j++] = i;
  if (kept.length < minPoints) flags.push('too-few-points-after-cleanup');
  else if (kept.length < 0.5 * count) flags.push('cleanup-removed-most');
  return { kept, voxelXyz, voxelCount: nv, voxelSize: voxel, medianRange, flags };
}
