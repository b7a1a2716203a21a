// The table of the queue's live jobs (queue-images.ts) never drifts from pg-boss's job table:
// after each step of a run's life (enqueue, claims, a worker killed mid-claim whose lease runs
// out, failures retried and spent, pause, resume, cancel, retry of failures, completion, an
// older queue given the table, pg-boss emptying its storage) it lists exactly the jobs that the
// job table, read at that moment, says make their image 'processing'; and the batch view's
// counts and status filters read from it equal a status worked out per image from the job table.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../postgres/test-hooks';
import { CatalogStore } from '../store/catalog-store';
import { openPostgresProject, type ProjectDb } from '../store/connect';
import { IMAGE_QUEUE, ImageQueue } from './image-queue';
import { PARKED_AFTER } from './run-control';

const ROOT = resolve(import.meta.dirname, '../..');
const postgres = usePostgresCluster();

/** The jobs that make their image 'processing', read from pg-boss's job table now. */
const LIVE_NOW = `SELECT id::text AS job, (data->>'imageId')::int AS image FROM pgboss.job
  WHERE name = '${IMAGE_QUEUE}' AND (state = 'active'
    OR (state IN ('created', 'retry') AND start_after <= now() + ${PARKED_AFTER}))`;

/** A worker process that claims `count` jobs and hangs; resolves with their images once claimed. */
function hangingWorker(url: string, count: number) {
  const child = spawn(
    process.execPath,
    ['bin/run-ts.mjs', 'db/queue/testing/claim-and-hang.ts', url, String(count)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const claimed = new Promise<number[]>((res, rej) => {
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('['));
      if (line) res(JSON.parse(line) as number[]);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => rej(new Error(`worker exited (${code}) before claiming: ${out}`)));
  });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  return { child, claimed, exited };
}

