// Relation edges for the highlighted subjects: a line between the two objects' centroids and a
// label with every relation the graph holds between them (predicate and value).
import * as THREE from 'three';
import type { SceneGraphView, SceneRelation } from '../../../../contract/entities';
import { disposeTree, layerGroup, textSprite, type SceneExtension } from '../extension';

/**
 * Relation labels keep one size on screen, like box labels (a share of the view's height per line):
 * at 5 cm a line, a fitted corridor drew its nine lines as an unreadable speck.
 */
const RELATION_LINE_SCREEN_HEIGHT = 0.03;

type Node = SceneGraphView['nodes'][number];

const METRIC = new Set([
  'direct_distance',
  'closest_distance',
  'horizontal_distance',
  'vertical_distance',
  'direction',
]);

/**
 * "direct distance 1.23 m", "direction 2 o'clock", "right of (by 0.92 m)": a qualitative edge's
 * value is the size of the difference it was decided on.
 */
export function relationText(r: SceneRelation): string {
  const name = r.predicate.replace(/_/g, ' ');
  if (r.value === null) return name;
  if (r.unit === 'oclock') return `${name} ${Math.round(r.value)} o'clock`;
  const digits = Math.abs(r.value) >= 10 ? 1 : 2;
  // left/right are decided on azimuths seen from the camera: degrees
  if (r.unit === 'deg') return `${name} (by ${r.value.toFixed(1)}°)`;
  const amount = `${r.value.toFixed(digits)}${r.unit ? ` ${r.unit}` : ''}`;
  return METRIC.has(r.predicate) ? `${name} ${amount}` : `${name} (by ${amount})`;
}

/**
 * Relations per unordered object pair, read from the first subject's side ("A right of B", not
 * also "B left of A"), metric values first.
 */
export function groupRelations(
  relations: readonly SceneRelation[],
  subjectOrder: readonly number[] = [],
): Map<string, { from: number; to: number; lines: string[] }> {
  const rank = (id: number) => {
    const i = subjectOrder.indexOf(id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const groups = new Map<string, { from: number; to: number; rels: SceneRelation[] }>();
  for (const r of relations) {
    const [from, to] =
      rank(r.subject) < rank(r.object) ||
      (rank(r.subject) === rank(r.object) && r.subject < r.object)
        ? [r.subject, r.object]
        : [r.object, r.subject];
    const key = `${from}-${to}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { from, to, rels: [] }));
    g.rels.push(r);
  }
  const out = new Map<string, { from: number; to: number; lines: string[] }>();
  for (const [key, g] of groups) {
    // The pair's own direction; the reverse edges only when there are none (a one-sided graph).
    const own = g.rels.filter((r) => r.subject === g.from);
    const list = (own.length ? own : g.rels).sort(
      (a, b) => Number(METRIC.has(b.predicate)) - Number(METRIC.has(a.predicate)),
    );
    out.set(key, { from: g.from, to: g.to, lines: list.map(relationText) });
  }
  return out;
}

export class RelationLayer implements SceneExtension {
  readonly name = 'relations';
  readonly object: THREE.Group;

  constructor(parent: THREE.Object3D) {
    this.object = layerGroup(parent, this.name);
  }

  update(
    nodes: readonly Node[],
    relations: readonly SceneRelation[],
    subjectOrder: readonly number[] = [],
    maxLines = 8,
  ): number {
    for (const child of [...this.object.children]) disposeTree(child);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    let drawn = 0;
    const groups = groupRelations(relations, subjectOrder);
    // One object's relations to many others: labels now one size on screen would cover the view,
    // so each says its pair and the first lines (metric first), the rest as "+n more".
    const cap = groups.size > 2 ? Math.min(maxLines, 2) : maxLines;
    for (const g of groups.values()) {
      const a = byId.get(g.from);
      const b = byId.get(g.to);
      if (!a || !b) continue;
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute(
        'position',
        new THREE.Float32BufferAttribute([...a.centroid, ...b.centroid], 3),
      );
      const line = new THREE.Line(
        geometry,
        new THREE.LineBasicMaterial({ color: 0xff6e28, depthTest: false, transparent: true }),
      );
      line.renderOrder = 9;
      line.name = `relation-${g.from}-${g.to}`;
      this.object.add(line);
      const more = g.lines.length - cap;
      const text = more > 0 ? [...g.lines.slice(0, cap), `+${more} more`] : g.lines;
      const label = textSprite(
        [`${a.label} → ${b.label}`, ...text],
        '#ffd2b8',
        0.05,
        undefined,
        RELATION_LINE_SCREEN_HEIGHT,
      );
      label.name = `relation-label-${g.from}-${g.to}`;
      label.position.set(
        (a.centroid[0] + b.centroid[0]) / 2,
        (a.centroid[1] + b.centroid[1]) / 2 + 0.1,
        (a.centroid[2] + b.centroid[2]) / 2,
      );
      this.object.add(label);
      drawn++;
    }
    return drawn;
  }

  dispose(): void {
    disposeTree(this.object);
  }
}
