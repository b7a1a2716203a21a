import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { countsToString, decodeRle, encodeRle } from '../../spatial/geometry/mask-rle';
import { tempDir } from '../test/helpers';
import { desktopAnnotationTarget, importCocoAnnotations, importCocoFile } from './coco-import';
import { layer } from '../test/layer';

let dir: ReturnType<typeof tempDir>;
let store: ProjectStore;
let imageId: number;
const target = () => desktopAnnotationTarget(store);

async function addImage(relPath: string, sha: string, width = 8, height = 6): Promise<number> {
  const catalog = new CatalogStore(sqliteHandle(store.db));
  const batchId = await catalog.createBatch({
    sourceFolder: '/in',
    depthFolder: null,
    depthEncoding: null,
    intrinsics: null,
  });
  return catalog.insertImage({
    batchId,
    sourcePath: `/in/${relPath}`,
    relPath,
    fileName: relPath.split('/').pop()!,
    sha256: sha,
    bytes: 1,
    format: 'jpeg',
    width,
    height,
    orientation: 1,
    exif: null,
    intrinsics: { fx: 10, fy: 10, cx: 4, cy: 3, source: 'given' },
    uprightBlob: null,
    thumbBlob: 'blobs/thumbs/x.webp',
    depthBlob: null,
    depthPreviewBlob: null,
    depth: null,
  });
}

const coco = (
  annotations: unknown[],
  images: unknown[] = [{ id: 1, file_name: 'sub/a.jpg', width: 8, height: 6 }],
) => ({
  images,
  categories: [{ id: 7, name: 'chair' }],
  annotations,
});

beforeEach(async () => {
  dir = tempDir();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  imageId = await addImage('sub/a.jpg', 'aa');
});
afterEach(() => {
  store.close();
  dir.remove();
});

describe('COCO annotation import', () => {
  it('attaches boxes, compressed RLE and polygon masks in original pixels', async () => {
    const bitmap = new Uint8Array(48);
    for (const i of [9, 10, 17, 18]) bitmap[i] = 1; // x 1-2, y 1-2
    const rle = encodeRle(bitmap, 8, 6);
    const r = await importCocoAnnotations(
      target(),
      coco([
        { id: 1, image_id: 1, category_id: 7, bbox: [1, 1, 3, 2], score: 0.9 },
        {
          id: 2,
          image_id: 1,
          category_id: 7,
          segmentation: { size: [6, 8], counts: countsToString(rle.counts as number[]) },
        },
        { id: 3, image_id: 1, category_id: 7, segmentation: [[4, 2, 8, 2, 8, 6, 4, 6]] },
      ]),
      'f1',
    );
    expect(r).toMatchObject({ imagesMatched: 1, objectsAdded: 3, alreadyPresent: 0, issues: [] });
    const objects = await layer(store).scene.objectsWithMasks(imageId);
    expect(objects.map((o) => o.box)).toEqual([
      [1, 1, 4, 3],
      [1, 1, 3, 3],
      [4, 2, 8, 6],
    ]);
    expect(objects[0]).toMatchObject({
      label: 'chair',
      score: 0.9,
      provenance: 'imported',
      maskRle: null,
    });
    expect(Array.from(decodeRle(JSON.parse(objects[1]!.maskRle!)).mask)).toEqual(
      Array.from(bitmap),
    );
    expect(decodeRle(JSON.parse(objects[2]!.maskRle!)).mask.reduce((s, v) => s + v, 0)).toBe(16);
    expect(objects[2]!.maskProvenance).toBe('imported');
  });

  it('adds nothing twice when the same file is imported again', async () => {
    const file = coco([{ id: 1, image_id: 1, category_id: 7, bbox: [1, 1, 3, 2] }]);
    await importCocoAnnotations(target(), file, 'f1');
    const again = await importCocoAnnotations(target(), file, 'f1');
    expect(again).toMatchObject({ objectsAdded: 0, alreadyPresent: 1 });
    expect(await layer(store).browse.objects(imageId)).toHaveLength(1);
  });

  it('reports every unusable annotation with its reason and keeps the good ones', async () => {
    await addImage('other/a.jpg', 'bb'); // makes the bare name "a.jpg" ambiguous
    const r = await importCocoAnnotations(
      target(),
      coco(
        [
          { id: 1, image_id: 1, category_id: 99, bbox: [1, 1, 3, 2] },
          { id: 2, image_id: 1, category_id: 7, bbox: [100, 100, 5, 5] },
          { id: 3, image_id: 1, category_id: 7, bbox: [2, 2, 0, 0] },
          { id: 4, image_id: 1, category_id: 7, segmentation: { size: [12, 16], counts: [0, 4] } },
          { id: 5, image_id: 1, category_id: 7, segmentation: { size: [6, 8], counts: [0, 400] } },
          { id: 6, image_id: 1, category_id: 7, segmentation: [[1, 1, 2]] },
          { id: 7, image_id: 1, category_id: 7, bbox: [0, 0, 2, 2] },
          { id: 8, image_id: 2, category_id: 7, bbox: [0, 0, 2, 2] },
          { id: 9, image_id: 3, category_id: 7, bbox: [0, 0, 2, 2] },
          { id: 10, image_id: 4, category_id: 7, bbox: [0, 0, 2, 2] },
        ],
        [
          { id: 1, file_name: 'sub/a.jpg', width: 8, height: 6 },
          { id: 2, file_name: 'missing.jpg' },
          { id: 3, file_name: 'a.jpg' },
          { id: 4, file_name: 'sub/a.jpg', width: 16, height: 12 },
        ],
      ),
      'f2',
    );
    expect(r.objectsAdded).toBe(1);
    const reasons = r.issues.map((i) => `${i.path}: ${i.reason}`);
    expect(reasons).toEqual([
      'missing.jpg: no image with this path or name in the project',
      'a.jpg: 2 project images share this name; use the relative path',
      'sub/a.jpg: annotated at 16x12 but the image is 8x6',
      'annotation 1: unknown category_id 99',
      'annotation 2: zero-area or out-of-image box, and no mask',
      'annotation 3: zero-area or out-of-image box, and no mask',
      'annotation 4: mask is 16x12 but the image is 8x6',
      expect.stringMatching(/^annotation 5: bad RLE mask: .*more than 8x6/),
      'annotation 6: polygon segmentation needs at least 3 finite x,y points per ring',
    ]);
  });

  it('refuses a file that is not COCO, or not JSON, with a clear reason and writes nothing', async () => {
    await expect(importCocoAnnotations(target(), { images: 'x' }, 'f3')).rejects.toThrow(
      /not a COCO instances file: images/,
    );
    const { writeFileSync } = await import('node:fs');
    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, '{"images": [');
    await expect(importCocoFile(store, bad)).rejects.toThrow(/not valid JSON/);
    expect(await layer(store).browse.objects(imageId)).toHaveLength(0);
  });
});
