// The gravity-aligned world frame of one image (see DEFINITIONS.md):
//   y up; z = the camera's viewing direction projected on the ground plane (away from the viewer);
//   x = forward x up (camera-frame cross product), the viewer's right in the ground plane.
// So the world frame is (right, up, forward), like the camera's (right, down, forward) but levelled;
// R = [right; up; forward] (rows, camera-frame vectors) has determinant -1 because y flips from down
// to up. Origin: on the floor below the camera when the floor is known (camera at (0, h, 0)), else
// the camera centre.
//
// Where "up" comes from, in order of trust: a given vector (sensor/user), a model estimate, a RANSAC
// floor plane, else the camera axes (aligned = false: no elevation or vertical facts).
import type { Pinhole } from '../camera';
import { fitPlane, type Plane } from '../geometry/plane-fit';
import { planeInliers, ransacPlane } from '../geometry/ransac';
import {
  liftDepthCapacity,
  liftDepthInto,
  type DepthImage,
  type LiftedPoints,
} from '../geometry/lift';
import { mulberry32, randInt, type Rng } from '../geometry/rng';
import { cross, dot, normalize, type V3 } from '../geometry/vec';
import type { GravitySource, HeightReference, WorldFrame } from './scene-graph';

export interface GravityHint {
  /** The up direction (opposite to gravity) in the camera frame (x right, y down, z forward). */
  up: V3;
  source: 'given' | 'model';
}

export interface FrameOptions {
  /** Largest tilt (deg) of a floor candidate from the camera's own up axis (covers pitch + roll). */
  maxFloorTiltDeg?: number;
  /** Largest angle (deg) between a floor candidate and a given/model up vector. */
  maxHintTiltDeg?: number;
  /** Smallest and largest plausible camera height above the floor (m). */
  minCameraHeight?: number;
  maxCameraHeight?: number;
  /**
   * Without a hint and with no floor within maxFloorTiltDeg, look for a support plane seen
   * steeply from above (default true).
   */
  steepViews?: boolean;
  /** Largest camera distance (m) to a steeply seen support plane (default 2). */
  maxSupportDistance?: number;
  /** Smallest share of sampled points a plane needs to count as "large". */
  minPlaneShare?: number;
  seed?: number;
}

export interface FrameResult {
  frame: WorldFrame;
  /** Floor plane in the camera frame (normal up), when found. */
  floorPlane: Plane | null;
  /** Why the floor was not used, when it was not. */
  notes: string[];
}

const DEG = Math.PI / 180;

/** World rotation (rows right, up, forward) for a camera-frame up vector. */
export function rotationForUp(up: V3): number[] {
  // Forward: the optical axis projected on the ground plane; when looking straight up/down, the
  // image's up direction (-y) projected instead.
  let f = normalize([-up[0] * up[2], -up[1] * up[2], 1 - up[2] * up[2]]);
  if (!f || Math.abs(up[2]) > 0.995) {
    const a = -up[1]; // (0,-1,0) . up
    f = normalize([-a * up[0], -1 - a * up[1], -a * up[2]]) ?? [0, 0, 1];
  }
  const r = cross(f, up);
  return [r[0], r[1], r[2], up[0], up[1], up[2], f[0], f[1], f[2]];
}

function tiltDeg(p: Plane): string {
  return ((Math.acos(Math.min(1, -p.normal[1])) * 180) / Math.PI).toFixed(0);
}

/** Floor inlier distance: 1 cm + 0.6% of depth (sensor and model noise grow with range). */
const INLIER_M = 0.01;
const INLIER_PER_DEPTH = 0.006;

function frameOf(
  source: GravitySource,
  up: V3,
  cameraHeight: number | null,
  heightAbove: HeightReference = 'floor',
): WorldFrame {
  const aligned = source !== 'camera-axes';
  return {
    gravitySource: source,
    aligned,
    rotation: rotationForUp(up),
    translation: [0, cameraHeight ?? 0, 0],
    floorY: cameraHeight === null ? null : 0,
    cameraHeight,
    heightAbove: cameraHeight === null ? null : heightAbove,
  };
}

/**
 * What a frame's cameraHeight / floorY refer to, also for graphs stored before `heightAbove` was
 * added (then: the support plane for steep views without a gravity vector, else the floor).
 */
export function heightReferenceOf(frame: WorldFrame): HeightReference | null {
  if (frame.heightAbove !== undefined) return frame.heightAbove;
  if (frame.cameraHeight === null) return null;
  return frame.gravitySource === 'support-plane' ? 'support-plane' : 'floor';
}

/** Heights above the frame's floorY are elevations (above the floor, not a table top). */
export function heightsAreElevations(frame: WorldFrame): boolean {
  return (
    frame.aligned &&
    frame.floorY !== null &&
    frame.gravitySource !== 'support-plane' &&
    frame.heightAbove !== 'support-plane'
  );
}

