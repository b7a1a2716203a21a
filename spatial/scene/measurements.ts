// Per-object measurements and pairwise metric quantities, with their definitions (DEFINITIONS.md):
// - extent: from the world AABB of the cleaned points (width = x range = viewer's left-right,
//   height = y range = along gravity, depth = z range = along the viewing direction in the ground
//   plane): the SpatialRGPT choice, and what the width/height/taller/wider facts read;
// - volume (bigger/smaller): from the yaw box (OBB), which does not grow when an object turns;
// - centre (all distances, left/right, above/below, front/behind, direction): the AABB centre,
//   not the mean of the visible points, which leans towards the camera;
// - azimuth (left/right): the direction of the centre seen from the camera in the ground plane;
// - elevation: AABB bottom above the floor (aligned frames with a floor only);
// - distance from camera: closest cleaned point to the camera centre.
import { yawBoxOf } from '../geometry/boxes';
import type { V3 } from '../geometry/vec';
import type { Aabb, Extent, Obb, WorldFrame } from './scene-graph';
import { heightsAreElevations } from './gravity-frame';

export interface ObjectGeometry {
  centroid: V3;
  aabb: Aabb;
  obb: Obb;
  extent: Extent;
  elevation: number | null;
  distanceFromCamera: number;
  numPoints: number;
}

export function emptyGeometry(): ObjectGeometry {
  return {
    centroid: [0, 0, 0],
    aabb: { min: [0, 0, 0], max: [0, 0, 0] },
    obb: { center: [0, 0, 0], extent: [0, 0, 0], yaw: 0 },
    extent: { width: 0, height: 0, depth: 0 },
    elevation: null,
    distanceFromCamera: 0,
    numPoints: 0,
  };
}

/** Camera centre in the world frame: p_w = R 0 + t. */
export function cameraCentre(frame: WorldFrame): V3 {
  return [frame.translation[0], frame.translation[1], frame.translation[2]];
}

/**
 * Boxes and measurements of the points `xyz[kept]`. Points below `baseCutY` (a box-derived mask's
 * base band, see `baseCutHeight`) count for the vertical extent, the centroid and the distance
 * only: their horizontal positions are biased, so the horizontal extents come from the points
 * above it.
 */
export function measureObject(
  xyz: Float32Array,
  kept: Int32Array,
  voxelXyz: Float32Array,
  voxelCount: number,
  frame: WorldFrame,
  baseCutY = -Infinity,
): ObjectGeometry {
  const n = kept.length;
  if (n === 0) return emptyGeometry();
  // One pass for the AABB, the mean and the closest point (scalar accumulators).
  const cx = frame.translation[0]!;
  const cy = frame.translation[1]!;
  const cz = frame.translation[2]!;
  let x0 = Infinity;
  let y0 = Infinity;
  let z0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let z1 = -Infinity;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  let closest = Infinity;
  for (let k = 0; k < n; k++) {
    const o = kept[k]! * 3;
    const x = xyz[o]!;
    const y = xyz[o + 1]!;
    const z = xyz[o + 2]!;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (y >= baseCutY) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (z < z0) z0 = z;
      if (z > z1) z1 = z;
    }
    sx += x;
    sy += y;
    sz += z;
    const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
    if (d2 < closest) closest = d2;
  }
  const box: Aabb = { min: [x0, y0, z0], max: [x1, y1, z1] };
  const obb = yawBoxOf(voxelXyz, voxelCount, xyz, kept, baseCutY) ?? {
    center: aabbCentre(box),
    extent: [x1 - x0, y1 - y0, z1 - z0] as V3,
    yaw: 0,
  };
  return {
    centroid: [sx / n, sy / n, sz / n],
    aabb: box,
    obb,
    extent: { width: x1 - x0, height: y1 - y0, depth: z1 - z0 },
    // A support plane seen from above may be a table top: heights above it are not elevations.
    elevation: heightsAreElevations(frame) ? y0 - frame.floorY! : null,
    distanceFromCamera: Math.sqrt(closest),
    numPoints: n,
  };
}

/**
 * Height below which a box-derived mask's points are a biased sample horizontally: box -> mask
 * drops the pixels within the floor band (or a support's band) of the plane at `planeY`, judged
 * on noisy heights, so just above the band only the points whose noise lifted them survive, and
 * the same noise moved them towards the camera (along the ray). Up to 3 sigma of height noise
 * above the band (sigma along the ray times the ray's vertical share); null when fewer than half
 * of the `count` points lie above it (a flat object: nothing to cut).
 */
