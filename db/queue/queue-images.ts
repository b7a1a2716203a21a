// Which images a team project's pipeline queue is working on, for their status: an image whose
// job is waiting to be claimed (not held back by a paused run) or held by a worker is
// 'processing', as a desktop image queued in a queued or running job is (db/store/migrations.ts,
// image_derived_status). Read from pg-boss's job table when asked, so a status is never older
// than the queue, whatever happened to the workers.
import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import { PARKED_AFTER } from './run-control';

export const IMAGE_QUEUE = 'sqw-images';

/** The index of live jobs by image (made with the queue's others, image-queue.ts). */
export const IMAGE_JOB_INDEX = 'sqw_job_image';
export const IMAGE_JOB_KEY = `(name, ((data->>'imageId')::int))`;

/**
 * A job that makes its image 'processing'. The queue's name is a literal, not a parameter: a
 * count groups by the same expression it selects, and PostgreSQL matches the two by their text.
 */
const LIVE = sql`j.name = ${sql.lit(IMAGE_QUEUE)}
  AND (j.state = 'active'
    OR (j.state IN ('created', 'retry') AND j.start_after <= now() + ${sql.raw(PARKED_AFTER)}))`;

/**
 * An image's status with the queue's live jobs, 'processing' first as on the desktop: for counts
 * and filters over many images, so the live jobs are scanned once per statement (an uncorrelated
 * IN list, hashed), not once per image.
 */
export function statusWithQueue(
  imageId: Expression<number>,
  stored: Expression<string>,
): RawBuilder<string> {
  return sql<string>`CASE WHEN ${imageId} IN (SELECT (j.data->>'imageId')::int FROM pgboss.job j WHERE ${LIVE})
    THEN 'processing' ELSE ${stored} END`;
}

/** Which of these images (a page) have a live job: looked up by image in the queue's index. */
export async function liveQueueImages<DB>(
  db: Kysely<DB>,
  imageIds: readonly number[],
): Promise<Set<number>> {
  const { rows } = await sql<{ id: number }>`
    SELECT DISTINCT (j.data->>'imageId')::int AS id FROM pgboss.job j
    WHERE (j.data->>'imageId')::int = ANY(${[...imageIds]}::int[]) AND j.state <= 'active'
      AND ${LIVE}`.execute(db);
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * What of the queue the project's database has: nothing yet (made by its first worker or run),
 * its tables, or its tables and the index by image.
 */
export async function queueTables<DB>(db: Kysely<DB>): Promise<'none' | 'tables' | 'indexed'> {
  const { rows } = await sql<{ job: string | null; index: string | null }>`
    SELECT to_regclass('pgboss.job')::text AS job,
      to_regclass(${`pgboss.${IMAGE_JOB_INDEX}`})::text AS index`.execute(db);
  if (rows[0]?.job == null) return 'none';
  return rows[0].index == null ? 'tables' : 'indexed';
}
