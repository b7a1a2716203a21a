// The 3D viewer's engine room, outside React: a three.js renderer drawing on demand (one frame per
// change, none while idle), orbit/pan/zoom controls, the scene extensions, picking and the "view
// from camera" pose. World-frame data (left-handed: x right, y up, z forward) sits under a root
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

export type Node = SceneGraphView['nodes'][number];

export interface LayerToggles {
  points: boolean;
  aabb: boolean;
  obb: boolean;
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
}

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
  readonly stats: FrameStats = { frames: 0, lastRenderMs: 0, drawnPoints: 0 };
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
    this.controls.addEventListener('start', () => this.setMoving(true));
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
    this.onRender?.(this.stats);
    return ms;
  }

  setCloud(
    info: PointCloudInfo | null,
    cloud: (PointCloudArrays & { count: number }) | null,
  ): void {
    this.points.setCloud(cloud);
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
  ): void {
    this.points.setColors(mode, { selectedId, highlightIds: highlight, depthRange });
    this.requestRender();
  }

  setNodes(nodes: Node[], selectedId: number | null, highlight: ReadonlySet<number>): void {
    this.boxes.setNodes(nodes);
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
    this.boxes.setVisibility(t.aabb, t.obb);
    this.requestRender();
  }

  /** The pose of the camera that took the image, looking at the middle of the depth range. */
  viewFromCamera(): void {
    const cam = this.cameraModel;
    if (!cam) return;
    const R = cam.rotation;
    this.root.updateMatrixWorld();
    const m = this.root.matrixWorld;
    const pos = new THREE.Vector3(...(cam.translation as [number, number, number])).applyMatrix4(m);
    const forward = new THREE.Vector3(R[2]!, R[5]!, R[8]!).transformDirection(m);
    const up = new THREE.Vector3(-R[1]!, -R[4]!, -R[7]!).transformDirection(m);
    this.camera.position.copy(pos);
    this.camera.up.copy(up);
    this.camera.fov = (fitFov(cam, this.camera.aspect) * 180) / Math.PI;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(pos.clone().addScaledVector(forward, this.viewDepth));
    this.controls.update();
    this.requestRender();
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