export function baseCutHeight(
  xyz: Float32Array,
  count: number,
  planeY: number,
  band: number,
  sigma: number,
  camera: V3,
): number | null {
  let sumRange = 0;
  let sumDrop = 0;
  for (let i = 0; i < count; i += 16) {
    const dx = xyz[i * 3]! - camera[0];
    const dy = xyz[i * 3 + 1]! - camera[1];
    const dz = xyz[i * 3 + 2]! - camera[2];
    sumRange += Math.sqrt(dx * dx + dy * dy + dz * dz);
    sumDrop += Math.abs(dy);
  }
  const verticalShare = sumRange > 0 ? sumDrop / sumRange : 0;
  const cut = planeY + band + 3 * sigma * verticalShare;
  let above = 0;
  for (let i = 0; i < count; i++) if (xyz[i * 3 + 1]! >= cut) above++;
  return above >= 0.5 * count ? cut : null;
}

/** Fewer pixel rows than this across the top face: its depth is not observed, only bounded. */
export const MIN_TOP_ROWS = 4;

/**
 * Ground distance (m) between consecutive pixel rows on the object's top face at its far edge, as
 * seen from the camera (h above the top, far edge D away on the ground): (D^2 + h^2) / (h f);
 * null when the camera is not more than 2 cm above the top (the top face is not seen).
 */
export function topFaceRowSpacing(
  g: ObjectGeometry,
  frame: WorldFrame,
  focal: number,
): number | null {
  const h = frame.translation[1] - g.aabb.max[1];
  if (!(h > 0.02)) return null;
  const dx = (g.aabb.min[0] + g.aabb.max[0]) / 2 - frame.translation[0];
  const dz = g.aabb.max[2] - frame.translation[2];
  return (dx * dx + dz * dz + h * h) / (h * focal);
}

/** Mean of the points `xyz[indices]`. */
export function meanOf(xyz: Float32Array, indices: Int32Array): V3 {
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let k = 0; k < indices.length; k++) {
    const o = indices[k]! * 3;
    sx += xyz[o]!;
    sy += xyz[o + 1]!;
    sz += xyz[o + 2]!;
  }
  const n = Math.max(1, indices.length);
  return [sx / n, sy / n, sz / n];
}

export function aabbCentre(b: Aabb): V3 {
  return [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2];
}

/** Euclidean gap between two AABBs; 0 when they touch or overlap. */
export function aabbGap(a: Aabb, b: Aabb): number {
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const g = Math.max(0, b.min[i]! - a.max[i]!, a.min[i]! - b.max[i]!);
    s += g * g;
  }
  return Math.sqrt(s);
}

export function directDistance(a: V3, b: V3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Distance in the ground plane (x and z), ignoring the vertical offset. */
export function horizontalDistance(a: V3, b: V3): number {
  return Math.hypot(a[0] - b[0], a[2] - b[2]);
}

/** |difference| along gravity. */
export function verticalDistance(a: V3, b: V3): number {
  return Math.abs(a[1] - b[1]);
}

/**
 * Clock position of `to` seen from `from` in the ground plane, 12 o'clock = straight away from the
 * viewer (+z), 3 o'clock = the viewer's right (+x). Continuous hours in (0, 12].
 */
export function clockDirection(from: V3, to: V3): number {
  const theta = Math.atan2(to[0] - from[0], to[2] - from[2]); // clockwise from +z seen from above
  let h = (theta * 6) / Math.PI;
  if (h <= 0) h += 12;
  return h;
}

/**
 * Azimuth of `p` seen from the camera centre, in degrees in the ground plane: 0 = straight ahead
 * (+z), positive = towards the viewer's right (+x), in (−180, 180]. Left/right "from the viewer's
 * perspective" compares these, as a person does, not the lateral offsets (x), which disagree when
 * one object is much nearer than the other (a corridor).
 */
export function azimuthFromCamera(frame: WorldFrame, p: V3): number {
  const c = cameraCentre(frame);
  return (Math.atan2(p[0] - c[0], p[2] - c[2]) * 180) / Math.PI;
}

/** Angle (degrees) a left-right extent `width` at `p` spans seen from the camera. */
export function angularWidth(frame: WorldFrame, p: V3, width: number): number {
  const c = cameraCentre(frame);
  const range = Math.hypot(p[0] - c[0], p[2] - c[2]);
  return (2 * Math.atan2(width / 2, range) * 180) / Math.PI;
}

/** b − a for two angles in degrees, wrapped into (−180, 180]. */
export function angleDifference(a: number, b: number): number {
  let d = (b - a) % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

/** OBB volume (m^3). */
export function obbVolume(o: Obb): number {
  return o.extent[0] * o.extent[1] * o.extent[2];
}
