// The gravity frame: world axes at the origin (x right red, y up green, z forward blue) and, when a
// floor was found, the floor plane as a translucent grid sized to the cloud.
import * as THREE from 'three';
import { disposeTree, layerGroup, type SceneExtension } from '../extension';

export interface FrameData {
  floorY: number | null;
  bounds: { min: number[]; max: number[] } | null;
}

export class FrameLayer implements SceneExtension {
  readonly name = 'frame';
  readonly object: THREE.Group;

  constructor(parent: THREE.Object3D) {
    this.object = layerGroup(parent, this.name);
  }

  update(data: FrameData): void {
    for (const child of [...this.object.children]) disposeTree(child);
    const span = data.bounds
      ? Math.max(
          data.bounds.max[0]! - data.bounds.min[0]!,
          data.bounds.max[2]! - data.bounds.min[2]!,
          1,
        )
      : 4;
    const axes = new THREE.AxesHelper(Math.min(1, span / 4));
    axes.name = 'gravity-axes';
    this.object.add(axes);
    if (data.floorY !== null) {
      const size = Math.ceil(span * 1.3);
      const grid = new THREE.GridHelper(size, size * 4, 0x4b6a88, 0x2c3b4a);
      grid.name = 'floor';
      const cx = data.bounds ? (data.bounds.min[0]! + data.bounds.max[0]!) / 2 : 0;
      const cz = data.bounds ? (data.bounds.min[2]! + data.bounds.max[2]!) / 2 : 0;
      grid.position.set(cx, data.floorY, cz);
      const m = grid.material as THREE.Material;
      m.transparent = true;
      m.opacity = 0.55;
      this.object.add(grid);
      const plane = new THREE.Mesh(
        new THREE.PlaneGeometry(size, size),
        new THREE.MeshBasicMaterial({
          color: 0x3a6ea5,
          transparent: true,
          opacity: 0.08,
          side: THREE.DoubleSide,
          depthWrite: false,
        }),
      );
      plane.rotation.x = -Math.PI / 2;
      plane.position.set(cx, data.floorY - 0.002, cz);
      plane.name = 'floor-plane';
      this.object.add(plane);
    }
  }

  dispose(): void {
    disposeTree(this.object);
  }
}
