// Noise-aware object points for measuring extents: range noise (sigma growing with distance, from
// the sensor's / depth model's error model, else estimated from the object's own pixels) pushes
// the extreme points of a min/max box outwards by 2-3 sigma on each side, mostly along the viewing
// direction. Before the boxes are measured, each kept pixel's depth is replaced by a local plane fit
// over its object neighbours (geometry/depth-smoothing.ts), with a window chosen from sigma and the
// pixel footprint. DEFINITIONS.md "Noise-aware extents".
import type { Pinhole } from '../camera';
import {
  depthSigma,
  estimateRelativeNoise,
  relativeDepthError,
  type DepthErrorModel,
} from '../depth-error';
import { smoothObjectDepths } from '../geometry/depth-smoothing';
import type { DepthImage } from '../geometry/lift';
import type { WorldFrame } from './scene-graph';

/** Window radius (pixels) for a range noise sigma and a pixel footprint (both m). */
export function smoothingRadius(sigma: number, footprint: number): number {
  // Noise under a quarter of a pixel footprint moves no extent by more than sampling does.
  if (!(sigma > 0.25 * footprint)) return 0;
  return sigma > footprint ? 3 : 2;
}

let keptPixels = new Int32Array(0);
let smoothed = new Float64Array(0);
let measured = new Int32Array(0);
let outXyz = new Float32Array(0);

export interface DenoisedPoints {
  /**
   * World points to measure the boxes on (3 per point, `count` points), depths smoothed: when
   * smoothing, the pixels an extreme can come from (the outline and every other pixel of every
   * other row inside it, geometry/depth-smoothing.ts), else every kept pixel.
   */
  xyz: Float32Array;
  count: number;
  /** Every kept point's pixel (ascending), measured or not. */
  pixels: Int32Array;
  /** Range noise sigma (m) at the object's median range, and where it came from. */
  sigma: number;
  model: string;
  radius: number;
}

/**
 * `pixels[kept[i]]` = the pixel of kept point i (ascending). Returns points in a reused buffer,
 * valid until the next call.
 */
export function denoisedObjectPoints(
  img: DepthImage,
  k: Pinhole,
  frame: WorldFrame,
  pixels: Int32Array,
  kept: Int32Array,
  medianRange: number,
  model: DepthErrorModel | null,
): DenoisedPoints {
  const n = kept.length;
  if (keptPixels.length < n) {
    keptPixels = new Int32Array(n * 2);
    smoothed = new Float64Array(n * 2);
    measured = new Int32Array(n * 2);
    outXyz = new Float32Array(n * 6);
  }
  for (let i = 0; i < n; i++) keptPixels[i] = pixels[kept[i]!]!;
  let m = model;
  if (!m) {
    const rel = estimateRelativeNoise(img.depth, img.width, keptPixels, n);
    m = relativeDepthError(rel ?? 0, 'estimated');
  }
  const sigma = depthSigma(m, medianRange);
  const footprint = medianRange / ((k.fx + k.fy) / 2);
  const radius = smoothingRadius(sigma, footprint);
  const count = smoothObjectDepths(img.depth, img.width, keptPixels, n, radius, smoothed, measured);
  const R = frame.rotation;
  const t = frame.translation;
  const ifx = 1 / k.fx;
  const ify = 1 / k.fy;
  const W = img.width;
  // Kept pixels ascend: rows advance without a division per pixel.
  for (
    let i = 0, v = n > 0 ? Math.floor(keptPixels[0]! / W) : 0, rowStart = v * W;
    i < count;
    i++
  ) {
    const p = keptPixels[measured[i]!]!;
    const z = smoothed[i]!;
    if (p < rowStart || p >= rowStart + 8 * W) {
      v = Math.floor(p / W);
      rowStart = v * W;
    }
    while (p >= rowStart + W) {
      v++;
      rowStart += W;
    }
    const u = p - rowStart;
    const x = (u - k.cx) * ifx * z;
    const y = (v - k.cy) * ify * z;
    const o = i * 3;
    outXyz[o] = R[0]! * x + R[1]! * y + R[2]! * z + t[0];
    outXyz[o + 1] = R[3]! * x + R[4]! * y + R[5]! * z + t[1];
    outXyz[o + 2] = R[6]! * x + R[7]! * y + R[8]! * z + t[2];
  }
  return { xyz: outXyz, count, pixels: keptPixels.subarray(0, n), sigma, model: m.name, radius };
}
