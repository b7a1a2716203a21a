// Desktop project files (SQLite) migrate through the layer's migrations (./migrations.ts), run
// synchronously on the better-sqlite3 connection so ProjectStore.open stays synchronous: each
// migration's statements are compiled with Kysely's SQLite compiler and run, with its record in
// Kysely's kysely_migration table, in one IMMEDIATE transaction. The bookkeeping is the one
// Kysely's Migrator keeps (same tables, same names), so either runner sees the other's work.
//
// Files made before the layer carry a legacy user_version (1–15): older ones first run the frozen
// legacy steps up to 15; a file at 15 has the schema of the layer migrations in
// ADOPTED_AT_LEGACY_FINAL, which are recorded as applied without running. user_version is then
// set to LAYER_USER_VERSION for good, so a program from before the layer refuses the file as
// newer instead of running its own steps on it.
import type { Database } from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
} from 'kysely';
import {
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  MIGRATION_LOCK_ID,
} from 'kysely/migration';
import { LEGACY_FINAL_VERSION, runLegacyUpgrades, userVersion } from '../legacy-upgrades';
import { layerMigrations, type LayerMigration } from './migrations';

/** A file whose schema is tracked in kysely_migration; legacy programs (≤ 15) refuse it. */
export const LAYER_USER_VERSION = LEGACY_FINAL_VERSION + 1;

/** Kysely's bookkeeping tables: not project data (a project copy leaves them out). */
export const BOOKKEEPING_TABLES: ReadonlySet<string> = new Set([
  DEFAULT_MIGRATION_TABLE,
  DEFAULT_MIGRATION_LOCK_TABLE,
]);

/**
 * The layer migrations whose schema a file at legacy version 15 has (schema-parity.test.ts holds
 * the two equal). Frozen with the legacy steps: a migration added later runs on every file.
 */
export const ADOPTED_AT_LEGACY_FINAL: readonly string[] = [
  '0001-review-and-catalog',
  '0002-stage-runs',
  '0003-scene-and-jobs',
  '0004-derived-image-status',
  '0005-review-access',
  '0006-stage-status-on-failed-only',
  '0007-reserved-object-ids',
];

/**
 * Builds and compiles statements for SQLite; never connects (DummyDriver). What must run
 * synchronously on the better-sqlite3 connection (migrations, ProjectStore's project row) is
 * built here and run with runCompiled / firstRowOf.
 */
export const sqliteCompiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** The file was written by a newer program (a schema step this one does not know). */
export class NewerSchemaError extends Error {}

export interface FileMigration {
  /** Legacy steps run on this file (by this call; another process may have run some). */
  legacy: number[];
  /** Whether this call adopted a legacy-15 file into the layer's bookkeeping. */
  adopted: boolean;
  /** Layer migrations this call ran. */
  applied: string[];
}

function run(db: Database, query: CompiledQuery): void {
  db.prepare(query.sql).run(...(query.parameters as unknown[]));
}

/** Runs a compiled statement synchronously on the connection. */
export const runCompiled = run;

/** The first row a compiled query returns, synchronously; undefined when none. */
export function firstRowOf<Row>(db: Database, query: CompiledQuery<Row>): Row | undefined {
  return db.prepare(query.sql).get(...(query.parameters as unknown[])) as Row | undefined;
}

function hasBookkeeping(db: Database): boolean {
  return !!db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(DEFAULT_MIGRATION_TABLE);
}

/** Names recorded as applied, in the order they were. */
export function appliedMigrations(db: Database): string[] {
  if (!hasBookkeeping(db)) return [];
  return (
    db.prepare(`SELECT name FROM ${DEFAULT_MIGRATION_TABLE} ORDER BY name`).all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);
}

/** Kysely's own tables and lock row, exactly as its Migrator creates them. */
function createBookkeeping(db: Database): void {
  const schema = sqliteCompiler.schema;
  run(
    db,
    schema
      .createTable(DEFAULT_MIGRATION_TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
      .compile(),
  );
  run(
    db,
    schema
      .createTable(DEFAULT_MIGRATION_LOCK_TABLE)
      .ifNotExists()
      .addColumn('id', 'varchar(255)', (c) => c.notNull().primaryKey())
      .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
      .compile(),
  );
  db.prepare(
    `INSERT OR IGNORE INTO ${DEFAULT_MIGRATION_LOCK_TABLE} (id, is_locked) VALUES (?, 0)`,
  ).run(MIGRATION_LOCK_ID);
}

function record(db: Database, name: string): void {
  db.prepare(`INSERT INTO ${DEFAULT_MIGRATION_TABLE} (name, timestamp) VALUES (?, ?)`).run(
    name,
    new Date().toISOString(),
  );
}

function refuseNewer(db: Database, migrations: readonly LayerMigration[]): void {
  const version = userVersion(db);
  if (version > LAYER_USER_VERSION) {
    throw new NewerSchemaError(
      `project database is at schema version ${version}, newer than this program (${LAYER_USER_VERSION}); update the workstation`,
    );
  }
  const known = new Set(migrations.map((m) => m.name));
  const unknown = appliedMigrations(db).find((name) => !known.has(name));
  if (unknown) {
    throw new NewerSchemaError(
      `project database has schema migration ${unknown}, newer than this program; update the workstation`,
    );
  }
}

/** Whether the file has every layer migration and nothing newer (read-only check). */
export function projectFileIsCurrent(
  db: Database,
  migrations: readonly LayerMigration[] = layerMigrations,
): boolean {
  if (userVersion(db) !== LAYER_USER_VERSION) return false;
  const applied = appliedMigrations(db);
  return applied.length === migrations.length && migrations.every((m) => applied.includes(m.name));
}

/** A short description of where the file's schema stands, for refusals. */
export function describeSchema(db: Database): string {
  const version = userVersion(db);
  if (version !== LAYER_USER_VERSION) return `legacy schema version ${version}`;
  const applied = appliedMigrations(db);
  return `schema migration ${applied[applied.length - 1] ?? '(none)'}`;
}

/**
 * Brings a desktop project file to the layer's newest schema. Two processes opening the same file
 * at once never both run a step: each step re-checks, under the write lock it takes first
 * (BEGIN IMMEDIATE, waiting up to the connection's busy_timeout), whether it is still pending.
 */
export function migrateProjectFile(
  db: Database,
  migrations: readonly LayerMigration[] = layerMigrations,
): FileMigration {
  const result: FileMigration = { legacy: [], adopted: false, applied: [] };
  refuseNewer(db, migrations);
  if (projectFileIsCurrent(db, migrations)) return result; // the common open: no write lock taken
  const start = userVersion(db);
  if (start > 0 && start < LEGACY_FINAL_VERSION) result.legacy = runLegacyUpgrades(db);
  db.transaction(() => {
    const version = userVersion(db);
    if (version === LAYER_USER_VERSION) return;
    if (version !== 0 && version !== LEGACY_FINAL_VERSION)
      throw new Error(`project database is at unexpected legacy schema version ${version}`);
    createBookkeeping(db);
    if (version === LEGACY_FINAL_VERSION) {
      for (const name of ADOPTED_AT_LEGACY_FINAL) record(db, name);
      result.adopted = true;
    }
    db.pragma(`user_version = ${LAYER_USER_VERSION}`);
  }).immediate();
  for (const migration of migrations) {
    db.transaction(() => {
      refuseNewer(db, migrations);
      if (appliedMigrations(db).includes(migration.name)) return;
      for (const step of migration.steps(sqliteCompiler, 'sqlite')) run(db, step.compile());
      record(db, migration.name);
      result.applied.push(migration.name);
    }).immediate();
  }
  return result;
}
