// `sqw import --database postgres://… --blobs <dir>` as a user runs it: a team project gets the
// images (rows in PostgreSQL, files in the shared folder) and COCO boxes, a second run adds nothing.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { CatalogStore } from '../../db/store/catalog-store';
import { openPostgresProject } from '../../db/store/connect';
import { objectCount } from '../../db/store/testing/project-rows';
import { runSqw, tempDir } from '../test/helpers';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('sqw import --database', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let blobs: string;
  beforeAll(async () => {
    dir = tempDir('sqw-import-db-');
    blobs = join(dir.path, 'shared');
    mkdirSync(blobs);
    url = await postgres.cluster().createDatabase();
  });
  afterAll(() => dir?.remove());

  const importArgs = () => [
    'import',
    `${SAMPLES}/redwood-livingroom/color`,
    '--depth',
    `${SAMPLES}/redwood-livingroom/depth`,
    '--intrinsics',
    '525,525,319.5,239.5',
    '--annotations',
    `${SAMPLES}/annotations.coco.json`,
    '--database',
    url,
    '--blobs',
    blobs,
    '--json',
  ];

  it('imports images, depth and boxes into the team project, and nothing twice', async () => {
    const first = await runSqw(importArgs());
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout) as {
      imported: number;
      withDepth: number;
      annotations: { objectsAdded: number };
    };
    expect(r).toMatchObject({ imported: 3, withDepth: 3 });
    expect(r.annotations.objectsAdded).toBeGreaterThan(0);

    const project = await openPostgresProject(url, 1);
    try {
      const catalog = new CatalogStore(project.db);
      const images = await Promise.all((await catalog.imageIds()).map((id) => catalog.image(id)));
      expect(images).toHaveLength(3);
      for (const i of images) {
        expect(existsSync(join(blobs, i!.thumbBlob.replace(/^blobs\//, '')))).toBe(true);
        expect(existsSync(join(blobs, `sources/${i!.sha256}.jpeg`))).toBe(true);
      }
      expect(await objectCount(project.db)).toBe(r.annotations.objectsAdded);
    } finally {
      await project.close();
    }

    const second = JSON.parse((await runSqw(importArgs())).stdout) as {
      imported: number;
      duplicates: number;
      annotations: { objectsAdded: number; alreadyPresent: number };
    };
    expect(second).toMatchObject({ imported: 0, duplicates: 3 });
    expect(second.annotations).toMatchObject({
      objectsAdded: 0,
      alreadyPresent: r.annotations.objectsAdded,
    });
  });

  it('refuses --database without --blobs, and --blobs with a project folder', async () => {
    const noBlobs = await runSqw(['import', SAMPLES, '--database', url]);
    expect(noBlobs.code).not.toBe(0);
    expect(noBlobs.stderr).toMatch(/--blobs <dir>/);
    const both = await runSqw(['import', SAMPLES, '--project', dir.path, '--blobs', blobs]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--blobs is for a team project/);
  });
});
