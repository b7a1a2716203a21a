// One schema, two paths to it, two databases. On SQLite a fresh desktop file built by the layer's
// migrations must have exactly the shape of a file built by the frozen legacy steps and adopted
// (tables, columns, types, defaults, keys, foreign keys, indexes, CHECK constraints, views,
// triggers), or a file made by an older workstation would differ from a new one. On PostgreSQL the
// layer's tables must have the same columns and nullability as the desktop file's, and the image
// status triggers must fire on the same row changes (events and WHEN clauses) to the same effect
// (one sequence of writes, the same images.status after each on both).
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LEGACY_FINAL_VERSION, legacyUpgrades, runLegacyUpgrades } from '../legacy-upgrades';
import { usePostgresCluster } from '../postgres/test-hooks';
import { layerMigrations, migrateStore } from './migrations';
import {
  ADOPTED_AT_LEGACY_FINAL,
  appliedMigrations,
  BOOKKEEPING_TABLES,
  LAYER_USER_VERSION,
  migrateProjectFile,
} from './sqlite-migrations';

/** SQL text compared without its layout, identifier quotes or letter case. */
const squeeze = (text: string) => text.replace(/["`]/g, '').replace(/\s+/g, '').toLowerCase();

/** The CHECK (…) clauses of a CREATE TABLE statement. */
function checkClauses(createSql: string): string[] {
  const out: string[] = [];
  const re = /\bcheck\s*\(/gi;
  for (let m = re.exec(createSql); m; m = re.exec(createSql)) {
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < createSql.length; end++) {
      if (createSql[end] === '(') depth++;
      else if (createSql[end] === ')' && --depth === 0) break;
    }
    out.push(squeeze(createSql.slice(m.index, end + 1)));
  }
  return out.sort();
}

function sqliteShape(db: BetterSqlite3.Database) {
  const objects = db
    .prepare(
      "SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )
    .all() as Array<{ type: string; name: string; tableName: string; sql: string | null }>;
  const tables = objects
    .filter((o) => o.type === 'table' && !BOOKKEEPING_TABLES.has(o.name))
    .map(({ name: table, sql }) => {
      const columns = (
        db.pragma(`table_info(${table})`) as Array<{
          name: string;
          type: string;
          notnull: number;
          dflt_value: string | null;
          pk: number;
        }>
      ).map((c) => ({ ...c, type: c.type.toUpperCase() }));
      const indexes = (
        db.pragma(`index_list(${table})`) as Array<{
          name: string;
          unique: number;
          origin: string;
          partial: number;
        }>
      )
        .filter((i) => i.origin === 'c')
        .map((i) => {
          const text = objects.find((o) => o.name === i.name)?.sql ?? '';
          return {
            name: i.name,
            unique: i.unique,
            columns: (db.pragma(`index_info(${i.name})`) as Array<{ name: string }>).map(
              (c) => c.name,
            ),
            where: i.partial ? squeeze(text.slice(text.search(/\bwhere\b/i))) : null,
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      const foreignKeys = db.pragma(`foreign_key_list(${table})`);
      const checks = checkClauses(sql ?? '');
      const withoutRowid = /\bwithout\s+rowid\b/i.test(sql ?? '');
      return { table, columns, indexes, foreignKeys, checks, withoutRowid };
    });
  const viewsAndTriggers = objects
    .filter((o) => o.type === 'view' || o.type === 'trigger')
    .map((o) => ({ type: o.type, name: o.name, on: o.tableName, sql: squeeze(o.sql ?? '') }));
  return { tables, viewsAndTriggers };
}

/** A desktop file as the legacy steps left it, up to `version`. */
function legacyFile(version = LEGACY_FINAL_VERSION): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  runLegacyUpgrades(
    db,
    legacyUpgrades.filter((m) => m.version <= version),
  );
  return db;
}

/**
 * A trigger as the row changes it fires on: table, timing, event (UPDATE with its columns) and WHEN
 * condition. Bodies are left out (SQLite's are inline, PostgreSQL's call a function); what they do
 * is compared by statusTrace. Conditions lose PostgreSQL's deparsing (casts, `= ANY (ARRAY[…])`,
 * IS DISTINCT FROM), layout and parentheses.
 */
interface TriggerFiring {
  table: string;
  timing: string;
  event: string;
  when: string | null;
}

function firingCondition(text: string | null): string | null {
  if (text === null) return null;
  return squeeze(
    text
      .replace(/::text\b/gi, '')
      .replace(/=\s*any\s*\(\s*array\[([^\]]*)\]\s*\)/gi, 'IN ($1)')
      .replace(/\bis\s+distinct\s+from\b/gi, 'IS NOT')
      .replace(/[()]/g, ''),
  );
}

const byFiring = (a: TriggerFiring, b: TriggerFiring) =>
  JSON.stringify(a).localeCompare(JSON.stringify(b));

function sqliteFirings(db: BetterSqlite3.Database): TriggerFiring[] {
  const texts = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    .all() as Array<{ name: string; sql: string }>;
  return texts
    .map(({ name, sql }) => {
      const m =
        /^\s*create\s+trigger\s+\S+\s+(before|after|instead\s+of)\s+(insert|delete|update(?:\s+of\s+[\w\s,]+?)?)\s+on\s+(\w+)(?:\s+for\s+each\s+row)?(?:\s+when\s+([\s\S]+?))?\s+begin\b/i.exec(
          sql,
        );
      if (!m) throw new Error(`trigger ${name}: unexpected text ${sql}`);
      return {
        table: m[3]!,
        timing: m[1]!.toUpperCase(),
        event: squeeze(m[2]!),
        when: firingCondition(m[4] ?? null),
      };
    })
    .sort(byFiring);
}

async function postgresFirings(pool: pg.Pool): Promise<TriggerFiring[]> {
  const { rows } = await pool.query<{
    table: string;
    timing: string;
    event: string;
    columns: string | null;
    condition: string | null;
    orientation: string;
  }>(
    `SELECT t.event_object_table AS table, t.action_timing AS timing,
            t.event_manipulation AS event, t.action_condition AS condition,
            t.action_orientation AS orientation,
            (SELECT string_agg(c.event_object_column, ',' ORDER BY c.event_object_column)
               FROM information_schema.triggered_update_columns c
              WHERE c.trigger_schema = t.trigger_schema AND c.trigger_name = t.trigger_name
                AND c.event_object_table = t.event_object_table) AS columns
       FROM information_schema.triggers t WHERE t.trigger_schema = 'public'`,
  );
  for (const r of rows) expect(r.orientation).toBe('ROW'); // SQLite has row triggers only
  return rows
    .map((r) => ({
      table: r.table,
      timing: r.timing,
      event: squeeze(r.event === 'UPDATE' && r.columns ? `UPDATE OF ${r.columns}` : r.event),
      when: firingCondition(r.condition),
    }))
    .sort(byFiring);
}

const imageRow = (id: number) =>
  `INSERT INTO images (id, batch_id, source_path, rel_path, file_name, sha256, bytes, format, width,
     height, fx, fy, cx, cy, intrinsics_source, thumb_blob, created_at)
   VALUES (${id}, 1, '/x/${id}.jpg', '${id}.jpg', '${id}.jpg', 'h${id}', 1, 'jpeg', 4, 3, 1, 1, 1, 1,
     'given', 't', 'now')`;

/** Rows every status trace starts from: one batch, three images with no work on them. */
const TRACE_SETUP = [
  "INSERT INTO batches (id, source_folder, created_at) VALUES (1, '/x', 'now')",
  ...[1, 2, 3].map(imageRow),
];

/**
 * Writes whose effect on images.status tells which triggers fired. Moving a row to another image
 * (an UPDATE of image_id, which no trigger watches) leaves the stored status stale on purpose: a
 * later write re-derives it only where its trigger fires. Standard SQL, run alike on both.
 */
const TRACE_STEPS: Array<[string, string]> = [
  [
    'qa proposed on 1',
    "INSERT INTO qa_pairs (id, image_id, family, question, answer, status, created_at) VALUES (1, 1, 'f', 'q', 'a', 'proposed', 'now')",
  ],
  ['qa moved to 2 (stale 1, 2)', 'UPDATE qa_pairs SET image_id = 2 WHERE id = 1'],
  [
    'stage done on 2',
    "INSERT INTO stage_runs (image_id, stage, status, updated_at) VALUES (2, 'detect', 'done', 'now')",
  ],
  [
    'stage skipped on 1',
    "INSERT INTO stage_runs (image_id, stage, status, updated_at) VALUES (1, 'detect', 'skipped', 'now')",
  ],
  ['stage 1 skipped to done', "UPDATE stage_runs SET status = 'done' WHERE image_id = 1"],
  [
    'stage 2 upserted failed',
    `INSERT INTO stage_runs (image_id, stage, status, updated_at) VALUES (2, 'detect', 'failed', 'now')
     ON CONFLICT (image_id, stage) DO UPDATE SET status = excluded.status`,
  ],
  ['stage 2 failed to done', "UPDATE stage_runs SET status = 'done' WHERE image_id = 2"],
  [
    'stage failed on 3',
    "INSERT INTO stage_runs (image_id, stage, status, updated_at) VALUES (3, 'lift', 'failed', 'now')",
  ],
  ['failed stage of 3 deleted', 'DELETE FROM stage_runs WHERE image_id = 3'],
  ['qa moved to 3 (stale 2, 3)', 'UPDATE qa_pairs SET image_id = 3 WHERE id = 1'],
  [
    'stage done on 3',
    "INSERT INTO stage_runs (image_id, stage, status, updated_at) VALUES (3, 'lift', 'done', 'now')",
  ],
  ['done stage of 3 deleted', 'DELETE FROM stage_runs WHERE image_id = 3'],
  ['qa approved', "UPDATE qa_pairs SET status = 'approved' WHERE id = 1"],
  ['status written directly on 2', "UPDATE images SET status = 'approved' WHERE id = 2"],
  [
    'job queued',
    "INSERT INTO jobs (id, kind, status, params_json, created_at, updated_at) VALUES ('j1', 'pipeline', 'queued', '{}', 'now', 'now')",
  ],
  [
    'item pending on 1',
    "INSERT INTO job_items (job_id, image_id, status) VALUES ('j1', 1, 'pending')",
  ],
  ['item moved to 2 (stale 1, 2)', "UPDATE job_items SET image_id = 2 WHERE job_id = 'j1'"],
  ['job queued to running', "UPDATE jobs SET status = 'running' WHERE id = 'j1'"],
  ['job running to done', "UPDATE jobs SET status = 'done' WHERE id = 'j1'"],
  ['job done to queued', "UPDATE jobs SET status = 'queued' WHERE id = 'j1'"],
  ['item done', "UPDATE job_items SET status = 'done' WHERE job_id = 'j1'"],
  ['qa deleted', 'DELETE FROM qa_pairs WHERE id = 1'],
];

/** images.status after each trace step, as `step: status of 1, 2, 3`. */
async function statusTrace(run: (text: string) => Promise<Array<{ status: string }>>) {
  for (const text of TRACE_SETUP) await run(text);
  const trace: string[] = [];
  for (const [step, text] of TRACE_STEPS) {
    await run(text);
    const rows = await run('SELECT status FROM images ORDER BY id');
    trace.push(`${step}: ${rows.map((r) => r.status).join(', ')}`);
  }
  return trace;
}

function sqliteTrace(db: BetterSqlite3.Database): Promise<string[]> {
  db.pragma('foreign_keys = ON'); // as ProjectStore opens a file
  return statusTrace(async (text) => {
    const statement = db.prepare(text);
    return statement.reader
      ? (statement.all() as Array<{ status: string }>)
      : (statement.run(), []);
  });
}

/** A desktop file as the layer made it with the migrations adopted at legacy 15, no later. */
function previousLayerFile(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  migrateProjectFile(
    db,
    layerMigrations.filter((m) => ADOPTED_AT_LEGACY_FINAL.includes(m.name)),
  );
  return db;
}

const postgres = usePostgresCluster();
const ALL = layerMigrations.map((m) => m.name);
const SINCE_LEGACY = ALL.filter((name) => !ADOPTED_AT_LEGACY_FINAL.includes(name));

describe('schema of the two-database layer', () => {
  it('builds a fresh desktop file with the shape of a legacy file upgraded and adopted', () => {
    const fresh = new BetterSqlite3(':memory:');
    const built = migrateProjectFile(fresh);
    expect(built).toEqual({ legacy: [], adopted: false, applied: ALL });
    const shape = sqliteShape(fresh);
    expect(shape.tables.map((t) => t.table)).toContain('project');
    expect(shape.viewsAndTriggers.length).toBe(12);

    // At the last legacy version: adopted, then only the migrations added since.
    const latest = legacyFile();
    expect(migrateProjectFile(latest)).toEqual({
      legacy: [],
      adopted: true,
      applied: SINCE_LEGACY,
    });
    // An older file: the legacy steps it lacks, then adopted.
    const old = legacyFile(4);
    const upgraded = migrateProjectFile(old);
    expect(upgraded.legacy).toEqual(
      legacyUpgrades.map((m) => m.version).filter((v) => v > 4 && v <= LEGACY_FINAL_VERSION),
    );
    expect(upgraded.adopted).toBe(true);
    expect(upgraded.applied).toEqual(SINCE_LEGACY);
    // A file made by the layer before the migrations added since legacy: those run, and only those.
    const previous = previousLayerFile();
    expect(migrateProjectFile(previous)).toEqual({
      legacy: [],
      adopted: false,
      applied: SINCE_LEGACY,
    });
    for (const db of [latest, old, previous]) {
      expect(sqliteShape(db)).toEqual(shape);
      expect(appliedMigrations(db)).toEqual(appliedMigrations(fresh));
      expect(db.pragma('user_version', { simple: true })).toBe(LAYER_USER_VERSION);
      db.close();
    }
    fresh.close();
  });

  it("keeps the bookkeeping of Kysely's Migrator: either runner sees the other's work", async () => {
    const desktop = new BetterSqlite3(':memory:');
    migrateProjectFile(desktop);
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: desktop }) });
    expect(await migrateStore(db, 'sqlite')).toEqual([]);

    const byMigrator = new BetterSqlite3(':memory:');
    const other = new Kysely<unknown>({ dialect: new SqliteDialect({ database: byMigrator }) });
    expect(await migrateStore(other, 'sqlite')).toEqual(ALL);
    expect(migrateProjectFile(byMigrator).applied).toEqual([]);
    expect(sqliteShape(byMigrator)).toEqual(sqliteShape(desktop));
    await db.destroy();
    await other.destroy();
  });

  it('fires the image status triggers on the same row changes in fresh, adopted and older files', async () => {
    const fresh = new BetterSqlite3(':memory:');
    migrateProjectFile(fresh);
    const adopted = legacyFile();
    migrateProjectFile(adopted);
    const upgraded = legacyFile(4);
    migrateProjectFile(upgraded);
    const previous = previousLayerFile();
    migrateProjectFile(previous);
    // Stale statuses stay stale through writes that cannot change an image's status (stage
    // records neither failed nor failed before, a job moving between queued and running).
    const expected = [
      'qa proposed on 1: needs-review, pending, pending',
      'qa moved to 2 (stale 1, 2): needs-review, pending, pending',
      'stage done on 2: needs-review, pending, pending',
      'stage skipped on 1: needs-review, pending, pending',
      'stage 1 skipped to done: needs-review, pending, pending',
      'stage 2 upserted failed: needs-review, failed, pending',
      'stage 2 failed to done: needs-review, needs-review, pending',
      'stage failed on 3: needs-review, needs-review, failed',
      'failed stage of 3 deleted: needs-review, needs-review, pending',
      'qa moved to 3 (stale 2, 3): needs-review, needs-review, pending',
      'stage done on 3: needs-review, needs-review, pending',
      'done stage of 3 deleted: needs-review, needs-review, pending',
      'qa approved: needs-review, needs-review, approved',
      'status written directly on 2: needs-review, pending, approved',
      'job queued: needs-review, pending, approved',
      'item pending on 1: processing, pending, approved',
      'item moved to 2 (stale 1, 2): processing, pending, approved',
      'job queued to running: processing, pending, approved',
      'job running to done: processing, pending, approved',
      'job done to queued: processing, processing, approved',
      'item done: processing, pending, approved',
      'qa deleted: processing, pending, pending',
    ];
    const firings = sqliteFirings(fresh);
    for (const db of [fresh, adopted, upgraded, previous]) {
      expect(sqliteFirings(db)).toEqual(firings);
      expect(await sqliteTrace(db)).toEqual(expected);
      db.close();
    }
  });

  it.skipIf(postgres.skipReason)(
    'fires the image status triggers on the same row changes on PostgreSQL, to the same effect',
    async () => {
      const desktop = new BetterSqlite3(':memory:');
      migrateProjectFile(desktop);
      const pool = new pg.Pool({ connectionString: await postgres.cluster().createDatabase() });
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      try {
        await migrateStore(db, 'postgres');
        const firings = sqliteFirings(desktop);
        expect(await postgresFirings(pool)).toEqual(firings);
        // Both narrowed as 0006 narrowed PostgreSQL's: only failed stage records re-derive.
        expect(firings.filter((f) => f.table === 'stage_runs').map((f) => f.when)).toEqual([
          "old.status='failed'",
          "new.status='failed'",
          "old.status='failed'isnotnew.status='failed'",
        ]);
        const trace = await statusTrace(
          async (text) => (await pool.query<{ status: string }>(text)).rows,
        );
        expect(trace).toEqual(await sqliteTrace(desktop));
      } finally {
        await db.destroy();
        desktop.close();
      }
    },
  );

  it.skipIf(postgres.skipReason)('has the same columns and nullability on PostgreSQL', async () => {
    const desktop = new BetterSqlite3(':memory:');
    migrateProjectFile(desktop);
    const pool = new pg.Pool({ connectionString: await postgres.cluster().createDatabase() });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateStore(db, 'postgres');
      const { rows: applied } = await pool.query<{ name: string }>(
        'SELECT name FROM kysely_migration ORDER BY name',
      );
      expect(applied.map((r) => r.name)).toEqual(appliedMigrations(desktop));
      // The desktop's one project row is copied in with the project (`sqw project copy`).
      const tables = sqliteShape(desktop)
        .tables.map((t) => t.table)
        .filter((t) => t !== 'project');
      for (const table of tables) {
        const { rows } = await pool.query<{ name: string; nullable: string }>(
          `SELECT column_name AS name, is_nullable AS nullable FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
        const expected = (
          desktop.pragma(`table_info(${table})`) as Array<{
            name: string;
            notnull: number;
            pk: number;
          }>
        ).map((c) => ({ name: c.name, nullable: c.notnull || c.pk ? 'NO' : 'YES' }));
        expect(rows, table).toEqual(expected);
      }
    } finally {
      await db.destroy();
      desktop.close();
    }
  });
});
