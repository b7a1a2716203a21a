// How often box -> mask finds the supporting surface under a stacked object (issue 20 item 3),
// scored against a synthetic scene's exact ground truth. Shared by support-surface.test.ts and
// bench/support-bench.ts so that the test's thresholds and the bench's numbers are the same
// measurement. Pure (no I/O): the caller builds the scene graph.
import type { SceneGraph } from '../scene-graph';
import { truthOf, type SynthScene } from '../synthetic-scene';
import { unoccluded } from '../test-support';

export interface SupportCoverage {
  /** Unoccluded objects standing on another object, and how many got 'base-snapped-to-support'. */
  stacked: number;
  stackedSnapped: number;
  /** Unoccluded objects standing on the floor, and how many (wrongly) got a support. */
  floor: number;
  floorSnapped: number;
  /** Relative extent errors of the unoccluded stacked objects. */
  width: number[];
  height: number[];
  depth: number[];
  /** "seed:id" of stacked objects whose support was not found (for looking at them). */
  missed: string[];
}

export function emptyCoverage(): SupportCoverage {
  return {
    stacked: 0,
    stackedSnapped: 0,
    floor: 0,
    floorSnapped: 0,
    width: [],
    height: [],
    depth: [],
    missed: [],
  };
}

/** Adds one scene's graph (objects given as boxes only) to `acc`. */
export function scoreSupport(
  acc: SupportCoverage,
  sc: SynthScene,
  graph: SceneGraph,
  tag: string,
): void {
  for (const n of graph.nodes) {
    const s = sc.shapes.find((x) => x.id === n.id);
    if (!s || !unoccluded(sc, s)) continue;
    const snapped = n.quality.flags.includes('base-snapped-to-support');
    if (s.on === null) {
      acc.floor++;
      if (snapped) acc.floorSnapped++;
      continue;
    }
    acc.stacked++;
    if (snapped) acc.stackedSnapped++;
    else acc.missed.push(`${tag}:${s.id}`);
    const t = truthOf(s).extent;
    acc.width.push(Math.abs(n.extent.width - t.width) / t.width);
    acc.height.push(Math.abs(n.extent.height - t.height) / t.height);
    acc.depth.push(Math.abs(n.extent.depth - t.depth) / t.depth);
  }
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
