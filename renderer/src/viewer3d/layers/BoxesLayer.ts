// Each object's AABB and yaw OBB as line boxes with its label, in the object's 2D colour (the same
// object is one colour in both views). The selected and highlighted objects keep their colour and
// stay bright while the others fade; the selected one's label is drawn larger.
// Picking tests the ray against each AABB.
import * as THREE from 'three';
import type { SceneGraphView } from '../../../../contract/entities';
import { disposeTree, layerGroup, textSprite, type SceneExtension } from '../extension';

/** An object the 2D canvas has no colour for (it should not happen; seen, it is not hidden). */
export const UNKNOWN_BOX_COLOR = '#969696';
const LABEL_TEXT = '#0b0d12';
/**
 * Box labels keep one size on screen at any distance (a sprite without attenuation): about 30 px
 * on a 650-px view with the wide field of view of a narrow panel, more with a narrower one.
 */
const LABEL_SCREEN_HEIGHT = 0.075;

type Node = SceneGraphView['nodes'][number];

/** Corner index pairs of a box's 12 edges (bottom ring 0-3, top ring 4-7). */
const EDGES = [0, 1, 1, 2, 2, 3, 3, 0, 4, 5, 5, 6, 6, 7, 7, 4, 0, 4, 1, 5, 2, 6, 3, 7];

export function aabbCorners(min: readonly number[], max: readonly number[]): number[][] {
  const [x0, y0, z0] = min as [number, number, number];
  const [x1, y1, z1] = max as [number, number, number];
  return [
    [x0, y0, z0],
    [x1, y0, z0],
    [x1, y0, z1],
    [x0, y0, z1],
    [x0, y1, z0],
    [x1, y1, z0],
    [x1, y1, z1],
    [x0, y1, z1],
  ];
}

/** 24 xyz pairs (72 floats) for the 12 edges of a box given by its 8 corners. */
export function boxEdgePositions(corners: readonly (readonly number[])[]): Float32Array {
  const out = new Float32Array(EDGES.length * 3);
  EDGES.forEach((c, i) => out.set(corners[c]!.slice(0, 3), i * 3));
  return out;
}

export class BoxesLayer implements SceneExtension {
  readonly name = 'boxes';
  readonly object: THREE.Group;
  private nodes: Node[] = [];
  private showAabb = true;
  private showObb = true;
  private showLabels = true;
  private colors: ReadonlyMap<number, string> = new Map();

  constructor(parent: THREE.Object3D) {
    this.object = layerGroup(parent, this.name);
  }

  setNodes(nodes: Node[], colors: ReadonlyMap<number, string>): void {
    this.nodes = nodes;
    this.colors = colors;
  }

  setVisibility(aabb: boolean, obb: boolean, labels = this.showLabels): void {
    this.showAabb = aabb;
    this.showObb = obb;
    this.showLabels = labels;
  }

  /** The colour a box is drawn in (test hook: compared with the 2D canvas's). */
  colorOf(id: number): string {
    return this.colors.get(id) ?? UNKNOWN_BOX_COLOR;
  }

  /** Where an object's label sits: above its box. */
  static labelAnchor(n: Node): [number, number, number] {
    return [n.centroid[0], n.aabb.max[1] + 0.08, n.centroid[2]];
  }

  /** Rebuilds the boxes for the current selection (a few dozen line sets: cheap). */
  update(selectedId: number | null, highlight: ReadonlySet<number>): void {
    this.clear();
    const focused = selectedId !== null || highlight.size > 0;
    for (const n of this.nodes) {
      const emphasised = n.id === selectedId || highlight.has(n.id);
      const hex = this.colorOf(n.id);
      const color = new THREE.Color(hex);
      const opacity = emphasised || !focused ? 1 : 0.45;
      if (this.showObb) this.addLines(n.obb.corners, color, opacity, `obb-${n.id}`, false);
      if (this.showAabb)
        this.addLines(
          aabbCorners(n.aabb.min, n.aabb.max),
          color,
          opacity * 0.6,
          `aabb-${n.id}`,
          true,
        );
      // Every box is labelled (a focused view labels only what is in focus, to stay readable).
      if (this.showLabels && (emphasised || !focused)) {
        const selected = n.id === selectedId;
        const label = textSprite([n.label], LABEL_TEXT, 0.06, hex, LABEL_SCREEN_HEIGHT);
        if (selected) label.scale.multiplyScalar(1.3);
        label.position.set(...BoxesLayer.labelAnchor(n));
        label.name = `label-${n.id}`;
        this.object.add(label);
      }
    }
  }

  private addLines(
    corners: readonly (readonly number[])[],
    color: THREE.Color,
    opacity: number,
    name: string,
    dashed: boolean,
  ): void {
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(boxEdgePositions(corners), 3));
    const material = dashed
      ? new THREE.LineDashedMaterial({
          color,
          transparent: true,
          opacity,
          dashSize: 0.04,
          gapSize: 0.03,
        })
      : new THREE.LineBasicMaterial({ color, transparent: true, opacity });
    const lines = new THREE.LineSegments(geometry, material);
    if (dashed) lines.computeLineDistances();
    lines.name = name;
    this.object.add(lines);
  }

  /** Id of the nearest object whose AABB the ray (in world-root coordinates) enters. */
  pick(localRay: THREE.Ray): { objectId: number; distance: number } | null {
    let best: { objectId: number; distance: number } | null = null;
    const box = new THREE.Box3();
    const hit = new THREE.Vector3();
    for (const n of this.nodes) {
      box.min.fromArray(n.aabb.min);
      box.max.fromArray(n.aabb.max);
      if (!localRay.intersectBox(box, hit)) continue;
      const d = hit.distanceTo(localRay.origin);
      if (!best || d < best.distance) best = { objectId: n.id, distance: d };
    }
    return best;
  }

  private clear(): void {
    for (const child of [...this.object.children]) disposeTree(child);
  }

  dispose(): void {
    this.clear();
    disposeTree(this.object);
  }
}

export function rgbCss([r, g, b]: readonly number[]): string {
  return `rgb(${r}, ${g}, ${b})`;
}
