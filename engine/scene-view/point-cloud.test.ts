// scene.pointCloud and scene.relations over real HTTP on the demo corridor frame: import with
// sensor depth and COCO boxes, run the pipeline, lift the cloud, fetch the blob, check it against
// the graph, the cache and its invalidation.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackPointCloud, type PointCloudInfo } from '../../contract/point-cloud';
import { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';
import { deriveGraphAndQa, desktopScene } from '../test/desktop-results';
import { imageIdOf, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

let dir: ReturnType<typeof tempDir>;
let served: ServedEngine;
let corridor: number;
let livingRoom: number;

beforeAll(async () => {
  dir = tempDir();
  const folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: INTRINSICS,
  });
  await importBatch(store, { folder: `${SAMPLES}/redwood-livingroom/color` });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  corridor = await imageIdOf(store, 'corridor.jpg');
  expect((await deriveGraphAndQa(store, corridor))?.status).toBe('done');
  livingRoom = (await layer(store).catalog.queryImages({ offset: 0, limit: 10 })).items.find(
    (i) => i.id !== corridor,
  )!.id;
  store.close();
  served = await serveEngine(folder);
}, 60_000);
afterAll(async () => {
  await served.close();
  dir.remove();
});

async function cloudOf(imageId: number, maxPoints = 50_000) {
  const res = await served.rpc('scene.pointCloud', {
    projectId: served.projectId,
    imageId,
    maxPoints,
  });
  expect(res.status).toBe(200);
  const info = res.body.result as PointCloudInfo;
  const blob = await fetch(
    `${served.base}/blob/${served.projectId}/${imageId}/point-cloud?token=${served.server.token}`,
  );
  expect(blob.status).toBe(200);
  expect(blob.headers.get('content-type')).toBe('application/octet-stream');
  return { info, cloud: unpackPointCloud(await blob.arrayBuffer(), info.stamp) };
}

describe('scene.pointCloud', () => {
  it('lifts the corridor to a world-frame cloud with colours and object ids, within the budget', async () => {
    const { info, cloud } = await cloudOf(corridor);
    expect(info.cached).toBe(false);
    expect(info.pointCount).toBe(cloud.count);
    expect(info.pointCount).toBeGreaterThan(20_000);
    expect(info.pointCount).toBeLessThanOrEqual(50_000);
    expect(info.stride).toBeGreaterThan(1);
    expect(info.frame).toMatchObject({
      fromGraph: true,
      aligned: true,
      gravitySource: 'floor-plane',
    });
    expect(info.hasColor).toBe(true);
    // Every object of the graph has points, and those points sit inside (or next to) its AABB.
    const scene = (
      await served.rpc('scene.get', { projectId: served.projectId, imageId: corridor })
    ).body.result;
    expect(scene.nodes.length).toBe(3);
    for (const node of scene.nodes) {
      expect(node.obb.corners).toHaveLength(8);
      const entry = info.objects.find((o) => o.id === node.id)!;
      expect(entry.points).toBeGreaterThan(50);
      let inside = 0;
      for (let i = 0; i < cloud.count; i++) {
        if (cloud.objectIds[i] !== node.id) continue;
        const p = [0, 1, 2].map((a) => cloud.positions[i * 3 + a]!);
        if (p.every((v, a) => v >= node.aabb.min[a] - 0.05 && v <= node.aabb.max[a] + 0.05))
          inside++;
      }
      // The AABB is measured on the cleaned cluster; mask outliers (wall behind) fall outside.
      expect(inside / entry.points).toBeGreaterThan(0.5);
    }
    // The floor is at y = 0 in the world frame: the lowest points are near it, none far below.
    const ys = Array.from({ length: cloud.count }, (_, i) => cloud.positions[i * 3 + 1]!).sort(
      (a, b) => a - b,
    );
    expect(Math.abs(ys[Math.floor(ys.length * 0.01)]!)).toBeLessThan(0.1);
    // Not all grey: the RGB came from the image.
    const distinct = new Set<number>();
    for (let i = 0; i < cloud.count; i += 97)
      distinct.add(
        (cloud.colors[i * 3]! << 16) | (cloud.colors[i * 3 + 1]! << 8) | cloud.colors[i * 3 + 2]!,
      );
    expect(distinct.size).toBeGreaterThan(50);
  });

  it('answers from the cache the second time and rebuilds when the budget changes', async () => {
    const first = await cloudOf(corridor);
    expect(first.info.cached).toBe(true);
    const bigger = await cloudOf(corridor, 200_000);
    expect(bigger.info.cached).toBe(false);
    expect(bigger.info.stamp).not.toBe(first.info.stamp);
    expect(bigger.info.pointCount).toBeGreaterThan(first.info.pointCount);
  });

  it("rebuilds when an object's mask changes (a re-derived graph or an edit)", async () => {
    await cloudOf(corridor); // the previous test left the 200k cloud in the cache
    const before = await cloudOf(corridor);
    expect(before.info.cached).toBe(true);
    const store = served.engine.projects.get(served.projectId);
    const [obj] = await layer(store).scene.objectsWithMasks(corridor);
    // A one-row mask: the object keeps only a handful of points.
    const counts = [obj!.box[0] * 480 + 200, 10, 640 * 480 - obj!.box[0] * 480 - 210];
    await desktopScene(store).setMask(
      obj!.id,
      JSON.stringify({ size: [480, 640], counts }),
      'model',
    );
    const after = await cloudOf(corridor);
    expect(after.info.cached).toBe(false);
    expect(after.info.stamp).not.toBe(before.info.stamp);
    const entry = after.info.objects.find((o) => o.id === obj!.id)!;
    expect(entry.points).toBeLessThan(before.info.objects.find((o) => o.id === obj!.id)!.points);
  });

  it('says why there is nothing to show for an image without depth, and fails clearly for a missing image', async () => {
    const { info, cloud } = await cloudOf(livingRoom);
    expect(cloud.count).toBe(0);
    expect(info.notes.join(' ')).toMatch(/No depth map/);
    const missing = await served.rpc('scene.pointCloud', {
      projectId: served.projectId,
      imageId: 99999,
    });
    expect(missing.body).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('scene.relations', () => {
  it('returns the edges between two objects, with metric values', async () => {
    const scene = (
      await served.rpc('scene.get', { projectId: served.projectId, imageId: corridor })
    ).body.result;
    const [a, b] = scene.nodes.map((n: { id: number }) => n.id);
    const res = await served.rpc('scene.relations', {
      projectId: served.projectId,
      imageId: corridor,
      objectIds: [a, b],
    });
    const edges = res.body.result as Array<{
      subject: number;
      object: number;
      predicate: string;
      value: number | null;
    }>;
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) expect([a, b]).toEqual(expect.arrayContaining([e.subject, e.object]));
    const distance = edges.find((e) => e.predicate === 'direct_distance');
    expect(distance?.value).toBeGreaterThan(0);
  });
});
