// 3D boxes of a world-frame point set (y up): the axis-aligned box (AABB) and the box with yaw about
// gravity (OBB) whose ground footprint is the minimum-area rectangle of the points' (x, z)
// projection. Which box feeds which measurement is fixed in spatial/scene/DEFINITIONS.md.
import { minAreaRect } from './footprint';

export interface Box3 {
  min: [number, number, number];
  max: [number, number, number];
}

export interface YawBox {
  center: [number, number, number];
  /** [along the box's own x, along y (up), along the box's own z]. */
  extent: [number, number, number];
  /**
   * Radians in [-pi/4, pi/4]: the box's own x axis is (cos yaw, 0, sin yaw) in the world, so 0 is
   * the viewer's left-right axis and positive yaw turns +x towards +z (away from the viewer).
   */
  yaw: number;
}

/** AABB of the points listed in `indices` (all when omitted); null for none. */
export function aabbOf(
  xyz: ArrayLike<number>,
  indices?: ArrayLike<number>,
  count?: number,
): Box3 | null {
  const n = indices ? indices.length : (count ?? Math.floor(xyz.length / 3));
  if (n === 0) return null;
  // Scalar accumulators (not tuple elements) keep the loop in registers.
  let x0 = Infinity;
  let y0 = Infinity;
  let z0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let z1 = -Infinity;
  for (let k = 0; k < n; k++) {
    const o = (indices ? indices[k]! : k) * 3;
    const x = xyz[o]!;
    const y = xyz[o + 1]!;
    const z = xyz[o + 2]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  return { min: [x0, y0, z0], max: [x1, y1, z1] };
}

/**
 * Yaw box: footprint rectangle from `footprintXyz` (e.g. voxel means, few points), then extents by
 * projecting the full point list (`xyz`, `indices`) on the rectangle axes, so both boxes measure
 * the same points. Vertical extent is the points' y range. Points below `footprintMinY` count for
 * the vertical extent only (a base band whose horizontal positions are biased, see
 * scene/measurements.ts).
 */
export function yawBoxOf(
  footprintXyz: ArrayLike<number>,
  footprintCount: number,
  xyz: ArrayLike<number>,
  indices: ArrayLike<number>,
  footprintMinY = -Infinity,
): YawBox | null {
  if (footprintCount === 0 || indices.length === 0) return null;
  const xz = new Float64Array(footprintCount * 2);
  for (let i = 0; i < footprintCount; i++) {
    xz[i * 2] = footprintXyz[i * 3]!;
    xz[i * 2 + 1] = footprintXyz[i * 3 + 2]!;
  }
  const rect = minAreaRect(xz, footprintCount);
  if (!rect) return null;
  // Fold the angle into [-pi/4, pi/4]: a rectangle is the same after quarter turns.
  let yaw = rect.angle;
  yaw = yaw - Math.PI * Math.round(yaw / Math.PI); // [-pi/2, pi/2]
  if (yaw > Math.PI / 4) yaw -= Math.PI / 2;
  else if (yaw < -Math.PI / 4) yaw += Math.PI / 2;
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < indices.length; k++) {
    const o = indices[k]! * 3;
    const x = xyz[o]!;
    const y = xyz[o + 1]!;
    const z = xyz[o + 2]!;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (y < footprintMinY) continue;
    const u = x * c + z * s;
    const v = -x * s + z * c;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  return {
    center: [cu * c - cv * s, (minY + maxY) / 2, cu * s + cv * c],
    extent: [maxU - minU, maxY - minY, maxV - minV],
    yaw,
  };
}
