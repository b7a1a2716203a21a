// What tests and benches outside db/ read or do on a team project's PostgreSQL database that the
// layer's stores and queue have no call for: counts to poll, queue rows to assert on, and
// connections to cut. Each takes a client (or pool) the caller holds open, so it can poll.
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { IMAGE_QUEUE } from '../../queue/image-queue';
import { LISTENER_APPLICATION } from '../../queue/queue-notices';
import type { ProjectTables } from '../schema';

type Client = Pick<pg.ClientBase, 'query'>;

/** Stage rows stored, of one stage and/or one image when given. */
export async function stageRunCount(
  db: Client,
  filter: { stage?: string; imageId?: number } = {},
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM stage_runs
     WHERE ($1::text IS NULL OR stage = $1) AND ($2::int IS NULL OR image_id = $2)`,
    [filter.stage ?? null, filter.imageId ?? null],
  );
  return rows[0]!.n;
}

/** Every stage row's image and write time, by image: unchanged when nothing is stored again. */
export async function stageRunWriteTimes(
  db: Client,
): Promise<Array<{ image_id: number; updated_at: unknown }>> {
  return (await db.query(`SELECT image_id, updated_at FROM stage_runs ORDER BY 1`)).rows;
}

/** The runs (job ids) that stage rows were stored by. */
export async function stageRunJobIds(db: Client): Promise<Array<{ job_id: string }>> {
  return (await db.query(`SELECT DISTINCT job_id FROM stage_runs`)).rows;
}

/** First and last stage-row write, and how many rows were written after the first. */
export async function stageRunSpan(
  db: Client,
): Promise<{ first: string; last: string; after_first: number }> {
  return (
    await db.query<{ first: string; last: string; after_first: number }>(
      `SELECT MIN(updated_at) AS first, MAX(updated_at) AS last,
         COUNT(*) FILTER (WHERE updated_at > (SELECT MIN(updated_at) FROM stage_runs))::int AS after_first
       FROM stage_runs`,
    )
  ).rows[0]!;
}

/** QA pairs stored. */
export async function qaPairCount(db: Client): Promise<number> {
  return (await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM qa_pairs')).rows[0]!.n;
}

/** Whether the database has the project's tables (a qa_pairs table) at all. */
export async function hasProjectTables(db: Client): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_name = 'qa_pairs'`,
  );
  return rows.length > 0;
}

/** The reasons the queue's failed jobs carry. */
export async function failedJobReasons(db: Client): Promise<Array<{ reason: string }>> {
  return (
    await db.query(`SELECT output->>'reason' AS reason FROM pgboss.job WHERE state = 'failed'`)
  ).rows;
}

/** The distinct label lists a run's queued jobs carry. */
export async function runJobLabels(db: Client, runId: string): Promise<Array<{ labels: unknown }>> {
  return (
    await db.query(
      `SELECT DISTINCT data->'labels' AS labels FROM pgboss.job WHERE data->>'runId' = $1`,
      [runId],
    )
  ).rows;
}

/** This database's queue listeners (sqw run's, sqw serve's) as PostgreSQL lists them. */
export async function queueListenerPids(db: Client): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
    [LISTENER_APPLICATION],
  );
  return rows.map((r) => r.pid);
}

/** Cuts off every queue listener of this database; returns how many were cut. */
export async function cutOffQueueListeners(db: Client): Promise<number> {
  return (
    (
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER_APPLICATION],
      )
    ).rowCount ?? 0
  );
}

/** Ends one server process (a connection) by its PID. */
export async function terminateBackend(db: Client, pid: number): Promise<void> {
  await db.query('SELECT pg_terminate_backend($1)', [pid]);
}

/** The server process serving this connection. */
export async function backendPid(db: Client): Promise<number> {
  return (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/** Drops a database (on an admin connection to another database of the cluster). */
export async function dropDatabase(admin: Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE "${name.replace(/"/g, '""')}"`);
}

/** Advisory lock requests now waiting (not granted) in the whole cluster. */
export async function waitingAdvisoryLocks(db: Kysely<ProjectTables>): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`.execute(db);
  return Number(rows[0]!.n);
}

/** The image queue's jobs per state, and how many of each were retried (taken over). */
export async function imageJobsByState(
  db: Client,
): Promise<Array<{ state: string; n: number; retried: number }>> {
  return (
    await db.query<{ state: string; n: number; retried: number }>(
      `SELECT state, COUNT(*)::int AS n, COUNT(*) FILTER (WHERE retry_count > 0)::int AS retried
       FROM pgboss.job WHERE name = $1 GROUP BY state`,
      [IMAGE_QUEUE],
    )
  ).rows;
}

/** The retried image jobs: their image and the first object id their block starts at. */
export async function retriedImageJobs(
  db: Client,
): Promise<Array<{ image: number; first: number }>> {
  return (
    await db.query<{ image: number; first: number }>(
      `SELECT (data->>'imageId')::int AS image, (data->>'firstObjectId')::int AS first
       FROM pgboss.job WHERE name = $1 AND retry_count > 0`,
      [IMAGE_QUEUE],
    )
  ).rows;
}

/** Stage rows stored, and how many runs (job ids) stored them. */
export async function stageRunTotals(db: Client): Promise<{ n: number; runs: number }> {
  return (
    await db.query<{ n: number; runs: number }>(
      `SELECT COUNT(*)::int AS n, COUNT(DISTINCT job_id)::int AS runs FROM stage_runs`,
    )
  ).rows[0]!;
}

/** Per image, one stage's rows and the least status among them, by image. */
export async function stageRunsPerImage(
  db: Client,
  stage: string,
): Promise<Array<{ image_id: number; n: number; status: string }>> {
  return (
    await db.query<{ image_id: number; n: number; status: string }>(
      `SELECT image_id, COUNT(*)::int AS n, MIN(status) AS status FROM stage_runs
       WHERE stage = $1 GROUP BY image_id ORDER BY image_id`,
      [stage],
    )
  ).rows;
}
