// Read-only view of one SceneGraph for QA: which nodes are usable, and the relations between them
// exactly as the graph states them. Nothing is recomputed from geometry: a relation with no edge
// is unknown, conflicting edges are unknown, and an edge whose value is inside its own margin is a
// near-tie ("unmet"), never a decision.

import type { SceneEdge, SceneGraph, SceneNode } from '../scene/scene-graph';
import { checkLabel } from './labels';
import type { ResolvedOptions } from './types';

export type Axis =
  'left_right' | 'above_below' | 'behind_front' | 'big_small' | 'tall_short' | 'wide_thin';

/** pos: "subject pos object" (left_of, above, behind, bigger, taller, wider). */
export const AXES: Record<
  Axis,
  { pos: string; neg: string; same: string | null; vertical: boolean }
> = {
  left_right: { pos: 'left_of', neg: 'right_of', same: null, vertical: false },
  above_below: { pos: 'above', neg: 'below', same: null, vertical: true },
  behind_front: { pos: 'behind', neg: 'in_front_of', same: null, vertical: false },
  big_small: { pos: 'bigger_than', neg: 'smaller_than', same: 'same_size', vertical: false },
  tall_short: { pos: 'taller_than', neg: 'shorter_than', same: 'same_height', vertical: false },
  wide_thin: { pos: 'wider_than', neg: 'thinner_than', same: 'same_width', vertical: false },
};

export type Relation = 'pos' | 'neg' | 'same';
export type RelationResult = Relation | 'unknown' | 'conflict' | 'unmet';

export type MetricName =
  | 'direct_distance'
  | 'closest_distance'
  | 'horizontal_distance'
  | 'vertical_distance'
  | 'direction';

export type MetricResult = { ok: true; value: number } | { ok: false; reason: string };

const SYMMETRIC = new Set<string>([
  'direct_distance',
  'closest_distance',
  'horizontal_distance',
  'vertical_distance',
]);

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function finiteVec(v: unknown): boolean {
  return Array.isArray(v) && v.length === 3 && v.every(finite);
}

export class Counter {
  readonly counts: Record<string, number> = {};
  add(reason: string, n = 1): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + n;
  }
}

export class SceneFacts {
  readonly aligned: boolean;
  readonly floorKnown: boolean;
  /** Usable nodes (quality ok, geometry valid), by ascending id. */
  readonly usable: SceneNode[] = [];
  readonly byId = new Map<number, SceneNode>();
  /** Every node with a numeric id, usable or not (disambiguation must see them all), except excluded ones. */
  readonly all: SceneNode[] = [];
  /** Nodes a reviewer excluded from QA: never a subject, not counted when naming others. */
  readonly excluded: SceneNode[] = [];
  /** Sanitized label per usable node; null when the label was rejected. */
  readonly labels = new Map<number, string | null>();
  /** Dense table: (subject index, object index, predicate) -> edge. */
  private edges: (SceneEdge | undefined)[] = [];
  /** Dense index per usable node id, for numeric edge keys. */
  private readonly index = new Map<number, number>();
  /** index for ids 0..length-1 (-1 = not usable); other ids go through `index`. */
  private denseIndex = new Int32Array(0);
  private readonly onTop = new Map<number, number[]>();
  /** Nodes with an on_top_of edge from an unusable node: "what is on X" would be incomplete. */
  readonly supportIncomplete = new Set<number>();

