// Lifting a depth map to camera-frame points (OpenCV: x right, y down, z forward, metres).
// Pixel centres are at integer coordinates (see spatial/camera.ts), so pixel (u, v) with depth z is
// ((u - cx) z / fx, (v - cy) z / fy, z). Zero, negative, NaN and infinite depths are dropped.
import type { Pinhole } from '../camera';

export interface DepthImage {
  /** Metres, row-major, width * height; 0 or NaN = missing. */
  depth: Float32Array;
  width: number;
  height: number;
}

export interface LiftedPoints {
  /** Interleaved xyz, length 3 * count. */
  xyz: Float32Array;
  /** Row-major pixel index of every point. */
  pixels: Int32Array;
  count: number;
}

export function validDepth(z: number): boolean {
  return z > 0 && z < Infinity;
}

/** Camera-frame point of pixel (u, v) at depth z. */
export function liftPixel(u: number, v: number, z: number, k: Pinhole): [number, number, number] {
  return [((u - k.cx) * z) / k.fx, ((v - k.cy) * z) / k.fy, z];
}

/** Lifts every `stride`-th pixel in both directions (stride 1 = all pixels). */
export function liftDepth(img: DepthImage, k: Pinhole, stride = 1): LiftedPoints {
  const cap = liftDepthCapacity(img, stride);
  const xyz = new Float32Array(cap * 3);
  const pixels = new Int32Array(cap);
  const n = liftDepthInto(img, k, stride, xyz, pixels);
  // Views, not copies: the arrays are this call's own.
  return { xyz: xyz.subarray(0, n * 3), pixels: pixels.subarray(0, n), count: n };
}

/** Points liftDepth can return at most (the pixels on the stride lattice). */
export function liftDepthCapacity(img: DepthImage, stride = 1): number {
  const s = Math.max(1, Math.floor(stride));
  return Math.ceil(img.width / s) * Math.ceil(img.height / s);
}

/**
 * liftDepth into caller-owned arrays (at least liftDepthCapacity points): returns the number of
 * points written.
 */
export function liftDepthInto(
  img: DepthImage,
  k: Pinhole,
  stride: number,
  xyz: Float32Array,
  pixels: Int32Array,
): number {
  const { depth, width, height } = img;
  const s = Math.max(1, Math.floor(stride));
  const ifx = 1 / k.fx;
  const ify = 1 / k.fy;
  let n = 0;
  for (let v = 0; v < height; v += s) {
    const row = v * width;
    const yf = (v - k.cy) * ify;
    for (let u = 0; u < width; u += s) {
      const z = depth[row + u]!;
      if (!(z > 0 && z < Infinity)) continue;
      xyz[n * 3] = (u - k.cx) * ifx * z;
      xyz[n * 3 + 1] = yf * z;
      xyz[n * 3 + 2] = z;
      pixels[n++] = row + u;
    }
  }
  return n;
}

/**
 * Lifts the pixels listed in `pixelIndices` (row-major) and applies p' = R p + t on the way
 * (R row-major 3x3; pass identity / zero for camera frame). Invalid depths are skipped.
 */
export function liftPixelsTransformed(
  img: DepthImage,
  k: Pinhole,
  pixelIndices: ArrayLike<number>,
  rotation: readonly number[],
  translation: readonly number[],
): LiftedPoints {
  const m = pixelIndices.length;
  const xyz = new Float32Array(m * 3);
  const pixels = new Int32Array(m);
  const n = liftTransformedInto(img, k, pixelIndices, rotation, translation, xyz, pixels);
  return {
    xyz: n === m ? xyz : xyz.slice(0, n * 3),
    pixels: n === m ? pixels : pixels.slice(0, n),
    count: n,
  };
}

/**
 * liftPixelsTransformed writing into caller-owned arrays (xyz: 3 * pixelIndices.length, pixels:
 * pixelIndices.length, e.g. reused scratch); returns the number of points written.
 *
 * Also the loop of liftPixelsTransformed on its own: with the loop and the code after it in one
 * function, V8 entered its on-stack-replaced loop code on every call and deoptimised at the exit
 * (no type feedback there yet), so every object paid the deoptimisation.
 */
export function liftTransformedInto(
  img: DepthImage,
  k: Pinhole,
  pixelIndices: ArrayLike<number>,
  rotation: readonly number[],
  translation: readonly number[],
  xyz: Float32Array,
  pixels: Int32Array,
): number {
  const { depth, width } = img;
  const m = pixelIndices.length;
  const r0 = +rotation[0]!;
  const r1 = +rotation[1]!;
  const r2 = +rotation[2]!;
  const r3 = +rotation[3]!;
  const r4 = +rotation[4]!;
  const r5 = +rotation[5]!;
  const r6 = +rotation[6]!;
  const r7 = +rotation[7]!;
  const r8 = +rotation[8]!;
  const t0 = +translation[0]!;
  const t1 = +translation[1]!;
  const t2 = +translation[2]!;
  const ifx = 1 / k.fx;
  const ify = 1 / k.fy;
  const cx = k.cx;
  const cy = k.cy;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const p = pixelIndices[j]!;
    const z = depth[p]!;
    if (!(z > 0 && z < Infinity)) continue;
    const v = (p / width) | 0;
    const u = p - v * width;
    const x = (u - cx) * ifx * z;
    const y = (v - cy) * ify * z;
    const o = n * 3;
    xyz[o] = r0 * x + r1 * y + r2 * z + t0;
    xyz[o + 1] = r3 * x + r4 * y + r5 * z + t1;
    xyz[o + 2] = r6 * x + r7 * y + r8 * z + t2;
    pixels[n++] = p;
  }
  return n;
}
