// Which images a team project's pipeline queue is working on, for their status: an image whose
// job is waiting to be claimed (not held back by a paused run) or held by a worker is
// 'processing', as a desktop image queued in a queued or running job is (db/store/migrations.ts,
// image_derived_status). A status is never older than the queue, whatever happened to the
// workers: the queue's live jobs are listed in a table of their own (PROCESSING_TABLE) that a
// trigger on pg-boss's job table keeps in step in the same statement as each change of a job
// (pg-boss's enqueue, claim, complete, fail, expiry and cancel, and run-control's pause, resume
// and retry alike), so reading it is reading the queue. Counting from it costs a scan of a narrow
// table of ints, not of every job's JSON (bench/QUEUE-STATUS-RESULTS.md). A database whose queue
// was made before the table existed is read from the job table itself until a worker or run of
// this version opens the queue and makes it (image-queue.ts).
import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import { PARKED_AFTER } from './run-control';

export const IMAGE_QUEUE = 'sqw-images';

/** The index of live jobs by image (made with the queue's others, image-queue.ts). */
export const IMAGE_JOB_INDEX = 'sqw_job_image';
export const IMAGE_JOB_KEY = `(name, ((data->>'imageId')::int))`;

/** The queue's live jobs and their images, kept by the trigger below (in pg-boss's schema). */
export const PROCESSING_TABLE = 'sqw_processing';

/**
 * A job (a row of pg-boss's job table as `j`) that makes its image 'processing'. The queue's
 * name is a literal, not a parameter: a count groups by the same expression it selects, and
 * PostgreSQL matches the two by their text. `now()` is its transaction's start: a parked job
 * starts after 'infinity' or 68 years on (run-control.ts), so whether a job is parked does not
 * change with the time it is read at.
 */
const liveJob = (j: string) => `${j}.name = '${IMAGE_QUEUE}'
  AND (${j}.state = 'active'
    OR (${j}.state IN ('created', 'retry') AND ${j}.start_after <= now() + ${PARKED_AFTER}))`;

/**
 * The table of live jobs and the trigger that keeps it: one transaction, holding a lock that
 * stops writes to the job table until it commits, so the jobs listed at the start are those of
 * the moment the trigger takes over. The trigger is per statement (one per claim or per thousand
 * jobs enqueued, not per job) and sets each job the statement touched to what its row says after
 * the statement: pg-boss fails a job by deleting its row and inserting it again in one statement,
 * whose two triggers may fire in either order. Rows of other queues are passed over. (pg-boss's
 * deleteQueue drops the queue's partition, which fires no trigger: this project never deletes
 * its image queue; a database that did would keep its last live jobs here.)
 */
export function processingTableDdl(withImages: boolean): string[] {
  // The image's batch (never changed once imported), so a batch's reads take only its own
  // images' jobs. Looked up when the job changes, if the project's tables are there by then
  // (a worker may make the queue first; plpgsql plans a statement when it first runs it).
  const batch = `(SELECT i.batch_id FROM public.images i WHERE i.id = (j.data->>'imageId')::int)`;
  const keep = (b: string) => `INSERT INTO pgboss.${PROCESSING_TABLE} (job_id, image_id, batch_id)
       SELECT j.id, (j.data->>'imageId')::int, ${b} FROM pgboss.job j
       WHERE j.id = ANY(changed) AND ${liveJob('j')};`;
  return [
    `LOCK TABLE pgboss.job IN SHARE ROW EXCLUSIVE MODE`,
    `CREATE TABLE pgboss.${PROCESSING_TABLE} (job_id uuid PRIMARY KEY, image_id int NOT NULL,
     batch_id int)`,
    `CREATE INDEX ${PROCESSING_TABLE}_image ON pgboss.${PROCESSING_TABLE} (image_id)`,
    `CREATE INDEX ${PROCESSING_TABLE}_batch ON pgboss.${PROCESSING_TABLE} (batch_id, image_id)`,
    `CREATE FUNCTION pgboss.${PROCESSING_TABLE}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     changed uuid[];
   BEGIN
     IF TG_OP = 'INSERT' THEN
       changed := ARRAY(SELECT id FROM new_rows WHERE name = '${IMAGE_QUEUE}');
     ELSIF TG_OP = 'DELETE' THEN
       changed := ARRAY(SELECT id FROM old_rows WHERE name = '${IMAGE_QUEUE}');
     ELSE
       changed := ARRAY(SELECT id FROM new_rows WHERE name = '${IMAGE_QUEUE}'
         UNION SELECT id FROM old_rows WHERE name = '${IMAGE_QUEUE}');
     END IF;
     IF cardinality(changed) = 0 THEN
       RETURN NULL;
     END IF;
     DELETE FROM pgboss.${PROCESSING_TABLE} WHERE job_id = ANY(changed);
     IF to_regclass('public.images') IS NULL THEN
       ${keep('NULL::int')}
     ELSE
       ${keep(batch)}
     END IF;
     RETURN NULL;
   END $$`,
    `CREATE TRIGGER ${PROCESSING_TABLE}_insert AFTER INSERT ON pgboss.job
     REFERENCING NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION pgboss.${PROCESSING_TABLE}_sync()`,
    `CREATE TRIGGER ${PROCESSING_TABLE}_update AFTER UPDATE ON pgboss.job
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION pgboss.${PROCESSING_TABLE}_sync()`,
    `CREATE TRIGGER ${PROCESSING_TABLE}_delete AFTER DELETE ON pgboss.job
     REFERENCING OLD TABLE AS old_rows
     FOR EACH STATEMENT EXECUTE FUNCTION pgboss.${PROCESSING_TABLE}_sync()`,
    // pg-boss's clearStorage empties the job table with TRUNCATE, which fires no delete trigger.
    `CREATE FUNCTION pgboss.${PROCESSING_TABLE}_clear() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     DELETE FROM pgboss.${PROCESSING_TABLE};
     RETURN NULL;
   END $$`,
    `CREATE TRIGGER ${PROCESSING_TABLE}_truncate AFTER TRUNCATE ON pgboss.job
     FOR EACH STATEMENT EXECUTE FUNCTION pgboss.${PROCESSING_TABLE}_clear()`,
    `INSERT INTO pgboss.${PROCESSING_TABLE} (job_id, image_id, batch_id)
     SELECT j.id, (j.data->>'imageId')::int, ${withImages ? batch : 'NULL::int'} FROM pgboss.job j
     WHERE ${liveJob('j')}`,
    `ANALYZE pgboss.${PROCESSING_TABLE}`,
  ];
}