  constructor(
    graph: SceneGraph,
    readonly opts: ResolvedOptions,
    readonly skipped: Counter,
  ) {
    const frame = graph.frame as SceneGraph['frame'] | undefined;
    this.aligned = frame?.aligned === true && frame.gravitySource !== 'camera-axes';
    this.floorKnown = this.aligned && finite(frame?.floorY);
    const seen = new Set<number>();
    const nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
    for (const n of nodes) {
      if (!n || !finite(n.id)) {
        skipped.add('node-invalid');
        continue;
      }
      if (seen.has(n.id)) {
        skipped.add('node-duplicate-id');
        continue;
      }
      seen.add(n.id);
      if (n.excluded) {
        skipped.add('node-excluded');
        this.excluded.push(n);
        continue;
      }
      this.all.push(n);
      const reason = nodeProblem(n);
      if (reason) {
        skipped.add(reason);
        continue;
      }
      this.byId.set(n.id, n);
      this.usable.push(n);
      const label = checkLabel(n.label, opts.maxLabelLength);
      this.labels.set(n.id, label.ok ? label.text : null);
      if (!label.ok) skipped.add(label.reason);
    }
    this.usable.sort((a, b) => a.id - b.id);
    this.all.sort((a, b) => a.id - b.id);
    this.usable.forEach((n, i) => this.index.set(n.id, i));
    // Small non-negative integer ids (the usual case) also get a dense lookup table.
    const cap = 4 * this.usable.length + 64;
    let maxId = -1;
    for (const u of this.usable)
      if (Number.isInteger(u.id) && u.id >= 0 && u.id < cap && u.id > maxId) maxId = u.id;
    this.denseIndex = new Int32Array(maxId + 1).fill(-1);
    this.usable.forEach((u, i) => {
      if (Number.isInteger(u.id) && u.id >= 0 && u.id <= maxId) this.denseIndex[u.id] = i;
    });
    const n = this.usable.length;
    this.edges = new Array<SceneEdge | undefined>(n ** 2 * PREDICATE_COUNT);
    const edges = Array.isArray(graph.edges) ? graph.edges : [];
    for (const e of edges) {
      if (!e || typeof e.predicate !== 'string') {
        skipped.add('edge-invalid');
        continue;
      }
      if (e.value !== undefined && !finite(e.value)) {
        skipped.add('edge-invalid');
        continue;
      }
      const ia = this.indexOf(e.subject);
      const ib = this.indexOf(e.object);
      if (ia === undefined || ib === undefined || e.subject === e.object) {
        if (e.predicate === 'on_top_of' && ib !== undefined) this.supportIncomplete.add(e.object);
        skipped.add('edge-unusable-node');
        continue;
      }
      const p = PREDICATE_INDEX.get(e.predicate);
      if (p === undefined) {
        skipped.add('edge-unknown-predicate');
        continue;
      }
      const key = (ia * n + ib) * PREDICATE_COUNT + p;
      const prev = this.edges[key];
      if (prev && prev.value !== e.value) {
        skipped.add('edge-conflict');
        this.edges[key] = { ...e, value: Number.NaN };
        continue;
      }
      this.edges[key] = e;
      if (e.predicate === 'on_top_of') {
        const list = this.onTop.get(e.object) ?? [];
        if (!list.includes(e.subject)) list.push(e.subject);
        this.onTop.set(e.object, list);
      }
    }
    for (const list of this.onTop.values()) list.sort((a, b) => a - b);
  }

  /** Dense index of a usable node id, undefined for any other value. */
  private indexOf(id: number): number | undefined {
    const dense = this.denseIndex;
    if (typeof id === 'number' && id >= 0 && id < dense.length && id === Math.floor(id)) {
      const i = dense[id]!;
      return i >= 0 ? i : undefined;
    }
    return this.index.get(id);
  }

  edge(a: number, b: number, predicate: string): SceneEdge | undefined {
    const k = this.key(a, b, predicate);
    return k < 0 ? undefined : this.edges[k];
  }

  private key(a: number, b: number, predicate: string): number {
    const ia = this.indexOf(a);
    const ib = this.indexOf(b);
    const p = PREDICATE_INDEX.get(predicate);
    if (ia === undefined || ib === undefined || p === undefined) return -1;
    return (ia * this.usable.length + ib) * PREDICATE_COUNT + p;
  }

