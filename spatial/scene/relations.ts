// Pairwise relations with tie margins (DEFINITIONS.md). Qualitative edges read "subject <predicate>
// object"; value = |difference| of the compared quantity, margin = the tie margin used. A difference
// inside the margin gives a same_* edge where one exists (height, size, width) and no edge otherwise
// (left/right, above/below, front/behind). Facts along gravity need an aligned frame. Left/right is
// the direction seen from the camera (azimuth, degrees), the rest compare world-frame metres.
import type { V3 } from '../geometry/vec';
import {
  aabbCentre,
  aabbGap,
  angleDifference,
  angularWidth,
  azimuthFromCamera,
  clockDirection,
  directDistance,
  horizontalDistance,
  obbVolume,
  verticalDistance,
} from './measurements';
import type { SceneEdge, SceneNode, WorldFrame } from './scene-graph';

/** Margins: absolute floor (m) and share of the pair's typical extent. */
export const MARGINS = {
  /** Degrees: azimuths of centres seen from the camera; rel of the mean angular width. */
  leftRight: { abs: 2, rel: 0.1 },
  aboveBelow: { abs: 0.05, rel: 0.1 }, // y of centres; rel of mean height
  frontBehind: { abs: 0.05, rel: 0.1 }, // z of centres; rel of mean depth
  taller: { abs: 0.03, rel: 0.1 }, // heights; rel of the larger height
  wider: { abs: 0.03, rel: 0.1 }, // widths; rel of the larger width
  bigger: { rel: 0.25 }, // OBB volumes; rel of the larger volume
  /** on_top_of: bottom of subject within this of the top of object (abs m or rel of subject height). */
  support: { abs: 0.04, rel: 0.1, footprintSlack: 0.02 },
  /** No direction edge when centres are closer than this in the ground plane (m). */
  minDirectionDistance: 0.05,
} as const;

export function marginOf(m: { abs: number; rel: number }, scale: number): number {
  return Math.max(m.abs, m.rel * scale);
}

function r4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/** Is ground point (x, z) inside the node's yaw-box footprint grown by `slack`? */
function inFootprint(n: SceneNode, x: number, z: number, slack: number): boolean {
  const c = Math.cos(n.obb.yaw);
  const s = Math.sin(n.obb.yaw);
  const dx = x - n.obb.center[0];
  const dz = z - n.obb.center[2];
  const u = dx * c + dz * s;
  const v = -dx * s + dz * c;
  return Math.abs(u) <= n.obb.extent[0] / 2 + slack && Math.abs(v) <= n.obb.extent[2] / 2 + slack;
}

function ordered(
  edges: SceneEdge[],
  a: SceneNode,
  b: SceneNode,
  diff: number,
  margin: number,
  pos: SceneEdge['predicate'],
  neg: SceneEdge['predicate'],
  unit: 'm' | 'm3' | 'deg',
  tie?: SceneEdge['predicate'],
): void {
  const value = r4(Math.abs(diff));
  const mg = r4(margin);
  if (diff > margin) {
    edges.push({ subject: a.id, object: b.id, predicate: pos, value, unit, margin: mg });
    edges.push({ subject: b.id, object: a.id, predicate: neg, value, unit, margin: mg });
  } else if (diff < -margin) {
    edges.push({ subject: a.id, object: b.id, predicate: neg, value, unit, margin: mg });
    edges.push({ subject: b.id, object: a.id, predicate: pos, value, unit, margin: mg });
  } else if (tie) {
    edges.push({ subject: a.id, object: b.id, predicate: tie, value, unit, margin: mg });
    edges.push({ subject: b.id, object: a.id, predicate: tie, value, unit, margin: mg });
  }
}

/** left_of/right_of difference and margin in degrees: azimuth of b's centre minus a's. */
export function leftRightDecision(
  frame: WorldFrame,
  a: SceneNode,
  b: SceneNode,
): { difference: number; margin: number } {
  const ca: V3 = aabbCentre(a.aabb);
  const cb: V3 = aabbCentre(b.aabb);
  const wa = angularWidth(frame, ca, a.extent.width);
  const wb = angularWidth(frame, cb, b.extent.width);
  return {
    difference: angleDifference(azimuthFromCamera(frame, ca), azimuthFromCamera(frame, cb)),
    margin: marginOf(MARGINS.leftRight, (wa + wb) / 2),
  };
}

