// The supporting surface seen just below an object (fallback of box-to-mask's supportLayer). A
// tight box around an object standing on another object's top often holds too little of that top
// for the in-cluster test: it shows in front of the base, under the box's bottom edge (30 of 81
// unoccluded stacked objects in the synthetic standard scenes, seeds 1000-1099, kept no support
// layer in their cluster). Here each column is followed down from the object's lowest pixel while
// the depth continues without a jump: the support's top is a flat layer there at the height of
// the object's base (its front face hangs below it, the floor further down); an occluder in front
// of the object's lower part starts with a jump and is never read.
import type { Pinhole } from '../camera';
import type { DepthImage } from '../geometry/lift';
import type { WorldFrame } from './scene-graph';

/** Share of one box row's pixels the support layer needs. */
const SLAB_MIN_ROW = 0.5;
/** Share of the points within a band of the layer that it must hold. */
const SLAB_MIN_WINDOW = 0.5;

/** Counts per quarter band (reused). */
let quarters = new Int32Array(0);

export interface BaseOfCluster {
  /** World height of the cluster's 1% height quantile (its base) and the floor band there (m). */
  y: number;
  band: number;
  /** Points in the cluster. */
  count: number;
}

/**
 * World height of the support under an object, or null. `lowestRows()[i]`: the lowest image row of
 * the object's pixels in column u0 + i (-1: none; computed only when the columns are read). From there each column is read down for a third
 * of the box's height (at least 4 rows), stopping at a depth jump (the split of box -> mask's
 * clusters) or at the floor band. The support is the flat layer (a half-band slab with ≥
 * SLAB_MIN_ROW of a box row's pixels, ≥ 20% of the points read, ≥ 1.5× the half band above it,
 * ≥ 1.4× the half band below it and ≥ SLAB_MIN_WINDOW of the points within a band of it) within
 * a band of the object's base (a floor object's base is the floor-band cut, a band or more under
 * any layer that passes the floor test) and, with a known floor, over two floor bands above the
 * floor.
 */
export function supportBelowObject(
  img: DepthImage,
  k: Pinhole,
  lowestRows: () => Int32Array,
  box: { u0: number; u1: number; v0: number; v1: number },
  frame: WorldFrame,
  base: BaseOfCluster,
  floorY: number | null,
): number | null {
  const { u0, u1, v0, v1 } = box;
  // Implied by the two tests at the end (c <= base + band, c >= floor + 2 band): a base within a
  // band of the floor cut (a floor object) cannot pass them, so nothing need be read.
  if (floorY !== null && base.y - floorY < base.band) return null;
  const lowest = lowestRows();
  const rows = Math.max(4, Math.round((v1 - v0 + 1) / 3));
  const { band } = base;
  const q = band / 4;
  // Quarter bands from two bands under the base to two bands over it, plus two for the flatness
  // test.
  const lo = base.y - 2 * band;
  const nq = 18;
  if (quarters.length < nq) quarters = new Int32Array(nq);
  quarters.fill(0, 0, nq);
  const R = frame.rotation;
  const ty = frame.translation[1];
  const W = img.width;
  let read = 0;
  for (let u = u0; u <= u1; u++) {
    const start = lowest[u - u0]!;
    if (start < 0) continue;
    let prev = img.depth[start * W + u]!;
    const xc = (u - k.cx) / k.fx;
    const end = Math.min(img.height - 1, start + rows);
    for (let v = start + 1; v <= end; v++) {
      const z = img.depth[v * W + u]!;
      if (!(z > 0 && z < Infinity)) continue;
      if (Math.abs(z - prev) > Math.max(0.05, 0.04 * Math.min(z, prev))) break;
      prev = z;
      const wy = R[3]! * xc * z + R[4]! * ((v - k.cy) / k.fy) * z + R[5]! * z + ty;
      if (floorY !== null && wy - floorY < Math.max(0.02, 0.01 * z)) break;
      read++;
      const b = Math.floor((wy - lo) / q);
      if (b >= 0 && b < nq) quarters[b]!++;
    }
  }
  const minSlab = Math.max(6, SLAB_MIN_ROW * (u1 - u0 + 1));
  // Points within a band of the slab (3 quarters below it to 3 above): a short strip down a wall
  // spreads evenly over them, a top surface piles into the slab.
  const windowCount = (b: number): number => {
    let w = 0;
    for (let j = Math.max(0, b - 3); j <= Math.min(nq - 1, b + 4); j++) w += quarters[j]!;
    return w;
  };
  let bestB = -1;
  let bestN = 0;
  for (let b = 2; b + 3 < nq; b++) {
    const slab = quarters[b]! + quarters[b + 1]!;
    if (
      slab > bestN &&
      slab >= minSlab &&
      slab >= 0.2 * read &&
      slab >= 1.5 * (quarters[b + 2]! + quarters[b + 3]!) &&
      slab >= 1.4 * ((quarters[b - 1] ?? 0) + (quarters[b - 2] ?? 0)) &&
      slab >= SLAB_MIN_WINDOW * windowCount(b)
    ) {
      bestB = b;
      bestN = slab;
    }
  }
  if (bestB < 0) return null;
  // Height: the slab's two quarters at their centres, weighted by their counts.
  const c =
    lo + ((bestB * quarters[bestB]! + (bestB + 1) * quarters[bestB + 1]!) / bestN) * q + q / 2;
  if (floorY !== null && c - floorY < 2 * band) return null;
  return Math.abs(c - base.y) <= band ? c : null;
}