  /** How a relates to b on an axis, from the edges alone. */
  relation(a: number, b: number, axis: Axis): RelationResult {
    const ax = AXIS_INDEX[axis];
    const ia = this.indexOf(a);
    const ib = this.indexOf(b);
    let pos: SceneEdge | undefined;
    let neg: SceneEdge | undefined;
    let same: SceneEdge | undefined;
    if (ia !== undefined && ib !== undefined) {
      const n = this.usable.length;
      const ab = (ia * n + ib) * PREDICATE_COUNT;
      const ba = (ib * n + ia) * PREDICATE_COUNT;
      const edges = this.edges;
      pos = edges[ab + ax.pos] ?? edges[ba + ax.neg];
      neg = edges[ab + ax.neg] ?? edges[ba + ax.pos];
      if (ax.same >= 0) same = edges[ab + ax.same] ?? edges[ba + ax.same];
    }
    const found = (pos ? 1 : 0) + (neg ? 1 : 0) + (same ? 1 : 0);
    if (found === 0) return 'unknown';
    if (found > 1) return 'conflict';
    if (same) return 'same';
    const e = (pos ?? neg) as SceneEdge;
    if (Number.isNaN(e.value)) return 'conflict';
    if (finite(e.value) && finite(e.margin) && Math.abs(e.value) < e.margin) return 'unmet';
    return pos ? 'pos' : 'neg';
  }

  /** A metric fact: symmetric distances from either direction, direction only as stored. */
  metric(a: number, b: number, predicate: MetricName): MetricResult {
    const ab = this.edge(a, b, predicate);
    const ba = SYMMETRIC.has(predicate) ? this.edge(b, a, predicate) : undefined;
    if (!ab && !ba) return { ok: false, reason: 'relation-unknown' };
    const va = ab?.value;
    const vb = ba?.value;
    if ((ab && !finite(va)) || (ba && !finite(vb))) return { ok: false, reason: 'edge-invalid' };
    if (finite(va) && finite(vb) && Math.abs(va - vb) > 1e-6)
      return { ok: false, reason: 'relation-conflict' };
    const v = (finite(va) ? va : vb) as number;
    if (predicate !== 'direction' && v < 0) return { ok: false, reason: 'edge-invalid' };
    return { ok: true, value: v };
  }

  /** Ids of usable nodes resting on `id` (on_top_of edges), ascending. */
  supported(id: number): number[] {
    return this.onTop.get(id) ?? [];
  }

  label(id: number): string | null {
    return this.labels.get(id) ?? null;
  }
}

const PREDICATES = [
  'left_of',
  'right_of',
  'above',
  'below',
  'in_front_of',
  'behind',
  'bigger_than',
  'smaller_than',
  'taller_than',
  'shorter_than',
  'wider_than',
  'thinner_than',
  'on_top_of',
  'same_height',
  'same_size',
  'same_width',
  'direct_distance',
  'closest_distance',
  'horizontal_distance',
  'vertical_distance',
  'direction',
];
const PREDICATE_INDEX = new Map(PREDICATES.map((p, i) => [p, i]));
const PREDICATE_COUNT = PREDICATES.length;

/** AXES with predicate indices (same: -1 when the axis has no same_* predicate). */
const AXIS_INDEX = Object.fromEntries(
  Object.entries(AXES).map(([axis, ax]) => [
    axis,
    {
      pos: PREDICATE_INDEX.get(ax.pos) as number,
      neg: PREDICATE_INDEX.get(ax.neg) as number,
      same: ax.same === null ? -1 : (PREDICATE_INDEX.get(ax.same) as number),
    },
  ]),
) as Record<Axis, { pos: number; neg: number; same: number }>;

/** Why a node can't be used for facts, or null. */
export function nodeProblem(n: SceneNode): string | null {
  if (!n.quality || n.quality.ok !== true) return 'node-quality';
  const x = n.extent as SceneNode['extent'] | undefined;
  if (!x || ![x.width, x.height, x.depth].every((v) => finite(v) && v > 0)) return 'missing-extent';
  if (!finiteVec(n.centroid)) return 'invalid-geometry';
  if (!finite(n.distanceFromCamera) || n.distanceFromCamera < 0) return 'invalid-geometry';
  return null;
}