/** All edges between two usable nodes (both directions). */
export function relatePair(a: SceneNode, b: SceneNode, frame: WorldFrame): SceneEdge[] {
  const e: SceneEdge[] = [];
  const aligned = frame.aligned;
  const ca: V3 = aabbCentre(a.aabb);
  const cb: V3 = aabbCentre(b.aabb);
  const M = MARGINS;
  // left_of: subject's centre seen further to the viewer's left (smaller azimuth) from the camera.
  const lr = leftRightDecision(frame, a, b);
  ordered(e, a, b, lr.difference, lr.margin, 'left_of', 'right_of', 'deg');
  // in_front_of: subject closer to the viewer along the ground-plane viewing direction (+z away).
  ordered(
    e,
    a,
    b,
    cb[2] - ca[2],
    marginOf(M.frontBehind, (a.extent.depth + b.extent.depth) / 2),
    'in_front_of',
    'behind',
    'm',
  );
  const va = obbVolume(a.obb);
  const vb = obbVolume(b.obb);
  ordered(
    e,
    a,
    b,
    va - vb,
    M.bigger.rel * Math.max(va, vb),
    'bigger_than',
    'smaller_than',
    'm3',
    'same_size',
  );
  ordered(
    e,
    a,
    b,
    a.extent.width - b.extent.width,
    marginOf(M.wider, Math.max(a.extent.width, b.extent.width)),
    'wider_than',
    'thinner_than',
    'm',
    'same_width',
  );
  if (aligned) {
    ordered(
      e,
      a,
      b,
      ca[1] - cb[1],
      marginOf(M.aboveBelow, (a.extent.height + b.extent.height) / 2),
      'above',
      'below',
      'm',
    );
    ordered(
      e,
      a,
      b,
      a.extent.height - b.extent.height,
      marginOf(M.taller, Math.max(a.extent.height, b.extent.height)),
      'taller_than',
      'shorter_than',
      'm',
      'same_height',
    );
    for (const [s, o, cs] of [
      [a, b, ca],
      [b, a, cb],
    ] as const) {
      const tol = marginOf(M.support, s.extent.height);
      const gap = s.aabb.min[1] - o.aabb.max[1];
      if (
        Math.abs(gap) <= tol &&
        cs[1] > aabbCentre(o.aabb)[1] &&
        inFootprint(o, cs[0], cs[2], M.support.footprintSlack)
      )
        e.push({
          subject: s.id,
          object: o.id,
          predicate: 'on_top_of',
          value: r4(Math.abs(gap)),
          unit: 'm',
          margin: r4(tol),
        });
    }
  }
  const dd = r4(directDistance(ca, cb));
  e.push({ subject: a.id, object: b.id, predicate: 'direct_distance', value: dd, unit: 'm' });
  e.push({
    subject: a.id,
    object: b.id,
    predicate: 'closest_distance',
    value: r4(aabbGap(a.aabb, b.aabb)),
    unit: 'm',
  });
  const hd = horizontalDistance(ca, cb);
  e.push({
    subject: a.id,
    object: b.id,
    predicate: 'horizontal_distance',
    value: r4(hd),
    unit: 'm',
  });
  if (aligned)
    e.push({
      subject: a.id,
      object: b.id,
      predicate: 'vertical_distance',
      value: r4(verticalDistance(ca, cb)),
      unit: 'm',
    });
  if (hd >= M.minDirectionDistance) {
    e.push({
      subject: a.id,
      object: b.id,
      predicate: 'direction',
      value: r4(clockDirection(ca, cb)),
      unit: 'oclock',
    });
    e.push({
      subject: b.id,
      object: a.id,
      predicate: 'direction',
      value: r4(clockDirection(cb, ca)),
      unit: 'oclock',
    });
  }
  return e;
}

/** Edges among the usable nodes (quality.ok), pairs in id order. */
export function relateNodes(nodes: SceneNode[], frame: WorldFrame): SceneEdge[] {
  const ok = nodes.filter((n) => n.quality.ok);
  const out: SceneEdge[] = [];
  for (let i = 0; i < ok.length; i++)
    for (let j = i + 1; j < ok.length; j++) out.push(...relatePair(ok[i]!, ok[j]!, frame));
  return out;
}