/** Camera height along `up`: mean of -(up . p) over the plane's inlier points (m). */
function heightAlong(pts: LiftedPoints, plane: Plane, up: V3): number {
  const inl = planeInliers(pts.xyz, plane, INLIER_M, undefined, INLIER_PER_DEPTH);
  let s = 0;
  for (let j = 0; j < inl.length; j++) {
    const o = inl[j]! * 3;
    s -= up[0] * pts.xyz[o]! + up[1] * pts.xyz[o + 1]! + up[2] * pts.xyz[o + 2]!;
  }
  return inl.length > 0 ? s / inl.length : plane.d;
}

/**
 * Whether more than `share` of the points lie clearly (over 5 cm + 1% of depth) below a plane;
 * stops as soon as that is certain (planes through tables and walls have many points below).
 */
function manyBelow(xyz: Float32Array, count: number, p: Plane, share: number): boolean {
  const [nx, ny, nz] = p.normal;
  const d = p.d;
  let below = 0;
  for (let i = 0; i < count; i++) {
    const o = i * 3;
    const z = xyz[o + 2]!;
    // the share only grows: once over, it stays over
    if (
      nx * xyz[o]! + ny * xyz[o + 1]! + nz * z + d < -(0.05 + 0.01 * z) &&
      ++below / count > share
    )
      return true;
  }
  return false;
}

// searchFloor's per-call arrays, reused (grown, never shrunk): the candidates' lattice lookup,
// the inlier marks (cleared per call) and each candidate's lattice slot.
let slotScratch = new Int32Array(0);
let dropScratch = new Uint8Array(0);
let slotOfScratch = new Int32Array(0);

/**
 * Sequential RANSAC for the floor: the lowest large plane whose normal lies within `maxTilt` of
 * `prior`, with the camera between minH and maxH above it; null when there is none (reasons in
 * `notes`).
 */
