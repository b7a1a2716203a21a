// The 3D viewer's engine room, outside React: a three.js renderer drawing on demand (one frame per
// change, none while idle), orbit/pan/zoom controls about a pivot on the content, the scene
// extensions, picking, and three poses: "view from camera", fit to content, orbit the selection. World-frame data (left-handed: x right, y up, z forward) sits under a root
// group with z mirrored, so three.js's right-handed camera sees it the right way round.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { SceneGraphView, SceneRelation } from '../../../contract/entities';
import type { PointCloudArrays, PointCloudInfo } from '../../../contract/point-cloud';
import type { QaEvidence } from '../../../contract/review';
import type { ColorMode } from './cloud-colors';
import type { SceneExtension } from './extension';
import { BoxesLayer } from './layers/BoxesLayer';
import { EvidenceLayer } from './layers/EvidenceLayer';
import { FrameLayer } from './layers/FrameLayer';
import { FrustumLayer, type CameraModel } from './layers/FrustumLayer';
import { PointCloudLayer } from './layers/PointCloudLayer';
import { AdaptiveBudget } from './lod';
import { RelationLayer } from './layers/RelationLayer';
import {
  boxCenter,
  boxRadius,
  contentBox,
  depthAlong,
  fitDistance,
  unionBox,
  type Box,
  type Vec3,
} from './view-fit';

export type Node = SceneGraphView['nodes'][number];

export interface LayerToggles {
  points: boolean;
  aabb: boolean;
  obb: boolean;
  labels: boolean;
  frame: boolean;
  frustum: boolean;
  relations: boolean;
}

export interface FrameStats {
  frames: number;
  /** CPU time of the last render call (ms). */
  lastRenderMs: number;
  /** Points drawn by the last frame. */
  drawnPoints: number;
  /**
   * Where the content's centre was drawn: max(|x|, |y|) in normalised device coordinates (0 = the
   * middle of the view, 1 = its edge, Infinity = behind the camera); null without content.
   */
  contentOffset: number | null;
  /** Share of the content box's 8 corners inside the view (1 = all of it is in view). */
  contentInView: number | null;
}

/** Orbit speed: OrbitControls turns 2 pi per panel height at 1, so a 120-px drag was a half turn. */
const ROTATE_SPEED = 0.5;

/**
 * Vertical field of view (radians) showing the whole photo in a view of `aspect` (width/height):
 * the photo's own when the view is wider than the photo, wider when it is narrower.
 */
export function fitFov(
  cam: { width: number; height: number; intrinsics: { fx: number; fy: number } },
  aspect: number,
): number {
  const tanV = cam.height / 2 / cam.intrinsics.fy;
  const tanH = cam.width / 2 / cam.intrinsics.fx;
  return 2 * Math.atan(Math.max(tanV, tanH / Math.max(1e-6, aspect)));
}

