// A synthetic room for the 3D viewer's bench: floor, two walls and box-shaped objects, N points
// with colours and object ids, plus matching scene nodes. Deterministic (fixed LCG seed).
import type { SceneGraphView } from '../../../contract/entities';
import type { PointCloudInfo } from '../../../contract/point-cloud';
import type { LoadedCloud } from './useSceneData';

type V3 = [number, number, number];

export function syntheticScene(n: number): {
  cloud: LoadedCloud;
  info: PointCloudInfo;
  nodes: SceneGraphView['nodes'];
} {
  let seed = 12345;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const objects: Array<{ id: number; min: V3; max: V3 }> = [];
  for (let i = 0; i < 12; i++) {
    const x = -2 + (i % 4) * 1.3;
    const z = 2 + Math.floor(i / 4) * 1.2;
    const h = 0.4 + rand() * 0.8;
    objects.push({ id: i + 1, min: [x, 0, z], max: [x + 0.5, h, z + 0.5] });
  }
  const positions = new Float32Array(n * 3);
  const depth = new Float32Array(n);
  const objectIds = new Int32Array(n);
  const colors = new Uint8Array(n * 3);
  const cam: V3 = [0, 1.4, 0];
  for (let i = 0; i < n; i++) {
    const r = rand();
    let p: V3;
    let id = 0;
    if (r < 0.45) p = [-3 + rand() * 6, 0, 1 + rand() * 4.5];
    else if (r < 0.6) p = [-3 + rand() * 6, rand() * 2.6, 5.5];
    else if (r < 0.7) p = [-3, rand() * 2.6, 1 + rand() * 4.5];
    else {
      const o = objects[Math.floor(rand() * objects.length)]!;
      id = o.id;
      // A point on the box's surface: pick a face, then a spot on it.
      const axis = Math.floor(rand() * 3);
      p = [0, 1, 2].map((a) =>
        a === axis
          ? rand() < 0.5
            ? o.min[a]!
            : o.max[a]!
          : o.min[a]! + rand() * (o.max[a]! - o.min[a]!),
      ) as V3;
    }
    positions.set(p, i * 3);
    depth[i] = p[2] - cam[2];
    objectIds[i] = id;
    const shade = 90 + Math.floor(rand() * 100);
    colors.set(id ? [shade, (id * 40) % 200, 120] : [shade, shade, shade - 20], i * 3);
  }
  const nodes = objects.map((o) => {
    const c: V3 = [0, 1, 2].map((a) => (o.min[a]! + o.max[a]!) / 2) as V3;
    const e: V3 = [0, 1, 2].map((a) => o.max[a]! - o.min[a]!) as V3;
    const corners: V3[] = [];
    for (const y of [o.min[1], o.max[1]])
      for (const [x, z] of [
        [o.min[0], o.min[2]],
        [o.max[0], o.min[2]],
        [o.max[0], o.max[2]],
        [o.min[0], o.max[2]],
      ] as const)
        corners.push([x, y, z]);
    return {
      id: o.id,
      label: `object ${o.id}`,
      centroid: c,
      extent: { width: e[0], height: e[1], depth: e[2] },
      elevation: 0,
      distanceFromCamera: c[2],
      numPoints: 0,
      quality: { ok: true, flags: [] },
      aabb: { min: o.min, max: o.max },
      obb: { center: c, extent: e, yaw: 0, corners },
    };
  });
  const info: PointCloudInfo = {
    pointCount: n,
    validPixels: n,
    stride: 1,
    stamp: '0000000000000000',
    bytes: 0,
    width: 1280,
    height: 960,
    intrinsics: { fx: 900, fy: 900, cx: 639.5, cy: 479.5 },
    frame: {
      rotation: [1, 0, 0, 0, -1, 0, 0, 0, 1],
      translation: cam,
      floorY: 0,
      gravitySource: 'given',
      aligned: true,
      fromGraph: true,
    },
    bounds: { min: [-3, 0, 1], max: [3, 2.6, 5.5] },
    depthRange: { min: 1, max: 5.5 },
    objects: objects.map((o) => ({ id: o.id, label: `object ${o.id}`, points: 0 })),
    hasColor: true,
    notes: [],
    cached: false,
  };
  return { cloud: { positions, depth, objectIds, colors, count: n }, info, nodes };
}
