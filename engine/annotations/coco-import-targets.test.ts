// The COCO import on both databases of the layer: matched by name, masks kept, and a file imported
// again, or twice at once, adds each annotation once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnnotationImportStore } from '../../db/store/annotation-import-store';
import { CatalogStore } from '../../db/store/catalog-store';
import type { ProjectDb } from '../../db/store/connect';
import { storeTargets } from '../../db/store/test-targets';
import { duringUncommittedImport, objectsById } from '../../db/store/testing/project-rows';
import { decodeRle } from '../../spatial/geometry/mask-rle';
import { importCocoAnnotations } from './coco-import';

const file = {
  images: [
    { id: 1, file_name: 'room/a.jpg', width: 8, height: 6 },
    { id: 2, file_name: 'b.jpg', width: 8, height: 6 },
  ],
  categories: [{ id: 7, name: 'chair' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 7, bbox: [1, 1, 3, 2], score: 0.5 },
    { id: 2, image_id: 1, category_id: 7, segmentation: [[4, 2, 8, 2, 8, 6, 4, 6]] },
    { id: 3, image_id: 2, category_id: 7, bbox: [0, 0, 2, 2] },
  ],
};

describe.each(storeTargets())('COCO import on $name', (target) => {
  let project: ProjectDb;
  let ids: number[];

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    const catalog = new CatalogStore(project.db);
    const batchId = await catalog.createBatch({
      sourceFolder: '/in',
      depthFolder: null,
      depthEncoding: null,
      intrinsics: null,
    });
    ids = [];
    for (const rel of ['room/a.jpg', 'other/b.jpg'])
      ids.push(
        await catalog.insertImage({
          batchId,
          sourcePath: `/in/${rel}`,
          relPath: rel,
          fileName: rel.split('/').pop()!,
          sha256: `sha-${rel}`,
          bytes: 1,
          format: 'jpeg',
          width: 8,
          height: 6,
          orientation: 1,
          exif: null,
          intrinsics: { fx: 10, fy: 10, cx: 4, cy: 3, source: 'given' },
          uprightBlob: null,
          thumbBlob: 'blobs/thumbs/x.webp',
          depthBlob: null,
          depthPreviewBlob: null,
          depth: null,
        }),
      );
  });
  afterEach(async () => {
    await project?.close();
  });

  const objects = () => objectsById(project.db);

  it('attaches boxes and masks by path or name, and adds nothing the second time', async () => {
    const r = await importCocoAnnotations(project, file, 'k1');
    expect(r).toEqual({ imagesMatched: 2, objectsAdded: 3, alreadyPresent: 0, issues: [] });
    const rows = await objects();
    expect(rows.map((o) => [o.image_id, o.label, o.score, [o.x0, o.y0, o.x1, o.y1]])).toEqual([
      [ids[0], 'chair', 0.5, [1, 1, 4, 3]],
      [ids[0], 'chair', null, [4, 2, 8, 6]],
      [ids[1], 'chair', null, [0, 0, 2, 2]],
    ]);
    expect(decodeRle(JSON.parse(rows[1]!.mask_rle!)).mask.reduce((s, v) => s + v, 0)).toBe(16);
    expect(rows.map((o) => o.external_id)).toEqual(['coco:k1:1', 'coco:k1:2', 'coco:k1:3']);

    expect(await importCocoAnnotations(project, file, 'k1')).toMatchObject({
      objectsAdded: 0,
      alreadyPresent: 3,
    });
    expect(await objects()).toHaveLength(3);
  });

  it('the same file imported twice at once: each annotation once', async () => {
    const [a, b] = await Promise.all([
      importCocoAnnotations(project, file, 'k2'),
      importCocoAnnotations(project, file, 'k2'),
    ]);
    expect(a.objectsAdded + b.objectsAdded).toBe(3);
    expect(a.alreadyPresent + b.alreadyPresent).toBe(3);
    expect(await objects()).toHaveLength(3);
  });

  it('checks for the objects again once another import of them has committed', async (ctx) => {
    if (project.dialect !== 'postgres')
      ctx.skip('SQLite: one writer, its transactions never overlap');
    const store = new AnnotationImportStore(project.db, project.dialect);
    const object = {
      imageId: ids[0]!,
      label: 'chair',
      score: null,
      box: [0, 0, 1, 1] as [number, number, number, number],
      provenance: 'imported' as const,
      externalId: 'coco:k3:1',
    };
    let adding: Promise<number> | undefined;
    // Another import, mid-way: it has written the object and not committed yet.
    await duringUncommittedImport(project.db, project.dialect, object, async () => {
      adding = store.add([object]);
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await adding).toBe(0);
    expect(await objects()).toHaveLength(1);
  });
});