export class SceneRenderer {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(60, 1, 0.01, 500);
  readonly controls: OrbitControls;
  readonly root = new THREE.Group();
  readonly points: PointCloudLayer;
  readonly boxes: BoxesLayer;
  readonly frame: FrameLayer;
  readonly frustum: FrustumLayer;
  readonly relations: RelationLayer;
  readonly evidence: EvidenceLayer;
  private readonly extensions: SceneExtension[];
  private pending = 0;
  private moving = false;
  private lastMovingFrame = 0;
  readonly lod = new AdaptiveBudget();
  private cameraModel: CameraModel | null = null;
  private viewDepth = 2;
  /** The bulk of the cloud (world frame), for fitting and the orbit pivot. */
  private content: Box | null = null;
  private nodes: Node[] = [];
  readonly stats: FrameStats = {
    frames: 0,
    lastRenderMs: 0,
    drawnPoints: 0,
    contentOffset: null,
    contentInView: null,
  };
  onRender: ((stats: FrameStats) => void) | null = null;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, alpha: false });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.renderer.setClearColor(0x12161c);
    this.root.scale.z = -1;
    this.root.name = 'world';
    this.scene.add(this.root);
    this.points = new PointCloudLayer(this.root);
    this.boxes = new BoxesLayer(this.root);
    this.frame = new FrameLayer(this.root);
    this.frustum = new FrustumLayer(this.root);
    this.relations = new RelationLayer(this.root);
    this.evidence = new EvidenceLayer(this.root);
    this.extensions = [
      this.points,
      this.boxes,
      this.frame,
      this.frustum,
      this.relations,
      this.evidence,
    ];
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = false;
    this.controls.screenSpacePanning = true;
    this.controls.rotateSpeed = ROTATE_SPEED;
    this.controls.addEventListener('start', () => {
      // OrbitControls turns about world up (+y: gravity); "view from camera" set the photo's own up,
      // which tilts the orbit and rolls the view. A user's orbit is a turntable about gravity.
      this.camera.up.set(0, 1, 0);
      this.setMoving(true);
    });
    this.controls.addEventListener('end', () => this.setMoving(false));
    this.controls.addEventListener('change', () => this.requestRender());
    this.camera.position.set(0, 1.5, 3);
  }

  /** While the camera moves, draw the level-of-detail prefix; the full cloud when it stops. */
  setMoving(moving: boolean): void {
    if (this.moving === moving) return;
    this.moving = moving;
    this.lastMovingFrame = 0;
    this.points.setInteracting(moving, this.lod.budget);
    this.requestRender();
  }

  resize(width: number, height: number): void {
    if (width <= 0 || height <= 0) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  requestRender(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.renderNow();
    });
  }

  /** Renders one frame at once and records how long the call took. */
  renderNow(): number {
    const t0 = performance.now();
    if (this.moving) {
      // The interval between moving frames includes the GPU's work: adapt the point budget to it.
      if (this.lastMovingFrame) this.lod.observe(t0 - this.lastMovingFrame);
      this.lastMovingFrame = t0;
      this.points.setInteracting(true, this.lod.budget);
    }
    this.renderer.render(this.scene, this.camera);
    const ms = performance.now() - t0;
    this.stats.frames++;
    this.stats.lastRenderMs = ms;
    this.stats.drawnPoints = this.points.drawnCount;
    this.measureContent();
    this.onRender?.(this.stats);
    return ms;
  }

  setCloud(
    info: PointCloudInfo | null,
    cloud: (PointCloudArrays & { count: number }) | null,
  ): void {
    this.points.setCloud(cloud);
    const bounds = info?.bounds
      ? { min: info.bounds.min as Vec3, max: info.bounds.max as Vec3 }
      : null;
    this.content = (cloud && contentBox(cloud.positions, cloud.count)) ?? bounds;
    this.cameraModel = info
      ? {
          width: info.width,
          height: info.height,
          intrinsics: info.intrinsics,
          rotation: info.frame.rotation,
          translation: info.frame.translation,
        }
      : null;
    const far = info?.depthRange?.max ?? 4;
    this.viewDepth = info?.depthRange ? (info.depthRange.min + info.depthRange.max) / 2 : 2;
    this.frustum.update(this.cameraModel, Math.min(0.6, far * 0.15));
    this.frame.update({ floorY: info?.frame.floorY ?? null, bounds: info?.bounds ?? null });
    this.requestRender();
  }

  setColors(
    mode: ColorMode,
    selectedId: number | null,
    highlight: ReadonlySet<number>,
    depthRange: { min: number; max: number } | null,
    objectColors: ReadonlyMap<number, string>,
  ): void {
    this.points.setColors(mode, { selectedId, highlightIds: highlight, depthRange, objectColors });
    this.requestRender();
  }

  setNodes(
    nodes: Node[],
    colors: ReadonlyMap<number, string>,
    selectedId: number | null,
    highlight: ReadonlySet<number>,
  ): void {
    this.nodes = nodes;
    this.boxes.setNodes(nodes, colors);
    this.boxes.update(selectedId, highlight);
    this.requestRender();
  }

  setRelations(nodes: Node[], relations: SceneRelation[], subjectOrder: number[] = []): number {
    const n = this.relations.update(nodes, relations, subjectOrder);
    this.requestRender();
    return n;
  }

  /** The selected QA's measured numbers (azimuth rays, measured segments); null clears them. */
  setEvidence(ev: QaEvidence | null, colors?: ReadonlyMap<number, string>): number {
    const n = this.evidence.update(ev, colors);
    this.requestRender();
    return n;
  }

  setToggles(t: LayerToggles): void {
    this.points.object.visible = t.points;
    this.frame.object.visible = t.frame;
    this.frustum.object.visible = t.frustum;
    this.relations.object.visible = t.relations;
    this.boxes.setVisibility(t.aabb, t.obb, t.labels);
    this.requestRender();
  }

  /** A world-frame point (x right, y up, z forward) in three.js's frame (under the mirrored root). */
  private toView(p: readonly number[]): THREE.Vector3 {
    this.root.updateMatrixWorld();
    return new THREE.Vector3(p[0], p[1], p[2]).applyMatrix4(this.root.matrixWorld);
  }

  /** What "fit" frames: the bulk of the cloud and every object box. */
  contentBounds(): Box | null {
    return unionBox([
      this.content,
      ...this.nodes.map((n) => ({ min: n.aabb.min as Vec3, max: n.aabb.max as Vec3 })),
    ]);
  }

  /**
   * The pose of the camera that took the image, looking at the content: the orbit pivot sits on the
   * photo's axis at the depth of the content's centre (not the middle of the depth range, which a
   * far wall or a window pushes behind the room).
   */
  viewFromCamera(): void {
    const cam = this.cameraModel;
    if (!cam) return;
    const R = cam.rotation;
    const t = cam.translation as Vec3;
    const forwardWorld: Vec3 = [R[2]!, R[5]!, R[8]!];
    const bounds = this.contentBounds();
    const along = bounds ? depthAlong(t, forwardWorld, boxCenter(bounds)) : 0;
    const depth = along > 0.2 ? along : this.viewDepth;
    this.root.updateMatrixWorld();
    const m = this.root.matrixWorld;
    const pos = this.toView(t);
    const forward = new THREE.Vector3(...forwardWorld).transformDirection(m);
    const up = new THREE.Vector3(-R[1]!, -R[4]!, -R[7]!).transformDirection(m);
    this.camera.position.copy(pos);
    this.camera.up.copy(up);
    this.camera.fov = (fitFov(cam, this.camera.aspect) * 180) / Math.PI;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(pos.clone().addScaledVector(forward, depth));
    this.controls.update();
    this.requestRender();
  }

  /**
   * Centres the content and backs off until all of it is in view, looking the way the view looks
   * now (from the photo's side when it looks straight down or up); the orbit pivot becomes the
   * content's centre. False when there is nothing to fit.
   */
  fitToContent(): boolean {
    const bounds = this.contentBounds();
    if (!bounds) return false;
    const centre = this.toView(boxCenter(bounds));
    const dir = this.controls.target.clone().sub(this.camera.position).normalize();
    if (!Number.isFinite(dir.y) || Math.abs(dir.y) > 0.95) {
      const R = this.cameraModel?.rotation;
      this.root.updateMatrixWorld();
      dir.copy(
        R
          ? new THREE.Vector3(R[2]!, R[5]!, R[8]!).transformDirection(this.root.matrixWorld)
          : new THREE.Vector3(0, 0, -1),
      );
    }
    const distance = fitDistance(
      boxRadius(bounds),
      (this.camera.fov * Math.PI) / 180,
      this.camera.aspect,
    );
    this.camera.up.set(0, 1, 0);
    this.camera.position.copy(centre).addScaledVector(dir, -distance);
    this.controls.target.copy(centre);
    this.controls.update();
    this.requestRender();
    return true;
  }

  /**
   * Makes an object's centre the orbit pivot: the view slides (no turn) until the object is in the
   * middle, so a drag then turns around it. False when the object has no box in this scene.
   */
  orbitAround(objectId: number): boolean {
    const node = this.nodes.find((n) => n.id === objectId);
    if (!node) return false;
    const pivot = this.toView(node.centroid);
    this.camera.position.add(pivot.clone().sub(this.controls.target));
    this.controls.target.copy(pivot);
    this.controls.update();
    this.requestRender();
    return true;
  }

  /** The orbit pivot in the world frame (test hook). */
  orbitTarget(): Vec3 {
    this.root.updateMatrixWorld();
    const p = this.controls.target.clone().applyMatrix4(this.root.matrixWorld.clone().invert());
    return [p.x, p.y, p.z];
  }

  /**
   * The camera in the world frame (test hook): position, the point it looks at, up, vertical field
   * of view (degrees), aspect. Full precision: looking nearly straight down, a target rounded to a
   * millimetre turns the view about its axis by several degrees.
   */
  cameraPose(): { position: Vec3; target: Vec3; up: Vec3; fov: number; aspect: number } {
    this.root.updateMatrixWorld();
    const toWorld = this.root.matrixWorld.clone().invert();
    const p = this.camera.position.clone().applyMatrix4(toWorld);
    const u = this.camera.up.clone().transformDirection(toWorld);
    return {
      position: [p.x, p.y, p.z],
      target: this.orbitTarget(),
      up: [u.x, u.y, u.z],
      fov: this.camera.fov,
      aspect: this.camera.aspect,
    };
  }

  private measureContent(): void {
    const bounds = this.contentBounds();
    if (!bounds) {
      this.stats.contentOffset = null;
      this.stats.contentInView = null;
      return;
    }
    this.camera.updateMatrixWorld();
    const ndc = (p: readonly number[]) => {
      const v = this.toView(p);
      const inFront = v.clone().applyMatrix4(this.camera.matrixWorldInverse).z < 0;
      v.project(this.camera);
      return { x: v.x, y: v.y, inFront };
    };
    const c = ndc(boxCenter(bounds));
    this.stats.contentOffset = c.inFront ? Math.max(Math.abs(c.x), Math.abs(c.y)) : Infinity;
    let inside = 0;
    for (const x of [bounds.min[0], bounds.max[0]])
      for (const y of [bounds.min[1], bounds.max[1]])
        for (const z of [bounds.min[2], bounds.max[2]]) {
          const p = ndc([x, y, z]);
          if (p.inFront && Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1) inside++;
        }
    this.stats.contentInView = inside / 8;
  }

  /**
   * The object under a canvas point: the nearest object point near the ray, else the nearest box
   * the ray enters; null for background.
   */
  pick(clientX: number, clientY: number): number | null {
    const rect = this.canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    const raycaster = new THREE.Raycaster();
    raycaster.setFromCamera(ndc, this.camera);
    const threshold = Math.max(0.01, this.camera.position.distanceTo(this.controls.target) * 0.01);
    const hitPoint = this.points.object.visible ? this.points.pick(raycaster, threshold) : null;
    this.root.updateMatrixWorld();
    const local = raycaster.ray.clone().applyMatrix4(this.root.matrixWorld.clone().invert());
    const hitBox = this.boxes.pick(local);
    if (hitPoint && (!hitBox || hitPoint.distance <= hitBox.distance + 0.05))
      return hitPoint.objectId;
    return hitBox?.objectId ?? null;
  }

  dispose(): void {
    if (this.pending) cancelAnimationFrame(this.pending);
    this.pending = 0;
    this.controls.dispose();
    for (const e of this.extensions) e.dispose();
    this.renderer.dispose();
    this.onRender = null;
  }
}
