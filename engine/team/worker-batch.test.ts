// A worker stores a fetched batch in one transaction: a job that cannot be stored fails alone (the
// batch is retried job by job), and a job whose run already stored the image's results stores
// nothing again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import {
  failedJobReasons,
  stageRunJobIds,
  stageRunWriteTimes,
} from '../../db/store/testing/team-rows';
import { tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import { teamProject } from './testing/image-rows';
import { runWorker } from './worker';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('a worker stores each fetched batch at once', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  beforeAll(async () => {
    dir = tempDir();
    url = await postgres.cluster().createDatabase();
  });
  afterAll(() => dir.remove());

  const work = () =>
    runWorker({
      url,
      blobs: new FolderBlobStore(dir.path),
      batchSize: 8,
      exitWhenIdle: true,
      poolSize: 2,
    });

  it('fails only the job of a missing image, and stores a run once per image', async () => {
    const ids = await teamProject(url, 5);
    const queue = await ImageQueue.open(url, { supervise: false, retryLimit: 0 });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await queue.enqueue('run-1', [...ids, 999_999], ['noop']);
      expect(await work()).toMatchObject({ jobs: 5, failed: 1, stored: 5 });
      expect(await queue.counts()).toEqual({ waiting: 0, active: 0, completed: 5, failed: 1 });
      expect(await failedJobReasons(db)).toEqual([{ reason: 'image 999999 not in the project' }]);

      // The same run's jobs again (as a late attempt finishes): completed, nothing stored twice.
      const before = await stageRunWriteTimes(db);
      await queue.enqueue('run-1', ids, ['noop']);
      expect(await work()).toMatchObject({ jobs: 5, failed: 0, stored: 0 });
      expect(await stageRunWriteTimes(db)).toEqual(before);
      // Another run stores its own records.
      await queue.enqueue('run-2', ids, ['noop']);
      expect(await work()).toMatchObject({ jobs: 5, failed: 0, stored: 5 });
      expect(await stageRunJobIds(db)).toEqual([{ job_id: 'run-2' }]);
    } finally {
      await db.end();
      await queue.close();
    }
  }, 20_000);
});
