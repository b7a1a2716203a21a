// A desktop pipeline job's image queue (`job_items`) on either database, through Kysely: one row
// per (job, image), finished in the same transaction as the image's results, so a job killed at
// any moment resumes with exactly the images not yet done. (A team run queues its images in the
// worker queue instead, db/queue; the table and these queries are the same on both.)
import { sql, type Kysely } from 'kysely';
import { DETECTED_OBJECTS_PER_IMAGE, NEXT_OBJECT_ID_SQL } from './object-id-blocks';
import type { DialectName, ProjectTables } from './schema';

export type JobItemStatus = 'pending' | 'done' | 'skipped' | 'failed';

export interface JobItemError {
  imageId: number;
  image: string;
  stage: string;
  reason: string;
}

export interface EnqueueOptions {
  /** Only images where one of these stages is not finished (done, or skipped for good). */
  onlyPendingFor?: readonly string[];
  /** Skip reasons that count as finished. */
  finishedSkips?: readonly string[];
  /** The run detects: reserve object-id blocks for the queued images with no live objects. */
  reserveObjectIds?: boolean;
}

export class JobItemStore {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Queues the project's images (all, or those with unfinished stages) for the job, in one
   * transaction with their object-id blocks; returns how many were queued.
   */
  async enqueueImages(jobId: string, opts: EnqueueOptions = {}): Promise<number> {
    if (opts.reserveObjectIds && this.dialect !== 'sqlite')
      throw new Error(
        'object-id blocks in job_items are the desktop queue’s; a team run reserves them with reserveObjectIdBlocks',
      );
    if (!this.db.isTransaction)
      return this.db.transaction().execute((trx) => this.on(trx).enqueueImages(jobId, opts));
    const n = await this.insertItems(jobId, opts);
    if (opts.reserveObjectIds) await this.reserveObjectIdBlocks(jobId);
    return n;
  }

  private on(trx: Kysely<ProjectTables>): JobItemStore {
    return new JobItemStore(trx, this.dialect);
  }

  private async insertItems(jobId: string, opts: EnqueueOptions): Promise<number> {
    const stages = opts.onlyPendingFor ?? [];
    const skips = opts.finishedSkips ?? [];
    const res = await this.db
      .insertInto('job_items')
      .columns(['job_id', 'image_id', 'status'])
      .expression((eb) =>
        eb
          .selectFrom('images')
          .select([sql.val(jobId).as('job_id'), 'images.id', sql.lit('pending').as('status')])
          // SQLite parses INSERT … SELECT … ON CONFLICT only after a WHERE clause.
          .where(sql<boolean>`1 = 1`)
          .$if(stages.length > 0, (q) =>
            q.where(
              (w) =>
                w
                  .selectFrom('stage_runs as s')
                  .select((c) => c.fn.countAll<number>().as('n'))
                  .whereRef('s.image_id', '=', 'images.id')
                  .where('s.stage', 'in', stages)
                  .where((f) =>
                    f.or([
                      f('s.status', '=', 'done'),
                      skips.length > 0
                        ? f.and([f('s.status', '=', 'skipped'), f('s.reason', 'in', skips)])
                        : f.lit(false),
                    ]),
                  ),
              '<',
              stages.length,
            ),
          ),
      )
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0);
  }

  /**
   * The job's blocks of object ids (db/store/object-id-blocks.ts): one per queued image with no
   * live objects, in image-id order, after every object id in use or reserved. Inside the
   * enqueueing transaction, before any other block of this job exists.
   */
  private async reserveObjectIdBlocks(jobId: string): Promise<void> {
    const { rows } = await sql<{
      first: number;
    }>`SELECT ${sql.raw(NEXT_OBJECT_ID_SQL)} AS first`.execute(this.db);
    await sql`WITH ranked AS (
         SELECT i.image_id, ROW_NUMBER() OVER (ORDER BY i.image_id) - 1 AS k FROM job_items i
         WHERE i.job_id = ${jobId} AND NOT EXISTS
           (SELECT 1 FROM objects o WHERE o.image_id = i.image_id AND o.deleted_at IS NULL))
       UPDATE job_items SET first_object_id = ${rows[0]!.first} + ranked.k * ${DETECTED_OBJECTS_PER_IMAGE}
       FROM ranked WHERE job_items.job_id = ${jobId} AND job_items.image_id = ranked.image_id`.execute(
      this.db,
    );
  }

  /** Where the image's detected objects' ids start in this job; null: no block reserved. */
  async firstObjectId(jobId: string, imageId: number): Promise<number | null> {
    const row = await this.db
      .selectFrom('job_items')
      .select('first_object_id')
      .where('job_id', '=', jobId)
      .where('image_id', '=', imageId)
      .executeTakeFirst();
    return row?.first_object_id ?? null;
  }

  /** The next page of pending image ids after `afterId`, in id order (streams large jobs). */
  async pendingPage(jobId: string, afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('job_items')
      .select('image_id')
      .where('job_id', '=', jobId)
      .where('status', '=', 'pending')
      .where('image_id', '>', afterId)
      .orderBy('image_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.image_id);
  }

  /** Settles the image in the job; call inside the image's result transaction. */
  async finish(
    jobId: string,
    imageId: number,
    status: Exclude<JobItemStatus, 'pending'>,
    failure: { stage: string; reason: string } | null = null,
  ): Promise<void> {
    await this.db
      .updateTable('job_items')
      .set((eb) => ({
        status,
        stage: failure?.stage ?? null,
        reason: failure?.reason ?? null,
        attempts: eb('attempts', '+', 1),
        updated_at: new Date().toISOString(),
      }))
      .where('job_id', '=', jobId)
      .where('image_id', '=', imageId)
      .execute();
  }

  async counts(jobId: string): Promise<Record<JobItemStatus, number>> {
    const out: Record<JobItemStatus, number> = { pending: 0, done: 0, skipped: 0, failed: 0 };
    const rows = await this.db
      .selectFrom('job_items')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('job_id', '=', jobId)
      .groupBy('status')
      .execute();
    for (const r of rows) out[r.status as JobItemStatus] = Number(r.n);
    return out;
  }

  /** Failed images go back to pending (retry); returns how many. */
  async requeueFailed(jobId: string): Promise<number> {
    const res = await this.db
      .updateTable('job_items')
      .set({ status: 'pending', stage: null, reason: null })
      .where('job_id', '=', jobId)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** The job's failed images, in image-id order, with their stage and reason. */
  async errors(
    jobId: string,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: JobItemError[] }> {
    const { n } = await this.db
      .selectFrom('job_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job_id', '=', jobId)
      .where('status', '=', 'failed')
      .executeTakeFirstOrThrow();
    const rows = await this.db
      .selectFrom('job_items as j')
      .innerJoin('images as i', 'i.id', 'j.image_id')
      .select(['j.image_id', 'i.rel_path', 'j.stage', 'j.reason'])
      .where('j.job_id', '=', jobId)
      .where('j.status', '=', 'failed')
      .orderBy('j.image_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return {
      total: Number(n),
      items: rows.map((r) => ({
        imageId: r.image_id,
        image: r.rel_path,
        stage: r.stage ?? 'unknown',
        reason: r.reason ?? '',
      })),
    };
  }
}
