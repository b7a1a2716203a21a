import type { Database } from 'better-sqlite3';

export interface JobRow {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  skipped: number;
  message: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id, kind, status, total, done, failed, skipped, message, created_at AS createdAt, updated_at AS updatedAt`;

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
    return this.db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as
      JobRow | undefined;
  }

  list(limit = 100): JobRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`)
      .all(limit) as JobRow[];
  }

  update(
    id: string,
    patch: Partial<Pick<JobRow, 'status' | 'total' | 'done' | 'failed' | 'skipped' | 'message'>>,
  ): JobRow {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      sets.push(`${k} = ?`);
      params.push(v);
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

  /** Jobs left `running` by a killed process are marked so on the next open, never silently lost. */
  markInterrupted(): number {
    const info = this.db
      .prepare(
        `UPDATE jobs SET status = 'failed', message = 'interrupted: the engine stopped while this job ran', updated_at = ? WHERE status IN ('running', 'queued')`,
      )
      .run(new Date().toISOString());
    return info.changes;
  }
}
