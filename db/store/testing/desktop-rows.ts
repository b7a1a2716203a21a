// What tests and benches outside db/ read or force on a desktop project file that the layer's
// stores have no call for: counts and raw rows to assert on, and states a crash or an older
// program leaves behind. Synchronous on the better-sqlite3 connection, so a test can poll with
// them; kept here because nothing outside db/ writes SQL.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../project-store';

type Db = Database.Database;

/** The project file in `folder`, opened read-only (to watch or compare another process's run). */
export function openProjectFileReadOnly(folder: string): Db {
  return new Database(join(folder, DATABASE_FILE), { readonly: true, fileMustExist: true });
}

// ---- QA pairs ----

/** QA rows, and distinct (image, QA key) pairs among them: equal when no key is stored twice. */
export function qaRowsAndKeys(db: Db): { n: number; k: number } {
  return db
    .prepare('SELECT count(*) AS n, count(DISTINCT image_id || qa_key) AS k FROM qa_pairs')
    .get() as { n: number; k: number };
}

/** Every phrasing of one fact, in id order. */
export function phrasingsOfFact(
  db: Db,
  factId: string,
): Array<{ id: number; status: string; answer: string }> {
  return db
    .prepare('SELECT id, status, answer FROM qa_pairs WHERE fact_id = ? ORDER BY id')
    .all(factId) as Array<{ id: number; status: string; answer: string }>;
}

/** The fact id of every QA row (one per phrasing). */
export function qaFactIds(db: Db): string[] {
  return (db.prepare('SELECT fact_id FROM qa_pairs').all() as Array<{ fact_id: string }>).map(
    (r) => r.fact_id,
  );
}

/** Facts with at least one approved or edited phrasing. */
export function reviewedFactIds(db: Db): string[] {
  return (
    db
      .prepare("SELECT DISTINCT fact_id FROM qa_pairs WHERE status IN ('approved', 'edited')")
      .all() as Array<{ fact_id: string }>
  ).map((r) => r.fact_id);
}

/** Approved or edited QA rows (phrasings). */
export function reviewedQaCount(db: Db): number {
  return (
    db
      .prepare("SELECT COUNT(*) AS n FROM qa_pairs WHERE status IN ('approved', 'edited')")
      .get() as { n: number }
  ).n;
}

/** Facts that have a stored record; only reviewed (approved, edited) ones unless `all`. */
export function factIdsWithRecords(db: Db, all: boolean): string[] {
  return (
    db
      .prepare(
        `SELECT DISTINCT fact_id AS f FROM qa_pairs WHERE record_json IS NOT NULL ${all ? '' : "AND status IN ('approved', 'edited')"}`,
      )
      .all() as Array<{ f: string }>
  ).map((r) => r.f);
}

/** Facts of one family on one image still only proposed, by first phrasing id. */
export function proposedFactIds(db: Db, imageId: number, family: string): string[] {
  return (
    db
      .prepare(
        "SELECT DISTINCT fact_id AS f FROM qa_pairs WHERE image_id = ? AND family = ? AND status = 'proposed' ORDER BY id",
      )
      .all(imageId, family) as Array<{ f: string }>
  ).map((r) => r.f);
}

/** One image's QA rows: id, status and fact hash, in id order. */
export function qaFactHashes(
  db: Db,
  imageId: number,
): Array<{ id: number; status: string; factHash: string }> {
  return db
    .prepare(
      'SELECT id, status, fact_hash AS factHash FROM qa_pairs WHERE image_id = ? ORDER BY id',
    )
    .all(imageId) as Array<{ id: number; status: string; factHash: string }>;
}

/** One QA row's status, wording and stored record (JSON text), if the row exists. */
export function qaRow(
  db: Db,
  id: number,
): { status: string; question: string; answer: string; r: string } | undefined {
  return db
    .prepare('SELECT status, question, answer, record_json AS r FROM qa_pairs WHERE id = ?')
    .get(id) as { status: string; question: string; answer: string; r: string } | undefined;
}

/** The stored records (JSON text) of a fact's phrasings, in id order. */
export function phrasingRecords(db: Db, factId: string): Array<{ id: number; r: string }> {
  return db
    .prepare('SELECT id, record_json AS r FROM qa_pairs WHERE fact_id = ? ORDER BY id')
    .all(factId) as Array<{ id: number; r: string }>;
}

