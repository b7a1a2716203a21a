// The camera that took the image: its centre and the pyramid through the image corners, cut at
// `depth` metres, in the world frame (p_w = R p_c + t).
import * as THREE from 'three';
import { disposeTree, layerGroup, type SceneExtension } from '../extension';

export interface CameraModel {
  width: number;
  height: number;
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  rotation: readonly number[];
  translation: readonly number[];
}

/** World-frame camera centre followed by the 4 image corners at `depth` (tl, tr, br, bl). */
export function frustumCorners(cam: CameraModel, depth: number): number[][] {
  const { fx, fy, cx, cy } = cam.intrinsics;
  const R = cam.rotation;
  const t = cam.translation;
  const toWorld = (p: number[]) =>
    [0, 1, 2].map((r) => R[r * 3]! * p[0]! + R[r * 3 + 1]! * p[1]! + R[r * 3 + 2]! * p[2]! + t[r]!);
  // Pixel edges: centres are at integers, so the image spans [-0.5, W - 0.5].
  const px = (u: number, v: number) =>
    toWorld([((u - cx) * depth) / fx, ((v - cy) * depth) / fy, depth]);
  const u0 = -0.5;
  const v0 = -0.5;
  const u1 = cam.width - 0.5;
  const v1 = cam.height - 0.5;
  return [toWorld([0, 0, 0]), px(u0, v0), px(u1, v0), px(u1, v1), px(u0, v1)];
}

export class FrustumLayer implements SceneExtension {
  readonly name = 'frustum';
  readonly object: THREE.Group;

  constructor(parent: THREE.Object3D) {
    this.object = layerGroup(parent, this.name);
  }

  update(cam: CameraModel | null, depth: number): void {
    for (const child of [...this.object.children]) disposeTree(child);
    if (!cam) return;
    const [c, a, b, d, e] = frustumCorners(cam, depth) as [
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    const seg = [c, a, c, b, c, d, c, e, a, b, b, d, d, e, e, a].flat();
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.Float32BufferAttribute(seg, 3));
    const lines = new THREE.LineSegments(
      geometry,
      new THREE.LineBasicMaterial({ color: 0xe8e8e8 }),
    );
    lines.name = 'frustum-lines';
    this.object.add(lines);
    // Mark the image's top edge so the camera's roll reads at a glance.
    const topMid = [0, 1, 2].map((i) => (a[i]! + b[i]!) / 2);
    const tip = new THREE.BufferGeometry();
    tip.setAttribute(
      'position',
      new THREE.Float32BufferAttribute(
        [...a, ...topMid.map((v, i) => v + (topMid[i]! - c[i]!) * 0.12), ...b],
        3,
      ),
    );
    const roof = new THREE.Line(tip, new THREE.LineBasicMaterial({ color: 0xe8e8e8 }));
    roof.name = 'frustum-up';
    this.object.add(roof);
  }

  dispose(): void {
    disposeTree(this.object);
  }
}
