// The scene panel, the 3D view and the batch view's filters on a team project (PostgreSQL) answer
// as the desktop does on SQLite: the corridor with two "cabinet"s nothing tells apart, the Redwood
// living room (segment, lift, graph and QA run on the desktop) and a corridor copy imported after
// the run (no graph yet) are copied to a throwaway cluster, and the same calls go to a desktop
// engine on the folder and to the team engine: scene.get, scene.relations, scene.pointCloud with
// its 'point-cloud' blob (the same bytes), and images.list / images.counts filtered by ambiguity,
// label and QA changed after an edit, before and after the same edit on both sides.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { resolveBlob } from '../blobs';
import { createEngine, type Engine } from '../engine';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { parseStages } from '../pipeline/run';
import { runJob } from '../pipeline/testing/run-job';
import { importCorridor } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { sourceBlobKey } from './blob-store';
import { createTeamEngine, type TeamEngine } from './team-engine';
import { imageIdOf, insertHumanObject, layer } from '../test/layer';

const postgres = usePostgresCluster();
const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

interface Built {
  corridor: number;
  living: number;
  /** Imported after the run: depth, no objects, no graph. */
  fresh: number;
}

/** The desktop project: two images run through the model-free stages, one imported after. */
async function build(store: ProjectStore, work: string): Promise<Built> {
  const corridor = await importCorridor(store);
  await importBatch(store, {
    folder: `${SAMPLES}/redwood-livingroom/color`,
    depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
    depthEncoding: 'mm',
    intrinsics: INTRINSICS,
  });
  // The COCO file names both; importing it again now attaches the living room's boxes.
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  // A second box over the cabinet: two "cabinet"s nothing tells apart (an ambiguity).
  await insertHumanObject(store, {
    imageId: corridor,
    label: 'cabinet',
    box: [370, 90, 500, 410],
  });
  const { job } = await runJob(store, { stages: parseStages('segment,lift,graph,qa') });
  expect(job.status).toBe('done');
  // Bytes after the JPEG's end make it its own image (its own hash) with the same pixels.
  const color = join(work, 'later', 'color');
  const depth = join(work, 'later', 'depth');
  mkdirSync(color, { recursive: true });
  mkdirSync(depth, { recursive: true });
  const jpeg = readFileSync(`${SAMPLES}/sun-corridor/color/corridor.jpg`);
  writeFileSync(join(color, 'later.jpg'), Buffer.concat([jpeg, Buffer.from('later')]));
  writeFileSync(
    join(depth, 'later.png'),
    readFileSync(`${SAMPLES}/sun-corridor/depth/corridor.png`),
  );
  await importBatch(store, {
    folder: color,
    depthFolder: depth,
    depthEncoding: 'sun',
    intrinsics: INTRINSICS,
  });
  return {
    corridor,
    living: await imageIdOf(store, '00000.jpg'),
    fresh: await imageIdOf(store, 'later.jpg'),
  };
}

let dir: ReturnType<typeof tempDir>;
let desktop: Engine;
let team: TeamEngine;
let desktopId: string;
let ids: Built;
let allImages: number[];