function searchFloor(
  img: DepthImage,
  pts: LiftedPoints,
  stride: number,
  prior: V3,
  maxTilt: number,
  minH: number,
  maxH: number,
  opts: FrameOptions,
  notes: string[],
  /** Reject planes with points seen through them (the floor); off for supports (a table top). */
  nothingBelow = true,
): Plane | null {
  let floor: Plane | null = null;
  const rng = mulberry32(opts.seed ?? 7);
  const sampleN = Math.min(pts.count, 3000);
  let cand = new Int32Array(sampleN);
  if (sampleN === pts.count) {
    // Shuffled, so RANSAC's scoring prefix is a random subset too.
    for (let i = 0; i < sampleN; i++) cand[i] = i;
    for (let i = sampleN - 1; i > 0; i--) {
      const j = randInt(rng, i + 1);
      const t = cand[i]!;
      cand[i] = cand[j]!;
      cand[j] = t;
    }
  } else for (let i = 0; i < sampleN; i++) cand[i] = randInt(rng, pts.count);
  const minInliers = Math.max(20, Math.floor((opts.minPlaneShare ?? 0.03) * sampleN));
  // Sequential RANSAC: up to 5 planes, each time removing the previous inliers.
  const planes: { plane: Plane; support: number }[] = [];
  // Image-space lookup of candidates, for local sampling (pixels within +-radius). Lifted
  // pixels lie on the stride lattice, so the lookup only stores lattice pixels (stride^2 times
  // smaller than the image; other pixels hold no candidate).
  const cols = Math.ceil(img.width / stride);
  const slots = cols * Math.ceil(img.height / stride);
  if (slotScratch.length < slots) slotScratch = new Int32Array(slots);
  const slot = slotScratch.subarray(0, slots);
  const radius = Math.max(2 * stride, Math.round(img.width / 5));
  if (dropScratch.length < pts.count) {
    dropScratch = new Uint8Array(pts.count);
    slotOfScratch = new Int32Array(pts.count);
  }
  const drop = dropScratch;
  drop.fill(0, 0, pts.count);
  // Lattice slot of every candidate point, computed once for all rounds.
  const slotOf = slotOfScratch;
  for (let q = 0; q < cand.length; q++) {
    const p = pts.pixels[cand[q]!]!;
    const v = (p / img.width) | 0;
    slotOf[cand[q]!] = (v / stride) * cols + (p - v * img.width) / stride;
  }
  for (let round = 0; round < 5 && cand.length >= minInliers; round++) {
    slot.fill(-1);
    for (let q = 0; q < cand.length; q++) slot[slotOf[cand[q]!]!] = q;
    const current = cand;
    const sampleNear = (q: number, r: Rng): number => {
      const p = pts.pixels[current[q]!]!;
      const v = (p / img.width) | 0;
      const u = p - v * img.width;
      for (let t = 0; t < 4; t++) {
        const uu = u + Math.round((r() * 2 - 1) * radius);
        const vv = v + Math.round((r() * 2 - 1) * radius);
        if (uu < 0 || vv < 0 || uu >= img.width || vv >= img.height) continue;
        if (uu % stride !== 0 || vv % stride !== 0) continue;
        const hitq = slot[(vv / stride) * cols + uu / stride]!;
        if (hitq >= 0) return hitq;
      }
      return -1;
    };
    const hit = ransacPlane(pts.xyz, cand, {
      sampleNear,
      prior,
      maxTilt,
      threshold: INLIER_M,
      thresholdPerDepth: INLIER_PER_DEPTH,
      iterations: 200,
      seed: (opts.seed ?? 7) + round * 101,
    });
    if (!hit || hit.inliers.length < minInliers) break;
    if (hit.outsideCone) notes.push('rejected-slanted-plane');
    else if (nothingBelow && manyBelow(pts.xyz, pts.count, hit.plane, 0.03))
      // Nothing is seen through a floor: a "plane" with many points below it is a slice
      // through a wall or a table top, not the ground.
      notes.push('rejected-plane-with-points-below');
    else planes.push({ plane: hit.plane, support: hit.inliers.length });
    // The inliers are candidates of this round; earlier rounds' inliers are no longer candidates,
    // so one marker array serves every round without clearing.
    for (let j = 0; j < hit.inliers.length; j++) drop[hit.inliers[j]!] = 1;
    let kept = 0;
    for (let q = 0; q < cand.length; q++) if (!drop[cand[q]!]) cand[kept++] = cand[q]!;
    cand = cand.subarray(0, kept);
    // The floor is found once no later plane could change it: a later plane has at most
    // cand.length inliers, too few to become dominant or to replace the floor (which takes a
    // fifth of the dominant's support). Only notes about later, rejected planes are skipped.
    let best = 0;
    for (const p of planes)
      if (p.plane.d >= minH && p.plane.d <= maxH && p.support > best) best = p.support;
    if (best > 0 && cand.length < 0.2 * best) break;
  }
  // The dominant admissible plane fixes "up"; the floor is the lowest large plane parallel to it
  // (a table top is parallel but higher; a slanted plane through a wall corner is not parallel).
  const below = planes.filter((p) => p.plane.d >= minH);
  for (const p of planes)
    if (p.plane.d > maxH) notes.push(`plane-implausibly-far:${p.plane.d.toFixed(1)}m`);
  const dominant = below.filter((p) => p.plane.d <= maxH).sort((a, b) => b.support - a.support)[0];
  if (dominant) {
    // A lower plane replaces it only when it is parallel (2 degrees), clearly separate (over
    // 10 cm lower) and large (a fifth of the dominant's support): leftovers of the
    // dominant plane itself must not win.
    floor = dominant.plane;
    const cosPar = Math.cos(2 * DEG);
    for (const p of below)
      if (
        p.plane.d <= maxH &&
        p.plane.d > floor.d + 0.1 &&
        p.support >= 0.2 * dominant.support &&
        dot(p.plane.normal, dominant.plane.normal) >= cosPar
      )
        floor = p.plane;
  }
  if (floor) {
    // Refit on every lifted point near the chosen plane (more support than the sample).
    const inl = planeInliers(pts.xyz, floor, INLIER_M, undefined, INLIER_PER_DEPTH);
    const refit = fitPlane(pts.xyz, inl);
    if (refit) {
      const o: Plane =
        dot(refit.normal, prior) >= 0
          ? refit
          : { normal: [-refit.normal[0], -refit.normal[1], -refit.normal[2]], d: -refit.d };
      if (Math.acos(Math.min(1, dot(o.normal, prior))) <= maxTilt) floor = o;
    }
  }
  return floor;
}

/**
 * Steep views (no gravity hint, no floor within the normal cone): a camera looking down more than
 * 45 degrees at a table top or the floor. Planes within STEEP_CONE of a 65-degree-down view
 * (pitch 40-90 degrees, roll up to 25) are searched with the camera at most maxSupportDistance
 * above them; points below are allowed (the floor around a table top); the lowest large parallel
 * plane wins, as for the floor. A wall seen while looking up looks the same to one plane fit; the distance limit
 * (a support below a hand-held or arm camera is within reach) is what keeps walls further away
 * out, and the frame says 'support-plane' so that nothing calls it the floor.
 */
const STEEP_PRIOR: V3 = [0, -Math.cos(65 * DEG), -Math.sin(65 * DEG)];
const STEEP_CONE = 25 * DEG;

let liftXyz = new Float32Array(0);
let liftPixels = new Int32Array(0);

