// Deterministic RANSAC for planes whose normal lies within a cone around a prior direction
// (e.g. "up" given the camera's plausible pitch and roll), so walls are never hypotheses.
import { fitPlane, type Plane } from './plane-fit';
import { mulberry32, randInt, type Rng } from './rng';
import { dot, type V3 } from './vec';

export interface RansacPlaneOptions {
  /** Prior direction the normal must be close to; the returned normal is oriented along it. */
  prior: V3;
  /** Maximum angle (radians) between the normal and the prior. */
  maxTilt: number;
  /** Point-to-plane inlier distance in metres: threshold + thresholdPerDepth * z of the point. */
  threshold: number;
  /** Growth of the inlier distance with the point's z (depth noise grows with range); default 0. */
  thresholdPerDepth?: number;
  iterations?: number;
  seed?: number;
  /**
   * Optional local sampler: given the position (in `candidates`) of the first sample point, returns
   * the position of a nearby candidate or -1. Local triples make small planes (a floor seen as a
   * thin band) likely to be hypothesised. Used on every other iteration; the others (and all,
   * without it) draw the three points uniformly.
   */
  sampleNear?: (k: number, rng: Rng) => number;
}

export interface PlaneHit {
  plane: Plane;
  /** Indices (into the point list) of the inliers of the refined plane. */
  inliers: Int32Array;
  /**
   * True when the least-squares refit of the inliers leaves the tilt cone: the hypothesis was a
   * slice through a steeper surface (a wall cut at a shallow angle), not a plane of its own.
   */
  outsideCone: boolean;
}

/**
 * Indices of points with |n . p + d| <= threshold + perDepth * z among `candidates` (all when
 * omitted).
 */
export function planeInliers(
  xyz: ArrayLike<number>,
  plane: Plane,
  threshold: number,
  candidates?: ArrayLike<number>,
  perDepth = 0,
): Int32Array {
  const [nx, ny, nz] = plane.normal;
  const n = candidates ? candidates.length : Math.floor(xyz.length / 3);
  const out = new Int32Array(n);
  let c = 0;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k]! : k;
    const o = i * 3;
    const r = nx * xyz[o]! + ny * xyz[o + 1]! + nz * xyz[o + 2]! + plane.d;
    const t = threshold + perDepth * xyz[o + 2]!;
    if (r <= t && r >= -t) out[c++] = i;
  }
  return out.slice(0, c);
}

function orient(plane: Plane, prior: V3): Plane {
  return dot(plane.normal, prior) >= 0
    ? plane
    : { normal: [-plane.normal[0], -plane.normal[1], -plane.normal[2]], d: -plane.d };
}

// ransacPlane's contiguous copies, reused (grown, never shrunk; fully written before each read).
let ptsScratch = new Float64Array(0);
let preScratch = new Float64Array(0);

/**
 * Best plane (most inliers) among `candidates` whose normal is within `maxTilt` of `prior`,
 * refined by least squares on its inliers. Null when no admissible plane has 3 inliers.
 */
