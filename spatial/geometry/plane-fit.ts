// Least-squares plane through a set of points: the normal is the covariance's smallest eigenvector.
import { symmetricEigen3 } from './eigen3';
import type { V3 } from './vec';

/** Plane n . p + d = 0 with |n| = 1. */
export interface Plane {
  normal: V3;
  d: number;
}

/**
 * Fits a plane to points `xyz` (interleaved) restricted to `indices` (all when omitted).
 * Null when fewer than 3 points or the points are degenerate (collinear).
 */
export function fitPlane(xyz: ArrayLike<number>, indices?: ArrayLike<number>): Plane | null {
  const n = indices ? indices.length : Math.floor(xyz.length / 3);
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  let mz = 0;
  for (let k = 0; k < n; k++) {
    const i = (indices ? indices[k]! : k) * 3;
    mx += xyz[i]!;
    my += xyz[i + 1]!;
    mz += xyz[i + 2]!;
  }
  mx /= n;
  my /= n;
  mz /= n;
  let xx = 0;
  let xy = 0;
  let xz = 0;
  let yy = 0;
  let yz = 0;
  let zz = 0;
  for (let k = 0; k < n; k++) {
    const i = (indices ? indices[k]! : k) * 3;
    const x = xyz[i]! - mx;
    const y = xyz[i + 1]! - my;
    const z = xyz[i + 2]! - mz;
    xx += x * x;
    xy += x * y;
    xz += x * z;
    yy += y * y;
    yz += y * z;
    zz += z * z;
  }
  const e = symmetricEigen3([xx, xy, xz, xy, yy, yz, xz, yz, zz]);
  // Degenerate (collinear) when the two largest spreads do not span a plane.
  if (!(e.values[1] > 1e-12 * Math.max(1, e.values[2]))) return null;
  const normal = e.vectors[0];
  return { normal, d: -(normal[0] * mx + normal[1] * my + normal[2] * mz) };
}
