// Accuracy of a built scene graph against a synthetic scene's exact ground truth: relative extent
// errors of well-observed objects, qualitative relations and centre distances compared with the
// graph the true boxes give. Shared by the property tests and bench/spatial-bench.ts. Pure.
import { directDistance, aabbCentre } from './measurements';
import { relateNodes } from './relations';
import type { SceneEdge, SceneGraph, SceneNode, WorldFrame } from './scene-graph';
import { truthOf, type SynthScene } from './synthetic-scene';
import { unoccluded } from './test-support';

export interface AccuracySample {
  /**
   * |measured − true| / true per axis, for unoccluded objects measured as ok, of the extents the
   * graph states as observed (all of them for graphs without extent statuses).
   */
  width: number[];
  height: number[];
  depth: number[];
  /** The same for every extent of those objects, observed or not. */
  everyExtent: number[];
  /** Extents of those objects the graph states as bounded (occluded or cut by the border). */
  bounded: number;
  /** Relations the true boxes decide (not ties): same predicate, the opposite one, or none. */
  relationsRight: number;
  relationsWrong: number;
  relationsUndecided: number;
  /** |measured − true| / true of the centre-to-centre distance, per pair of ok nodes. */
  distance: number[];
}

export function emptyAccuracy(): AccuracySample {
  return {
    width: [],
    height: [],
    depth: [],
    everyExtent: [],
    bounded: 0,
    relationsRight: 0,
    relationsWrong: 0,
    relationsUndecided: 0,
    distance: [],
  };
}

const OPPOSITE: Record<string, string> = {
  left_of: 'right_of',
  right_of: 'left_of',
  above: 'below',
  below: 'above',
  in_front_of: 'behind',
  behind: 'in_front_of',
  bigger_than: 'smaller_than',
  smaller_than: 'bigger_than',
  taller_than: 'shorter_than',
  shorter_than: 'taller_than',
  wider_than: 'thinner_than',
  thinner_than: 'wider_than',
};

function truthNode(sc: SynthScene, n: SceneNode): SceneNode | null {
  const s = sc.shapes.find((x) => x.id === n.id);
  if (!s) return null;
  const t = truthOf(s);
  return {
    ...n,
    centroid: t.centre,
    aabb: t.aabb,
    obb: {
      center: t.centre,
      extent: [s.sx, s.y1 - s.y0, s.sz],
      yaw: s.kind === 'box' ? s.yaw : 0,
    },
    extent: t.extent,
    elevation: t.elevation,
    quality: { ok: true, flags: [] },
  };
}

/** Adds one scene's errors to `acc`. */
export function scoreScene(sc: SynthScene, g: SceneGraph, acc: AccuracySample): void {
  const ok = g.nodes.filter((n) => n.quality.ok);
  for (const n of ok) {
    const s = sc.shapes.find((x) => x.id === n.id);
    if (!s || !unoccluded(sc, s)) continue;
    const t = truthOf(s).extent;
    for (const axis of ['width', 'height', 'depth'] as const) {
      const e = Math.abs(n.extent[axis] - t[axis]) / t[axis];
      acc.everyExtent.push(e);
      if (n.extentStatus && n.extentStatus[axis] !== 'observed') acc.bounded++;
      else acc[axis].push(e);
    }
  }
  for (const { outcome } of relationOutcomes(sc, g)) {
    if (outcome === 'right') acc.relationsRight++;
    else if (outcome === 'wrong') acc.relationsWrong++;
    else acc.relationsUndecided++;
  }
  const truth = ok.map((n) => truthNode(sc, n)).filter((n): n is SceneNode => n !== null);
  for (let i = 0; i < ok.length; i++)
    for (let j = i + 1; j < ok.length; j++) {
      const ti = truth.find((n) => n.id === ok[i]!.id);
      const tj = truth.find((n) => n.id === ok[j]!.id);
      if (!ti || !tj) continue;
      const d = directDistance(aabbCentre(ti.aabb), aabbCentre(tj.aabb));
      const m = directDistance(aabbCentre(ok[i]!.aabb), aabbCentre(ok[j]!.aabb));
      acc.distance.push(Math.abs(m - d) / d);
    }
}

/**
 * Each relation the true boxes of the graph's ok nodes decide (not ties), with what the graph
 * states: the same predicate ('right'), the opposite one ('wrong') or neither ('undecided').
 */
export function relationOutcomes(
  sc: SynthScene,
  g: SceneGraph,
): { edge: SceneEdge; outcome: 'right' | 'wrong' | 'undecided' }[] {
  const truthFrame: WorldFrame = {
    ...g.frame,
    aligned: true,
    translation: [0, sc.cameraHeight, 0],
    floorY: 0,
    cameraHeight: sc.cameraHeight,
  };
  const truth = g.nodes
    .filter((n) => n.quality.ok)
    .map((n) => truthNode(sc, n))
    .filter((n): n is SceneNode => n !== null);
  const key = (e: SceneEdge) => `${e.subject}|${e.object}|${e.predicate}`;
  const measured = new Set(g.edges.map(key));
  const out: { edge: SceneEdge; outcome: 'right' | 'wrong' | 'undecided' }[] = [];
  for (const e of relateNodes(truth, truthFrame)) {
    const opp = OPPOSITE[e.predicate];
    if (!opp) continue;
    const outcome = measured.has(key(e))
      ? 'right'
      : measured.has(key({ ...e, predicate: opp as SceneEdge['predicate'] }))
        ? 'wrong'
        : 'undecided';
    out.push({ edge: e, outcome });
  }
  return out;
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** One line: per-axis medians, 90th percentile of all extents, relations and distances. */
export function summarize(acc: AccuracySample): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const all = [...acc.width, ...acc.height, ...acc.depth];
  return (
    `${acc.everyExtent.length / 3} objects; observed extents: median rel. error width ` +
    `${pct(quantile(acc.width, 0.5))}, height ${pct(quantile(acc.height, 0.5))}, depth ` +
    `${pct(quantile(acc.depth, 0.5))}, p90 ${pct(quantile(all, 0.9))} (${acc.bounded} bounded ` +
    `extents left out; p90 of every extent ${pct(quantile(acc.everyExtent, 0.9))}); relations ${acc.relationsRight} right, ` +
    `${acc.relationsWrong} wrong, ${acc.relationsUndecided} undecided; centre distance median ` +
    `${pct(quantile(acc.distance, 0.5))}, p90 ${pct(quantile(acc.distance, 0.9))}`
  );
}
