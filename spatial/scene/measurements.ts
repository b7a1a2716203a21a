// Per-object measurements and pairwise metric quantities, with their definitions (DEFINITIONS.md):
// - extent: from the world AABB of the cleaned points (width = x range = viewer's left-right,
//   height = y range = along gravity, depth = z range = along the viewing direction in the ground
//   plane): the SpatialRGPT choice, and what the width/height/taller/wider facts read;
// - volume (bigger/smaller): from the yaw box (OBB), which does not grow when an object turns;
// - centre (all distances, left/right, above/below, front/behind, direction): the AABB centre,
//   not the mean of the visible points, which leans towards the camera;
// - elevation: AABB bottom above the floor (aligned frames with a floor only);
// - distance from camera: closest cleaned point to the camera centre.
import { aabbOf, yawBoxOf } from '../geometry/boxes';
import type { V3 } from '../geometry/vec';
import type { Aabb, Extent, Obb, WorldFrame } from './scene-graph';

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

export function measureObject(
  xyz: Float32Array,
  kept: Int32Array,
  voxelXyz: Float32Array,
  voxelCount: number,
  frame: WorldFrame,
): ObjectGeometry {
  const box = aabbOf(xyz, kept);
  if (!box) return emptyGeometry();
  const obb = yawBoxOf(voxelXyz, voxelCount, xyz, kept) ?? {
    center: aabbCentre(box),
    extent: [box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]] as V3,
    yaw: 0,
  };
  const cam = cameraCentre(frame);
  let sx = 0;
  let sy = 0;
  let sz = 0;
  let closest = Infinity;
  for (let k = 0; k < kept.length; k++) {
    const o = kept[k]! * 3;
    const x = xyz[o]!;
    const y = xyz[o + 1]!;
    const z = xyz[o + 2]!;
    sx += x;
    sy += y;
    sz += z;
    const d2 = (x - cam[0]) ** 2 + (y - cam[1]) ** 2 + (z - cam[2]) ** 2;
    if (d2 < closest) closest = d2;
  }
  const n = kept.length;
  return {
    centroid: [sx / n, sy / n, sz / n],
    aabb: box,
    obb,
    extent: {
      width: box.max[0] - box.min[0],
      height: box.max[1] - box.min[1],
      depth: box.max[2] - box.min[2],
    },
    elevation: frame.aligned && frame.floorY !== null ? box.min[1] - frame.floorY : null,
    distanceFromCamera: Math.sqrt(closest),
    numPoints: n,
  };
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

/** OBB volume (m^3). */
export function obbVolume(o: Obb): number {
  return o.extent[0] * o.extent[1] * o.extent[2];
}
