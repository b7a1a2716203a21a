// The 3D viewer's pieces that run without WebGL: colours, level of detail, frustum maths, and the
// layers' lifecycles (what they add under the world root, picking, and that dispose frees it all).
import * as THREE from 'three';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SceneGraphView } from '../../../contract/entities';
import { hexRgb, objectColors, OBJECT_PALETTE } from '../lib/objects';
import { colorsForIds, fillColors } from './cloud-colors';
import { BoxesLayer, boxEdgePositions, aabbCorners } from './layers/BoxesLayer';
import { FrameLayer } from './layers/FrameLayer';
import { frustumCorners, FrustumLayer } from './layers/FrustumLayer';
import { PointCloudLayer } from './layers/PointCloudLayer';
import { groupRelations, relationText, RelationLayer } from './layers/RelationLayer';
import { AdaptiveBudget, lodCount } from './lod';
import { fitFov } from './scene-renderer';
import { boxCenter, boxRadius, contentBox, depthAlong, fitDistance, unionBox } from './view-fit';
import { captionText } from './SceneViewer3D';

// Text sprites draw into a canvas; Node has none, so give them a blank one.
const g = globalThis as { document?: unknown };
let hadDocument = false;
beforeAll(() => {
  hadDocument = 'document' in g;
  if (!hadDocument)
    g.document = { createElement: () => ({ width: 0, height: 0, getContext: () => null }) };
});
afterAll(() => {
  if (!hadDocument) delete g.document;
});

function cloud(n: number) {
  const positions = new Float32Array(n * 3);
  for (let i = 0; i < n; i++)
    positions.set([(i % 10) * 0.1, 0, 2 + Math.floor(i / 10) * 0.1], i * 3);
  return {
    positions,
    depth: Float32Array.from({ length: n }, (_, i) => 1 + (i / n) * 3),
    objectIds: Int32Array.from({ length: n }, (_, i) => (i < n / 2 ? 5 : 0)),
    colors: new Uint8Array(n * 3).fill(40),
    count: n,
  };
}

/** Disposal is observable through the 'dispose' event every geometry/material fires. */
function trackDisposals(root: THREE.Object3D): { disposed: () => number; total: number } {
  const owned = new Set<THREE.EventDispatcher<{ dispose: object }>>();
  const disposed = new Set<unknown>();
  root.traverse((o) => {
    const m = o as Partial<THREE.Mesh>;
    const mats = Array.isArray(m.material) ? m.material : [m.material];
    // Sprite quads are three.js's shared geometry, not the layer's.
    const resources = o instanceof THREE.Sprite ? mats : [m.geometry, ...mats];
    for (const r of resources) if (r) owned.add(r);
  });
  for (const r of owned) r.addEventListener('dispose', () => disposed.add(r));
  return { disposed: () => disposed.size, total: owned.size };
}

const node = (id: number, x: number): SceneGraphView['nodes'][number] => ({
  id,
  label: `obj${id}`,
  centroid: [x, 0.5, 2],
  extent: { width: 0.4, height: 1, depth: 0.4 },
  elevation: 0,
  distanceFromCamera: 2,
  numPoints: 100,
  quality: { ok: true, flags: [] },
  aabb: { min: [x - 0.2, 0, 1.8], max: [x + 0.2, 1, 2.2] },
  obb: {
    center: [x, 0.5, 2],
    extent: [0.4, 1, 0.4],
    yaw: 0,
    corners: aabbCorners([x - 0.2, 0, 1.8], [x + 0.2, 1, 2.2]) as [number, number, number][],
  },
});

