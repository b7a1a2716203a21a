// Random but consistent SceneGraphs for tests and the benchmark: axis-aligned boxes in the world
// frame (x right, y up, z away from the viewer), nodes and edges computed from them with the
// definitions of spatial/scene/scene-graph.ts. Edges are dropped at random (unknown relations),
// stored one way or both ways, and near-ties get same_* edges or no edge.

import type { SceneEdge, SceneGraph, SceneNode, Vec3 } from '../../scene/scene-graph';
import { mulberry32, scoreOf, type Rng } from '../rng';

export const GEN_MARGINS = {
  /** Positional margin on centroids (above/below, front/behind), metres. */
  position: 0.05,
  /** Left/right margin on the centroids' azimuths seen from the camera, degrees. */
  azimuth: 2,
  /** Extent margin (taller, wider), metres. */
  extent: 0.05,
  /** Relative volume margin (bigger). */
  volumeRel: 0.1,
  /** Support: bottom within this of the other's top, with overlapping footprints. */
  support: 0.02,
};

export interface RandomGraphOptions {
  objects?: number;
  /** Probability that the frame is gravity-aligned (default 0.8). */
  alignedProb?: number;
  /** Probability each edge is kept (default 0.9). */
  keepEdge?: number;
  /** Labels to draw from (repeats make disambiguation necessary). */
  labels?: string[];
  attributes?: string[];
  /** Probability a node has quality.ok false (default 0.05). */
  badQuality?: number;
}

const LABELS = [
  'chair',
  'office chair',
  'bottle',
  'cup',
  'lamp',
  'table',
  'book',
  'plant',
  'bottle',
  'chair',
];
const ATTRS = ['red', 'blue', 'wooden', 'green'];

export interface Box {
  min: Vec3;
  max: Vec3;
}

export function centerOf(b: Box): Vec3 {
  return [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2];
}

export function boxGap(a: Box, b: Box): number {
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const g = Math.max(
      0,
      Math.max(a.min[i] as number, b.min[i] as number) -
        Math.min(a.max[i] as number, b.max[i] as number),
    );
    s += g * g;
  }
  return Math.sqrt(s);
}

/** Azimuth (degrees, positive = viewer's right) of `p` seen from `camera` in the ground plane. */
export function azimuthOf(camera: Vec3, p: Vec3): number {
  return (Math.atan2(p[0] - camera[0], p[2] - camera[2]) * 180) / Math.PI;
}

