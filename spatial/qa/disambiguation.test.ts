import { describe, expect, it } from 'vitest';
import type { SceneNode, Vec3 } from '../scene/scene-graph';
import { buildExpressions, type ExpressionSpec } from './disambiguation';
import { Counter, SceneFacts } from './facts';
import { azimuthOf, GEN_MARGINS, randomGraph } from './testing/random-graph';
import { resolveOptions } from './types';

const head = (label: string) => {
  const w = label.toLowerCase().trim().split(/\s+/).pop() ?? '';
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
};
const size = (n: SceneNode, i: number) => (n.aabb.max[i] as number) - (n.aabb.min[i] as number);
const vol = (n: SceneNode) => size(n, 0) * size(n, 1) * size(n, 2);

/** Independent check from geometry: does x satisfy the qualifier against y? */
function beats(kind: string, x: SceneNode, y: SceneNode, aligned: boolean, camera: Vec3): boolean {
  const M = GEN_MARGINS.position;
  const E = GEN_MARGINS.extent;
  // left/right: directions seen from the camera
  const az = (n: SceneNode) => azimuthOf(camera, n.centroid);
  switch (kind) {
    case 'leftmost':
      return az(y) - az(x) > GEN_MARGINS.azimuth;
    case 'rightmost':
      return az(x) - az(y) > GEN_MARGINS.azimuth;
    case 'frontmost':
      return y.centroid[2] - x.centroid[2] > M;
    case 'backmost':
      return x.centroid[2] - y.centroid[2] > M;
    case 'highest':
      return aligned && x.centroid[1] - y.centroid[1] > M;
    case 'lowest':
      return aligned && y.centroid[1] - x.centroid[1] > M;
    case 'tallest':
      return size(x, 1) - size(y, 1) > E;
    case 'shortest':
      return size(y, 1) - size(x, 1) > E;
    case 'biggest':
      return vol(x) - vol(y) > GEN_MARGINS.volumeRel * Math.max(vol(x), vol(y));
    case 'smallest':
      return vol(y) - vol(x) > GEN_MARGINS.volumeRel * Math.max(vol(x), vol(y));
    case 'nearest': {
      const m = Math.max(0.1, 0.1 * Math.max(x.distanceFromCamera, y.distanceFromCamera));
      return y.distanceFromCamera - x.distanceFromCamera >= m;
    }
    case 'farthest': {
      const m = Math.max(0.1, 0.1 * Math.max(x.distanceFromCamera, y.distanceFromCamera));
      return x.distanceFromCamera - y.distanceFromCamera >= m;
    }
  }
  throw new Error(kind);
}

function referents(
  nodes: SceneNode[],
  spec: ExpressionSpec,
  aligned: boolean,
  camera: Vec3,
): number[] {
  const scope = nodes.filter(
    (n) => head(n.label) === spec.head && spec.attributes.every((a) => n.attributes.includes(a)),
  );
  if (!spec.qualifier) return scope.map((n) => n.id);
  return scope
    .filter((x) =>
      scope.every(
        (y) => y.id === x.id || (y.quality.ok && beats(spec.qualifier!, x, y, aligned, camera)),
      ),
    )
    .map((n) => n.id);
}

describe('disambiguation', () => {
  it('every expression has exactly one referent under the geometry, on 1500 scenes with repeated labels', () => {
    let resolved = 0;
    let qualified = 0;
    let ambiguous = 0;
    const bad: string[] = [];
    for (let s = 1; s <= 1500; s++) {
      const g = randomGraph(s, {
        objects: 3 + (s % 6),
        labels: ['chair', 'office chair', 'chairs', 'bottle', 'bottle', 'cup'],
        attributes: ['red', 'blue'],
        badQuality: 0.05,
      });
      const facts = new SceneFacts(g, resolveOptions({}), new Counter());
      const naming = buildExpressions(facts);
      for (const [id, e] of naming.expressions) {
        const r = referents(g.nodes, e.spec, g.frame.aligned, g.frame.translation);
        if (r.length !== 1 || r[0] !== id)
          bad.push(`${s}: ${e.text} -> ${r.join(',')} (want ${id})`);
        const node = g.nodes.find((n) => n.id === id)!;
        if (!e.text.includes(node.label)) bad.push(`${s}: ${e.text} lacks ${node.label}`);
        resolved++;
        if (e.spec.qualifier) qualified++;
      }
      // every usable node has an expression or is listed as ambiguous, never both
      for (const n of facts.usable) {
        const listed = naming.ambiguities.some((a) => a.nodeId === n.id);
        if (listed === naming.expressions.has(n.id))
          bad.push(`${s}: node ${n.id} listed=${listed}`);
      }
      ambiguous += naming.ambiguities.length;
    }
    expect(bad).toEqual([]);
    expect(resolved).toBeGreaterThan(3000);
    expect(qualified).toBeGreaterThan(500);
    expect(ambiguous).toBeGreaterThan(50);
  });

  it('uses the issue style: "the chair on the left", "the taller bottle", "the red chair"', () => {
    const texts = new Set<string>();
    for (let s = 1; s <= 300; s++) {
      const g = randomGraph(s, { objects: 4, labels: ['chair', 'bottle'], attributes: ['red'] });
      const naming = buildExpressions(new SceneFacts(g, resolveOptions({}), new Counter()));
      for (const e of naming.expressions.values()) texts.add(e.text);
    }
    expect(texts).toContain('the chair on the left');
    expect(texts).toContain('the taller bottle');
    expect(texts).toContain('the red chair');
    expect([...texts].some((t) => t.endsWith('nearest the camera'))).toBe(true);
  });

  it('"chair" and "office chair" are one group; a lone pair with no distinguishing fact is ambiguous', () => {
    const g = randomGraph(11, { objects: 2, labels: ['chair'], attributes: [] });
    const [a, b] = g.nodes as [SceneNode, SceneNode];
    a.label = 'chair';
    b.label = 'office chair';
    g.edges = []; // no relations at all: nothing can tell them apart, except camera distance
    b.distanceFromCamera = a.distanceFromCamera + 0.01;
    const naming = buildExpressions(new SceneFacts(g, resolveOptions({}), new Counter()));
    expect(naming.expressions.size).toBe(0);
    expect(naming.ambiguities.map((x) => x.nodeId).sort()).toEqual([a.id, b.id].sort());
    expect(naming.ambiguities[0]!.group.sort()).toEqual([a.id, b.id].sort());
  });
});