export function ransacPlane(
  xyz: ArrayLike<number>,
  candidates: Int32Array,
  opts: RansacPlaneOptions,
): PlaneHit | null {
  const m = candidates.length;
  if (m < 3) return null;
  const rng = mulberry32(opts.seed ?? 1);
  let iters = opts.iterations ?? 200;
  const cosTilt = Math.cos(opts.maxTilt);
  const thr = opts.threshold;
  const perZ = opts.thresholdPerDepth ?? 0;
  // Contiguous copies of the candidates' coordinates and inlier distances (x, y, z, t per point);
  // hypotheses are scored on a 256-point random subset first (its own contiguous copy) and fully
  // only when they can still beat the best (preemptive scoring).
  if (ptsScratch.length < m * 4) ptsScratch = new Float64Array(m * 4);
  const pts = ptsScratch;
  for (let k = 0; k < m; k++) {
    const o = candidates[k]! * 3;
    const z = +xyz[o + 2]!;
    pts[k * 4] = xyz[o]!;
    pts[k * 4 + 1] = xyz[o + 1]!;
    pts[k * 4 + 2] = z;
    pts[k * 4 + 3] = thr + perZ * z;
  }
  // Random scoring subset (candidates may arrive in raster order).
  const pre = Math.min(m, 256);
  if (preScratch.length < pre * 4) preScratch = new Float64Array(pre * 4);
  const prePts = preScratch;
  for (let q = 0; q < pre; q++) {
    const k = pre === m ? q : randInt(rng, m);
    prePts[q * 4] = pts[k * 4]!;
    prePts[q * 4 + 1] = pts[k * 4 + 1]!;
    prePts[q * 4 + 2] = pts[k * 4 + 2]!;
    prePts[q * 4 + 3] = pts[k * 4 + 3]!;
  }
  const prior = opts.prior;
  let best: Plane | null = null;
  let bestCount = 2;
  for (let it = 0; it < iters; it++) {
    const a = randInt(rng, m);
    // Odd iterations sample locally when a local sampler is given, even ones uniformly.
    const local = opts.sampleNear !== undefined && (it & 1) === 1;
    const b = local ? opts.sampleNear!(a, rng) : randInt(rng, m);
    const c = local ? opts.sampleNear!(a, rng) : randInt(rng, m);
    if (b < 0 || c < 0 || b === a || c === a || b === c) continue;
    const ax = pts[a * 4]!;
    const ay = pts[a * 4 + 1]!;
    const az = pts[a * 4 + 2]!;
    const ux = pts[b * 4]! - ax;
    const uy = pts[b * 4 + 1]! - ay;
    const uz = pts[b * 4 + 2]! - az;
    const vx = pts[c * 4]! - ax;
    const vy = pts[c * 4 + 1]! - ay;
    const vz = pts[c * 4 + 2]! - az;
    // normalize() and dot() written out: no arrays per hypothesis (same arithmetic).
    const cx = uy * vz - uz * vy;
    const cy = uz * vx - ux * vz;
    const cz = ux * vy - uy * vx;
    const len = Math.hypot(cx, cy, cz);
    if (!(len > 1e-12) || !Number.isFinite(len)) continue;
    const n0 = cx / len;
    const n1 = cy / len;
    const n2 = cz / len;
    const cosA = n0 * prior[0] + n1 * prior[1] + n2 * prior[2];
    if (Math.abs(cosA) < cosTilt) continue;
    const sg = cosA >= 0 ? 1 : -1;
    const nx = n0 * sg;
    const ny = n1 * sg;
    const nz = n2 * sg;
    const d = -(nx * ax + ny * ay + nz * az);
    let count = 0;
    if (pre < m) {
      // Stops early (per block of 64) once even all remaining subset points could not pass.
      const need = (0.7 * bestCount * pre) / m;
      for (let q = 0; q < pre;) {
        for (const e = Math.min(pre, q + 64); q < e; q++) {
          const o = q * 4;
          const r = nx * prePts[o]! + ny * prePts[o + 1]! + nz * prePts[o + 2]! + d;
          if (Math.abs(r) <= prePts[o + 3]!) count++;
        }
        if (count + (pre - q) < need - 1e-6) break;
      }
      if ((count * m) / pre < 0.7 * bestCount) continue;
      count = 0;
    }
    // Full count, abandoned (per block of 256) once it can no longer beat the best.
    for (let k = 0; k < m;) {
      for (const e = Math.min(m, k + 256); k < e; k++) {
        const o = k * 4;
        const r = nx * pts[o]! + ny * pts[o + 1]! + nz * pts[o + 2]! + d;
        if (Math.abs(r) <= pts[o + 3]!) count++;
      }
      if (count + (m - k) <= bestCount) break;
    }
    if (count > bestCount) {
      bestCount = count;
      best = { normal: [nx, ny, nz], d };
      // Adaptive stop: enough iterations to draw an all-inlier triple with 99.9% confidence at
      // the best inlier ratio so far (uniform-sampling bound; never under 40).
      const w = count / m;
      const need = Math.ceil(Math.log(0.001) / Math.log(Math.max(1e-12, 1 - w * w * w)));
      iters = Math.min(iters, Math.max(40, need));
    }
  }
  if (!best) return null;
  // Two rounds of least-squares refinement on the inliers.
  let plane = best;
  let inliers = candidateInliers(pts, candidates, plane);
  let outsideCone = false;
  for (let r = 0; r < 2; r++) {
    const refined = fitPlane(xyz, inliers);
    if (!refined) break;
    const o = orient(refined, opts.prior);
    if (dot(o.normal, opts.prior) < cosTilt) {
      outsideCone = true;
      break;
    }
    plane = o;
    inliers = candidateInliers(pts, candidates, plane);
  }
  return { plane, inliers, outsideCone };
}

/**
 * planeInliers over the candidates, read from their contiguous copy (x, y, z, inlier distance per
 * point, the distance computed as planeInliers computes it): the same test, no gather.
 */
function candidateInliers(pts: Float64Array, candidates: Int32Array, plane: Plane): Int32Array {
  const [nx, ny, nz] = plane.normal;
  const d = plane.d;
  const m = candidates.length;
  const out = new Int32Array(m);
  let c = 0;
  for (let k = 0; k < m; k++) {
    const o = k * 4;
    const r = nx * pts[o]! + ny * pts[o + 1]! + nz * pts[o + 2]! + d;
    const t = pts[o + 3]!;
    if (r <= t && r >= -t) out[c++] = candidates[k]!;
  }
  return out.slice(0, c);
}