/** Where the live jobs are read from: the table above, or the job table of an older queue. */
export type QueueSource = 'none' | 'jobs' | 'tracked';

const fromJobs = `SELECT (j.data->>'imageId')::int FROM pgboss.job j WHERE ${liveJob('j')}`;

/**
 * The live jobs' images, of one batch (its own few of the table, by index) or all. A job whose
 * image was not found when it changed has no batch: taken with every batch's, the caller's
 * images filter it.
 */
const fromTracked = (batchId: number | undefined) =>
  batchId === undefined
    ? sql`SELECT p.image_id FROM pgboss.${sql.raw(PROCESSING_TABLE)} p`
    : sql`SELECT p.image_id FROM pgboss.${sql.raw(PROCESSING_TABLE)} p
        WHERE (p.batch_id = ${batchId} OR p.batch_id IS NULL)`;

/**
 * Whether the image (of batch `batchId` when given) has a live job: an uncorrelated IN list,
 * which PostgreSQL hashes once per statement. (EXISTS has it weigh a look-up per image too,
 * whose estimate on 100k images is high enough to switch on JIT compilation: a quarter of a
 * second lost per count.)
 */
export function inQueue(
  source: QueueSource,
  imageId: Expression<number>,
  batchId: number | undefined,
): RawBuilder<boolean> {
  return sql<boolean>`${imageId} IN (${source === 'tracked' ? fromTracked(batchId) : sql.raw(fromJobs)})`;
}

/**
 * The images whose status with the queue is `status`, as conditions the planner can join on (a
 * status worked out per image and then compared is worked out for every image): 'processing' is
 * a live job or the stored status; any other status is the stored one and no live job.
 */
export function statusIs(
  source: QueueSource,
  imageId: Expression<number>,
  batchId: number | undefined,
  stored: Expression<string>,
  status: string,
): RawBuilder<boolean> {
  if (status === 'processing')
    // In one batch, a semi-join on its live jobs and its images stored as 'processing' (both by
    // index: a batch with none costs nothing). Over every batch, the live jobs hashed: the join
    // the planner would pick there probes the images once per live job.
    return source === 'tracked' && batchId !== undefined
      ? sql<boolean>`${imageId} IN (${fromTracked(batchId)}
          UNION ALL SELECT i.id FROM images i WHERE i.status = 'processing' AND i.batch_id = ${batchId})`
      : sql<boolean>`(${inQueue(source, imageId, batchId)} OR ${stored} = 'processing')`;
  const live =
    source === 'tracked'
      ? sql`${fromTracked(batchId)} ${sql.raw(batchId === undefined ? 'WHERE' : 'AND')} p.image_id = ${imageId}`
      : sql`${sql.raw(fromJobs)} AND (j.data->>'imageId')::int = ${imageId}`;
  return sql<boolean>`(${stored} = ${status} AND NOT EXISTS (${live}))`;
}

/** Which of these images (a page) have a live job: looked up by image. */
export async function liveQueueImages<DB>(
  db: Kysely<DB>,
  source: QueueSource,
  imageIds: readonly number[],
): Promise<Set<number>> {
  const ids = [...imageIds];
  const { rows } =
    source === 'tracked'
      ? await sql<{ id: number }>`
          SELECT DISTINCT p.image_id AS id FROM pgboss.${sql.raw(PROCESSING_TABLE)} p
          WHERE p.image_id = ANY(${ids}::int[])`.execute(db)
      : await sql<{ id: number }>`
          SELECT DISTINCT (j.data->>'imageId')::int AS id FROM pgboss.job j
          WHERE (j.data->>'imageId')::int = ANY(${ids}::int[]) AND j.state <= 'active'
            AND ${sql.raw(liveJob('j'))}`.execute(db);
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Where the project's database keeps its queue's live jobs: nowhere yet (the queue is made by
 * its first worker or run), its job table only, or the table of live jobs too.
 */
export async function queueSource<DB>(db: Kysely<DB>): Promise<QueueSource> {
  const { rows } = await sql<{ job: string | null; tracked: string | null }>`
    SELECT to_regclass('pgboss.job')::text AS job,
      to_regclass(${`pgboss.${PROCESSING_TABLE}`})::text AS tracked`.execute(db);
  if (rows[0]?.job == null) return 'none';
  return rows[0].tracked == null ? 'jobs' : 'tracked';
}
