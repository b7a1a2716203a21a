// Box -> mask without a segmentation model: the dominant depth cluster inside a 2D box, for imported
// or hand-drawn boxes before any SAM model is installed (provenance 'depth-cluster').
//
// Box coordinates follow COCO: pixel (u, v) spans [u, u+1) x [v, v+1), so a pixel belongs to the
// box when its centre (u + 0.5, v + 0.5) lies inside [x0, x1] x [y0, y1].
// 1. valid-depth pixels inside the box (clipped to the image);
// 2. with a known floor, pixels within a few cm of it are dropped (the floor below an object is
//    continuous in depth with the object's base and would otherwise join its cluster);
// 3. depths sorted and split where consecutive values jump by more than max(5 cm, 4% of range);
// 4. the cluster with the highest centre-weighted pixel count wins (objects fill the box centre,
//    backgrounds and occluders its rim).
// 5. (build-scene-graph) an object whose lowest kept point lies within the removed band (+1.5 cm)
//    stands on the floor: its box bottom is snapped to the floor (flag 'base-snapped-to-floor').
// Known limit: an object on a table (not the floor) keeps the table top under it in its cluster.
import type { Pinhole } from '../camera';
import type { DepthImage } from '../geometry/lift';
import type { WorldFrame } from './scene-graph';

/** Height band above the floor (m) whose pixels are treated as floor, at depth z. */
export function floorBand(z: number): number {
  return Math.max(0.02, 0.01 * z);
}

export interface BoxMaskResult {
  /** Row-major indices of the mask's pixels (empty when nothing usable). */
  pixels: Int32Array;
  /** Why the mask is empty, when it is. */
  flag: string | null;
}

/** Pixel rows/columns covered by a COCO-convention box, clipped; null when empty or not finite. */
export function boxPixelRange(
  bbox: readonly number[],
  width: number,
  height: number,
): { u0: number; u1: number; v0: number; v1: number } | null {
  const [x0, y0, x1, y1] = bbox;
  if (![x0, y0, x1, y1].every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  const u0 = Math.max(0, Math.ceil(x0! - 0.5));
  const u1 = Math.min(width - 1, Math.floor(x1! - 0.5));
  const v0 = Math.max(0, Math.ceil(y0! - 0.5));
  const v1 = Math.min(height - 1, Math.floor(y1! - 0.5));
  if (u1 < u0 || v1 < v0) return null;
  return { u0, u1, v0, v1 };
}

export function maskFromBox(
  img: DepthImage,
  k: Pinhole,
  bbox: readonly number[],
  frame: WorldFrame | null,
): BoxMaskResult {
  const range = boxPixelRange(bbox, img.width, img.height);
  if (!range) return { pixels: new Int32Array(0), flag: 'box-empty-or-outside-image' };
  const { u0, u1, v0, v1 } = range;
  const W = img.width;
  const n = (u1 - u0 + 1) * (v1 - v0 + 1);
  const idx = new Int32Array(n);
  const zs = new Float64Array(n);
  const useFloor = frame !== null && frame.aligned && frame.floorY !== null;
  const R = frame?.rotation ?? [];
  const ty = frame?.translation[1] ?? 0;
  const floorY = frame?.floorY ?? 0;
  let m = 0;
  for (let v = v0; v <= v1; v++) {
    const yc = (v - k.cy) / k.fy;
    for (let u = u0; u <= u1; u++) {
      const p = v * W + u;
      const z = img.depth[p]!;
      if (!(z > 0 && z < Infinity)) continue;
      if (useFloor) {
        const x = ((u - k.cx) / k.fx) * z;
        const wy = R[3]! * x + R[4]! * yc * z + R[5]! * z + ty;
        if (wy - floorY < floorBand(z)) continue;
      }
      idx[m] = p;
      zs[m] = z;
      m++;
    }
  }
  if (m === 0) return { pixels: new Int32Array(0), flag: 'no-valid-depth-in-box' };
  // Clusters of the sorted depths (native numeric sort), split at gaps.
  const sorted = zs.slice(0, m).sort();
  const starts: number[] = [sorted[0]!];
  for (let t = 1; t < m; t++) {
    const prev = sorted[t - 1]!;
    if (sorted[t]! - prev > Math.max(0.05, 0.04 * prev)) starts.push(sorted[t]!);
  }
  const clusterOf = (z: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= z) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const bu = (u0 + u1) / 2;
  const bv = (v0 + v1) / 2;
  const hw = Math.max(1, (u1 - u0) / 2);
  const hh = Math.max(1, (v1 - v0) / 2);
  const score = new Float64Array(starts.length);
  const label = new Int32Array(m);
  for (let t = 0; t < m; t++) {
    const p = idx[t]!;
    const v = (p / W) | 0;
    const u = p - v * W;
    const r = Math.max(Math.abs(u - bu) / hw, Math.abs(v - bv) / hh);
    const c = clusterOf(zs[t]!);
    label[t] = c;
    score[c] = score[c]! + Math.max(0.1, 1 - r * r);
  }
  let best = 0;
  for (let c = 1; c < starts.length; c++) if (score[c]! > score[best]!) best = c;
  let kept = 0;
  for (let t = 0; t < m; t++) if (label[t] === best) kept++;
  const pixels = new Int32Array(kept);
  for (let t = 0, j = 0; t < m; t++) if (label[t] === best) pixels[j++] = idx[t]!;
  return { pixels, flag: null };
}