/** Finds the floor (lowest large near-horizontal plane below the camera) and builds the frame. */
export function estimateFrame(
  img: DepthImage,
  k: Pinhole,
  hint?: GravityHint | null,
  opts: FrameOptions = {},
): FrameResult {
  const notes: string[] = [];
  const hintUp = hint ? normalize(hint.up) : null;
  if (hint && !hintUp) notes.push('gravity-hint-invalid');
  const prior: V3 = hintUp ?? [0, -1, 0];
  const maxTilt = (hintUp ? (opts.maxHintTiltDeg ?? 10) : (opts.maxFloorTiltDeg ?? 45)) * DEG;
  const minH = opts.minCameraHeight ?? 0.1;
  const maxH = opts.maxCameraHeight ?? 10;
  const stride = Math.max(1, Math.round(Math.sqrt((img.width * img.height) / 20000)));
  // The lattice points live only during this call: module-level scratch, not fresh arrays per frame.
  const cap = liftDepthCapacity(img, stride);
  if (liftPixels.length < cap) {
    liftXyz = new Float32Array(cap * 3);
    liftPixels = new Int32Array(cap);
  }
  const count = liftDepthInto(img, k, stride, liftXyz, liftPixels);
  const pts: LiftedPoints = {
    xyz: liftXyz.subarray(0, count * 3),
    pixels: liftPixels.subarray(0, count),
    count,
  };

  let floor: Plane | null = null;
  if (pts.count >= 30)
    floor = searchFloor(img, pts, stride, prior, maxTilt, minH, maxH, opts, notes);
  else notes.push('too-few-depth-points');

  if (hintUp) {
    if (floor)
      return {
        frame: frameOf(hint!.source, hintUp, heightAlong(pts, floor, hintUp)),
        floorPlane: floor,
        notes,
      };
    // No floor (nothing seen below it): looking down at a table top, the floor around it is too
    // small or hidden. The largest plane square to the given up within reach, with points below
    // allowed, still gives the camera's height above the surface it looks at.
    const maxSupport = opts.maxSupportDistance ?? 2;
    const supportNotes: string[] = [];
    const support =
      pts.count >= 30 && opts.steepViews !== false
        ? searchFloor(
            img,
            pts,
            stride,
            hintUp,
            maxTilt,
            minH,
            maxSupport,
            opts,
            supportNotes,
            false,
          )
        : null;
    if (support) {
      const h = heightAlong(pts, support, hintUp);
      notes.push(
        `support-plane-below-camera: ${h.toFixed(2)} m below the camera along the given up (a table top or floor seen from above; camera height is above it, elevations are not given)`,
      );
      return {
        frame: frameOf(hint!.source, hintUp, h, 'support-plane'),
        floorPlane: support,
        notes,
      };
    }
    if (pts.count >= 30)
      notes.push(
        `no-support-plane: no large plane within ${(maxTilt / DEG).toFixed(0)} deg of the given up with nothing seen through it, nor one within ${maxSupport} m of the camera` +
          (supportNotes.length > 0 ? ` (${[...new Set(supportNotes)].join(', ')})` : ''),
      );
    notes.push('no-floor');
    return { frame: frameOf(hint!.source, hintUp, null), floorPlane: null, notes };
  }
  if (floor)
    return { frame: frameOf('floor-plane', floor.normal, floor.d), floorPlane: floor, notes };
  if (pts.count >= 30 && opts.steepViews !== false) {
    const steepNotes: string[] = [];
    const maxSupport = opts.maxSupportDistance ?? 2;
    const support = searchFloor(
      img,
      pts,
      stride,
      STEEP_PRIOR,
      STEEP_CONE,
      minH,
      maxSupport,
      opts,
      steepNotes,
      false,
    );
    // Only planes the normal search could not take (it found none within its cone).
    if (support && Math.acos(Math.min(1, -support.normal[1])) > maxTilt) {
      notes.push(
        `steep-view-support-plane: up from a plane ${tiltDeg(support)} deg from the camera's down axis, ${support.d.toFixed(2)} m below the camera (a table top or floor seen from above)`,
      );
      return {
        frame: frameOf('support-plane', support.normal, support.d, 'support-plane'),
        floorPlane: support,
        notes,
      };
    }
    notes.push(
      `no-support-plane: no large plane within ${(maxTilt / DEG).toFixed(0)} deg of the camera's down axis, nor a steep one (${((65 * DEG - STEEP_CONE) / DEG).toFixed(0)}-90 deg) within ${maxSupport} m of the camera` +
        (steepNotes.length > 0 ? ` (${[...new Set(steepNotes)].join(', ')})` : '') +
        '; give a gravity vector for such views',
    );
  }
  notes.push('no-floor');
  return { frame: frameOf('camera-axes', [0, -1, 0], null), floorPlane: null, notes };
}
