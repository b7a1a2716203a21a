// A run's pause holds back its jobs that fail while it is paused too (they would otherwise be
// retried at once), and retrying a run's failures finds a failed job pg-boss has archived.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../postgres/test-hooks';
import { openPostgresProject, type ProjectDb } from '../store/connect';
import { IMAGE_QUEUE, ImageQueue } from './image-queue';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)("a run's pause and retry on the queue", () => {
  let url: string;
  let project: ProjectDb;
  let queue: ImageQueue;
  beforeAll(async () => {
    url = await postgres.cluster().createDatabase();
    project = await openPostgresProject(url, 2);
    queue = await ImageQueue.open(url, { supervise: false, retryLimit: 1, poolSize: 2 });
  });
  afterAll(async () => {
    await queue?.close();
    await project?.close();
  });

  it('parks a job that fails during the pause; retries a failure from the archive', async () => {
    const runs = queue.runs();
    await queue.enqueue('r', [1, 2, 3], ['noop']);
    const [first] = await queue.claim(1);
    expect(await runs.pause('r')).toBe(3);
    expect(await runs.get('r')).toMatchObject({ images: 3, waiting: 2, parked: 2, active: 1 });
    // The job in flight fails while the run is paused: its retry waits for the resume.
    await queue.fail(first!, 'boom');
    expect(await runs.get('r')).toMatchObject({ waiting: 3, parked: 3, active: 0 });
    expect(await queue.claim(10)).toEqual([]);

    expect(await runs.resume('r')).toBe(3);
    const jobs = await queue.claim(10);
    expect(jobs.map((j) => j.data.imageId).sort()).toEqual([1, 2, 3]);
    // The job that failed once already (claims within one enqueue go by random job id).
    const one = jobs.find((j) => j.id === first!.id)!;
    await queue.finish(
      jobs.filter((j) => j !== one),
      project.db,
      async () => undefined,
    );
    // Its one retry spent: failed for good.
    await queue.fail(one, 'boom again');
    expect(await runs.get('r')).toMatchObject({ completed: 2, failed: 1, waiting: 0 });

    // pg-boss archives a failed job after a while: the run still counts it, and a retry queues
    // it afresh.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const cols =
        'id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after, started_on, singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output';
      await db.query(
        `WITH moved AS (DELETE FROM pgboss.job WHERE name = $1 AND id = $2 RETURNING ${cols})
         INSERT INTO pgboss.archive (${cols}) SELECT ${cols} FROM moved`,
        [IMAGE_QUEUE, one.id],
      );
    } finally {
      await db.end();
    }
    expect(await runs.get('r')).toMatchObject({ images: 3, completed: 2, failed: 1 });
    expect(await runs.retryFailed('r')).toBe(1);
    expect(await runs.get('r')).toMatchObject({ images: 3, completed: 2, failed: 0, waiting: 1 });
    const again = await queue.claim(10);
    expect(again.map((j) => j.data)).toEqual([one.data]);
    expect(again[0]!.id).not.toBe(one.id);
  });
});