describe.skipIf(postgres.skipReason)("the queue's live jobs, kept beside pg-boss", () => {
  let url: string;
  let project: ProjectDb;
  let db: pg.Client;
  const queues: ImageQueue[] = [];
  beforeAll(async () => {
    url = await postgres.cluster().createDatabase();
    project = await openPostgresProject(url, 2);
    db = new pg.Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    for (const q of queues) await q.close();
    await db?.end();
    await project?.close();
  });

  const tracked = async () =>
    (
      await db.query<{ job: string; image: number }>(
        `SELECT job_id::text AS job, image_id AS image FROM pgboss.sqw_processing ORDER BY 1`,
      )
    ).rows;
  const truth = async () =>
    (await db.query<{ job: string; image: number }>(`${LIVE_NOW} ORDER BY 1`)).rows;

  /** The images 'processing' now, by the job table. */
  const processingNow = async () => new Set((await truth()).map((r) => r.image));

  /**
   * The table equals the job table's truth, and the catalog's counts, status filters and page
   * statuses equal those worked out per image from the job table. Returns the 'processing' ids.
   */
  async function expectInStep(): Promise<number[]> {
    expect(await tracked()).toEqual(await truth());
    const live = await processingNow();
    const images = await project.db
      .selectFrom('images')
      .select(['id', 'batch_id', 'status'])
      .orderBy('id')
      .execute();
    const statusOf = (i: { id: number; status: string }) =>
      live.has(i.id) ? 'processing' : i.status;
    const catalog = new CatalogStore(project.db, { pipelineQueue: true });
    // The project, and each batch (whose reads take only its own images' jobs).
    for (const batchId of [undefined, 1, 2]) {
      const mine = images.filter((i) => batchId === undefined || i.batch_id === batchId);
      const expected: Record<string, number> = {};
      for (const i of mine) expected[statusOf(i)] = (expected[statusOf(i)] ?? 0) + 1;
      expect((await catalog.statusCounts({ batchId })).byStatus).toEqual(expected);
      for (const status of ['processing', 'pending', 'needs-review']) {
        const listed = await catalog.queryImages({ batchId, status, offset: 0, limit: 1000 });
        expect(listed.items.map((i) => [i.id, i.status])).toEqual(
          mine.filter((i) => statusOf(i) === status).map((i) => [i.id, status]),
        );
        expect(listed.total).toBe(expected[status] ?? 0);
      }
      const page = await catalog.queryImages({ batchId, offset: 0, limit: 1000 });
      expect(page.items.map((i) => i.status)).toEqual(mine.map(statusOf));
    }
    for (const i of images) expect((await catalog.image(i.id))!.status).toBe(statusOf(i));
    return [...live].sort((a, b) => a - b);
  }

  it('lists exactly the live jobs through kills, expiry, pause, cancel and retries', async () => {
    const now = new Date().toISOString();
    for (const folder of ['/odd', '/even'])
      await sql`INSERT INTO batches (source_folder, depth_folder, depth_encoding, created_at)
        VALUES (${folder}, NULL, NULL, ${now})`.execute(project.db);
    await sql`INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes,
        format, width, height, fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
      SELECT 1 + (g + 1) % 2, 'src/' || g, 'img/' || g || '.jpg', g || '.jpg', md5(g::text), 1000, 'jpeg', 640,
        480, 500, 500, 320, 240, 'default', 'blobs/thumbs/' || g || '.jpg',
        CASE WHEN g % 3 = 0 THEN 'needs-review' ELSE 'pending' END, ${now}
      FROM generate_series(1, 12) g`.execute(project.db);

    // A queue made before the table of live jobs existed (its jobs queued, the table dropped):
    // its jobs are read from the job table until a queue of this version opens, which lists the
    // jobs already there.
    const old = await ImageQueue.open(url, { supervise: false, leaseSeconds: 1, retryLimit: 1 });
    queues.push(old);
    await old.enqueue('a', [1, 2, 3, 4, 5, 6, 7, 8], ['noop']);
    await db.query(`DROP TABLE pgboss.sqw_processing`);
    await db.query(`DROP FUNCTION pgboss.sqw_processing_sync, pgboss.sqw_processing_clear CASCADE`);
    const oldCatalog = new CatalogStore(project.db, { pipelineQueue: true });
    expect((await oldCatalog.statusCounts({})).byStatus.processing).toBe(8);
    const queue = await ImageQueue.open(url, { supervise: true, maintenanceSeconds: 1 });
    queues.push(queue);
    expect(await expectInStep()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // Image 5 to 8 in a second run as well; 11 and 12 in a third.
    await queue.enqueue('b', [5, 6, 7, 8, 9, 10], ['noop']);
    await queue.enqueue('c', [11, 12], ['noop']);
    expect(await expectInStep()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    // A worker claims jobs and is killed mid-claim: its images stay 'processing' while it holds
    // them, and after its lease runs out (1 s) and the queue's maintenance gives them back.
    const worker = hangingWorker(url, 3);
    const held = await worker.claimed;
    expect(held).toHaveLength(3);
    await expectInStep();
    worker.child.kill('SIGKILL');
    await worker.exited;
    const heldJobs = async () =>
      (
        await db.query<{ state: string }>(
          `SELECT state FROM pgboss.job WHERE name = $1 AND started_on IS NOT NULL
           AND (data->>'imageId')::int = ANY($2::int[])`,
          [IMAGE_QUEUE, held],
        )
      ).rows.map((r) => r.state);
    expect(await heldJobs()).toEqual(['active', 'active', 'active']);
    for (const i of held) expect(await processingNow()).toContain(i);
    await expectInStep();
    const deadline = Date.now() + 20_000;
    while ((await heldJobs()).some((s) => s === 'active') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await heldJobs()).toEqual(['retry', 'retry', 'retry']);
    for (const i of held) expect(await processingNow()).toContain(i);
    await expectInStep();

    // Claimed again; one completes, one fails and is retried (pg-boss deletes and inserts its
    // row in one statement), one fails again and is spent (retryLimit 1).
    const again = await queue.claim(3);
    expect(again.map((j) => j.data.imageId).sort()).toEqual([...held].sort());
    await expectInStep();
    await queue.finish([again[0]!], project.db, async () => undefined);
    await queue.fail(again[1]!, 'boom');
    await expectInStep();
    await queue.fail(again[2]!, 'boom');
    await expectInStep();

    const runs = queue.runs();
    // Run 'a' paused: its waiting images are not 'processing' (unless run 'b' has them too);
    // one it has in flight is.
    // (Claims go by when a job was queued: run 'a''s first.)
    const [inFlight] = await queue.claim(1);
    expect(inFlight!.data.runId).toBe('a');
    expect(await runs.pause('a')).toBeGreaterThan(0);
    const paused = await expectInStep();
    expect(paused).toContain(inFlight!.data.imageId);
    const aWaiting = (
      await db.query<{ image: number }>(
        `SELECT (data->>'imageId')::int AS image FROM pgboss.job
         WHERE name = $1 AND data->>'runId' = 'a' AND state IN ('created', 'retry')`,
        [IMAGE_QUEUE],
      )
    ).rows.map((r) => r.image);
    expect(aWaiting.length).toBeGreaterThan(0);
    for (const i of aWaiting.filter((i) => i < 5)) expect(paused).not.toContain(i);
    // The job in flight fails during the pause: parked too.
    await queue.fail(inFlight!, 'boom');
    const failedPaused = await expectInStep();
    // (Images 5 to 8 are waiting in run 'b' too.)
    if (inFlight!.data.imageId < 5) expect(failedPaused).not.toContain(inFlight!.data.imageId);
    expect(await runs.resume('a')).toBeGreaterThan(0);
    await expectInStep();
    await runs.pause('a');
    await expectInStep();

    // Run 'b' cancelled: none of its images are 'processing' for it.
    expect(await runs.cancel('b')).toBeGreaterThan(0);
    const afterCancel = await expectInStep();
    expect(afterCancel.filter((i) => i === 9 || i === 10)).toEqual([]);

    // Run 'a''s failures retried while it is paused (parked), then resumed.
    await runs.retryFailed('a');
    await expectInStep();
    await runs.resume('a');
    await expectInStep();
    await runs.retryFailed('a');
    await expectInStep();

    // A waiting job deleted (pg-boss deleteJob): its image is no longer 'processing' for it.
    const { rows: deleted } = await db.query<{ image: number }>(
      `DELETE FROM pgboss.job WHERE id = (SELECT id FROM pgboss.job WHERE name = $1
         AND state IN ('created', 'retry') ORDER BY (data->>'imageId')::int LIMIT 1)
       RETURNING (data->>'imageId')::int AS image`,
      [IMAGE_QUEUE],
    );
    expect(deleted).toHaveLength(1);
    await expectInStep();

    // Everything claimed and completed: nothing is 'processing'.
    for (let jobs = await queue.claim(16); jobs.length; jobs = await queue.claim(16))
      await queue.finish(jobs, project.db, async () => undefined);
    expect(await expectInStep()).toEqual([]);

    // pg-boss empties its storage with TRUNCATE (no delete trigger fires).
    await queue.enqueue('d', [1, 2], ['noop']);
    expect(await expectInStep()).toEqual([1, 2]);
    await db.query(`TRUNCATE pgboss.job, pgboss.archive`);
    expect(await expectInStep()).toEqual([]);
  }, 60_000);

  it("finds a job's batch when a worker made the queue before the project's tables", async () => {
    const bare = await postgres.cluster().createDatabase();
    const early = await ImageQueue.open(bare, { supervise: false });
    queues.push(early);
    const later = await openPostgresProject(bare, 1);
    try {
      const now = new Date().toISOString();
      for (const folder of ['/a', '/b'])
        await sql`INSERT INTO batches (source_folder, depth_folder, depth_encoding, created_at)
          VALUES (${folder}, NULL, NULL, ${now})`.execute(later.db);
      await sql`INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes,
          format, width, height, fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
        SELECT 1 + g % 2, 'src/' || g, 'img/' || g || '.jpg', g || '.jpg', md5(g::text), 1000,
          'jpeg', 640, 480, 500, 500, 320, 240, 'default', 'blobs/thumbs/' || g || '.jpg',
          'pending', ${now}
        FROM generate_series(1, 4) g`.execute(later.db);
      await early.enqueue('r', [1, 2, 3], ['noop']);
      const catalog = new CatalogStore(later.db, { pipelineQueue: true });
      // Batch 1 holds images 2 and 4, batch 2 images 1 and 3.
      expect((await catalog.statusCounts({ batchId: 1 })).byStatus).toEqual({
        processing: 1,
        pending: 1,
      });
      expect((await catalog.statusCounts({ batchId: 2 })).byStatus).toEqual({ processing: 2 });
      const listed = await catalog.queryImages({
        batchId: 2,
        status: 'processing',
        offset: 0,
        limit: 10,
      });
      expect(listed.items.map((i) => i.id)).toEqual([1, 3]);
    } finally {
      await later.close();
    }
  });
});
