// The desktop job runner's synchronous bookkeeping of its `jobs` rows: cancelling a stopped job
// and marking the jobs of a dead process on open (engine/jobs/job-runner.ts, project-registry.ts).
// Starting, claiming, progress, the heartbeat, a job's end and the reads go through the
// two-database layer (db/store/job-store.ts).
import type { Database } from 'better-sqlite3';
import type { JobProgress } from '../../contract/entities';

export interface JobRow {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'paused' | 'interrupted' | 'done' | 'failed' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  skipped: number;
  message: string | null;
  createdAt: string;
  updatedAt: string;
  progress: JobProgress | null;
}

const COLUMNS = `id, kind, status, total, done, failed, skipped, message, created_at AS createdAt,
  updated_at AS updatedAt, progress_json AS progressJson`;

type RawJob = Omit<JobRow, 'progress'> & { progressJson: string | null };

function toRow({ progressJson, ...r }: RawJob): JobRow {
  return { ...r, progress: progressJson ? (JSON.parse(progressJson) as JobProgress) : null };
}

/** Who holds a running job and until when (epoch ms); renewed by the owner's heartbeat. */
export interface JobLease {
  owner: string;
  expiresAt: number;
}

export class JobRepository {
  constructor(private readonly db: Database) {}

  create(job: { id: string; kind: string; params: unknown; total?: number }): JobRow {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, status, params_json, total, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
      )
      .run(job.id, job.kind, JSON.stringify(job.params), job.total ?? 0, now, now);
    return this.get(job.id)!;
  }

  get(id: string): JobRow | undefined {
    const raw = this.db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as
      RawJob | undefined;
    return raw ? toRow(raw) : undefined;
  }

  update(
    id: string,
    patch: Partial<
      Pick<JobRow, 'status' | 'total' | 'done' | 'failed' | 'skipped' | 'message' | 'progress'>
    >,
  ): JobRow {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      if (k === 'progress') {
        sets.push('progress_json = ?');
        params.push(v === null ? null : JSON.stringify(v));
      } else {
        sets.push(`${k} = ?`);
        params.push(v);
      }
    }
    sets.push('updated_at = ?');
    params.push(new Date().toISOString(), id);
    this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...params);
    const row = this.get(id);
    if (!row) throw new Error(`job not found: ${id}`);
    return row;
  }

  result(id: string): unknown {
    const row = this.db.prepare('SELECT result_json AS r FROM jobs WHERE id = ?').get(id) as
      { r: string | null } | undefined;
    return row?.r ? JSON.parse(row.r) : null;
  }

  /**
   * Jobs left `running` or `queued` under an expired lease (or none) belong to a process that is
   * gone (killed, power loss): pipeline jobs become `interrupted` (resumable: their image queue is
   * in job_items), others `failed`. A job whose lease is renewed (a `sqw run` beside the app) is
   * left alone, whatever process now has its old PID.
   */
  markInterrupted(now = Date.now()): number {
    const stale = `status IN ('running', 'queued') AND (lease_expires_at IS NULL OR lease_expires_at < ?)`;
    const at = new Date(now).toISOString();
    return this.db.transaction(() => {
      const interrupted = this.db
        .prepare(
          `UPDATE jobs SET status = 'interrupted', message = ?, lease_owner = NULL, lease_expires_at = NULL,
             updated_at = ? WHERE kind = 'pipeline' AND ${stale}`,
        )
        .run(
          'interrupted: the process running it stopped; resume to continue where it stopped',
          at,
          now,
        ).changes;
      const failed = this.db
        .prepare(
          `UPDATE jobs SET status = 'failed', message = ?, lease_owner = NULL, lease_expires_at = NULL,
             updated_at = ? WHERE kind <> 'pipeline' AND ${stale}`,
        )
        .run('interrupted: the engine stopped while this job ran', at, now).changes;
      return interrupted + failed;
    })();
  }
}
