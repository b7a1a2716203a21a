// `sqw project copy` as a user runs it: a desktop project with review work in every table goes to
// PostgreSQL and back to a new folder, equal row for row; a non-empty target is refused untouched.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { AccountStore } from '../../db/store/access-store';
import { openPostgresProject, sqliteHandle } from '../../db/store/connect';
import { JobStore } from '../../db/store/job-store';
import { ReviewStore } from '../../db/store/review-store';
import { generateQa } from '../../spatial/qa/generate';
import { randomGraph } from '../../spatial/qa/testing/random-graph';
import { importBatch } from '../import/index';
import { storeQaResult, writeResults } from '../test/desktop-results';
import { desktopReview } from '../review/testing/desktop-review';
import { dumpProjectFile } from '../../db/store/testing/desktop-rows';
import { firstQaIdWithStatus } from '../../db/store/testing/project-rows';
import { hasProjectTables, qaPairCount } from '../../db/store/testing/team-rows';
import { runSqw, tempDir } from '../test/helpers';
import { addObject, imageIdOf, layer } from '../test/layer';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = resolve(ROOT, 'samples/demo-batch');

const sqw = runSqw;

/** A desktop project with imports, objects, stage results, QA, decisions, audit log and an export. */
async function reviewedProject(folder: string): Promise<void> {
  const store = ProjectStore.openOrCreate(folder, 'Café «ü» project');
  try {
    await importBatch(store, { folder: `${SAMPLES}/sun-corridor/color` });
    await importBatch(store, { folder: `${SAMPLES}/redwood-livingroom/color` });
    const imageId = await imageIdOf(store, 'corridor.jpg');
    await addObject(store, {
      imageId,
      label: 'chair',
      score: 0.9,
      box: [1.5, 2.25, 100.125, 200],
      provenance: 'imported',
    });
    await writeResults(store, async (scene) => {
      await scene.recordStages([
        {
          imageId,
          stage: 'qa',
          status: 'done',
          reason: null,
          provenance: { seed: 0 },
          tookMs: 1.25,
          jobId: null,
        },
      ]);
      await scene.replaceAmbiguities(imageId, [
        { nodeId: 1, label: 'cabinet', group: [1, 2], reason: 'two cabinets' },
      ]);
    });
    const jobs = new JobStore(sqliteHandle(store.db), 'sqlite');
    await jobs.createRunning(
      { id: 'job-1', kind: 'pipeline', params: { stages: ['qa'] } },
      { owner: 'ann', expiresAt: Date.now() + 60_000 },
    );
    await jobs.release('job-1', 'ann', { status: 'done', message: null, total: 1, done: 1 });
    const graph = randomGraph(3, { objects: 6, alignedProb: 1, badQuality: 0 });
    await storeQaResult(store, imageId, generateQa(graph, { imageId: String(imageId), seed: '0' }));
    const review = desktopReview(store);
    const queue = (await layer(store).browse.qaQueue({ imageId, offset: 0, limit: 3 })).items;
    await review.decide({
      qaId: queue[0]!.id,
      decision: 'approve',
      expectedRevision: queue[0]!.revision,
      confirmWarnings: true,
      actor: 'ann',
    });
    await review.decide({
      qaId: queue[1]!.id,
      decision: 'reject',
      reason: 'wrong — "left" is ambiguous',
      expectedRevision: queue[1]!.revision,
      confirmWarnings: true,
      actor: 'ben',
    });
    // Tables only the SQLite schema describes (accounts and claims): copied all the same.
    await new AccountStore(sqliteHandle(store.db)).add({
      name: 'ann',
      role: 'reviewer',
      tokenId: 'tid-ann',
      tokenSalt: 'salt',
      tokenHash: 'hash',
    });
    await layer(store).claims.take(
      { batchId: 1, family: null, label: null },
      'ann',
      4_102_444_800_000,
      Date.now(),
    );
    await layer(store).exports.recordExport({
      format: 'qa-jsonl',
      outDir: '/out/qa',
      options: { include: 'approved' },
      counts: { qa: 4 },
      checksum: 'f00d',
    });
  } finally {
    store.close();
  }
}

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('sqw project copy', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  const source = () => join(dir.path, 'desktop');

  beforeAll(async () => {
    dir = tempDir();
    await reviewedProject(source());
    url = await postgres.cluster().createDatabase();
  }, 60_000);
  afterAll(() => dir.remove());

  it('goes to PostgreSQL and back to a folder with every table equal row for row', async () => {
    const before = dumpProjectFile(source());
    for (const t of [
      'images',
      'batches',
      'qa_pairs',
      'review_decisions',
      'audit_log',
      'exports',
      'objects',
      'stage_runs',
      'jobs',
      'accounts',
      'review_claims',
    ])
      expect(before[t]!.length, t).toBeGreaterThan(0);

    const shared = join(dir.path, 'shared-blobs');
    const there = await sqw([
      'project',
      'copy',
      '--project',
      source(),
      '--to',
      url,
      '--blobs',
      shared,
      '--json',
    ]);
    expect(there.stderr + there.stdout).not.toMatch(/^sqw:/m);
    expect(there.code).toBe(0);
    const report = JSON.parse(there.stdout) as {
      tables: Array<{ name: string; rows: number }>;
      sources: { shared: number; missing: unknown[] };
    };
    for (const [name, rows] of Object.entries(before)) {
      // Not project data: the target keeps its own schema bookkeeping.
      if (name === 'user_version' || name.startsWith('kysely_migration')) continue;
      expect(report.tables.find((t) => t.name === name)?.rows, name).toBe(rows.length);
    }
    // The workers' model stages read each colour image from the shared folder, by content hash.
    const images = before.images as Array<{ sha256: string; format: string; source_path: string }>;
    expect(report.sources).toEqual({ shared: images.length, missing: [] });
    for (const image of images)
      expect(
        readFileSync(join(shared, 'sources', `${image.sha256}.${image.format}`)).equals(
          readFileSync(image.source_path),
        ),
      ).toBe(true);

    const back = join(dir.path, 'back');
    const home = await sqw(['project', 'copy', '--project', url, '--to', back, '--blobs', shared]);
    expect(home.code, home.stderr).toBe(0);
    expect(dumpProjectFile(back)).toEqual(before);
    // Every thumbnail and image file came along, byte for byte.
    const files = (root: string) =>
      (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
        .filter((f) => f.isFile())
        .map((f) => join(f.parentPath, f.name).slice(root.length))
        .sort();
    const blobFiles = files(join(source(), 'blobs'));
    expect(blobFiles.length).toBeGreaterThan(0);
    expect(files(join(back, 'blobs'))).toEqual(blobFiles);
    for (const f of blobFiles)
      expect(
        readFileSync(join(back, 'blobs', f)).equals(readFileSync(join(source(), 'blobs', f))),
      ).toBe(true);
  });

  it('refuses a target that is not empty and leaves it as it was', async () => {
    const count = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await qaPairCount(c);
      } finally {
        await c.end();
      }
    };
    const n = await count();
    const again = await sqw([
      'project',
      'copy',
      '--project',
      source(),
      '--to',
      url,
      '--blobs',
      join(dir.path, 'other-blobs'),
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not empty \(table \w+ has rows\)/);
    expect(await count()).toBe(n);

    const folder = await sqw([
      'project',
      'copy',
      '--project',
      url,
      '--to',
      source(),
      '--blobs',
      join(dir.path, 'shared-blobs'),
    ]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('target folder is not empty');
  });

  it('the copied team project takes new decisions after the copied ids', async () => {
    const project = await openPostgresProject(url);
    try {
      const qaId = await firstQaIdWithStatus(project.db, 'proposed');
      const review = new ReviewStore(project.db, 'postgres');
      // The newest entry is the one of highest id.
      const [newest] = await review.auditEntries({ limit: 1 });
      const entry = await review.decideFact({ qaId, decision: 'approve', reviewer: 'cy' });
      expect(entry.id).toBe((newest?.id ?? 0) + 1);
    } finally {
      await project.close();
    }
  });

  it('a copy that fails midway leaves the empty folders it was given in place, empty', async () => {
    // A FIFO cannot be copied: the file copy fails after the database part is written.
    const fifoIn = (folder: string) => {
      const p = join(folder, 'zz-pipe');
      execFileSync('mkfifo', [p]);
      return p;
    };
    // PostgreSQL -> an existing empty folder, the shared blob folder holding a FIFO.
    const badBlobs = join(dir.path, 'bad-blobs');
    mkdirSync(badBlobs);
    writeFileSync(join(badBlobs, 'a.bin'), 'a');
    fifoIn(badBlobs);
    const target = join(dir.path, 'empty-target');
    mkdirSync(target);
    const home = await sqw([
      'project',
      'copy',
      '--project',
      url,
      '--to',
      target,
      '--blobs',
      badBlobs,
    ]);
    expect(home.code).not.toBe(0);
    expect(home.stderr).toMatch(/FIFO/);
    expect(existsSync(target)).toBe(true);
    expect(readdirSync(target)).toEqual([]);

    // A folder -> PostgreSQL, the project's blobs holding a FIFO: the shared folder the user made
    // stays, empty, and the database keeps no rows.
    const pipe = fifoIn(join(source(), 'blobs'));
    try {
      const fresh = await postgres.cluster().createDatabase();
      const shared = join(dir.path, 'empty-shared');
      mkdirSync(shared);
      const there = await sqw([
        'project',
        'copy',
        '--project',
        source(),
        '--to',
        fresh,
        '--blobs',
        shared,
      ]);
      expect(there.code).not.toBe(0);
      expect(existsSync(shared)).toBe(true);
      expect(readdirSync(shared)).toEqual([]);
      const c = new pg.Client({ connectionString: fresh });
      await c.connect();
      try {
        if (await hasProjectTables(c)) expect(await qaPairCount(c)).toBe(0);
      } finally {
        await c.end();
      }
    } finally {
      rmSync(pipe);
    }
  });
});
