// The viewer's point cloud of one image, from arrays already in memory: depth (metres) lifted on a
// pixel grid coarse enough for `maxPoints`, moved to the world frame with the stored gravity frame
// (spatial/geometry/lift.ts does the maths), coloured from the RGB raster and tagged with the
// object whose mask holds each pixel. No I/O here: engine/scene-view/point-cloud.ts feeds it.
import type { Pinhole } from '../../spatial/camera';
import { liftPixelsTransformed } from '../../spatial/geometry/lift';
import type { PointCloudArrays } from '../../contract/point-cloud';

export interface ObjectPixels {
  id: number;
  /** Row-major pixel indices inside the object's mask. */
  pixels: Int32Array;
}

export interface CloudInput {
  depth: Float32Array;
  width: number;
  height: number;
  intrinsics: Pinhole;
  rotation: readonly number[];
  translation: readonly number[];
  /** Interleaved RGB, width * height * 3; null paints every point grey. */
  rgb: Uint8Array | null;
  objects: ObjectPixels[];
  maxPoints: number;
}

export interface LiftedCloud extends PointCloudArrays {
  count: number;
  validPixels: number;
  stride: number;
  bounds: { min: [number, number, number]; max: [number, number, number] } | null;
  depthRange: { min: number; max: number } | null;
  pointsPerObject: Map<number, number>;
}

const GREY = 150;

/** Pixel stride for a cloud of at most about `maxPoints` out of `valid` pixels. */
export function gridStride(valid: number, maxPoints: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(valid / Math.max(1, maxPoints))));
}

/**
 * Per-pixel object id (0 = none). Bigger masks are painted first, so where masks overlap the
 * smaller object (usually the one in front, e.g. a cup on a table) keeps the pixel.
 */
export function objectIdRaster(size: number, objects: ObjectPixels[]): Int32Array {
  const raster = new Int32Array(size);
  const order = [...objects].sort((a, b) => b.pixels.length - a.pixels.length);
  for (const o of order) {
    const px = o.pixels;
    for (let i = 0; i < px.length; i++) {
      const p = px[i]!;
      if (p >= 0 && p < size) raster[p] = o.id;
    }
  }
  return raster;
}

/** A fixed pseudo-random permutation of 0..n-1 (Fisher-Yates with a seeded LCG). */
export function progressiveOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let seed = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = Math.floor((seed / 4294967296) * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export function liftCloud(input: CloudInput): LiftedCloud {
  const { depth, width, height } = input;
  let valid = 0;
  for (let i = 0; i < depth.length; i++) {
    const z = depth[i]!;
    if (z > 0 && z < Infinity) valid++;
  }
  const stride = gridStride(valid, input.maxPoints);
  const grid = new Int32Array(Math.ceil(width / stride) * Math.ceil(height / stride));
  let g = 0;
  for (let v = 0; v < height; v += stride)
    for (let u = 0, row = v * width; u < width; u += stride) grid[g++] = row + u;
  const lifted = liftPixelsTransformed(
    { depth, width, height },
    input.intrinsics,
    grid,
    input.rotation,
    input.translation,
  );
  // The grid can still hold a few more valid pixels than asked for: thin it evenly.
  const keep = Math.min(lifted.count, input.maxPoints);
  const step = lifted.count / Math.max(1, keep);
  const positions = new Float32Array(keep * 3);
  const camZ = new Float32Array(keep);
  const objectIds = new Int32Array(keep);
  const colors = new Uint8Array(keep * 3);
  const raster = objectIdRaster(width * height, input.objects);
  const perObject = new Map<number, number>();
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  let zMin = Infinity;
  let zMax = -Infinity;
  const rgb = input.rgb;
  // Points go out in a shuffled order, so any prefix is an even subsample of the whole cloud: the
  // viewer's level of detail draws the first N points while the camera moves.
  const order = progressiveOrder(keep);
  for (let k = 0; k < keep; k++) {
    const src = order[k]!;
    const j = keep === lifted.count ? src : Math.floor(src * step);
    const p = lifted.pixels[j]!;
    for (let a = 0; a < 3; a++) {
      const c = lifted.xyz[j * 3 + a]!;
      positions[k * 3 + a] = c;
      if (c < min[a]!) min[a] = c;
      if (c > max[a]!) max[a] = c;
    }
    const z = depth[p]!;
    camZ[k] = z;
    if (z < zMin) zMin = z;
    if (z > zMax) zMax = z;
    const id = raster[p]!;
    objectIds[k] = id;
    if (id !== 0) perObject.set(id, (perObject.get(id) ?? 0) + 1);
    if (rgb) {
      colors[k * 3] = rgb[p * 3]!;
      colors[k * 3 + 1] = rgb[p * 3 + 1]!;
      colors[k * 3 + 2] = rgb[p * 3 + 2]!;
    } else colors.fill(GREY, k * 3, k * 3 + 3);
  }
  return {
    positions,
    depth: camZ,
    objectIds,
    colors,
    count: keep,
    validPixels: valid,
    stride,
    bounds: keep > 0 ? { min, max } : null,
    depthRange: keep > 0 ? { min: zMin, max: zMax } : null,
    pointsPerObject: perObject,
  };
}
