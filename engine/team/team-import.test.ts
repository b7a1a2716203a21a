// The desktop's importer writing into a team project on PostgreSQL: rows through the layer, files
// into the shared blob folder (colour sources included), and the same files imported again, or
// under another name beside a corrupt one, become duplicates and issues as on the desktop.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ProjectStore } from '../../db/project-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { openPostgresProject, type ProjectDb } from '../../db/store/connect';
import { importBatch, importInto } from '../import/index';
import { FolderBlobStore } from './blob-store';
import { teamImportTarget } from './team-import';
import { layer } from '../test/layer';

const REDWOOD = '/work/shared/data/rgbd/redwood-livingroom';
const SAMPLES = join(import.meta.dirname, '../../samples/demo-batch/redwood-livingroom');
const FRAMES = existsSync(REDWOOD) ? REDWOOD : SAMPLES;
const options = {
  folder: join(FRAMES, 'color'),
  depthFolder: join(FRAMES, 'depth'),
  depthEncoding: 'mm' as const,
  intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
};
const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('import into a team project', () => {
  let work: string;
  let project: ProjectDb;
  let blobs: string;

  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), 'sqw-team-import-'));
    blobs = join(work, 'shared');
    project = await openPostgresProject(await postgres.cluster().createDatabase());
  });
  afterEach(async () => {
    await project?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const rows = async () =>
    (await new CatalogStore(project.db).queryImages({ offset: 0, limit: 100 })).items;
  /** What the desktop and a team store of an image alike (not ids, batch or time). */
  const same = (r: Awaited<ReturnType<typeof rows>>[number]) => ({
    relPath: r.relPath,
    sha256: r.sha256,
    size: [r.width, r.height, r.bytes, r.format],
    intrinsics: [r.fx, r.fy, r.cx, r.cy, r.intrinsicsSource],
    blobs: [r.thumbBlob, r.uprightBlob, r.depthBlob, r.depthPreviewBlob],
    depth: r.depthJson,
  });

  it('writes the rows and shared blobs a desktop import writes, and dedupes a second import', async () => {
    const target = teamImportTarget(project, new FolderBlobStore(blobs));
    const first = await importInto(target, options);
    expect(first).toMatchObject({
      imported: 3,
      duplicates: 0,
      skipped: 0,
      withDepth: 3,
      issues: [],
    });

    const team = await rows();
    const desktop = ProjectStore.openOrCreate(join(work, 'desktop'));
    try {
      await importBatch(desktop, options);
      const local = (await layer(desktop).catalog.queryImages({ offset: 0, limit: 100 })).items;
      expect(team.map(same)).toEqual(local.map(same));
    } finally {
      desktop.close();
    }
    for (const r of team) {
      const source = readFileSync(join(options.folder, r.relPath));
      expect(createHash('sha256').update(source).digest('hex')).toBe(r.sha256);
      // Workers read the colour source from the shared folder, byte for byte.
      expect(readFileSync(join(blobs, `sources/${r.sha256}.jpeg`)).equals(source)).toBe(true);
      for (const b of [r.thumbBlob, r.depthBlob!, r.depthPreviewBlob!])
        expect(existsSync(join(blobs, b.replace(/^blobs\//, '')))).toBe(true);
    }

    const again = await importInto(target, options);
    expect(again).toMatchObject({ imported: 0, duplicates: 3, skipped: 0 });
    expect(again.issues.map((i) => i.reason)).toEqual(
      team.map((r) => `duplicate of ${r.sourcePath}`),
    );
    expect(await new CatalogStore(project.db).issues(again.batchId)).toEqual(again.issues);
    expect(await rows()).toEqual(team);
  });

  it('a renamed copy and a corrupt file: one duplicate, one failure, nothing else changes', async () => {
    const target = teamImportTarget(project, new FolderBlobStore(blobs));
    await importInto(target, options);
    const before = await rows();
    const mixed = join(work, 'mixed');
    mkdirSync(mixed);
    copyFileSync(join(options.folder, '00001.jpg'), join(mixed, 'renamed.jpg'));
    writeFileSync(
      join(mixed, 'broken.jpg'),
      readFileSync(join(options.folder, '00000.jpg')).subarray(0, 300),
    );
    const r = await importInto(target, { folder: mixed });
    expect(r).toMatchObject({ imported: 0, duplicates: 1, skipped: 1 });
    expect(r.issues.map((i) => [i.path, i.kind])).toEqual([
      ['broken.jpg', 'failed'],
      ['renamed.jpg', 'skipped'],
    ]);
    expect(await rows()).toEqual(before);
  });
});
