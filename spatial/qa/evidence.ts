// The measured numbers behind one QA, read from its scene graph, for the review card: the two
// azimuths seen from the camera for left/right (with the difference and tie margin the relation
// used), and for metric answers the value, unit and the two points it was measured between (world
// frame, and projected into the image for the 2D canvas). Definitions: spatial/scene/DEFINITIONS.md.
// Pure: takes the stored graph and the QA's own record (family, subjects, steps).

import type { V3 } from '../geometry/vec';
import { aabbCentre, azimuthFromCamera, cameraCentre } from '../scene/measurements';
import { leftRightDecision } from '../scene/relations';
import type { SceneEdge, SceneGraph, SceneNode } from '../scene/scene-graph';

export interface EvidencePoint {
  /** The object the point belongs to; null for the camera or the floor. */
  objectId: number | null;
  /** Which point: 'centre', 'closest point', 'camera', 'floor', 'left side', ... */
  role: string;
  /** World frame, metres. */
  world: V3;
  /** Image pixel (x right, y down); null when the point is behind the camera. */
  pixel: [number, number] | null;
}

export interface AzimuthEvidence {
  objectId: number;
  /** Degrees in the ground plane seen from the camera: 0 straight ahead, positive = right. */
  degrees: number;
  /** Offset of the centre along the viewer's left-right axis from the camera (m): not what decides. */
  lateral: number;
  centre: EvidencePoint;
  /** Bottom and top of the object's box below/above the centre: the line drawn on the image. */
  span: [EvidencePoint, EvidencePoint];
}

export interface LeftRightComparison {
  subject: number;
  object: number;
  /** Azimuth of object − azimuth of subject (degrees): positive = subject is left of object. */
  difference: number;
  margin: number;
  /** What the scene graph states for (subject, object): left_of, right_of or null (a tie, or no edge). */
  stated: 'left_of' | 'right_of' | null;
}

export interface LengthEvidence {
  /** The graph quantity: direct_distance, closest_distance, width, elevation, ... */
  measure: string;
  value: number;
  unit: 'm' | 'oclock';
  from: EvidencePoint;
  to: EvidencePoint;
  /** Set when the endpoints are a stand-in (the graph does not store the exact points). */
  note?: string;
}

export interface QaEvidence {
  camera: V3;
  azimuths: AzimuthEvidence[];
  comparisons: LeftRightComparison[];
  lengths: LengthEvidence[];
}

/** What evidence needs from a QA: its own record, as generated (spatial/qa/types.ts QaPair). */
export interface QaForEvidence {
  family: string;
  subjects: readonly number[];
  steps?: ReadonlyArray<{ predicate?: unknown; subjects?: unknown }>;
}

const PAIR_MEASURES: Record<string, string> = {
  direct_distance: 'direct_distance',
  horizontal_distance: 'horizontal_distance',
  vertical_distance: 'vertical_distance',
  gap: 'closest_distance',
  direction: 'direction',
};
const NODE_MEASURES = new Set([
  'width',
  'height',
  'depth_extent',
  'elevation',
  'distance_from_camera',
]);

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** World point -> image pixel through the graph's frame and intrinsics (p_c = Rᵀ (p_w − t)). */
export function projectToImage(graph: SceneGraph, p: V3): [number, number] | null {
  const R = graph.frame.rotation;
  const t = graph.frame.translation;
  const d = [p[0] - t[0], p[1] - t[1], p[2] - t[2]];
  // R is orthogonal (rows right, up, forward), so its inverse is its transpose.
  const x = R[0]! * d[0]! + R[3]! * d[1]! + R[6]! * d[2]!;
  const y = R[1]! * d[0]! + R[4]! * d[1]! + R[7]! * d[2]!;
  const z = R[2]! * d[0]! + R[5]! * d[1]! + R[8]! * d[2]!;
  if (!(z > 1e-6)) return null;
  const k = graph.intrinsics;
  return [(k.fx * x) / z + k.cx, (k.fy * y) / z + k.cy];
}

