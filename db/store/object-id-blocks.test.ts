// One suite, two databases: a run that detects reserves the same object-id blocks on SQLite (a
// desktop job's job_items) and PostgreSQL (a team run's queue), for the images without live
// objects, in image order, after every id in use; objects added afterwards without an id (a
// reviewer's box, an import) never take an id inside a block; a later run's blocks follow.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnnotationImportStore } from './annotation-import-store';
import { BrowseStore } from './browse-store';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ModelOutputStore } from './model-output-store';
import { ObjectEditReads, ObjectEditStore } from './object-edit-store';
import { JobItemStore } from './job-item-store';
import { JobStore } from './job-store';
import { DETECTED_OBJECTS_PER_IMAGE as B, reserveObjectIdBlocks } from './object-id-blocks';
import { storeTargets, testBatch, testImage } from './test-targets';

describe.each(storeTargets())('object-id blocks on $name', (target) => {
  let project: ProjectDb;
  let images: number[];
  let runs = 0;

  /** A run that detects, queued over every image: each image's block start. */
  async function reserve(): Promise<Map<number, number>> {
    if (project.dialect === 'postgres') return reserveObjectIdBlocks(project.db, images);
    const jobId = `run-${++runs}`;
    await new JobStore(project.db, 'sqlite').createRunning(
      { id: jobId, kind: 'pipeline', params: {} },
      { owner: 'test', expiresAt: Date.now() + 60_000 },
    );
    const items = new JobItemStore(project.db, 'sqlite');
    await items.enqueueImages(jobId, { reserveObjectIds: true });
    const blocks = new Map<number, number>();
    for (const id of images) {
      const first = await items.firstObjectId(jobId, id);
      if (first !== null) blocks.set(id, first);
    }
    return blocks;
  }

  async function drawBox(imageId: number): Promise<number> {
    let id = 0;
    await new ObjectEditStore(project.db, project.dialect).execute('ann', async (reads) => {
      const made = await reads.insertHumanObject({ imageId, label: 'lamp', box: [1, 2, 30, 40] });
      id = made.id;
      return {
        command: 'object.create',
        target: `object:${made.id}`,
        before: { objects: [{ ...made, deleted: true }] },
        after: { objects: [made] },
      };
    });
    return id;
  }

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    const catalog = new CatalogStore(project.db);
    const batch = await testBatch(catalog);
    images = [];
    for (const name of ['a', 'b', 'c', 'd'])
      images.push(await catalog.insertImage(testImage(batch, `${name}.jpg`)));
    // b has a live (imported) object; d only a deleted one: d is detected on, b is not.
    await project.db
      .insertInto('objects')
      .values(
        [
          { image: images[1]!, deleted: null },
          { image: images[3]!, deleted: '2026-01-01T00:00:00Z' },
        ].map((o, i) => ({
          id: i + 1,
          image_id: o.image,
          label: 'chair',
          score: null,
          x0: 0,
          y0: 0,
          x1: 10,
          y1: 10,
          provenance: 'imported',
          created_at: '2026-01-01T00:00:00Z',
          deleted_at: o.deleted,
        })),
      )
      .execute();
    if (project.dialect === 'postgres')
      // As `sqw project copy` leaves the identity after copying ids (db/copy/project-copy.ts).
      await sql`SELECT setval(pg_get_serial_sequence('objects', 'id'), 3, false)`.execute(
        project.db,
      );
  });
  afterEach(async () => {
    await project?.close();
  });

  it('reserves a block per image without live objects, in image order, after the ids in use', async () => {
    const blocks = await reserve();
    expect([...blocks]).toEqual([
      [images[0], 3],
      [images[2], 3 + B],
      [images[3], 3 + 2 * B],
    ]);
    // A reviewer's box takes an id after every block, and so does the next run's first block.
    const drawn = await drawBox(images[1]!);
    expect(drawn).toBe(3 + 3 * B);
    const next = await reserve();
    expect(next.get(images[0]!)).toBe(drawn + 1);
  });

  // A desktop job always queues in image order; a team run's caller may list them in any.
  it.skipIf(target.name !== 'postgres')(
    'the blocks are the same for every order the images are listed in',
    async () => {
      const blocks = await reserveObjectIdBlocks(project.db, [...images].reverse());
      expect(blocks.get(images[0]!)).toBe(3);
      expect(blocks.get(images[3]!)).toBe(3 + 2 * B);
    },
  );

  it('objects added while a run reserves never land in its blocks', async () => {
    const [blocks, drawn] = await Promise.all([
      reserve(),
      Promise.all(Array.from({ length: 12 }, (_, i) => drawBox(images[i % 4]!))),
    ]);
    for (const id of drawn)
      for (const first of blocks.values()) expect(id >= first && id < first + B).toBe(false);
    expect(new Set(drawn).size).toBe(drawn.length);
  });

  it.skipIf(target.name !== 'sqlite')(
    "SQLite's desktop inserts (imports, drawn boxes) take ids above the blocks",
    async () => {
      await reserve();
      await new AnnotationImportStore(project.db, 'sqlite').add([
        {
          imageId: images[1]!,
          label: 'table',
          score: null,
          box: [0, 0, 5, 5],
          provenance: 'imported',
          externalId: 'coco:test:1',
        },
      ]);
      const objects = await new BrowseStore(project.db).objectStates(images[1]!);
      const imported = objects.find((o) => o.label === 'table')!.id;
      expect(imported).toBe(3 + 3 * B);
      const drawn = await project.db.transaction().execute((trx) =>
        new ObjectEditReads(trx, 'sqlite').insertHumanObject({
          imageId: images[1]!,
          label: 'lamp',
          box: [0, 0, 5, 5],
        }),
      );
      expect(drawn.id).toBe(imported + 1);
    },
  );

  it.skipIf(target.name !== 'sqlite')(
    "a desktop run's detections on an image without a block take the next free ids, above the blocks",
    async () => {
      await reserve();
      const ids = await project.db.transaction().execute(async (trx) => {
        const out = new ModelOutputStore(trx);
        const taken = await out.nextFreeObjectIds(3, 'sqlite');
        await out.addDetectedObjects(
          images[1]!,
          taken.map((id) => ({ id, label: 'cup', score: 0.5, box: [0, 0, 5, 5] })),
        );
        return taken;
      });
      expect(ids).toEqual([3 + 3 * B, 3 + 3 * B + 1, 3 + 3 * B + 2]);
      // The next insert without an id follows them.
      expect(await drawBox(images[1]!)).toBe(ids[2]! + 1);
      await expect(
        new ModelOutputStore(project.db).nextFreeObjectIds(1, 'postgres'),
      ).rejects.toThrow(/only on SQLite/);
    },
  );
});
