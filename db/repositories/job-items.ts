// The image queue of a pipeline job: one row per (job, image), written in the same transaction as
// the image's results, so a job killed at any moment resumes with exactly the images not yet done.
import type { Database, Statement } from 'better-sqlite3';
import { DETECTED_OBJECTS_PER_IMAGE, NEXT_OBJECT_ID_SQL } from '../store/object-id-blocks';

export type JobItemStatus = 'pending' | 'done' | 'skipped' | 'failed';

export interface JobItemError {
  imageId: number;
  image: string;
  stage: string;
  reason: string;
}

export class JobItemRepository {
  /** Statements prepared once: a run writes these for every image (prepare costs ~1 ms each). */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  private sql(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /**
   * Queues every image of the project (or those that have not finished `stages` when onlyPending)
   * for the job, in one statement; returns how many were queued.
   */
  enqueueImages(
    jobId: string,
    opts: {
      onlyPendingFor?: readonly string[];
      finishedSkips?: readonly string[];
      /** The run detects: reserve object-id blocks for the queued images with no live objects. */
      reserveObjectIds?: boolean;
    } = {},
  ): number {
    return this.db.transaction(() => {
      const n = this.insertItems(jobId, opts);
      if (opts.reserveObjectIds) this.reserveObjectIdBlocks(jobId);
      return n;
    })();
  }

  private insertItems(
    jobId: string,
    opts: { onlyPendingFor?: readonly string[]; finishedSkips?: readonly string[] },
  ): number {
    const stages = opts.onlyPendingFor ?? [];
    const skips = opts.finishedSkips ?? [];
    const params: unknown[] = [jobId];
    let filter = '';
    if (stages.length > 0) {
      // Pending: at least one requested stage is not finished (done, or skipped for good).
      filter = `WHERE (SELECT count(*) FROM stage_runs s WHERE s.image_id = images.id
                 AND s.stage IN (${stages.map(() => '?').join(',')})
                 AND (s.status = 'done' OR (s.status = 'skipped' AND s.reason IN (${skips.map(() => '?').join(',') || 'NULL'})))) < ?`;
      params.push(...stages, ...skips, stages.length);
    }
    return this.sql(
      `INSERT OR IGNORE INTO job_items (job_id, image_id, status) SELECT ?, id, 'pending' FROM images ${filter}`,
    ).run(...params).changes;
  }

  /**
   * The job's blocks of object ids (db/store/object-id-blocks.ts): one per queued image with no
   * live objects, in image-id order, after every object id in use or reserved. Inside the
   * enqueueing transaction, before any other block of this job exists.
   */
  private reserveObjectIdBlocks(jobId: string): void {
    const { first } = this.sql(`SELECT ${NEXT_OBJECT_ID_SQL} AS first`).get() as {
      first: number;
    };
    this.sql(
      `WITH ranked AS (
         SELECT i.image_id, ROW_NUMBER() OVER (ORDER BY i.image_id) - 1 AS k FROM job_items i
         WHERE i.job_id = ? AND NOT EXISTS
           (SELECT 1 FROM objects o WHERE o.image_id = i.image_id AND o.deleted_at IS NULL))
       UPDATE job_items SET first_object_id = ? + ranked.k * ?
       FROM ranked WHERE job_items.job_id = ? AND job_items.image_id = ranked.image_id`,
    ).run(jobId, first, DETECTED_OBJECTS_PER_IMAGE, jobId);
  }

  /** Where the image's detected objects' ids start in this job; null: no block reserved. */
  firstObjectId(jobId: string, imageId: number): number | null {
    const row = this.sql(
      `SELECT first_object_id AS first FROM job_items WHERE job_id = ? AND image_id = ?`,
    ).get(jobId, imageId) as { first: number | null } | undefined;
    return row?.first ?? null;
  }

  /** The next page of pending image ids after `afterId`, in id order (streams large jobs). */
  pendingPage(jobId: string, afterId: number, limit: number): number[] {
    return (
      this.sql(
        `SELECT image_id AS id FROM job_items WHERE job_id = ? AND status = 'pending' AND image_id > ?
           ORDER BY image_id LIMIT ?`,
      ).all(jobId, afterId, limit) as Array<{ id: number }>
    ).map((r) => r.id);
  }

  /** Call inside the image's result transaction. */
  finish(
    jobId: string,
    imageId: number,
    status: Exclude<JobItemStatus, 'pending'>,
    failure: { stage: string; reason: string } | null = null,
  ): void {
    this.sql(
      `UPDATE job_items SET status = ?, stage = ?, reason = ?, attempts = attempts + 1, updated_at = ?
         WHERE job_id = ? AND image_id = ?`,
    ).run(
      status,
      failure?.stage ?? null,
      failure?.reason ?? null,
      new Date().toISOString(),
      jobId,
      imageId,
    );
  }

  counts(jobId: string): Record<JobItemStatus, number> {
    const out: Record<JobItemStatus, number> = { pending: 0, done: 0, skipped: 0, failed: 0 };
    const rows = this.sql(
      'SELECT status, count(*) AS n FROM job_items WHERE job_id = ? GROUP BY status',
    ).all(jobId) as Array<{ status: JobItemStatus; n: number }>;
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Failed images go back to pending (retry); returns how many. */
  requeueFailed(jobId: string): number {
    return this.sql(
      `UPDATE job_items SET status = 'pending', stage = NULL, reason = NULL WHERE job_id = ? AND status = 'failed'`,
    ).run(jobId).changes;
  }

  errors(jobId: string, offset: number, limit: number): { total: number; items: JobItemError[] } {
    const total = (
      this.sql(`SELECT count(*) AS n FROM job_items WHERE job_id = ? AND status = 'failed'`).get(
        jobId,
      ) as { n: number }
    ).n;
    const items = this.sql(
      `SELECT j.image_id AS imageId, i.rel_path AS image, j.stage AS stage, j.reason AS reason
         FROM job_items j JOIN images i ON i.id = j.image_id
         WHERE j.job_id = ? AND j.status = 'failed' ORDER BY j.image_id LIMIT ? OFFSET ?`,
    ).all(jobId, limit, offset) as Array<{
      imageId: number;
      image: string;
      stage: string | null;
      reason: string | null;
    }>;
    return {
      total,
      items: items.map((r) => ({ ...r, stage: r.stage ?? 'unknown', reason: r.reason ?? '' })),
    };
  }
}
