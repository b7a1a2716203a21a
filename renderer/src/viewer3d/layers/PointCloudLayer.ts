// The lifted cloud as one Points object over the fetched typed arrays (no copy). While the camera
// moves only a prefix is drawn (the cloud is shuffled, so a prefix is an even subsample; see lod.ts);
// colours are recomputed in place when the colour mode, selection or highlight changes.
import * as THREE from 'three';
import type { PointCloudArrays } from '../../../../contract/point-cloud';
import { fillColors, type ColorMode, type ColorOptions } from '../cloud-colors';
import { disposeTree, layerGroup, type SceneExtension } from '../extension';
import { lodCount } from '../lod';

export class PointCloudLayer implements SceneExtension {
  readonly name = 'point-cloud';
  readonly object: THREE.Group;
  private points: THREE.Points | null = null;
  private cloud: (PointCloudArrays & { count: number }) | null = null;
  private moving = false;
  private budget = Infinity;
  private material = new THREE.PointsMaterial({
    size: 2,
    sizeAttenuation: false,
    vertexColors: true,
  });

  constructor(parent: THREE.Object3D) {
    this.object = layerGroup(parent, this.name);
  }

  get count(): number {
    return this.cloud?.count ?? 0;
  }

  /** Points the last frame drew. */
  get drawnCount(): number {
    return this.moving ? lodCount(this.count, this.budget) : this.count;
  }

  setCloud(cloud: (PointCloudArrays & { count: number }) | null): void {
    this.clearPoints();
    this.cloud = cloud;
    if (!cloud || cloud.count === 0) return;
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute(
      'position',
      new THREE.BufferAttribute(cloud.positions.subarray(0, cloud.count * 3), 3),
    );
    geometry.setAttribute(
      'color',
      new THREE.BufferAttribute(new Uint8Array(cloud.count * 3), 3, true),
    );
    geometry.computeBoundingSphere();
    this.points = new THREE.Points(geometry, this.material);
    this.points.name = 'points';
    this.object.add(this.points);
    this.applyRange();
  }

  setColors(mode: ColorMode, opts: ColorOptions): void {
    if (!this.cloud || !this.points) return;
    const attr = this.points.geometry.getAttribute('color') as THREE.BufferAttribute;
    fillColors(mode, this.cloud, attr.array as Uint8Array, attr.count, opts);
    attr.needsUpdate = true;
  }

  setPointSize(px: number): void {
    this.material.size = px;
  }

  /** While moving, draw only the first `budget` points. */
  setInteracting(moving: boolean, budget: number): void {
    this.moving = moving;
    this.budget = budget;
    this.applyRange();
  }

  private applyRange(): void {
    this.points?.geometry.setDrawRange(0, this.drawnCount);
  }

  /** Object id of the nearest object point within `threshold` metres of the ray; null for none. */
  pick(
    raycaster: THREE.Raycaster,
    threshold: number,
  ): { objectId: number; distance: number } | null {
    if (!this.points || !this.cloud) return null;
    raycaster.params.Points = { threshold };
    // Test the whole cloud, whatever the current draw range.
    const geometry = this.points.geometry;
    const range = { ...geometry.drawRange };
    geometry.setDrawRange(0, this.cloud.count);
    const hits = raycaster.intersectObject(this.points, false);
    geometry.setDrawRange(range.start, range.count);
    // Nearest hit that belongs to an object wins; a background point close to the ray ends it.
    for (const h of hits) {
      if (h.index === undefined) continue;
      const id = this.cloud.objectIds[h.index]!;
      if (id !== 0) return { objectId: id, distance: h.distance };
      if (h.distanceToRay !== undefined && h.distanceToRay < threshold / 4) break;
    }
    return null;
  }

  private clearPoints(): void {
    if (!this.points) return;
    this.points.removeFromParent();
    this.points.geometry.dispose();
    this.points = null;
  }

  dispose(): void {
    this.clearPoints();
    this.material.dispose();
    disposeTree(this.object);
    this.cloud = null;
  }
}
