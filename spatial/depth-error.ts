// Depth error models: the standard deviation of a depth reading as a function of its range,
// sigma(z) = a + b z + c z^2 (metres). Stereo / structured-light sensors grow with z^2 (disparity
// noise), scaled synthetic noise and depth models with z. Extents use it to tell how far the
// noise alone can push the extreme points (DEFINITIONS.md "Noise-aware extents").
import { selectKth } from './geometry/select';

export interface DepthErrorModel {
  /** Where the figures come from ('kinect-v1', 'realsense-d435', 'relative', 'estimated'). */
  name: string;
  a: number;
  b: number;
  c: number;
}

export function depthSigma(m: DepthErrorModel, z: number): number {
  return m.a + z * (m.b + z * m.c);
}

/** sigma = share * z: synthetic noise, or a depth model's per-pixel figure. */
export function relativeDepthError(share: number, name = 'relative'): DepthErrorModel {
  return { name, a: 0, b: share, c: 0 };
}

export const DEPTH_ERROR_PRESETS = {
  // Kinect v1 (also the TUM RGB-D and NYU v2 recordings): 1.425e-3 z^2 m, Khoshelham & Elberink,
  // "Accuracy and Resolution of Kinect Depth Data", Sensors 12(2), 2012, eq. 10 (1.5 mm at 1 m...
  // 4 cm at 5 m).
  'kinect-v1': { name: 'kinect-v1', a: 0, b: 0, c: 1.425e-3 },
  // RealSense D435: RMS = z^2 * subpixel / (focal * baseline) (Intel, "Tuning depth cameras for
  // best performance"), subpixel 0.08, baseline 0.050 m, focal 447 px (848 px wide, 87 deg HFOV).
  'realsense-d435': { name: 'realsense-d435', a: 0, b: 0, c: 0.08 / (447 * 0.05) },
} as const satisfies Record<string, DepthErrorModel>;

export type DepthErrorPreset = keyof typeof DEPTH_ERROR_PRESETS;

/**
 * Per-pixel relative noise estimated from the data: along image rows, the second difference
 * z[u-1] - 2 z[u] + z[u+1] of a smooth surface is ~0 while independent noise gives it variance
 * 6 sigma^2; the median absolute value relative to z (divided by 0.6745 sqrt 6) estimates
 * sigma / z robustly (creases and edges are a minority). `pixels`: the object's pixels with
 * valid depth, ascending row-major (neighbours in the list = neighbours in the object). Returns
 * null with fewer than 20 triples.
 */
export function estimateRelativeNoise(
  depth: Float32Array,
  width: number,
  pixels: Int32Array,
  count: number,
): number | null {
  // Every step-th pixel: ~2000 triples give the median to a few percent.
  const step = Math.max(1, Math.floor(count / 2000));
  const ratios = new Float64Array(Math.ceil(count / step));
  let n = 0;
  for (let i = 1; i + 1 < count; i += step) {
    const p = pixels[i]!;
    // Three consecutive pixels of one row, all in the object (pixel list ascending).
    if (pixels[i - 1] !== p - 1 || pixels[i + 1] !== p + 1) continue;
    const u = p % width;
    if (u === 0 || u === width - 1) continue;
    const z = depth[p]!;
    const d2 = depth[p - 1]! - 2 * z + depth[p + 1]!;
    ratios[n++] = Math.abs(d2) / z;
  }
  if (n < 20) return null;
  return selectKth(ratios, n, n >> 1) / (0.6745 * Math.sqrt(6));
}
