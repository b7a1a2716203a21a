// World-frame box corners and relation selection for the 3D viewer, from the stored scene graph.
import type { Obb, SceneEdge } from '../../spatial/scene/scene-graph';

type V3 = [number, number, number];

/**
 * The 8 corners of a yaw box: bottom 4 then top 4, each ring in order around the footprint. The
 * box's own x axis is (cos yaw, 0, sin yaw) in the world (spatial/geometry/boxes.ts).
 */
export function obbCorners(obb: Obb): V3[] {
  const [cx, cy, cz] = obb.center;
  const [w, h, d] = obb.extent;
  const c = Math.cos(obb.yaw);
  const s = Math.sin(obb.yaw);
  const ring: Array<[number, number]> = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ];
  const out: V3[] = [];
  for (const sy of [-1, 1])
    for (const [a, b] of ring) {
      const u = (a * w) / 2;
      const v = (b * d) / 2;
      out.push([cx + u * c - v * s, cy + (sy * h) / 2, cz + u * s + v * c]);
    }
  return out;
}

/**
 * Edges touching `objectIds`: with one id, every edge it is part of; with two or more, only the
 * edges between them (what a QA pair about those subjects rests on).
 */
export function relationsFor(edges: readonly SceneEdge[], objectIds: readonly number[]) {
  const ids = new Set(objectIds);
  const between = ids.size >= 2;
  return edges
    .filter((e) =>
      between ? ids.has(e.subject) && ids.has(e.object) : ids.has(e.subject) || ids.has(e.object),
    )
    .map((e) => ({
      subject: e.subject,
      object: e.object,
      predicate: e.predicate,
      value: e.value ?? null,
      unit: e.unit ?? null,
    }));
}