/** Closest points of two boxes, per axis: facing faces apart, the middle of an overlap. */
function closestPoints(a: SceneNode, b: SceneNode): [V3, V3] {
  const pa: number[] = [];
  const pb: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [a0, a1, b0, b1] = [a.aabb.min[i]!, a.aabb.max[i]!, b.aabb.min[i]!, b.aabb.max[i]!];
    if (a1 < b0) {
      pa.push(a1);
      pb.push(b0);
    } else if (b1 < a0) {
      pa.push(a0);
      pb.push(b1);
    } else {
      const mid = (Math.max(a0, b0) + Math.min(a1, b1)) / 2;
      pa.push(mid);
      pb.push(mid);
    }
  }
  return [pa as V3, pb as V3];
}

/**
 * Evidence for one QA, or null when the graph lacks its objects. Left/right QA (and multi-hop
 * steps on left/right) give azimuths; distance, size, elevation and direction QA (and distance
 * steps) give lengths with their endpoints.
 */
export function qaEvidence(graph: SceneGraph, qa: QaForEvidence): QaEvidence | null {
  return evidenceOf(graph)(qa);
}

/** qaEvidence with the graph's lookups built once, for the many QA of one image. */
export function evidenceOf(graph: SceneGraph): (qa: QaForEvidence) => QaEvidence | null {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = new Map<string, SceneEdge>();
  for (const e of graph.edges) edges.set(`${e.subject}|${e.object}|${e.predicate}`, e);
  const edge = (a: number, b: number, predicate: string) => edges.get(`${a}|${b}|${predicate}`);
  return (qa) => evidenceWith(graph, nodes, edge, qa);
}

