// Object ids for what a run detects, fixed when the run starts: each queued image that has no live
// objects (the images the detect stage runs on) gets, in image-id order, a block of
// DETECTED_OBJECTS_PER_IMAGE ids, and its detected objects take block start + their ordinal in the
// detector's output. So the ids, and the QA ids that hash them (spatial/qa/fact-id.ts), are the
// same whatever order images finish in, on one process or many workers, and a killed image's retry
// takes the same block. Both databases take the blocks after every id in use or reserved:
// - PostgreSQL (a team run, in the queue's job data): the objects' identity sequence is advanced
//   past the blocks, under a lock on objects that holds back every insert taking an id from it.
// - SQLite (a desktop run, in job_items.first_object_id): the rowid has no sequence, so an object
//   added without an id (an import, a reviewer's box) takes one above both MAX(objects.id) and the
//   highest reserved block (nextObjectIdSql).
import { sql, type Kysely } from 'kysely';
import type { ProjectTables } from './schema';

/**
 * The most objects the detect stage stores for one image, and so the size of an image's block.
 * The detectors keep up to 100 boxes per label after NMS (native-models/adapters); beyond this the
 * stage keeps the top-scoring ones and says how many it dropped in its record.
 */
export const DETECTED_OBJECTS_PER_IMAGE = 256;

/** SQLite: the id an object inserted without one takes (above every reserved block). */
export const NEXT_OBJECT_ID_SQL = `(SELECT MAX(
    COALESCE((SELECT MAX(id) FROM objects), 0),
    COALESCE((SELECT MAX(first_object_id) FROM job_items) + ${DETECTED_OBJECTS_PER_IMAGE} - 1, 0)
  ) + 1)`;

/**
 * PostgreSQL: reserves blocks for those of `imageIds` with no live objects, in image-id order, in
 * one transaction; returns each such image's block start. Call it before queueing their jobs.
 */
export async function reserveObjectIdBlocks(
  db: Kysely<ProjectTables>,
  imageIds: readonly number[],
): Promise<Map<number, number>> {
  return db.transaction().execute(async (trx) => {
    // Holds back inserts (whose default takes the next id) until the sequence has moved past the
    // blocks; a reservation waits for the inserts already under way.
    await sql`LOCK TABLE objects IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const empty: number[] = [];
    for (let i = 0; i < imageIds.length; i += 10_000) {
      const part = imageIds.slice(i, i + 10_000);
      const rows = await trx
        .selectFrom('images')
        .select('id')
        .where('id', 'in', part)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('objects')
                .select(sql`1`.as('one'))
                .whereRef('objects.image_id', '=', 'images.id')
                .where('objects.deleted_at', 'is', null),
            ),
          ),
        )
        .execute();
      empty.push(...rows.map((r) => r.id));
    }
    empty.sort((a, b) => a - b);
    const blocks = new Map<number, number>();
    if (empty.length === 0) return blocks;
    const n = empty.length * DETECTED_OBJECTS_PER_IMAGE;
    const { rows } = await sql<{ first: string | number }>`
      SELECT nextval(pg_get_serial_sequence('objects', 'id')) AS first`.execute(trx);
    const first = Number(rows[0]!.first);
    await sql`SELECT setval(pg_get_serial_sequence('objects', 'id'), ${first + n - 1})`.execute(
      trx,
    );
    empty.forEach((id, i) => blocks.set(id, first + i * DETECTED_OBJECTS_PER_IMAGE));
    return blocks;
  });
}
