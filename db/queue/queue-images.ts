// Which images a team project's pipeline queue is working on, for their status: an image whose
// job is waiting to be claimed (not held back by a paused run) or held by a worker is
// 'processing', as a desktop image queued in a queued or running job is (db/store/migrations.ts,
// image_derived_status). Read from pg-boss's job table when asked, so a status is never older
// than the queue, whatever happened to the workers.
import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import { PARKED_AFTER } from './run-control';

export const IMAGE_QUEUE = 'sqw-images';

/**
 * Ids of the images whose job is live (waiting and not parked, or active). The queue's name is a
 * literal, not a parameter: a count groups by the same expression it selects, and PostgreSQL
 * matches the two by their text.
 */
function liveQueueImages(): RawBuilder<number> {
  return sql<number>`SELECT (j.data->>'imageId')::int FROM pgboss.job j
    WHERE j.name = ${sql.lit(IMAGE_QUEUE)}
      AND (j.state = 'active'
        OR (j.state IN ('created', 'retry') AND j.start_after <= now() + ${sql.raw(PARKED_AFTER)}))`;
}

/**
 * An image's status with the queue's live jobs taken into account: 'processing' first (as in the
 * desktop's derivation), else its stored status. One scan of the live jobs per statement (an
 * uncorrelated IN list, hashed), not one per image.
 */
export function statusWithQueue(
  imageId: Expression<number>,
  stored: Expression<string>,
): RawBuilder<string> {
  return sql<string>`CASE WHEN ${imageId} IN (${liveQueueImages()}) THEN 'processing' ELSE ${stored} END`;
}

/** Whether the project's database has the queue's tables (made by its first worker or run). */
export async function hasImageQueue<DB>(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{
    t: string | null;
  }>`SELECT to_regclass('pgboss.job')::text AS t`.execute(db);
  return rows[0]?.t != null;
}