type Side = 'desktop' | 'team';
async function call(side: Side, method: string, input: Record<string, unknown> = {}) {
  const res =
    side === 'desktop'
      ? await desktop.dispatch(method, { projectId: desktopId, ...input })
      : await team.dispatch(method, { projectId: team.project.id, ...input });
  if (!res.ok) throw new Error(`${side} ${method}: ${res.error.code}: ${res.error.message}`);
  return res.result as any;
}
/** The same call on both; the answers must be equal, and the desktop's is returned. */
async function both(method: string, input: Record<string, unknown> = {}) {
  const d = await call('desktop', method, input);
  const t = await call('team', method, input);
  expect(t, method).toEqual(d);
  return d;
}
/** The image's 'point-cloud' blob on both sides: the bytes must be equal. */
async function cloudBytesOnBoth(imageId: number): Promise<Buffer> {
  const file = await resolveBlob(desktop.projects, {
    projectId: desktopId,
    imageId,
    kind: 'point-cloud',
  });
  if (!file) throw new Error('desktop: no point-cloud blob');
  const d = readFileSync(file.path);
  const t = await team.readBlob({ projectId: team.project.id, imageId, kind: 'point-cloud' });
  expect(t?.contentType).toBe(file.contentType);
  expect(t?.data.equals(d)).toBe(true);
  return d;
}
/** The image ids of images.list and the counts under `filter`, equal on both sides. */
async function filtered(filter: Record<string, unknown>): Promise<number[]> {
  const list = await both('images.list', { ...filter, offset: 0, limit: 100 });
  const { status, ...rest } = filter;
  // The counts leave the status filter out and count per status instead.
  const counts = await both('images.counts', rest);
  expect(status === undefined ? counts.total : counts.byStatus[status as string]).toBe(list.total);
  return list.items.map((i: any) => i.id);
}

