// One schema, two paths to it, two databases. On SQLite a fresh desktop file built by the layer's
// migrations must have exactly the shape of a file built by the frozen legacy steps and adopted
// (tables, columns, types, defaults, keys, foreign keys, indexes, CHECK constraints, views,
// triggers), or a file made by an older workstation would differ from a new one. On PostgreSQL the
// layer's tables must have the same columns and nullability as the desktop file's.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LEGACY_FINAL_VERSION, legacyUpgrades, runLegacyUpgrades } from '../legacy-upgrades';
import { usePostgresCluster } from '../postgres/test-hooks';
import { migrateStore } from './migrations';
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

const postgres = usePostgresCluster();

describe('schema of the two-database layer', () => {
  it('builds a fresh desktop file with the shape of a legacy file upgraded and adopted', () => {
    const fresh = new BetterSqlite3(':memory:');
    const built = migrateProjectFile(fresh);
    expect(built).toEqual({ legacy: [], adopted: false, applied: ADOPTED_AT_LEGACY_FINAL });
    const shape = sqliteShape(fresh);
    expect(shape.tables.map((t) => t.table)).toContain('project');
    expect(shape.viewsAndTriggers.length).toBe(12);

    // At the last legacy version: adopted, nothing run.
    const latest = legacyFile();
    expect(migrateProjectFile(latest)).toEqual({ legacy: [], adopted: true, applied: [] });
    // An older file: the legacy steps it lacks, then adopted.
    const old = legacyFile(4);
    const upgraded = migrateProjectFile(old);
    expect(upgraded.legacy).toEqual(
      legacyUpgrades.map((m) => m.version).filter((v) => v > 4 && v <= LEGACY_FINAL_VERSION),
    );
    expect(upgraded.adopted).toBe(true);
    for (const db of [latest, old]) {
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
    expect(await migrateStore(other, 'sqlite')).toEqual(ADOPTED_AT_LEGACY_FINAL);
    expect(migrateProjectFile(byMigrator).applied).toEqual([]);
    expect(sqliteShape(byMigrator)).toEqual(sqliteShape(desktop));
    await db.destroy();
    await other.destroy();
  });

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
