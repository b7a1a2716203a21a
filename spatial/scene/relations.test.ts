// Left/right "from the viewer's perspective" = the direction seen from the camera (azimuth of each
// centre, degrees, tie margin in degrees), not the lateral offset along the viewer's x axis.
import { describe, expect, it } from 'vitest';
import { angleDifference, azimuthFromCamera } from './measurements';
import { leftRightDecision, MARGINS, relatePair } from './relations';
import type { SceneEdge, SceneNode, Vec3, WorldFrame } from './scene-graph';

/** A level frame with the camera `height` m above the floor point at (x, 0, z). */
function frame(height = 1.5, at: [number, number] = [0, 0]): WorldFrame {
  return {
    gravitySource: 'given',
    aligned: true,
    rotation: [1, 0, 0, 0, -1, 0, 0, 0, 1],
    translation: [at[0], height, at[1]],
    floorY: 0,
    cameraHeight: height,
  };
}

/** A usable box node centred at `c` (world frame) with the given width, height and depth. */
function node(id: number, c: Vec3, size: Vec3 = [0.4, 0.8, 0.4]): SceneNode {
  const min: Vec3 = [c[0] - size[0] / 2, c[1] - size[1] / 2, c[2] - size[2] / 2];
  const max: Vec3 = [c[0] + size[0] / 2, c[1] + size[1] / 2, c[2] + size[2] / 2];
  return {
    id,
    label: `object ${id}`,
    attributes: [],
    bbox2d: [0, 0, 10, 10],
    maskRef: null,
    maskProvenance: null,
    centroid: c,
    aabb: { min, max },
    obb: { center: c, extent: size, yaw: 0 },
    extent: { width: size[0], height: size[1], depth: size[2] },
    numPoints: 500,
    elevation: min[1],
    distanceFromCamera: Math.hypot(c[0], c[1] - 1.5, c[2]),
    quality: { ok: true, flags: [] },
  };
}

const leftRight = (edges: SceneEdge[]) =>
  edges.filter((e) => e.predicate === 'left_of' || e.predicate === 'right_of');

describe('left/right from the camera (azimuth)', () => {
  it('corridor: a near object just right of centre is right of a far one further right', () => {
    // Lateral offsets say the partition (x 0.5) is left of the cabinet (x 1.0); seen from the
    // camera the partition is at 26.6° and the cabinet, far down the corridor, at 9.5°.
    const partition = node(1, [0.5, 0.9, 1.0], [0.2, 1.8, 0.2]);
    const cabinet = node(2, [1.0, 0.6, 6.0], [0.6, 1.2, 0.5]);
    const f = frame();
    expect(partition.centroid[0]).toBeLessThan(cabinet.centroid[0]);
    expect(azimuthFromCamera(f, partition.centroid)).toBeCloseTo(26.565, 2);
    expect(azimuthFromCamera(f, cabinet.centroid)).toBeCloseTo(9.462, 2);
    const edges = leftRight(relatePair(partition, cabinet, f));
    expect(edges).toEqual([
      { subject: 1, object: 2, predicate: 'right_of', value: 17.1027, unit: 'deg', margin: 2 },
      { subject: 2, object: 1, predicate: 'left_of', value: 17.1027, unit: 'deg', margin: 2 },
    ]);
  });

  it('agrees with the image: the object drawn further left is left_of', () => {
    const f = frame();
    const a = node(1, [-1, 0.4, 3]);
    const b = node(2, [0.3, 0.4, 2]);
    expect(leftRight(relatePair(a, b, f))[0]).toMatchObject({
      subject: 1,
      object: 2,
      predicate: 'left_of',
      unit: 'deg',
    });
  });

  it('states no left/right inside the tie margin (2°, or 10% of the mean angular width)', () => {
    const f = frame();
    // 1.5° apart at 4 m: a tie for two small objects
    const a = node(1, [0, 0.4, 4], [0.1, 0.8, 0.1]);
    const x = 4 * Math.tan((1.5 * Math.PI) / 180);
    const b = node(2, [x, 0.4, 4], [0.1, 0.8, 0.1]);
    expect(leftRightDecision(f, a, b).margin).toBe(MARGINS.leftRight.abs);
    expect(leftRight(relatePair(a, b, f))).toEqual([]);
    // 5° apart but both 2 m wide at 3 m (~37° each): the margin grows to ~3.7°, still decided
    const wide = (id: number, deg: number) =>
      node(id, [3 * Math.tan((deg * Math.PI) / 180), 0.4, 3], [2, 0.8, 0.4]);
    const d = leftRightDecision(f, wide(1, 0), wide(2, 5));
    expect(d.margin).toBeGreaterThan(3.5);
    expect(d.margin).toBeLessThan(4);
    expect(leftRight(relatePair(wide(1, 0), wide(2, 5), f))).toHaveLength(2);
    expect(leftRight(relatePair(wide(1, 0), wide(2, 3), f))).toEqual([]);
  });

  it('measures from the camera centre, not the world origin', () => {
    // Camera 2 m to the right of the origin: an object at x = 1 is on the viewer's left.
    const f = frame(1.5, [2, 0]);
    expect(azimuthFromCamera(f, [1, 0.5, 2])).toBeCloseTo(-26.565, 2);
    const a = node(1, [1, 0.5, 2]);
    const b = node(2, [2, 0.5, 2]);
    expect(leftRight(relatePair(a, b, f))[0]).toMatchObject({ subject: 1, predicate: 'left_of' });
  });

  it('wraps angle differences across ±180°', () => {
    expect(angleDifference(170, -170)).toBeCloseTo(20);
    expect(angleDifference(-170, 170)).toBeCloseTo(-20);
    expect(angleDifference(10, 30)).toBeCloseTo(20);
  });
});
