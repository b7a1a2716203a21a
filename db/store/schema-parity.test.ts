// The layer's Kysely migrations must build the same tables the desktop's SQLite migrations
// (db/migrations.ts) have built: same columns, types, defaults, keys and indexes on SQLite, and
// the same columns and nullability on PostgreSQL. A migration added to one side only fails here.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrations';
import { usePostgresCluster } from '../postgres/test-hooks';
import { migrateStore } from './migrations';

const TABLES = [
  'batches',
  'images',
  'import_issues',
  'qa_pairs',
  'review_decisions',
  'audit_log',
  'exports',
  'stage_runs',
  'jobs',
  'objects',
  'scene_graphs',
  'ambiguities',
  'job_items',
  'accounts',
  'review_claims',
];

function sqliteShape(db: BetterSqlite3.Database) {
  return TABLES.map((table) => {
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
      db.pragma(`index_list(${table})`) as Array<{ name: string; unique: number; origin: string }>
    )
      .filter((i) => i.origin === 'c')
      .map((i) => ({
        name: i.name,
        unique: i.unique,
        columns: (db.pragma(`index_info(${i.name})`) as Array<{ name: string }>).map((c) => c.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const foreignKeys = db.pragma(`foreign_key_list(${table})`);
    return { table, columns, indexes, foreignKeys };
  });
}

const postgres = usePostgresCluster();

describe('schema of the two-database layer', () => {
  it('equals the desktop SQLite schema for the tables it covers', async () => {
    const desktop = new BetterSqlite3(':memory:');
    migrate(desktop);
    const layer = new BetterSqlite3(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: layer }) });
    await migrateStore(db, 'sqlite');
    try {
      expect(sqliteShape(layer)).toEqual(sqliteShape(desktop));
    } finally {
      await db.destroy();
      desktop.close();
    }
  });

  it.skipIf(postgres.skipReason)('has the same columns and nullability on PostgreSQL', async () => {
    const desktop = new BetterSqlite3(':memory:');
    migrate(desktop);
    const pool = new pg.Pool({ connectionString: await postgres.cluster().createDatabase() });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateStore(db, 'postgres');
      for (const table of TABLES) {
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