describe('point colours', () => {
  const src = cloud(4);
  const opts = {
    selectedId: null,
    highlightIds: new Set<number>(),
    depthRange: { min: 1, max: 4 },
    objectColors: new Map([[5, '#4dabf7']]),
  };
  it('colours by RGB, object and depth, and tints the selected object', () => {
    const out = new Uint8Array(12);
    fillColors('rgb', src, out, 4, opts);
    expect(Array.from(out.subarray(0, 3))).toEqual([40, 40, 40]);
    fillColors('object', src, out, 4, opts);
    expect(Array.from(out.subarray(0, 3))).toEqual([0x4d, 0xab, 0xf7]);
    expect(Array.from(out.subarray(9, 12))).toEqual([70, 70, 70]);
    fillColors('depth', src, out, 4, opts);
    // Near = red end, far = blue end.
    expect(out[0]!).toBeGreaterThan(out[2]!);
    expect(out[11]!).toBeGreaterThan(out[9]!);
    fillColors('rgb', src, out, 4, { ...opts, selectedId: 5 });
    // (40 + 2 * tint) / 3, truncated by the Uint8Array.
    expect(Array.from(out.subarray(0, 3))).toEqual([183, 156, 20]);
    expect(Array.from(out.subarray(9, 12))).toEqual([40, 40, 40]);
  });

  it('object mode uses the 2D colour of each object; selecting one dims the others, never recolours', () => {
    // ids 5 (first half) and 9 (second half); the 2D rule orders by id
    const two = { ...cloud(4), objectIds: Int32Array.from([5, 5, 9, 9]) };
    const colors = objectColors([{ id: 9 }, { id: 5 }]);
    const out = new Uint8Array(12);
    fillColors('object', two, out, 4, { ...opts, objectColors: colors });
    expect(Array.from(out.subarray(0, 3))).toEqual(hexRgb(OBJECT_PALETTE[0]));
    expect(Array.from(out.subarray(6, 9))).toEqual(hexRgb(OBJECT_PALETTE[1]));
    fillColors('object', two, out, 4, { ...opts, objectColors: colors, selectedId: 9 });
    expect(Array.from(out.subarray(6, 9))).toEqual(hexRgb(OBJECT_PALETTE[1]));
    const dimmed = Array.from(out.subarray(0, 3));
    hexRgb(OBJECT_PALETTE[0]).forEach((c, i) => expect(dimmed[i]).toBeLessThan(c));
    // an id the 2D list does not know is grey, not some other object's colour
    fillColors('object', { ...two, objectIds: Int32Array.from([7, 7, 7, 7]) }, out, 4, opts);
    expect(Array.from(out.subarray(0, 3))).toEqual([150, 150, 150]);
    // without the 2D canvas, the same rule over the scene's ids
    expect(colorsForIds([9, 5])).toEqual(colors);
  });
});

describe('level of detail', () => {
  const feed = (b: AdaptiveBudget, ms: (budget: number) => number, frames: number) => {
    for (let i = 0; i < frames; i++) b.observe(ms(b.budget));
  };

  it('shrinks the moving budget while frames are slow and point-bound, grows it when fast', () => {
    const b = new AdaptiveBudget(100_000, 5_000, 1_000_000);
    // Frame time proportional to the points drawn: 1 ms per 1000 points.
    feed(b, (n) => n / 1000, 4);
    expect(b.budget).toBe(70_000);
    feed(b, (n) => n / 1000, 40);
    expect(b.budget).toBeLessThanOrEqual(40_000);
    expect(b.budget).toBeGreaterThan(20_000); // settles between the slow and fast thresholds
    feed(b, () => 8, 200);
    expect(b.budget).toBe(1_000_000);
    expect(lodCount(300, 1_000)).toBe(300);
    expect(lodCount(300_000, 34_300.5)).toBe(34_300);
  });

  it('stops shrinking when fewer points do not make frames faster', () => {
    const b = new AdaptiveBudget(100_000, 5_000, 1_000_000);
    feed(b, () => 100, 40); // a busy software GPU: 100 ms whatever is drawn
    expect(b.notPointBound).toBe(true);
    expect(b.budget).toBe(100_000);
  });
});

describe('camera frustum', () => {
  it('puts the camera at t and the image corners on the depth plane', () => {
    const cam = {
      width: 640,
      height: 480,
      intrinsics: { fx: 500, fy: 500, cx: 319.5, cy: 239.5 },
      rotation: [1, 0, 0, 0, -1, 0, 0, 0, 1],
      translation: [0, 1.4, 0],
    };
    const [c, tl, , br] = frustumCorners(cam, 1);
    expect(c).toEqual([0, 1.4, 0]);
    expect(tl![0]).toBeCloseTo(-320 / 500, 9);
    expect(tl![1]).toBeCloseTo(1.4 + 240 / 500, 9); // image top = world up
    expect(tl![2]).toBeCloseTo(1, 9);
    expect(br![0]).toBeCloseTo(320 / 500, 9);
  });
});

