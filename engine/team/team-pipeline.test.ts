// The model-free pipeline on a team project equals the desktop's: the same batch (depth + COCO
// boxes) run by `sqw run`'s job path on SQLite and by two workers on PostgreSQL stores the same QA
// (stable ids, questions, answers), scene graphs, derived masks, ambiguities, stage results and
// image statuses. A job delivered again for the same run stores nothing.
import { CatalogStore } from '../../db/store/catalog-store';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { openPostgresProject } from '../../db/store/connect';
import { NO_MODELS } from '../pipeline/testing/run-job';
import { tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import { demoProject, desktopRun, storedResults, WORKER_STAGES } from './testing/team-fixture';
import { runWorker } from './worker';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('the model-free pipeline in team workers', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let desktop: Awaited<ReturnType<typeof storedResults>>;
  let images: number;

  beforeAll(async () => {
    dir = tempDir();
    images = await demoProject(dir.path, 6);
    const folder = join(dir.path, 'project');
    url = await postgres.cluster().createDatabase();
    await copyProject(folder, url, { blobs: join(dir.path, 'blobs') });
    // The single-process run, on the desktop copy.
    const run = await desktopRun(folder);
    expect(run.status).toBe('done');
    desktop = run.results;
  }, 30_000);
  afterAll(() => dir?.remove());

  const work = (runId: string, ids: number[]) => async () => {
    const queue = await ImageQueue.open(url, { supervise: false });
    try {
      await queue.enqueue(runId, ids, WORKER_STAGES, '1');
    } finally {
      await queue.close();
    }
    const blobs = new FolderBlobStore(join(dir.path, 'blobs'));
    return Promise.all(
      [1, 2].map(() =>
        runWorker({
          url,
          blobs,
          batchSize: 2,
          exitWhenIdle: true,
          poolSize: 2,
          modelsDir: NO_MODELS,
        }),
      ),
    );
  };

  it('stores what the single-process run stores, image by image', async () => {
    const project = await openPostgresProject(url, 2);
    try {
      const ids = await new CatalogStore(project.db).imageIds();
      expect(ids).toHaveLength(images);
      const reports = await work('run-1', ids)();
      expect(reports.reduce((n, r) => n + r.jobs, 0)).toBe(images);
      expect(reports.reduce((n, r) => n + r.failed, 0)).toBe(0);
      const team = await storedResults(project);
      // Not a vacuous comparison: every corridor copy got a graph and QA, the box-less frames not.
      const withQa = team.filter((i) => i.qa.length > 0);
      expect(withQa.length).toBe(images - 2);
      expect(withQa.every((i) => i.status === 'needs-review' && i.graph)).toBe(true);
      expect(team.find((i) => i.image === '00001.jpg')!.stages).toContainEqual([
        'graph',
        'skipped',
        'no objects: import boxes (a COCO annotations file) or run detection',
        null,
      ]);
      expect(team).toEqual(desktop);

      // The same run's jobs delivered again (as after a lease ran out): nothing is stored twice.
      const again = await work('run-1', ids)();
      expect(again.reduce((n, r) => n + r.jobs, 0)).toBe(images);
      expect(again.reduce((n, r) => n + r.stored, 0)).toBe(0);
      expect(await storedResults(project)).toEqual(desktop);
    } finally {
      await project.close();
    }
  }, 30_000);
});
