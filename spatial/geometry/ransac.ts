// Deterministic RANSAC for planes whose normal lies within a cone around a prior direction
// (e.g. "up" given the camera's plausible pitch and roll), so walls are never hypotheses.
import { fitPlane, type Plane } from './plane-fit';
import { mulberry32, randInt, type Rng } from './rng';
import { dot, normalize, type V3 } from './vec';

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
  // Contiguous copies of the candidates' coordinates; hypotheses are scored on a 256-point prefix
  // first and fully only when they can still beat the best (preemptive scoring).
  const px = new Float64Array(m);
  const py = new Float64Array(m);
  const pz = new Float64Array(m);
  const pt = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const o = candidates[k]! * 3;
    px[k] = xyz[o]!;
    py[k] = xyz[o + 1]!;
    pz[k] = xyz[o + 2]!;
    pt[k] = thr + perZ * pz[k]!;
  }
  // Random scoring subset (candidates may arrive in raster order).
  const pre = Math.min(m, 256);
  const preIdx = new Int32Array(pre);
  for (let k = 0; k < pre; k++) preIdx[k] = pre === m ? k : randInt(rng, m);
  let best: Plane | null = null;
  let bestCount = 2;
  for (let it = 0; it < iters; it++) {
    const a = randInt(rng, m);
    // Odd iterations sample locally when a local sampler is given, even ones uniformly.
    const local = opts.sampleNear !== undefined && (it & 1) === 1;
    const b = local ? opts.sampleNear!(a, rng) : randInt(rng, m);
    const c = local ? opts.sampleNear!(a, rng) : randInt(rng, m);
    if (b < 0 || c < 0 || b === a || c === a || b === c) continue;
    const ux = px[b]! - px[a]!;
    const uy = py[b]! - py[a]!;
    const uz = pz[b]! - pz[a]!;
    const vx = px[c]! - px[a]!;
    const vy = py[c]! - py[a]!;
    const vz = pz[c]! - pz[a]!;
    const nrm = normalize([uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx]);
    if (!nrm) continue;
    const cosA = dot(nrm, opts.prior);
    if (Math.abs(cosA) < cosTilt) continue;
    const sg = cosA >= 0 ? 1 : -1;
    const nx = nrm[0] * sg;
    const ny = nrm[1] * sg;
    const nz = nrm[2] * sg;
    const d = -(nx * px[a]! + ny * py[a]! + nz * pz[a]!);
    let count = 0;
    if (pre < m) {
      for (let q = 0; q < pre; q++) {
        const k = preIdx[q]!;
        const r = nx * px[k]! + ny * py[k]! + nz * pz[k]! + d;
        if (r <= pt[k]! && r >= -pt[k]!) count++;
      }
      if ((count * m) / pre < 0.7 * bestCount) continue;
      count = 0;
    }
    for (let k = 0; k < m; k++) {
      const r = nx * px[k]! + ny * py[k]! + nz * pz[k]! + d;
      if (r <= pt[k]! && r >= -pt[k]!) count++;
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
  let inliers = planeInliers(xyz, plane, thr, candidates, perZ);
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
    inliers = planeInliers(xyz, plane, thr, candidates, perZ);
  }
  return { plane, inliers, outsideCone };
}