describe.skipIf(postgres.skipReason)('scene panel, 3D view and filters on a team project', () => {
  beforeAll(async () => {
    dir = tempDir('sqw-team-scene-');
    const folder = join(dir.path, 'desktop');
    const store = ProjectStore.openOrCreate(folder);
    try {
      ids = await build(store, dir.path);
      allImages = (await layer(store).catalog.queryImages({ offset: 0, limit: 100 })).items.map(
        (i) => i.id,
      );
    } finally {
      store.close();
    }
    const url = await postgres.cluster().createDatabase();
    const blobs = join(dir.path, 'shared-blobs');
    await copyProject(folder, url, { blobs });
    team = await createTeamEngine({ database: url, blobs });
    desktop = await createEngine({ transport: 'http', projectFolders: [folder] });
    desktopId = desktop.projects.list()[0]!.id;
  }, 60_000);
  afterAll(async () => {
    await team?.close();
    await desktop?.close();
    dir?.remove();
  });

  it('answers scene.get and scene.relations as the desktop', async () => {
    for (const imageId of allImages) await both('scene.get', { imageId });
    const corridor = await both('scene.get', { imageId: ids.corridor });
    expect(corridor.nodes.length).toBeGreaterThan(2);
    expect(corridor.ambiguities.length).toBeGreaterThan(0);
    expect((await both('scene.get', { imageId: ids.living })).nodes.length).toBeGreaterThan(0);
    expect(await both('scene.get', { imageId: ids.fresh })).toBeNull();

    const nodeIds = corridor.nodes.map((n: any) => n.id);
    let edges = 0;
    for (const id of nodeIds)
      edges += (await both('scene.relations', { imageId: ids.corridor, objectIds: [id] })).length;
    expect(edges).toBeGreaterThan(0);
    await both('scene.relations', { imageId: ids.corridor, objectIds: nodeIds.slice(0, 3) });
    expect(await both('scene.relations', { imageId: ids.fresh, objectIds: [1] })).toEqual([]);
  });

  it('builds the same point clouds (description and blob bytes), then serves them from its cache', async () => {
    for (const imageId of allImages) {
      const info = await both('scene.pointCloud', { imageId, maxPoints: 20_000 });
      expect(info.cached).toBe(false);
      const bytes = await cloudBytesOnBoth(imageId);
      expect(bytes.length).toBe(info.bytes);
      const again = await both('scene.pointCloud', { imageId, maxPoints: 20_000 });
      // The cached description went through JSON (a -0 in the frame reads back as 0).
      expect(again).toEqual(JSON.parse(JSON.stringify({ ...info, cached: true })));
    }
    const corridor = await both('scene.pointCloud', { imageId: ids.corridor, maxPoints: 20_000 });
    expect(corridor.pointCount).toBeGreaterThan(1000);
    expect(corridor.hasColor).toBe(true);
    expect(corridor.frame.fromGraph).toBe(true);
    expect(corridor.objects.filter((o: any) => o.points > 0).length).toBeGreaterThan(1);
    const fresh = await both('scene.pointCloud', { imageId: ids.fresh, maxPoints: 20_000 });
    expect(fresh.frame.fromGraph).toBe(false);
    expect(fresh.notes.some((n: string) => /No scene graph yet/.test(n))).toBe(true);
    // Another point budget is another cloud, rebuilt on both.
    const finer = await both('scene.pointCloud', { imageId: ids.corridor, maxPoints: 80_000 });
    expect(finer.cached).toBe(false);
    expect(finer.stamp).not.toBe(corridor.stamp);
    expect(finer.pointCount).toBeGreaterThan(corridor.pointCount);
    await cloudBytesOnBoth(ids.corridor);
    await expect(call('team', 'scene.pointCloud', { imageId: 99_999 })).rejects.toThrow(
      /not-found/,
    );
    // A colour source missing from the shared folder (a project copied before sources were
    // shared): the cloud is still built, grey, with a note naming the file.
    const image = (await team.project.catalog.image(ids.fresh))!;
    rmSync(join(dir.path, 'shared-blobs', sourceBlobKey(image)));
    const grey = await call('team', 'scene.pointCloud', { imageId: ids.fresh, maxPoints: 30_000 });
    expect(grey.hasColor).toBe(false);
    expect(grey.pointCount).toBeGreaterThan(1000);
    expect(grey.notes.join(' ')).toMatch(/Colours unavailable \(.*sources\/.*\); points are grey/);
  });

  it('filters images by ambiguity, label and changed QA as the desktop, before and after the same edit', async () => {
    expect(await filtered({ ambiguous: true })).toEqual([ids.corridor]);
    expect(await filtered({ ambiguous: false })).toEqual(
      allImages.filter((i) => i !== ids.corridor),
    );
    expect(await filtered({ label: 'cabinet' })).toContain(ids.corridor);
    const chairs = await filtered({ label: 'chair' });
    expect(chairs).toContain(ids.living);
    expect(await filtered({ label: 'chair', ambiguous: true })).toEqual(
      chairs.includes(ids.corridor) ? [ids.corridor] : [],
    );
    expect(await filtered({ changedAfterEdit: true })).toEqual([]);
    expect(await filtered({ changedAfterEdit: false })).toEqual(allImages);

    // The same reviewer work on both: every fact of the living room approved, then its chair moved.
    const view = await both('reviews.image', { imageId: ids.living, reviewer: 'ann' });
    for (const side of ['desktop', 'team'] as const) {
      for (const q of view.qa as any[])
        if (q.status === 'proposed' && q.blocked === null)
          await call(side, 'reviews.decide', { qaId: q.id, decision: 'approve', reviewer: 'ann' });
      const chair = (view.objects as any[]).find((o) => o.label === 'chair');
      const [x0, y0, x1, y1] = chair.box as number[];
      await call(side, 'objects.update', {
        objectId: chair.id,
        expectedVersion: chair.version,
        box: [x0! + 120, y0! + 40, x1! + 120, y1! + 40],
        reviewer: 'ann',
      });
    }
    await desktop.rederive.idle();
    await team.project.rederive.idle();
    expect(await filtered({ changedAfterEdit: true })).toEqual([ids.living]);
    expect(await filtered({ changedAfterEdit: false, batchId: 1 })).toEqual([ids.corridor]);
    const { status } = await both('images.get', { imageId: ids.living });
    expect(await filtered({ label: 'chair', status })).toEqual([ids.living]);
    expect(await filtered({ label: 'chair', status: 'approved' })).toEqual([]);
    await both('scene.get', { imageId: ids.living });
    await both('scene.pointCloud', { imageId: ids.living, maxPoints: 20_000 });
    await cloudBytesOnBoth(ids.living);
  });
});
