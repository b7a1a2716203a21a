// Where the 3D view looks: the box the content fills (robust to stray far points), the distance
// that fits it in the view, and the orbit pivot. Orbiting turns the camera around the pivot, so
// a pivot away from the content swings the content out of view: a 120-px drag about a point on the
// photo's axis at the middle of the depth range put the room in a corner of the panel (issue 16).
// Pure maths on plain arrays (world frame, metres), so it is tested without WebGL.

export type Vec3 = [number, number, number];
export interface Box {
  min: Vec3;
  max: Vec3;
}

/** Points sampled for the content box: enough for percentiles, cheap for 300k-point clouds. */
const SAMPLE = 20_000;

/**
 * The box holding the bulk of the cloud: per axis, the `lo`..`hi` quantiles of an even sample of
 * the points (a few readings through a window at 30 m do not make the room tiny). Null for none.
 */
export function contentBox(
  positions: ArrayLike<number>,
  count: number,
  lo = 0.02,
  hi = 0.98,
): Box | null {
  if (count <= 0) return null;
  const step = Math.max(1, Math.floor(count / SAMPLE));
  const axes: number[][] = [[], [], []];
  for (let i = 0; i < count; i += step)
    for (let a = 0; a < 3; a++) {
      const v = positions[i * 3 + a]!;
      if (Number.isFinite(v)) axes[a]!.push(v);
    }
  if (axes[0]!.length === 0) return null;
  const q = (values: number[], t: number) =>
    values[Math.min(values.length - 1, Math.max(0, Math.round(t * (values.length - 1))))]!;
  const min: number[] = [];
  const max: number[] = [];
  for (const values of axes) {
    values.sort((a, b) => a - b);
    min.push(q(values, lo));
    max.push(q(values, hi));
  }
  return { min: min as Vec3, max: max as Vec3 };
}

/** The union of boxes (content and object boxes), or null when there is none. */
export function unionBox(boxes: ReadonlyArray<Box | null | undefined>): Box | null {
  let out: Box | null = null;
  for (const b of boxes) {
    if (!b) continue;
    if (!out) out = { min: [...b.min], max: [...b.max] };
    else
      for (let a = 0; a < 3; a++) {
        out.min[a] = Math.min(out.min[a]!, b.min[a]!);
        out.max[a] = Math.max(out.max[a]!, b.max[a]!);
      }
  }
  return out;
}

export function boxCenter(b: Box): Vec3 {
  return [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2];
}

/** Half the box's diagonal: the radius of a sphere around it. */
export function boxRadius(b: Box): number {
  return Math.hypot(b.max[0] - b.min[0], b.max[1] - b.min[1], b.max[2] - b.min[2]) / 2;
}

/**
 * How far from a sphere's centre the camera must be for the sphere to fit a view of vertical field
 * of view `fovRad` and `aspect` (width / height), with `margin` to spare.
 */
export function fitDistance(radius: number, fovRad: number, aspect: number, margin = 1.1): number {
  const halfV = fovRad / 2;
  const halfH = Math.atan(Math.tan(halfV) * aspect);
  return (margin * Math.max(radius, 1e-3)) / Math.sin(Math.min(halfV, halfH));
}

/** Distance of `p` along the unit direction `dir` from `origin` (its depth for that viewer). */
export function depthAlong(origin: Vec3, dir: Vec3, p: Vec3): number {
  return (p[0] - origin[0]) * dir[0] + (p[1] - origin[1]) * dir[1] + (p[2] - origin[2]) * dir[2];
}
