// The selected QA's evidence in 3D (contract QaEvidence): for left/right a ray from the camera
// centre to each object's centre with its azimuth, for metric answers a segment between the two
// measured points with its value. Drawn over the cloud (no depth test), like the relation lines.
import * as THREE from 'three';
import type { QaEvidence } from '../../../../contract/review';
import { formatAzimuth, formatLength } from '../../lib/evidence';
import { disposeTree, layerGroup, textSprite, type SceneExtension } from '../extension';

type V3 = readonly [number, number, number];

function segment(a: V3, b: V3, color: number, dashed: boolean): THREE.Line {
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.Float32BufferAttribute([...a, ...b], 3));
  const material = dashed
    ? new THREE.LineDashedMaterial({
        color,
        dashSize: 0.06,
        gapSize: 0.04,
        depthTest: false,
        transparent: true,
      })
    : new THREE.LineBasicMaterial({ color, depthTest: false, transparent: true });
  const line = new THREE.Line(geometry, material);
  if (dashed) line.computeLineDistances();
  line.renderOrder = 11;
  return line;
}

export class EvidenceLayer implements SceneExtension {
  readonly name = 'evidence';
  readonly object: THREE.Group;

  constructor(parent: THREE.Object3D) {
    this.object = layerGroup(parent, this.name);
  }

  /** Replaces what is drawn; returns the number of measured items drawn. */
  update(ev: QaEvidence | null, colors: ReadonlyMap<number, string> = new Map()): number {
    for (const child of [...this.object.children]) disposeTree(child);
    if (!ev) return 0;
    const colorOf = (id: number | null) =>
      new THREE.Color(id === null ? '#ffffff' : (colors.get(id) ?? '#ffffff')).getHex();
    let drawn = 0;
    for (const a of ev.azimuths) {
      const c = a.centre.world as V3;
      const line = segment(ev.camera as V3, c, colorOf(a.objectId), true);
      line.name = `evidence-azimuth-${a.objectId}`;
      this.object.add(line);
      const label = textSprite([formatAzimuth(a.degrees)], '#ffffff', 0.05);
      label.position.set(c[0], c[1] + 0.12, c[2]);
      this.object.add(label);
      drawn++;
    }
    for (const l of ev.lengths) {
      const from = l.from.world as V3;
      const to = l.to.world as V3;
      const line = segment(from, to, 0xffffff, false);
      line.name = `evidence-length-${l.measure}`;
      this.object.add(line);
      const label = textSprite([formatLength(l.value, l.unit)], '#ffffff', 0.05);
      label.position.set(
        (from[0] + to[0]) / 2,
        (from[1] + to[1]) / 2 + 0.08,
        (from[2] + to[2]) / 2,
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
