// The import's writes on both databases: a batch with its report, an image with its issues in one
// transaction, and the duplicate decided by the content hash, also between two writers at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IssueRow } from './catalog-store';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ImportStore } from './import-store';
import { storeTargets, testImage } from './test-targets';

const image = (batchId: number, relPath: string, sha256: string) =>
  testImage(batchId, relPath, { sha256, thumbBlob: `blobs/thumbs/${sha256}.webp` });

const batch = { sourceFolder: '/data', depthFolder: null, depthEncoding: null, intrinsics: null };
const duplicateOf = (path: string) => (of: string) => [
  { path, kind: 'skipped' as const, reason: `duplicate of ${of}` },
];

describe.each(storeTargets())('import store on $name', (target) => {
  let project: ProjectDb;
  let imports: ImportStore;
  let catalog: CatalogStore;

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    imports = new ImportStore(project.db);
    catalog = new CatalogStore(project.db);
  });
  afterEach(async () => {
    await project?.close();
  });

  it('opens a batch with its scan report and commits images with their issues', async () => {
    const scan: IssueRow[] = [{ path: 'x.txt', kind: 'skipped', reason: 'not an image' }];
    const id = await imports.openBatch(batch, scan);
    expect(await catalog.issues(id)).toEqual(scan);

    const warn: IssueRow[] = [{ path: 'a.jpg', kind: 'warning', reason: 'no depth' }];
    const a = await imports.commitImage(image(id, 'a.jpg', 'sha-a'), warn, duplicateOf('a.jpg'));
    expect(a).toMatchObject({ status: 'imported', issues: warn });
    expect(await imports.sourceOf('sha-a')).toBe('/data/a.jpg');
    expect(await imports.sourceOf('sha-b')).toBeUndefined();

    // The same content under another name, in a later batch: no row, its duplicate issue instead
    // of its warnings.
    const later = await imports.openBatch(batch, []);
    const twin = await imports.commitImage(
      image(later, 'copy.jpg', 'sha-a'),
      warn,
      duplicateOf('copy.jpg'),
    );
    expect(twin).toEqual({
      status: 'duplicate',
      of: '/data/a.jpg',
      issues: [{ path: 'copy.jpg', kind: 'skipped', reason: 'duplicate of /data/a.jpg' }],
    });
    expect(await catalog.issues(later)).toEqual(twin.issues);
    const rows = await catalog.queryImages({ offset: 0, limit: 10 });
    expect(rows.items.map((r) => [r.relPath, r.batchId])).toEqual([['a.jpg', id]]);

    await imports.addIssues(later, [{ path: '.', kind: 'warning', reason: 'cancelled' }]);
    expect((await catalog.issues(later)).map((i) => i.reason)).toEqual([
      'duplicate of /data/a.jpg',
      'cancelled',
    ]);
  });

  it('an issue the database refuses takes its image row with it', async () => {
    const id = await imports.openBatch(batch, []);
    const bad = [{ path: 'a.jpg', kind: null, reason: 'r' }] as unknown as IssueRow[];
    await expect(
      imports.commitImage(image(id, 'a.jpg', 'sha-a'), bad, duplicateOf('a.jpg')),
    ).rejects.toThrow();
    expect((await catalog.queryImages({ offset: 0, limit: 10 })).total).toBe(0);
    expect(await imports.sourceOf('sha-a')).toBeUndefined();
  });

  it('two writers committing the same content at once: one image, one duplicate', async () => {
    const first = await imports.openBatch(batch, []);
    const second = await imports.openBatch(batch, []);
    // On PostgreSQL each commit runs on its own pooled connection; the second's ON CONFLICT waits
    // for the first's transaction.
    const results = await Promise.all(
      [first, second].map((b, i) =>
        imports.commitImage(image(b, `${i}.jpg`, 'sha-same'), [], duplicateOf(`${i}.jpg`)),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'imported']);
    const rows = await catalog.queryImages({ offset: 0, limit: 10 });
    expect(rows.total).toBe(1);
    const loser = results.find((r) => r.status === 'duplicate')!;
    expect(loser).toMatchObject({ of: rows.items[0]!.sourcePath });
  });
});