/** Overwrites a phrasing's stored record (and question, when given), as an older program wrote it. */
export function rewritePhrasing(
  db: Db,
  id: number,
  change: { record: unknown; question?: string },
): void {
  if (change.question === undefined)
    db.prepare('UPDATE qa_pairs SET record_json = ? WHERE id = ?').run(
      JSON.stringify(change.record),
      id,
    );
  else
    db.prepare('UPDATE qa_pairs SET question = ?, record_json = ? WHERE id = ?').run(
      change.question,
      JSON.stringify(change.record),
      id,
    );
}

// ---- review ----

/** Review decisions stored, on one QA row or on all. */
export function reviewDecisionCount(db: Db, qaId?: number): number {
  const row =
    qaId === undefined
      ? db.prepare('SELECT COUNT(*) AS n FROM review_decisions').get()
      : db.prepare('SELECT COUNT(*) AS n FROM review_decisions WHERE qa_id = ?').get(qaId);
  return (row as { n: number }).n;
}

/** Review targets with more than one 'do' entry in the audit log (a decision applied twice). */
export function reviewTargetsAuditedTwice(db: Db): Array<{ target: string; n: number }> {
  return db
    .prepare(
      `SELECT target, count(*) AS n FROM audit_log WHERE op = 'do' AND command LIKE 'review.%'
       GROUP BY target HAVING n > 1`,
    )
    .all() as Array<{ target: string; n: number }>;
}

/** An audit entry as a program before the object-edit store wrote it ('do', no ref). */
export function recordOlderAuditEntry(
  db: Db,
  entry: {
    actor: string;
    command: string;
    target: string;
    before: unknown;
    after: unknown;
    createdAt: string;
    imageIds: number[];
  },
): void {
  db.prepare(
    `INSERT INTO audit_log (actor, command, target, before_json, after_json, created_at, op, ref_id, image_ids_json)
     VALUES (?, ?, ?, ?, ?, ?, 'do', NULL, ?)`,
  ).run(
    entry.actor,
    entry.command,
    entry.target,
    JSON.stringify(entry.before),
    JSON.stringify(entry.after),
    entry.createdAt,
    JSON.stringify(entry.imageIds),
  );
}

// ---- objects ----

/** The lowest id of an object not deleted. */
export function firstLiveObjectId(db: Db): number {
  return (
    db.prepare('SELECT id FROM objects WHERE deleted_at IS NULL ORDER BY id LIMIT 1').get() as {
      id: number;
    }
  ).id;
}

/** Sets or clears an object's deleted_at directly (no audit, no version bump). */
export function setObjectDeletedAt(db: Db, id: number, deletedAt: string | null): void {
  db.prepare('UPDATE objects SET deleted_at = ? WHERE id = ?').run(deletedAt, id);
}

/** Moves an object's box and drops its mask directly, as an edit outside the review path. */
export function moveObjectBoxDroppingMask(
  db: Db,
  id: number,
  box: { x0: number; y0: number; x1: number; y1: number },
): void {
  db.prepare(
    'UPDATE objects SET x0 = ?, x1 = ?, y0 = ?, y1 = ?, mask_rle = NULL, mask_provenance = NULL WHERE id = ?',
  ).run(box.x0, box.x1, box.y0, box.y1, id);
}

// ---- jobs and stage runs ----

/** Stage rows a job stored, per stage. */
export function stageRunsPerStage(db: Db, jobId: string): Array<{ stage: string; n: number }> {
  return db
    .prepare(
      'SELECT stage, count(*) AS n FROM stage_runs WHERE job_id = ? GROUP BY stage ORDER BY stage',
    )
    .all(jobId) as Array<{ stage: string; n: number }>;
}

/** Per stage, the total and mean of a job's stage times (ms; missing times count 0) and rows. */
export function stageTimes(
  db: Db,
  jobId: string,
): Array<{ stage: string; totalMs: number; meanMs: number; n: number }> {
  return db
    .prepare(
      `SELECT stage, sum(coalesce(took_ms, 0)) AS totalMs, avg(coalesce(took_ms, 0)) AS meanMs,
         count(*) AS n
       FROM stage_runs WHERE job_id = ? GROUP BY stage`,
    )
    .all(jobId) as Array<{ stage: string; totalMs: number; meanMs: number; n: number }>;
}

/**
 * What kill -9 leaves: the job 'running' under a lease nobody renews (owner 'killed'), with the
 * given owner PID.
 */
