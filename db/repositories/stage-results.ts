// The stage records of a desktop run, tagged with the job that produced each: the run's summary
// and counts read them here. Stages write them through the two-database layer
// (db/store/scene-store.ts recordStages), as a team worker does.
import type { Database, Statement } from 'better-sqlite3';

export interface StageRecord {
  imageId: number;
  stage: string;
  status: 'done' | 'skipped' | 'failed';
  reason: string | null;
  provenance: Record<string, unknown> | null;
  tookMs: number | null;
  jobId: string | null;
}

export class StageResultRepository {
  /** Statements prepared once (prepare costs ~1 ms each). */
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

  /** An image's stage results, with the job that wrote each. */
  forImage(imageId: number): StageRecord[] {
    const rows = this.sql(
      `SELECT image_id AS imageId, stage, status, reason, provenance_json AS p, took_ms AS tookMs,
           job_id AS jobId FROM stage_runs WHERE image_id = ? ORDER BY stage`,
    ).all(imageId) as Array<Omit<StageRecord, 'provenance'> & { p: string | null }>;
    return rows.map(({ p, ...r }) => ({ ...r, provenance: p ? JSON.parse(p) : null }));
  }

  /** Failed images of one stage in a job, first `limit` (end summary). */
  jobFailures(
    jobId: string,
    stage: string,
    limit: number,
  ): Array<{ image: string; reason: string }> {
    return this.sql(
      `SELECT i.rel_path AS image, coalesce(s.reason, '') AS reason FROM stage_runs s
         JOIN images i ON i.id = s.image_id WHERE s.job_id = ? AND s.stage = ? AND s.status = 'failed'
         ORDER BY s.image_id LIMIT ?`,
    ).all(jobId, stage, limit) as Array<{ image: string; reason: string }>;
  }

  /** Per stage and status, how many images a job has settled (exact after a crash: same transaction). */
  jobStageCounts(jobId: string): Array<{ stage: string; status: string; n: number }> {
    return this.sql(
      'SELECT stage, status, count(*) AS n FROM stage_runs WHERE job_id = ? GROUP BY stage, status',
    ).all(jobId) as Array<{ stage: string; status: string; n: number }>;
  }

  /** Skip reasons of a job's stages with their counts (end summary after a resume). */
  jobSkipReasons(jobId: string): Array<{ stage: string; reason: string; n: number }> {
    return this.sql(
      `SELECT stage, reason, count(*) AS n FROM stage_runs WHERE job_id = ? AND status = 'skipped'
         GROUP BY stage, reason`,
    ).all(jobId) as Array<{ stage: string; reason: string; n: number }>;
  }
}
