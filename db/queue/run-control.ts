// A team project's pipeline runs as the queue holds them: one pg-boss job per image, grouped by the
// run id in its data (image-queue.ts), and what the operators do with a run (pause, resume,
// cancel, retry its failures) as pg-boss operations on those jobs, each in one transaction under
// a lock on the run. A run holds one job per image: a retry re-queues the image's failed job or
// replaces it, so counting a run's jobs by state counts its images. Jobs pg-boss has archived
// (finished ones, after 12 hours) are read from its archive, so an old run still lists its counts
// and failures.
//
// Pause uses pg-boss's own deferral: the run's waiting jobs start after 'infinity' (a claim takes
// only jobs whose start has come), and its running jobs get a retry delay of decades, so one that
// fails or loses its worker while the run is paused waits too. Resume gives both back.
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import type { ImageJob } from './image-queue';
import { notifyQueue } from './queue-notices';

/** A retry delay (seconds, pg-boss's int column) that outlasts any pause. */
const PARKED_RETRY_DELAY = 2_147_483_647;
/** Waiting jobs start after this far ahead are parked (the delay above is 68 years). */
export const PARKED_AFTER = "interval '50 years'";

/** One run's images by the state of their job. */
export interface QueueRun {
  runId: string;
  /** The stages its jobs run (of its first image). */
  stages: string[];
  images: number;
  waiting: number;
  /** Waiting images a pause holds back. */
  parked: number;
  active: number;
  completed: number;
  /** Images whose job failed for good (its retries spent). */
  failed: number;
  cancelled: number;
  /** Failed stage records of completed images: the image ran, one of its stages failed. */
  failedStages: number;
  createdAt: string;
  updatedAt: string;
}

/** One failure of a run: its job's (stage 'job') or a stage's of an image whose job completed. */
export interface QueueRunFailure {
  imageId: number;
  image: string;
  stage: string;
  reason: string;
}

/**
 * The runs' jobs (one per image), from the live table and the archive; `withData` adds each job's
 * data and output.
 */
function runJobs(where: string, withData = true): string {
  const cols = `id, state, start_after, created_on, started_on, completed_on${withData ? ', data, output' : ''}`;
  const keys = `data->>'runId' AS run_id, (data->>'imageId')::int AS image_id`;
  return `
    run_jobs AS (
      SELECT ${cols}, ${keys}, false AS archived FROM pgboss.job WHERE name = $1 AND ${where}
      UNION ALL
      SELECT ${cols}, ${keys}, true AS archived FROM pgboss.archive WHERE name = $1 AND ${where}
    )`;
}

const WAITING = `state IN ('created', 'retry')`;

/** Images' failure entries of run $2 (job failures, then failed stages of completed images). */
const FAILURES = `
  failures AS (
    SELECT image_id, 'job' AS stage,
      COALESCE(output->>'reason', output->'value'->>'message', output->>'message', output::text, '')
        AS reason
    FROM run_jobs WHERE state = 'failed'
    UNION ALL
    SELECT s.image_id, s.stage, COALESCE(s.reason, '')
    FROM run_jobs l JOIN stage_runs s ON s.image_id = l.image_id AND s.job_id = $2
    WHERE l.state = 'completed' AND s.status = 'failed'
  )`;

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();