describe('layer lifecycles', () => {
  it('point cloud: one geometry over the typed arrays, a draw-range LOD, picking, full disposal', () => {
    const root = new THREE.Group();
    const layer = new PointCloudLayer(root);
    const c = cloud(400);
    layer.setCloud(c);
    const points = layer.object.getObjectByName('points') as THREE.Points;
    expect(points.geometry.getAttribute('position').array.buffer).toBe(c.positions.buffer);
    layer.setInteracting(true, 100);
    expect(points.geometry.drawRange.count).toBe(100);
    expect(layer.drawnCount).toBe(100);
    layer.setInteracting(false, 100);
    expect(points.geometry.drawRange.count).toBe(400);
    // A ray straight down the first column of points hits object 5 (the first half of the cloud),
    // even while only a prefix is drawn.
    layer.setInteracting(true, 10);
    const ray = new THREE.Raycaster(new THREE.Vector3(0, 1, 2), new THREE.Vector3(0, -1, 0));
    expect(layer.pick(ray, 0.02)?.objectId).toBe(5);
    expect(points.geometry.drawRange.count).toBe(10);
    const miss = new THREE.Raycaster(new THREE.Vector3(0, 1, 5.5), new THREE.Vector3(0, -1, 0));
    expect(layer.pick(miss, 0.02)).toBeNull();
    const t = trackDisposals(layer.object);
    layer.setCloud(null);
    expect(t.disposed()).toBe(1); // the geometry; the material is reused by the next cloud
    layer.dispose();
    expect(root.children).toHaveLength(0);
  });

  it('boxes, frame, frustum and relations: rebuild on update, pick by AABB, free everything', () => {
    const root = new THREE.Group();
    const boxes = new BoxesLayer(root);
    boxes.setNodes([node(1, -1), node(2, 1)], new Map([[1, '#ff6b6b']]));
    boxes.update(null, new Set());
    expect(boxes.object.children.map((o) => o.name).sort()).toEqual([
      'aabb-1',
      'aabb-2',
      'label-1',
      'label-2',
      'obb-1',
      'obb-2',
    ]);
    boxes.update(2, new Set([1]));
    expect(boxes.object.getObjectByName('label-2')).toBeDefined();
    const ray = new THREE.Ray(new THREE.Vector3(1, 0.5, -5), new THREE.Vector3(0, 0, 1));
    expect(boxes.pick(ray)?.objectId).toBe(2);
    expect(boxEdgePositions(node(1, 0).obb.corners)).toHaveLength(72);

    const frame = new FrameLayer(root);
    frame.update({ floorY: 0, bounds: { min: [-2, 0, 1], max: [2, 2, 5] } });
    expect(frame.object.getObjectByName('floor')).toBeDefined();
    frame.update({ floorY: null, bounds: null });
    expect(frame.object.getObjectByName('floor')).toBeUndefined();

    const frustum = new FrustumLayer(root);
    frustum.update(
      {
        width: 4,
        height: 3,
        intrinsics: { fx: 4, fy: 4, cx: 1.5, cy: 1 },
        rotation: [1, 0, 0, 0, -1, 0, 0, 0, 1],
        translation: [0, 1, 0],
      },
      0.5,
    );
    expect(frustum.object.children).toHaveLength(2);

    const relations = new RelationLayer(root);
    const drawn = relations.update(
      [node(1, -1), node(2, 1)],
      [
        { subject: 1, object: 2, predicate: 'left_of', value: null, unit: null },
        { subject: 2, object: 1, predicate: 'direct_distance', value: 2.004, unit: 'm' },
      ],
    );
    expect(drawn).toBe(1);
    // Its label is one size on screen at any distance (readable when the view is fitted).
    const label = relations.object.getObjectByName('relation-label-1-2') as THREE.Sprite;
    expect(label.material.sizeAttenuation).toBe(false);
    expect(label.scale.y).toBeCloseTo(0.03 * 2, 6); // two lines: the pair, its own edge (left_of)

    const all = [boxes, frame, frustum, relations];
    const trackers = all.map((l) => trackDisposals(l.object));
    for (const l of all) l.dispose();
    for (const t of trackers) expect(t.disposed()).toBe(t.total);
    expect(root.children).toHaveLength(0);
  });

  it('boxes: the 2D colour per object whatever the selection, a label on every box', () => {
    const root = new THREE.Group();
    const boxes = new BoxesLayer(root);
    const colors = objectColors([{ id: 1 }, { id: 2 }, { id: 3 }]);
    boxes.setNodes([node(1, -1), node(2, 0), node(3, 1)], colors);
    const lineColor = (name: string) =>
      `#${((boxes.object.getObjectByName(name) as THREE.LineSegments).material as THREE.LineBasicMaterial).color.getHexString()}`;
    for (const selected of [null, 2]) {
      boxes.update(selected, new Set(selected === null ? [] : [3]));
      for (const id of [1, 2, 3]) {
        expect(lineColor(`obb-${id}`)).toBe(colors.get(id));
        expect(boxes.colorOf(id)).toBe(colors.get(id));
      }
    }
    // nothing in focus: all labelled; in focus: the selected and highlighted ones
    boxes.update(null, new Set());
    expect(boxes.object.children.filter((o) => o.name.startsWith('label-'))).toHaveLength(3);
    boxes.update(2, new Set([3]));
    const labels = boxes.object.children.filter((o) => o.name.startsWith('label-'));
    expect(labels.map((o) => o.name).sort()).toEqual(['label-2', 'label-3']);
    expect(labels[0]!.position.y).toBeCloseTo(1.08, 9); // above the box
    boxes.setVisibility(false, true, false);
    boxes.update(null, new Set());
    expect(boxes.object.children.filter((o) => o.name.startsWith('label-'))).toHaveLength(0);
    boxes.dispose();
  });

  it("writes relation values the way reviewers read them, from the first subject's side", () => {
    expect(
      relationText({
        subject: 1,
        object: 2,
        predicate: 'direct_distance',
        value: 1.234,
        unit: 'm',
      }),
    ).toBe('direct distance 1.23 m');
    expect(
      relationText({ subject: 1, object: 2, predicate: 'direction', value: 2.2, unit: 'oclock' }),
    ).toBe("direction 2 o'clock");
    expect(
      relationText({ subject: 1, object: 2, predicate: 'right_of', value: 0.92, unit: 'm' }),
    ).toBe('right of (by 0.92 m)');
    const groups = groupRelations(
      [
        { subject: 1, object: 2, predicate: 'left_of', value: null, unit: null },
        { subject: 2, object: 1, predicate: 'right_of', value: null, unit: null },
        { subject: 2, object: 1, predicate: 'direct_distance', value: 2, unit: 'm' },
        { subject: 2, object: 1, predicate: 'behind', value: null, unit: null },
      ],
      [2, 1],
    );
    expect([...groups.values()]).toEqual([
      { from: 2, to: 1, lines: ['direct distance 2.00 m', 'right of', 'behind'] },
    ]);
  });

  it('fits the whole photo in a view narrower than it', () => {
    const cam = { width: 640, height: 480, intrinsics: { fx: 525, fy: 525 } };
    expect(fitFov(cam, 2)).toBeCloseTo(2 * Math.atan(240 / 525), 9);
    expect(fitFov(cam, 0.5)).toBeCloseTo(2 * Math.atan(320 / 525 / 0.5), 9);
  });

  it('names the subjects in a QA caption', () => {
    expect(
      captionText(
        'Is <region0> right of <region1>? <region2>',
        [4, 9],
        [{ id: 4, label: 'chair' }],
      ),
    ).toBe('Is chair #4 right of #9? <region2>');
  });
});