export function leaveJobRunningUnderDeadLease(
  db: Db,
  jobId: string,
  lease: { expiresAt: number; ownerPid: number },
): void {
  db.prepare(
    `UPDATE jobs SET status = 'running', lease_owner = 'killed', lease_expires_at = ?, owner_pid = ?
     WHERE id = ?`,
  ).run(lease.expiresAt, lease.ownerPid, jobId);
}

/** Gives every job's owner PID as `pid` (the system reusing a dead run's PID). */
export function setJobsOwnerPid(db: Db, pid: number): void {
  db.prepare('UPDATE jobs SET owner_pid = ?').run(pid);
}

/** Every job's status and progress. */
export function jobProgress(db: Db): Array<{ status: string; total: number; done: number }> {
  return db.prepare('SELECT status, total, done FROM jobs').all() as Array<{
    status: string;
    total: number;
    done: number;
  }>;
}

/** Job items per status. */
export function jobItemsByStatus(db: Db): Array<{ status: string; n: number }> {
  return db.prepare('SELECT status, count(*) AS n FROM job_items GROUP BY status').all() as Array<{
    status: string;
    n: number;
  }>;
}

/** Job items no longer pending (settled or in flight). */
export function settledJobItemCount(db: Db): number {
  return (
    db.prepare("SELECT count(*) AS n FROM job_items WHERE status != 'pending'").get() as {
      n: number;
    }
  ).n;
}

/** Everything a pipeline run writes, per image (by file name), in a comparable form. */
export function pipelineResultsByFile(db: Db) {
  const q = (statement: string) => db.prepare(statement).all();
  return {
    stages: q(
      `SELECT i.file_name AS f, s.stage, s.status, s.reason FROM stage_runs s JOIN images i ON i.id = s.image_id
       ORDER BY f, s.stage`,
    ),
    objects: q(
      'SELECT i.file_name AS f, count(*) AS n, sum(o.mask_rle IS NOT NULL) AS masks FROM objects o JOIN images i ON i.id = o.image_id GROUP BY f ORDER BY f',
    ),
    graphs: q(
      'SELECT i.file_name AS f FROM scene_graphs g JOIN images i ON i.id = g.image_id ORDER BY f',
    ),
    qa: q(
      'SELECT i.file_name AS f, q.qa_key AS k, q.fact_hash AS h FROM qa_pairs q JOIN images i ON i.id = q.image_id ORDER BY f, k',
    ),
    depth: q(
      "SELECT file_name AS f, json_extract(depth_json, '$.source') AS src FROM images ORDER BY f",
    ),
  };
}

// ---- accounts ----

/** Every account row as stored (all columns). */
export function accountRows(db: Db): Array<Record<string, string>> {
  return db.prepare('SELECT * FROM accounts').all() as Array<Record<string, string>>;
}

// ---- whole file ----

/**
 * Every table of a project file, each row in key order, plus its user_version; of Kysely's
 * migration table only the names (each file keeps its own history: which, not when).
 */
export function dumpProjectFile(folder: string): Record<string, unknown[]> {
  const db = openProjectFileReadOnly(folder);
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ name: string }>;
    const out: Record<string, unknown[]> = { user_version: [db.pragma('user_version')] };
    for (const { name } of tables) {
      const key = (db.pragma(`table_info("${name}")`) as Array<{ name: string; pk: number }>)
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => `"${c.name}"`);
      const columns = name === 'kysely_migration' ? 'name' : '*';
      out[name] = db
        .prepare(`SELECT ${columns} FROM "${name}" ORDER BY ${key.join(', ') || 'rowid'}`)
        .all();
    }
    return out;
  } finally {
    db.close();
  }
}

// ---- locks ----

/**
 * A second connection to the project file in `folder`, as another process holding it: `hold()`
 * takes the write lock (BEGIN IMMEDIATE) until `commit()` or `rollback()`.
 */
export function anotherWriter(folder: string) {
  const db = new Database(join(folder, DATABASE_FILE));
  return {
    hold: () => void db.exec('BEGIN IMMEDIATE'),
    commit: () => void db.exec('COMMIT'),
    rollback: () => void db.exec('ROLLBACK'),
    close: () => db.close(),
  };
}

/** How long this connection waits for another's write lock before SQLITE_BUSY. */
export function setBusyTimeout(db: Db, ms: number): void {
  db.pragma(`busy_timeout = ${Math.trunc(ms)}`);
}