export function clockOf(from: Vec3, to: Vec3): number {
  const ang = Math.atan2(to[0] - from[0], to[2] - from[2]);
  const h = ((Math.round(ang / (Math.PI / 6)) % 12) + 12) % 12;
  return h === 0 ? 12 : h;
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

export function nodeFromBox(
  id: number,
  label: string,
  attributes: string[],
  b: Box,
  aligned: boolean,
  camera: Vec3,
): SceneNode {
  const c = centerOf(b);
  const w = b.max[0] - b.min[0];
  const h = b.max[1] - b.min[1];
  const d = b.max[2] - b.min[2];
  const closest: Vec3 = [0, 1, 2].map((i) =>
    Math.min(Math.max(camera[i] as number, b.min[i] as number), b.max[i] as number),
  ) as Vec3;
  const distanceFromCamera = Math.hypot(
    closest[0] - camera[0],
    closest[1] - camera[1],
    closest[2] - camera[2],
  );
  return {
    id,
    label,
    attributes,
    bbox2d: [0, 0, 10, 10],
    maskRef: null,
    maskProvenance: null,
    centroid: c,
    aabb: { min: [...b.min], max: [...b.max] },
    obb: { center: c, extent: [w, h, d], yaw: 0 },
    extent: { width: w, height: h, depth: d },
    numPoints: 500,
    elevation: aligned ? b.min[1] : null,
    distanceFromCamera,
    quality: { ok: true, flags: [] },
  };
}

/** Edges between two nodes from their geometry (both directions where a predicate applies). */
export function edgesFor(a: SceneNode, b: SceneNode, aligned: boolean, camera: Vec3): SceneEdge[] {
  const M = GEN_MARGINS;
  const out: SceneEdge[] = [];
  const ca = a.centroid;
  const cb = b.centroid;
  const q = (
    s: SceneNode,
    o: SceneNode,
    predicate: SceneEdge['predicate'],
    value: number,
    margin: number,
  ) => out.push({ subject: s.id, object: o.id, predicate, value, margin });
  // left/right: directions seen from the camera (spatial/scene/DEFINITIONS.md), in degrees
  const dx = cb[0] - ca[0];
  const dAz = azimuthOf(camera, cb) - azimuthOf(camera, ca);
  if (dAz > M.azimuth) {
    q(a, b, 'left_of', dAz, M.azimuth);
    q(b, a, 'right_of', dAz, M.azimuth);
  } else if (-dAz > M.azimuth) {
    q(b, a, 'left_of', -dAz, M.azimuth);
    q(a, b, 'right_of', -dAz, M.azimuth);
  }
  const dy = ca[1] - cb[1];
  if (dy > M.position) {
    q(a, b, 'above', dy, M.position);
    q(b, a, 'below', dy, M.position);
  } else if (-dy > M.position) {
    q(b, a, 'above', -dy, M.position);
    q(a, b, 'below', -dy, M.position);
  }
  const dz = cb[2] - ca[2];
  if (dz > M.position) {
    q(a, b, 'in_front_of', dz, M.position);
    q(b, a, 'behind', dz, M.position);
  } else if (-dz > M.position) {
    q(b, a, 'in_front_of', -dz, M.position);
    q(a, b, 'behind', -dz, M.position);
  }
  const va = a.extent.width * a.extent.height * a.extent.depth;
  const vb = b.extent.width * b.extent.height * b.extent.depth;
  const vm = M.volumeRel * Math.max(va, vb);
  if (va - vb > vm) {
    q(a, b, 'bigger_than', va - vb, vm);
    q(b, a, 'smaller_than', va - vb, vm);
  } else if (vb - va > vm) {
    q(b, a, 'bigger_than', vb - va, vm);
    q(a, b, 'smaller_than', vb - va, vm);
  } else q(a, b, 'same_size', va - vb, vm);
  const dh = a.extent.height - b.extent.height;
  if (dh > M.extent) {
    q(a, b, 'taller_than', dh, M.extent);
    q(b, a, 'shorter_than', dh, M.extent);
  } else if (-dh > M.extent) {
    q(b, a, 'taller_than', -dh, M.extent);
    q(a, b, 'shorter_than', -dh, M.extent);
  } else q(a, b, 'same_height', dh, M.extent);
  const dw = a.extent.width - b.extent.width;
  if (dw > M.extent) {
    q(a, b, 'wider_than', dw, M.extent);
    q(b, a, 'thinner_than', dw, M.extent);
  } else if (-dw > M.extent) {
    q(b, a, 'wider_than', -dw, M.extent);
    q(a, b, 'thinner_than', -dw, M.extent);
  } else q(a, b, 'same_width', dw, M.extent);
  if (aligned) {
    for (const [s, o] of [
      [a, b],
      [b, a],
    ] as const)
      if (supports(o, s)) out.push({ subject: s.id, object: o.id, predicate: 'on_top_of' });
  }
  const m = (predicate: SceneEdge['predicate'], value: number, unit: 'm' | 'oclock' = 'm') =>
    out.push({ subject: a.id, object: b.id, predicate, value, unit });
  m('direct_distance', Math.hypot(dx, ca[1] - cb[1], dz));
  m('closest_distance', boxGap(a.aabb, b.aabb));
  m('horizontal_distance', Math.hypot(dx, dz));
  m('vertical_distance', Math.abs(ca[1] - cb[1]));
  out.push({
    subject: a.id,
    object: b.id,
    predicate: 'direction',
    value: clockOf(ca, cb),
    unit: 'oclock',
  });
  out.push({
    subject: b.id,
    object: a.id,
    predicate: 'direction',
    value: clockOf(cb, ca),
    unit: 'oclock',
  });
  return out;
}

/** Does `top` rest on `base`: bottom within the support margin of base's top, footprints overlapping. */
export function supports(base: SceneNode, top: SceneNode): boolean {
  const A = base.aabb;
  const B = top.aabb;
  return (
    Math.abs(B.min[1] - A.max[1]) <= GEN_MARGINS.support &&
    B.min[0] < A.max[0] &&
    B.max[0] > A.min[0] &&
    B.min[2] < A.max[2] &&
    B.max[2] > A.min[2]
  );
}

export function randomGraph(seed: number, o: RandomGraphOptions = {}): SceneGraph {
  const rng = mulberry32(seed);
  const n = o.objects ?? 2 + Math.floor(rng() * 7);
  const aligned = rng() < (o.alignedProb ?? 0.8);
  const camera: Vec3 = [0, aligned ? 1.5 : 0, 0];
  const labels = o.labels ?? LABELS;
  const attrs = o.attributes ?? ATTRS;
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    let w = 0.05 + rng() * 1.2;
    let h = 0.05 + rng() * 1.2;
    let d = 0.05 + rng() * 1.0;
    // near-ties in size with an earlier box
    if (i > 0 && rng() < 0.2) {
      const p = boxes[Math.floor(rng() * i)] as Box;
      w = p.max[0] - p.min[0] + (rng() - 0.5) * 0.04;
      h = p.max[1] - p.min[1] + (rng() - 0.5) * 0.04;
      d = p.max[2] - p.min[2];
    }
    let x = -3 + rng() * 6;
    let z = 1 + rng() * 6;
    let y0 = aligned ? 0 : -1.5;
    // some objects rest on an earlier one
    if (i > 0 && rng() < 0.25) {
      const p = boxes[Math.floor(rng() * i)] as Box;
      x = (p.min[0] + p.max[0]) / 2 + (rng() - 0.5) * 0.1;
      z = (p.min[2] + p.max[2]) / 2 + (rng() - 0.5) * 0.1;
      y0 = p.max[1];
    } else if (rng() < 0.15) y0 += rng() * 1.5; // floating (shelf, wall)
    // near-ties in position
    if (i > 0 && rng() < 0.15)
      x = centerOf(boxes[Math.floor(rng() * i)] as Box)[0] + (rng() - 0.5) * 0.08;
    boxes.push({ min: [x - w / 2, y0, z - d / 2], max: [x + w / 2, y0 + h, z + d / 2] });
  }
  const nodes = boxes.map((b, i) => {
    const a = attrs.filter(() => rng() < 0.25);
    const node = nodeFromBox(i * 3 + 1, pick(rng, labels), a, b, aligned, camera);
    if (rng() < (o.badQuality ?? 0.05)) node.quality = { ok: false, flags: ['too-few-points'] };
    return node;
  });
  const keep = o.keepEdge ?? 0.9;
  const edges: SceneEdge[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      for (const e of edgesFor(nodes[i] as SceneNode, nodes[j] as SceneNode, aligned, camera))
        if (keepEdge(seed, e, keep)) edges.push(e);
  return {
    width: 640,
    height: 480,
    intrinsics: { fx: 500, fy: 500, cx: 320, cy: 240, source: 'test' },
    frame: {
      gravitySource: aligned ? 'given' : 'camera-axes',
      aligned,
      rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      translation: [0, aligned ? 1.5 : 0, 0],
      floorY: aligned ? 0 : null,
      cameraHeight: aligned ? 1.5 : null,
    },
    nodes,
    edges,
  };
}

/** Whether an edge is kept: a stable per-edge draw, so moving one node keeps the others' edges. */
function keepEdge(seed: number, e: SceneEdge, keep: number): boolean {
  return keep >= 1 || scoreOf([seed, e.subject, e.object, e.predicate]) < keep;
}

/**
 * The same graph with node `id`'s box moved by `offset` (its node and every edge touching it
 * recomputed with the same keep rule); every other node and edge is unchanged.
 */
export function withMovedNode(
  graph: SceneGraph,
  seed: number,
  id: number,
  offset: Vec3,
  keep = 0.9,
): SceneGraph {
  const aligned = graph.frame.aligned;
  const camera: Vec3 = [0, aligned ? 1.5 : 0, 0];
  const nodes = graph.nodes.map((n) => {
    if (n.id !== id) return n;
    const b: Box = {
      min: n.aabb.min.map((v, i) => v + (offset[i] as number)) as Vec3,
      max: n.aabb.max.map((v, i) => v + (offset[i] as number)) as Vec3,
    };
    const moved = nodeFromBox(n.id, n.label, n.attributes, b, aligned, camera);
    moved.quality = n.quality;
    return moved;
  });
  const edges = graph.edges.filter((e) => e.subject !== id && e.object !== id);
  const target = nodes.find((n) => n.id === id) as SceneNode;
  const order = nodes.map((n) => n.id);
  for (const other of nodes) {
    if (other.id === id) continue;
    const [a, b] = order.indexOf(other.id) < order.indexOf(id) ? [other, target] : [target, other];
    for (const e of edgesFor(a, b, aligned, camera)) if (keepEdge(seed, e, keep)) edges.push(e);
  }
  return { ...graph, nodes, edges };
}
