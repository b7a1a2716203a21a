import { describe, expect, it } from 'vitest';
import type { Obb } from '../../spatial/scene/scene-graph';
import { gridStride, liftCloud, objectIdRaster, progressiveOrder } from './lift-cloud';
import { obbCorners, relationsFor } from './scene-boxes';

const W = 40;
const H = 30;
const K = { fx: 40, fy: 40, cx: 19.5, cy: 14.5 };
// World = camera with y flipped (det -1, like the gravity frame of a level camera), lifted 1.5 m.
const R = [1, 0, 0, 0, -1, 0, 0, 0, 1];
const T = [0, 1.5, 0];

function flatDepth(z: number, holes = 0): Float32Array {
  const d = new Float32Array(W * H).fill(z);
  for (let i = 0; i < holes; i++) d[i * 7] = 0;
  return d;
}

describe('liftCloud', () => {
  it('lifts every valid pixel into the world frame with colour, depth and object id', () => {
    const rgb = new Uint8Array(W * H * 3);
    for (let p = 0; p < W * H; p++) rgb.set([p % 256, 10, 200], p * 3);
    const box = Int32Array.from({ length: 20 }, (_, i) => 5 * W + 10 + i); // 20 pixels of row 5
    const c = liftCloud({
      depth: flatDepth(2, 10),
      width: W,
      height: H,
      intrinsics: K,
      rotation: R,
      translation: T,
      rgb,
      objects: [{ id: 7, pixels: box }],
      maxPoints: 10_000,
    });
    expect(c.stride).toBe(1);
    expect(c.count).toBe(W * H - 10);
    expect(c.validPixels).toBe(W * H - 10);
    expect(c.pointsPerObject.get(7)).toBe(20);
    // Pixel (u=10, v=5): x = (10 - 19.5) * 2 / 40, y_cam = (5 - 14.5) * 2 / 40 -> world y = 1.5 - y_cam.
    // Points are shuffled: take the object's leftmost point, pixel u = 10.
    let k = -1;
    for (let i = 0; i < c.count; i++)
      if (c.objectIds[i] === 7 && (k < 0 || c.positions[i * 3]! < c.positions[k * 3]!)) k = i;
    expect(c.positions[k * 3]).toBeCloseTo(-0.475, 5);
    expect(c.positions[k * 3 + 1]).toBeCloseTo(1.5 + 0.475, 5);
    expect(c.positions[k * 3 + 2]).toBeCloseTo(2, 5);
    expect(c.depth[k]).toBe(2);
    expect(c.colors[k * 3 + 2]).toBe(200);
    expect(c.depthRange).toEqual({ min: 2, max: 2 });
  });

  it('stays within the point budget with a coarser grid, and paints grey without RGB', () => {
    const c = liftCloud({
      depth: flatDepth(1),
      width: W,
      height: H,
      intrinsics: K,
      rotation: R,
      translation: T,
      rgb: null,
      objects: [],
      maxPoints: 100,
    });
    expect(gridStride(W * H, 100)).toBe(4);
    expect(c.count).toBeLessThanOrEqual(100);
    expect(c.count).toBeGreaterThan(60);
    expect(new Set(c.colors)).toEqual(new Set([150]));
  });

  it('orders points so that any prefix is an even subsample', () => {
    const order = progressiveOrder(1000);
    expect(new Set(order).size).toBe(1000);
    // The first tenth covers all ten deciles of the grid order.
    const deciles = new Set(Array.from(order.subarray(0, 100), (i) => Math.floor(i / 100)));
    expect(deciles.size).toBe(10);
    expect(Array.from(progressiveOrder(1000))).toEqual(Array.from(order));
  });

  it('gives overlapping pixels to the smaller object and returns an empty cloud for no depth', () => {
    const big = Int32Array.from({ length: 100 }, (_, i) => i);
    const small = Int32Array.of(5, 6);
    const raster = objectIdRaster(W * H, [
      { id: 2, pixels: small },
      { id: 1, pixels: big },
    ]);
    expect([raster[4], raster[5], raster[6], raster[100]]).toEqual([1, 2, 2, 0]);
    const empty = liftCloud({
      depth: new Float32Array(W * H),
      width: W,
      height: H,
      intrinsics: K,
      rotation: R,
      translation: T,
      rgb: null,
      objects: [],
      maxPoints: 1000,
    });
    expect(empty.count).toBe(0);
    expect(empty.bounds).toBeNull();
  });
});

describe('scene boxes and relations', () => {
  it('puts the OBB corners on its yawed footprint', () => {
    const obb: Obb = { center: [1, 0.5, 2], extent: [2, 1, 0.5], yaw: Math.PI / 6 };
    const c = obbCorners(obb);
    expect(c).toHaveLength(8);
    // Bottom ring at y = 0, top ring at y = 1; the box's own x axis is (cos, 0, sin).
    expect(c.slice(0, 4).every((p) => Math.abs(p[1]) < 1e-9)).toBe(true);
    expect(c.slice(4).every((p) => Math.abs(p[1] - 1) < 1e-9)).toBe(true);
    const edge = [c[1]![0] - c[0]![0], c[1]![2] - c[0]![2]];
    expect(Math.hypot(edge[0]!, edge[1]!)).toBeCloseTo(2, 9);
    expect(Math.atan2(edge[1]!, edge[0]!)).toBeCloseTo(Math.PI / 6, 9);
    const centre = [0, 1, 2].map((a) => c.reduce((sum, p) => sum + p[a]! / 8, 0));
    expect(centre[0]).toBeCloseTo(1, 9);
    expect(centre[2]).toBeCloseTo(2, 9);
  });

  it('selects the edges between the given objects, or all edges of a single one', () => {
    const edges = [
      { subject: 1, object: 2, predicate: 'left_of' as const, margin: 0.1 },
      {
        subject: 2,
        object: 3,
        predicate: 'direct_distance' as const,
        value: 1.5,
        unit: 'm' as const,
      },
      { subject: 3, object: 1, predicate: 'behind' as const },
    ];
    expect(relationsFor(edges, [1, 2])).toEqual([
      { subject: 1, object: 2, predicate: 'left_of', value: null, unit: null },
    ]);
    expect(relationsFor(edges, [3]).map((e) => e.predicate)).toEqual(['direct_distance', 'behind']);
    expect(relationsFor(edges, [])).toEqual([]);
  });
});
