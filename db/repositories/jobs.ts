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

/** Whether a process with this id is alive on this machine (EPERM: alive, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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

  list(limit = 100): JobRow[] {
    return (
      this.db
        .prepare(`SELECT ${COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`)
        .all(limit) as RawJob[]
    ).map(toRow);
  }

  /** The newest job of `kind` in one of `statuses` (e.g. the pipeline job to resume). */
  latest(kind: string, statuses: readonly JobRow['status'][]): JobRow | undefined {
    const raw = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM jobs WHERE kind = ? AND status IN (${statuses.map(() => '?').join(',')})
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      )
      .get(kind, ...statuses) as RawJob | undefined;
    return raw ? toRow(raw) : undefined;
  }

  params(id: string): unknown {
    const row = this.db.prepare('SELECT params_json AS p FROM jobs WHERE id = ?').get(id) as
      { p: string } | undefined;
    return row ? JSON.parse(row.p) : null;
  }

  update(
    id: string,
    patch: Partial<
      Pick<JobRow, 'status' | 'total' | 'done' | 'failed' | 'skipped' | 'message' | 'progress'>
    > & { ownerPid?: number | null },
  ): JobRow {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      if (k === 'progress') {
        sets.push('progress_json = ?');
        params.push(v === null ? null : JSON.stringify(v));
      } else if (k === 'ownerPid') {
        sets.push('owner_pid = ?');
        params.push(v);
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

  setResult(id: string, result: unknown): void {
    this.db.prepare('UPDATE jobs SET result_json = ? WHERE id = ?').run(JSON.stringify(result), id);
  }

  result(id: string): unknown {
    const row = this.db.prepare('SELECT result_json AS r FROM jobs WHERE id = ?').get(id) as
      { r: string | null } | undefined;
    return row?.r ? JSON.parse(row.r) : null;
  }

  /**
   * Jobs left `running` or `queued` by a process that is gone are marked on the next open, never
   * left stuck: pipeline jobs become `interrupted` (resumable: their image queue is in job_items),
   * others `failed`. A job whose owner is still alive (a `sqw run` beside the app) is left alone.
   */
  markInterrupted(): number {
    const stale = (
      this.db
        .prepare(
          `SELECT id, kind, owner_pid AS ownerPid FROM jobs WHERE status IN ('running', 'queued')`,
        )
        .all() as Array<{ id: string; kind: string; ownerPid: number | null }>
    ).filter((j) => j.ownerPid === null || j.ownerPid === process.pid || !processAlive(j.ownerPid));
    const now = new Date().toISOString();
    const mark = this.db.prepare(
      'UPDATE jobs SET status = ?, message = ?, owner_pid = NULL, updated_at = ? WHERE id = ?',
    );
    this.db.transaction(() => {
      for (const j of stale) {
        if (j.kind === 'pipeline')
          mark.run(
            'interrupted',
            'interrupted: the process running it stopped; resume to continue where it stopped',
            now,
            j.id,
          );
        else mark.run('failed', 'interrupted: the engine stopped while this job ran', now, j.id);
      }
    })();
    return stale.length;
  }
}