function evidenceWith(
  graph: SceneGraph,
  nodes: ReadonlyMap<number, SceneNode>,
  edge: (a: number, b: number, predicate: string) => SceneEdge | undefined,
  qa: QaForEvidence,
): QaEvidence | null {
  /** A metric edge's value; distances are symmetric, a direction is read as stored. */
  const edgeValue = (a: number, b: number, predicate: string): number | null => {
    const v = edge(a, b, predicate)?.value;
    if (finite(v)) return v;
    const w = predicate === 'direction' ? undefined : edge(b, a, predicate)?.value;
    return finite(w) ? w : null;
  };
  const point = (objectId: number | null, role: string, world: V3): EvidencePoint => ({
    objectId,
    role,
    world,
    pixel: projectToImage(graph, world),
  });
  const camera = cameraCentre(graph.frame);
  const out: QaEvidence = { camera, azimuths: [], comparisons: [], lengths: [] };

  const addAzimuth = (n: SceneNode): void => {
    if (out.azimuths.some((a) => a.objectId === n.id)) return;
    const c = aabbCentre(n.aabb);
    out.azimuths.push({
      objectId: n.id,
      degrees: azimuthFromCamera(graph.frame, c),
      lateral: c[0] - camera[0],
      centre: point(n.id, 'centre', c),
      span: [
        point(n.id, 'bottom', [c[0], n.aabb.min[1], c[2]]),
        point(n.id, 'top', [c[0], n.aabb.max[1], c[2]]),
      ],
    });
  };
  const addLeftRight = (a: SceneNode, b: SceneNode): void => {
    addAzimuth(a);
    addAzimuth(b);
    const d = leftRightDecision(graph.frame, a, b);
    const stated = edge(a.id, b.id, 'left_of') ?? edge(a.id, b.id, 'right_of');
    out.comparisons.push({
      subject: a.id,
      object: b.id,
      difference: d.difference,
      margin: d.margin,
      stated: (stated?.predicate as 'left_of' | 'right_of' | undefined) ?? null,
    });
  };
  const addPair = (measure: string, a: SceneNode, b: SceneNode): void => {
    const ca = aabbCentre(a.aabb);
    const cb = aabbCentre(b.aabb);
    const value = edgeValue(a.id, b.id, measure);
    if (value === null) return;
    let from = point(a.id, 'centre', ca);
    let to = point(b.id, 'centre', cb);
    if (measure === 'horizontal_distance')
      to = point(b.id, 'centre at the height of the first', [cb[0], ca[1], cb[2]]);
    else if (measure === 'vertical_distance')
      to = point(b.id, 'height of its centre', [ca[0], cb[1], ca[2]]);
    else if (measure === 'closest_distance') {
      const [pa, pb] = closestPoints(a, b);
      from = point(a.id, 'closest point', pa);
      to = point(b.id, 'closest point', pb);
    }
    out.lengths.push({ measure, value, unit: measure === 'direction' ? 'oclock' : 'm', from, to });
  };
  const addNode = (measure: string, n: SceneNode): void => {
    const c = aabbCentre(n.aabb);
    const { min, max } = n.aabb;
    const len = (from: EvidencePoint, to: EvidencePoint, value: number, note?: string) =>
      out.lengths.push({ measure, value, unit: 'm', from, to, ...(note ? { note } : {}) });
    if (measure === 'width')
      len(
        point(n.id, 'left side', [min[0], c[1], c[2]]),
        point(n.id, 'right side', [max[0], c[1], c[2]]),
        n.extent.width,
      );
    else if (measure === 'height')
      len(
        point(n.id, 'bottom', [c[0], min[1], c[2]]),
        point(n.id, 'top', [c[0], max[1], c[2]]),
        n.extent.height,
      );
    else if (measure === 'depth_extent')
      len(
        point(n.id, 'near side', [c[0], c[1], min[2]]),
        point(n.id, 'far side', [c[0], c[1], max[2]]),
        n.extent.depth,
      );
    else if (measure === 'elevation' && n.elevation !== null && finite(graph.frame.floorY))
      len(
        point(null, 'floor', [c[0], graph.frame.floorY, c[2]]),
        point(n.id, 'bottom', [c[0], min[1], c[2]]),
        n.elevation,
      );
    else if (measure === 'distance_from_camera') {
      const d = [c[0] - camera[0], c[1] - camera[1], c[2] - camera[2]];
      const r = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
      const s = n.distanceFromCamera / r;
      len(
        point(null, 'camera', camera),
        point(n.id, 'nearest point (drawn towards the centre)', [
          camera[0] + d[0]! * s,
          camera[1] + d[1]! * s,
          camera[2] + d[2]! * s,
        ]),
        n.distanceFromCamera,
        'the graph stores the distance to the nearest point, not the point: drawn along the line to the centre',
      );
    }
  };

  const subjects = qa.subjects.map((id) => nodes.get(id));
  if (subjects.length === 0 || subjects.some((n) => n === undefined)) return null;
  const [a, b, c] = subjects as SceneNode[];
  if (qa.family === 'left_right' && a && b) addLeftRight(a, b);
  else if (PAIR_MEASURES[qa.family] && a && b) addPair(PAIR_MEASURES[qa.family]!, a, b);
  else if (NODE_MEASURES.has(qa.family) && a) addNode(qa.family, a);
  else if (qa.family === 'closer_to' && a && b && c) {
    addPair('direct_distance', a, c);
    addPair('direct_distance', b, c);
  }
  // Multi-hop: each step that reads a distance or a left/right edge.
  for (const s of qa.steps ?? []) {
    const ids = Array.isArray(s.subjects) ? (s.subjects as unknown[]) : [];
    const p = nodes.get(ids[0] as number);
    const q = nodes.get(ids[1] as number);
    if (!p || !q) continue;
    if (s.predicate === 'direct_distance') addPair('direct_distance', p, q);
    else if (s.predicate === 'left_of' || s.predicate === 'right_of') addLeftRight(p, q);
  }
  return out;
}