export class QueueRuns {
  constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly queue: string,
  ) {}

  /** Every run in the queue, newest first. */
  async list(): Promise<QueueRun[]> {
    return this.summaries(null);
  }

  /** One run, or undefined when no job of it is in the queue or its archive. */
  async get(runId: string): Promise<QueueRun | undefined> {
    return (await this.summaries(runId))[0];
  }

  private async summaries(runId: string | null): Promise<QueueRun[]> {
    const { rows } = await this.pool.query<Row>(
      `WITH ${runJobs(`($2::text IS NULL OR data->>'runId' = $2::text)`, false)},
       stage_failures AS (
         SELECT l.run_id, count(*)::int AS n
         FROM stage_runs s JOIN run_jobs l ON l.image_id = s.image_id AND l.run_id = s.job_id
         WHERE s.status = 'failed' AND l.state = 'completed'
         GROUP BY l.run_id
       ),
       summary AS (
         SELECT run_id,
           count(*)::int AS images,
           count(*) FILTER (WHERE ${WAITING})::int AS waiting,
           count(*) FILTER (WHERE ${WAITING} AND start_after > now() + ${PARKED_AFTER})::int
             AS parked,
           count(*) FILTER (WHERE state = 'active')::int AS active,
           count(*) FILTER (WHERE state = 'completed')::int AS completed,
           count(*) FILTER (WHERE state = 'failed')::int AS failed,
           count(*) FILTER (WHERE state = 'cancelled')::int AS cancelled,
           min(created_on) AS created_at,
           max(GREATEST(created_on, started_on, completed_on)) AS updated_at
         FROM run_jobs GROUP BY run_id
       )
       SELECT m.*, COALESCE(f.n, 0) AS failed_stages,
         COALESCE(
           (SELECT data->'stages' FROM pgboss.job WHERE name = $1 AND data->>'runId' = m.run_id
            LIMIT 1),
           (SELECT data->'stages' FROM pgboss.archive WHERE name = $1 AND data->>'runId' = m.run_id
            LIMIT 1)
         ) AS stages
       FROM summary m LEFT JOIN stage_failures f ON f.run_id = m.run_id
       ORDER BY m.created_at DESC, m.run_id`,
      [this.queue, runId],
    );
    return rows.map((r) => ({
      runId: String(r.run_id),
      stages: Array.isArray(r.stages) ? (r.stages as string[]) : [],
      images: Number(r.images),
      waiting: Number(r.waiting),
      parked: Number(r.parked),
      active: Number(r.active),
      completed: Number(r.completed),
      failed: Number(r.failed),
      cancelled: Number(r.cancelled),
      failedStages: Number(r.failed_stages),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    }));
  }

  /** The run's failures, a page at a time, by image id then stage. */
  async failures(
    runId: string,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: QueueRunFailure[] }> {
    const with_ = `WITH ${runJobs(`data->>'runId' = $2`)}, ${FAILURES}`;
    const total = (
      await this.pool.query<{ n: number }>(`${with_} SELECT count(*)::int AS n FROM failures`, [
        this.queue,
        runId,
      ])
    ).rows[0]!.n;
    const { rows } = await this.pool.query<Row>(
      `${with_} SELECT f.image_id, i.rel_path, f.stage, f.reason
       FROM failures f JOIN images i ON i.id = f.image_id
       ORDER BY f.image_id, f.stage LIMIT $3 OFFSET $4`,
      [this.queue, runId, limit, offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        imageId: Number(r.image_id),
        image: String(r.rel_path),
        stage: String(r.stage),
        reason: String(r.reason),
      })),
    };
  }

  /**
   * Holds back the run's waiting jobs until resume; the jobs in flight finish. Returns how many
   * images it parked.
   */
  async pause(runId: string): Promise<number> {
    return this.inRun(runId, async (client) => {
      const park = () =>
        client.query(
          `UPDATE pgboss.job SET
             start_after = CASE WHEN ${WAITING} THEN 'infinity'::timestamptz ELSE start_after END,
             retry_delay = $3
           WHERE name = $1 AND data->>'runId' = $2 AND state <= 'active'`,
          [this.queue, runId, PARKED_RETRY_DELAY],
        );
      await park();
      // pg-boss fails a job by deleting its row and inserting it again: a row that a worker
      // failed while the first statement waited for it is new, seen only by a second statement.
      return (await park()).rowCount ?? 0;
    });
  }

  /** Gives a paused run's jobs back to the workers; returns how many. */
  async resume(runId: string): Promise<number> {
    return this.inRun(runId, async (client) => {
      const unpark = async () =>
        (
          await client.query(
            `UPDATE pgboss.job j SET
               start_after = CASE WHEN ${WAITING} THEN now() ELSE j.start_after END,
               retry_delay = q.retry_delay
             FROM pgboss.queue q
             WHERE q.name = $1 AND j.name = $1 AND j.data->>'runId' = $2 AND j.state <= 'active'
               AND (j.retry_delay = $3 OR j.start_after > now() + ${PARKED_AFTER})`,
            [this.queue, runId, PARKED_RETRY_DELAY],
          )
        ).rowCount ?? 0;
      // Twice, for a job failed (deleted and inserted again) while the first waited for it.
      return (await unpark()) + (await unpark());
    });
  }

  /**
   * Cancels the run's waiting and running jobs (pg-boss cancel): no worker takes them; one in
   * flight stores its results, but its job stays cancelled. Returns how many.
   */
  async cancel(runId: string): Promise<number> {
    return this.inRun(runId, async (client, db) => {
      let cancelled = 0;
      // Twice, for a job failed (deleted and inserted again) while the first waited for it.
      for (let pass = 0; pass < 2; pass++) {
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2 AND state <= 'active'`,
          [this.queue, runId],
        );
        if (rows.length === 0) break;
        await this.boss.cancel(
          this.queue,
          rows.map((r) => r.id),
          { db },
        );
        if (pass === 0) cancelled = rows.length;
      }
      return cancelled;
    });
  }

  /**
   * Queues the run's failed images again: a job that failed for good is retried (pg-boss retry);
   * one pg-boss has archived, or an image whose job completed with a failed stage, gets a fresh
   * job of the run's stages in place of the old one (deleted: one job per image). That image's
   * records of this run stop naming the run (the worker stores a run's image once, and these
   * records are the attempt being replaced), so the fresh job's results are stored and name it
   * again. A paused run's requeued images stay parked. Returns how many images were queued again.
   */
  async retryFailed(runId: string): Promise<number> {
    return this.inRun(runId, async (client, db) => {
      const { rows } = await client.query<{
        id: string;
        data: ImageJob;
        state: string;
        archived: boolean;
        parked: boolean;
      }>(
        `WITH ${runJobs(`data->>'runId' = $2`)}
         SELECT id, data, state, archived,
           EXISTS (SELECT 1 FROM run_jobs WHERE ${WAITING} AND start_after > now() + ${PARKED_AFTER})
             AS parked
         FROM run_jobs l
         WHERE state = 'failed' OR (state = 'completed' AND EXISTS (
           SELECT 1 FROM stage_runs s
           WHERE s.image_id = l.image_id AND s.job_id = $2 AND s.status = 'failed'))`,
        [this.queue, runId],
      );
      if (rows.length === 0) return 0;
      const retried = rows.filter((r) => r.state === 'failed' && !r.archived).map((r) => r.id);
      if (retried.length) await this.boss.retry(this.queue, retried, { db });
      const fresh = rows.filter((r) => r.state !== 'failed' || r.archived);
      const replacedLive = fresh.filter((r) => !r.archived).map((r) => r.id);
      if (replacedLive.length) await this.boss.deleteJob(this.queue, replacedLive, { db });
      const replacedArchived = fresh.filter((r) => r.archived).map((r) => r.id);
      if (replacedArchived.length)
        await client.query(`DELETE FROM pgboss.archive WHERE name = $1 AND id = ANY($2::uuid[])`, [
          this.queue,
          replacedArchived,
        ]);
      const ranImages = rows.filter((r) => r.state === 'completed').map((r) => r.data.imageId);
      if (ranImages.length)
        await client.query(
          `UPDATE stage_runs SET job_id = NULL WHERE job_id = $1 AND image_id = ANY($2::int[])`,
          [runId, ranImages],
        );
      for (let i = 0; i < fresh.length; i += 1000)
        await this.boss.insert(
          fresh.slice(i, i + 1000).map((r) => {
            // A completed image's reserved object ids are its objects now: its detect reserves new.
            const { firstObjectId, ...rest } = r.data;
            return {
              name: this.queue,
              data: r.state === 'completed' ? rest : { ...rest, firstObjectId },
            };
          }),
          { db },
        );
      if (rows[0]!.parked)
        await client.query(
          `UPDATE pgboss.job SET start_after = 'infinity', retry_delay = $3
           WHERE name = $1 AND data->>'runId' = $2 AND ${WAITING}`,
          [this.queue, runId, PARKED_RETRY_DELAY],
        );
      return rows.length;
    });
  }

  /** `work` in one transaction holding the run's lock (one operator's step at a time). */
  private async inRun<T>(
    runId: string,
    work: (client: pg.PoolClient, db: PgBoss.Db) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('sqw-run:' || $1))`, [runId]);
      const db: PgBoss.Db = {
        executeSql: async (text, values) =>
          (await client.query(text, values)) as unknown as { rows: never[] },
      };
      const out = await work(client, db);
      // The servers' jobs pages hear of it once it commits (queue-notices.ts).
      await notifyQueue((text, values) => client.query(text, values), {
        runs: [runId],
        stored: [],
      });
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
