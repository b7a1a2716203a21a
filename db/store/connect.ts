// Opens a project database through the two-database layer: a desktop project's SQLite file or a
// team project on PostgreSQL, both with the schema of this layer's migrations (./migrations.ts:
// run synchronously by ProjectStore on a desktop file, through Kysely's Migrator on PostgreSQL).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from 'better-sqlite3';
import { ProjectStore } from '../project-store';
import { migrateStore } from './migrations';
import type { DialectName, ProjectTables } from './schema';
import { GuardedSqliteDialect } from './sqlite-dialect';

export interface ProjectDb {
  db: Kysely<ProjectTables>;
  dialect: DialectName;
  /** SQLite: the desktop's connection under `db`. */
  connection?: Database;
  close(): Promise<void>;
}

/** PostgreSQL's bigint (COUNT(*), file sizes) as a JS number rather than a string: all stay < 2^53. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/**
 * A desktop project folder, opened (or created) exactly as the desktop app does (migrated, with
 * the desktop's connection settings); the Kysely handle shares that one connection.
 */
export function openSqliteProject(folder: string): ProjectDb {
  const store = ProjectStore.openOrCreate(folder);
  const db = new Kysely<ProjectTables>({ dialect: new GuardedSqliteDialect(store.db) });
  return { db, dialect: 'sqlite', connection: store.db, close: () => db.destroy() };
}

const handles = new WeakMap<Database, Kysely<ProjectTables>>();

/**
 * The layer's handle on a connection a desktop ProjectStore already holds open (one per
 * connection). The store keeps owning the connection: never destroy this handle, which would
 * close it.
 */
export function sqliteHandle(database: Database): Kysely<ProjectTables> {
  let db = handles.get(database);
  if (!db) {
    db = new Kysely<ProjectTables>({ dialect: new GuardedSqliteDialect(database) });
    handles.set(database, db);
  }
  return db;
}

/** A team project on PostgreSQL, migrated to this layer's newest schema. */
export async function openPostgresProject(url: string, poolSize = 10): Promise<ProjectDb> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
  const db = new Kysely<ProjectTables>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateStore(db as Kysely<unknown>, 'postgres');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

export async function openProjectDb(location: string): Promise<ProjectDb> {
  return isPostgresUrl(location) ? openPostgresProject(location) : openSqliteProject(location);
}
