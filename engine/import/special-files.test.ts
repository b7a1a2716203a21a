// Files that are not regular files (issue 17, case 13): a FIFO or a link to /dev/zero named .jpg is
// reported with its reason in the import's report of bad files, and never read (it would block).
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { importBatch } from './index';
import { desktopImportTarget } from './importer';
import { prepareFile } from './process-file';
import { jpeg, put, tempDir } from './test-fixtures';

/** The project's batches and their issues, read through the two-database layer. */
const catalogOf = (store: ProjectStore) => new CatalogStore(sqliteHandle(store.db));

let tmp: { dir: string; cleanup: () => void };
let store: ProjectStore;

beforeEach(() => {
  tmp = tempDir();
  store = ProjectStore.openOrCreate(join(tmp.dir, 'project'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('importing a folder with a FIFO and a link to /dev/zero', () => {
  it('imports the images and reports both special files as skipped, with the reason', async () => {
    const photos = join(tmp.dir, 'photos');
    put(join(photos, 'good.jpg'), await jpeg(32, 24, 1));
    execFileSync('mkfifo', [join(photos, 'pipe.jpg')]);
    symlinkSync('/dev/zero', join(photos, 'zero.jpg'));
    const r = await importBatch(store, { folder: photos });
    expect(r.imported).toBe(1);
    const expected = [
      { path: 'pipe.jpg', kind: 'skipped', reason: 'not a regular file: a FIFO (named pipe)' },
      {
        path: 'zero.jpg',
        kind: 'skipped',
        reason: 'not a regular file: a symbolic link to a character device',
      },
    ];
    expect(r.issues).toEqual(expected);
    // The batch's stored report (what the UI shows) says the same.
    expect(
      (await catalogOf(store).issues(r.batchId)).map(({ path, kind, reason }) => ({
        path,
        kind,
        reason,
      })),
    ).toEqual(expected);
  });

  it('a file replaced by a FIFO after the scan is reported as one, not as an empty file', async () => {
    const fifo = join(tmp.dir, 'late.jpg');
    execFileSync('mkfifo', [fifo]);
    const target = desktopImportTarget(store);
    const batchId = await target.imports.openBatch(
      { sourceFolder: tmp.dir, depthFolder: null, depthEncoding: null, intrinsics: null },
      [],
    );
    const out = await prepareFile(
      { target, batchId, given: null, depth: null, claims: new Map() },
      { path: fifo, relPath: 'late.jpg' },
      0,
    );
    expect(out.status).toBe('skipped');
    expect(out.issues[0]!.reason).toBe('not a regular file any more: a FIFO (named pipe)');
  }, 5_000);
});