describe('fitting the view to the content', () => {
  it('the content box ignores a few stray far points', () => {
    const n = 1000;
    const positions = new Float32Array(n * 3);
    for (let i = 0; i < n; i++)
      positions.set([(i % 10) * 0.2 - 1, (i % 7) * 0.1, 1 + (i % 13) * 0.1], i * 3);
    positions.set([0, 0, 40], 0); // a reading through a window
    const box = contentBox(positions, n)!;
    expect(box.max[2]).toBeLessThan(2.3);
    expect(box.min[0]).toBeCloseTo(-1, 5);
    expect(unionBox([box, { min: [0, 0, 0], max: [5, 1, 1] }])!.max[0]).toBe(5);
    expect(contentBox(new Float32Array(0), 0)).toBeNull();
  });

  it('at the fit distance every corner of the box is inside the view, for wide and narrow panels', () => {
    const box = {
      min: [-1.5, 0, 1] as [number, number, number],
      max: [2, 2.4, 4] as [number, number, number],
    };
    for (const aspect of [2, 0.6]) {
      const cam = new THREE.PerspectiveCamera(50, aspect, 0.01, 100);
      const c = new THREE.Vector3(...boxCenter(box));
      const dir = new THREE.Vector3(0.3, -0.4, 1).normalize();
      cam.position
        .copy(c)
        .addScaledVector(dir, -fitDistance(boxRadius(box), (50 * Math.PI) / 180, aspect));
      cam.lookAt(c);
      cam.updateMatrixWorld();
      for (const x of [box.min[0], box.max[0]])
        for (const y of [box.min[1], box.max[1]])
          for (const z of [box.min[2], box.max[2]]) {
            const p = new THREE.Vector3(x, y, z).project(cam);
            expect(Math.abs(p.x)).toBeLessThanOrEqual(1);
            expect(Math.abs(p.y)).toBeLessThanOrEqual(1);
          }
      // and the centre is in the middle
      const m = c.clone().project(cam);
      expect(Math.hypot(m.x, m.y)).toBeLessThan(1e-9);
    }
  });

  it("the photo's pivot sits at the content's depth along the optical axis", () => {
    expect(depthAlong([0, 1, 0], [0, 0, 1], [0.4, 0.2, 2.5])).toBeCloseTo(2.5, 12);
    const tilted = [0, -Math.SQRT1_2, Math.SQRT1_2] as [number, number, number];
    expect(depthAlong([0, 1, 0], tilted, [0, 0, 1])).toBeCloseTo(Math.SQRT2, 12);
  });
});
