// Box-derived masks of a supporting object and of an object standing on it (aligned frames): the
// object's base is continuous in depth with the support's top, so the support's dominant depth
// cluster takes in the object wherever the object lies inside the support's 2D box (a box on a
// table: the table's mask reaches up to the box's top, its height and centre with it, and every
// distance to it). The object's own box -> mask found the support under it (supportY); the
// support's pixels inside the object's 2D box, at the object's depths and above that surface are
// the object's, and are dropped from the support's mask.
import type { Pinhole } from '../camera';
import type { DepthImage } from '../geometry/lift';
import { floorBand } from './box-to-mask';
import type { WorldFrame } from './scene-graph';

export interface ObjectMask {
  bbox: readonly number[];
  /** Whether box -> mask derived it (only such masks are separated). */
  derived: boolean;
  /** Ascending row-major pixel indices. */
  pixels: Int32Array;
  /** World height of the support box -> mask removed under the object, if any. */
  supportY?: number | null;
}

/** A support must hold at least this share of its pixels within a band of the object's support. */
const MIN_TOP_SHARE = 0.02;
/** ... and keep at least this share of its pixels once the object is dropped. */
const MIN_KEPT_SHARE = 0.5;

/**
 * Drops from each box-derived mask the pixels of an object standing on it: for each box-derived
 * mask with a support (supportY above the floor band), each other box-derived mask whose 2D box is
 * larger and holds the object's base (bottom centre) and which has pixels at the support's height
 * loses its pixels inside the object's 2D box, within the object's depth range (widened by the
 * cluster gap) and above supportY + a quarter band (supportY is found in quarter-band steps) —
 * unless that would take half of its pixels. Returns the pixel lists in the order given;
 * unchanged lists are the same arrays.
 */
export function separateStackedObjects(
  masks: readonly ObjectMask[],
  img: DepthImage,
  k: Pinhole,
  frame: WorldFrame,
): Int32Array[] {
  const out = masks.map((m) => m.pixels);
  if (!frame.aligned) return out;
  for (let b = 0; b < masks.length; b++) {
    const top = masks[b]!;
    if (!top.derived || top.supportY == null || top.pixels.length === 0) continue;
    const zRange = depthRange(img, top.pixels);
    const zTop = (zRange[0] + zRange[1]) / 2;
    if (frame.floorY !== null && top.supportY - frame.floorY <= floorBand(zTop) + 0.015) continue;
    const baseU = (top.bbox[0]! + top.bbox[2]!) / 2;
    const baseV = top.bbox[3]! - 0.5;
    for (let a = 0; a < masks.length; a++) {
      const sup = masks[a]!;
      if (a === b || !sup.derived || out[a]!.length === 0) continue;
      const sb = sup.bbox;
      if (!(area(sb) > area(top.bbox))) continue;
      if (!(baseU >= sb[0]! && baseU <= sb[2]! && baseV >= sb[1]! && baseV <= sb[3]!)) continue;
      const kept = withoutStanding(img, k, frame, out[a]!, top, zRange);
      if (kept.length === out[a]!.length) continue;
      if (kept.length < MIN_KEPT_SHARE * out[a]!.length) continue;
      if (shareAtHeight(img, k, frame, out[a]!, top.supportY) < MIN_TOP_SHARE) continue;
      out[a] = kept;
    }
  }
  return out;
}

function area(b: readonly number[]): number {
  return (b[2]! - b[0]!) * (b[3]! - b[1]!);
}

/** Depths of the pixels, widened by the box -> mask cluster gap at each end. */
function depthRange(img: DepthImage, pixels: Int32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const z = img.depth[pixels[i]!]!;
    if (!(z > 0 && z < Infinity)) continue;
    if (z < lo) lo = z;
    if (z > hi) hi = z;
  }
  return [lo - Math.max(0.05, 0.04 * lo), hi + Math.max(0.05, 0.04 * hi)];
}

/** World height of pixel p at depth z (camera frame lifted, then the frame's up row). */
function heightOf(k: Pinhole, frame: WorldFrame, u: number, v: number, z: number): number {
  const R = frame.rotation;
  return (
    R[3]! * ((u - k.cx) / k.fx) * z +
    R[4]! * ((v - k.cy) / k.fy) * z +
    R[5]! * z +
    frame.translation[1]
  );
}

/**
 * `pixels` without those inside the standing object's 2D box (COCO: pixel centre inside), within
 * its depth range and above its support (by a quarter band: the support layer's step): the object,
 * including the bottom rows its own mask left to the band.
 */
function withoutStanding(
  img: DepthImage,
  k: Pinhole,
  frame: WorldFrame,
  pixels: Int32Array,
  top: ObjectMask,
  zRange: readonly [number, number],
): Int32Array {
  const W = img.width;
  const bbox = top.bbox;
  const supportY = top.supportY!;
  // Only the rows of the object's box can hold it (the list is ascending: a row range is a slice).
  const rowFrom = Math.max(0, Math.ceil(bbox[1]! - 0.5));
  const rowTo = Math.floor(bbox[3]! - 0.5);
  const from = lowerBound(pixels, rowFrom * W);
  const to = lowerBound(pixels, (rowTo + 1) * W);
  const drop = new Uint8Array(to - from);
  let dropped = 0;
  for (let i = from; i < to; i++) {
    const p = pixels[i]!;
    const v = (p / W) | 0;
    const u = p - v * W;
    if (!(u + 0.5 >= bbox[0]! && u + 0.5 <= bbox[2]!)) continue;
    const z = img.depth[p]!;
    if (!(z >= zRange[0] && z <= zRange[1])) continue;
    if (heightOf(k, frame, u, v, z) < supportY + 0.25 * floorBand(z)) continue;
    drop[i - from] = 1;
    dropped++;
  }
  if (dropped === 0) return pixels;
  const keep = new Int32Array(pixels.length - dropped);
  keep.set(pixels.subarray(0, from));
  let n = from;
  for (let i = from; i < to; i++) if (!drop[i - from]) keep[n++] = pixels[i]!;
  keep.set(pixels.subarray(to), n);
  return keep;
}

/** First index whose value is ≥ x in an ascending list. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Share of the pixels (sampled) whose world height lies within the floor band of `y`. */
function shareAtHeight(
  img: DepthImage,
  k: Pinhole,
  frame: WorldFrame,
  pixels: Int32Array,
  y: number,
): number {
  const W = img.width;
  // A share to compare with a few percent: ~2000 evenly spread pixels give it closely enough.
  const step = Math.max(1, Math.floor(pixels.length / 2000));
  let near = 0;
  let read = 0;
  for (let i = 0; i < pixels.length; i += step) {
    read++;
    const p = pixels[i]!;
    const z = img.depth[p]!;
    if (!(z > 0 && z < Infinity)) continue;
    const v = (p / W) | 0;
    const yw = heightOf(k, frame, p - v * W, v, z);
    if (Math.abs(yw - y) <= floorBand(z)) near++;
  }
  return read > 0 ? near / read : 0;
}
