// `sqw project copy`: moves a whole project between a desktop folder (SQLite) and a team database
// (PostgreSQL), every table and every row, written in one transaction on the target. The target
// must be empty: a copy never merges into, or overwrites, another project's work.
import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { BLOBS_DIR, DATABASE_FILE, ProjectStore } from '../project-store';
import { isPostgresUrl } from '../store/connect';
import { migrateStore } from '../store/migrations';
import { BOOKKEEPING_TABLES, migrateProjectFile } from '../store/sqlite-migrations';
import { createIndexesSql, createTableSql } from './postgres-ddl';
import { shareSources, SOURCES_DIR, type ImageSource, type SharedSources } from './source-blobs';
import { quoteIdent, sqliteTableShapes, type TableShape } from './table-shapes';

export class CopyRefusedError extends Error {}

export interface CopyReport {
  from: string;
  to: string;
  tables: Array<{ name: string; rows: number }>;
  /** Folder → PostgreSQL: the colour sources put into the shared blob folder (source-blobs.ts). */
  sources?: SharedSources;
}

type Row = Record<string, unknown>;

/** Reads a project table by table; `rows` yields chunks in primary-key order. */
interface CopySource {
  tables(): Promise<string[]>;
  columns(table: string): Promise<string[]>;
  rows(table: TableShape): AsyncIterable<Row[]>;
  close(): Promise<void>;
}

const CHUNK_ROWS = 500;

/** A connection string with its password masked, for messages. */
export function describeLocation(location: string): string {
  if (!isPostgresUrl(location)) return resolve(location);
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * Image, depth and mask files are not rows: a team project keeps them in a shared folder (`blobs`),
 * a desktop project in its blobs/ folder. Folder → PostgreSQL copies blobs/ into `blobs`;
 * PostgreSQL → folder copies `blobs` into the new folder's blobs/.
 */
export interface CopyOptions {
  blobs?: string;
  onTable?: (name: string, rows: number) => void;
}

function emptyOrMissing(dir: string, what: string): void {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length)) {
    throw new CopyRefusedError(`${what} is not an empty folder: ${dir}`);
  }
}

export async function copyProject(
  from: string,
  to: string,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const { onTable } = options;
  const fromPg = isPostgresUrl(from);
  const toPg = isPostgresUrl(to);
  if (fromPg === toPg) {
    throw new CopyRefusedError(
      fromPg
        ? 'both sides are PostgreSQL: use pg_dump / pg_restore between servers'
        : 'both sides are folders: copy the folder itself (with the desktop app closed)',
    );
  }
  if (!options.blobs) {
    throw new CopyRefusedError(
      fromPg
        ? "--blobs <dir> is required: the shared folder holding the team project's image files"
        : "--blobs <dir> is required: an empty shared folder for the project's image files",
    );
  }
  const blobs = resolve(options.blobs);
  if (!fromPg) emptyOrMissing(blobs, 'the shared blob folder');
  else if (!existsSync(blobs)) throw new CopyRefusedError(`blob folder not found: ${blobs}`);
  if (fromPg) {
    // A desktop project reads its colour images from their sources: the workers' copies stay.
    const shared = join(blobs, SOURCES_DIR);
    const tables = await copyToFolder(await postgresSource(from), to, onTable, () =>
      cpSync(blobs, join(resolve(to), BLOBS_DIR), {
        recursive: true,
        filter: (path) => resolve(path) !== shared,
      }),
    );
    return { from: describeLocation(from), to: describeLocation(to), tables };
  }
  // The shared blob folder was checked empty (or missing): a copy that fails after it began
  // filling it takes back exactly what it put there, and leaves the folder as it found it.
  const blobsExisted = existsSync(blobs);
  let blobsTouched = false;
  let sources: SharedSources | undefined;
  try {
    const source = folderSource(from);
    const tables = await copyToPostgres(source, to, onTable, () => {
      blobsTouched = true;
      cpSync(join(resolve(from), BLOBS_DIR), blobs, { recursive: true });
      // The workers' model stages read the colour images from here, not from this machine.
      sources = shareSources(source.imageSources(), blobs);
    });
    return { from: describeLocation(from), to: describeLocation(to), tables, sources };
  } catch (err) {
    if (blobsTouched) undoFolder(blobs, blobsExisted);
    throw err;
  }
}

/**
 * Takes back a folder a failed copy filled: one that existed (checked empty before) is emptied
 * and kept — it may be a mount point or carry permissions the user set up — one it made is removed.
 */
function undoFolder(dir: string, existed: boolean): void {
  if (!existed) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

// --- sources -------------------------------------------------------------------------------------

function folderSource(
  folder: string,
): CopySource & { shapes: TableShape[]; imageSources(): Iterable<ImageSource> } {
  const store = ProjectStore.open(folder); // migrated to this program's schema, as the desktop does
  const db = store.db;
  // One read transaction: every table is read from the same snapshot (WAL) even if the desktop
  // app writes meanwhile.
  db.exec('BEGIN');
  db.prepare('SELECT 1 FROM project').get();
  // The target keeps its own record of the migrations that built it.
  const shapes = sqliteTableShapes(db).filter((s) => !BOOKKEEPING_TABLES.has(s.name));
  return {
    shapes,
    imageSources: () =>
      db
        .prepare(
          `SELECT rel_path AS relPath, source_path AS sourcePath, sha256, format,
             upright_blob AS uprightBlob FROM images ORDER BY id`,
        )
        .iterate() as Iterable<ImageSource>,
    tables: async () => shapes.map((s) => s.name),
    columns: async (table) => shapes.find((s) => s.name === table)!.columns.map((c) => c.name),
    async *rows(t) {
      const order = (t.primaryKey.length ? t.primaryKey : t.columns.map((c) => c.name))
        .map(quoteIdent)
        .join(', ');
      let chunk: Row[] = [];
      for (const row of db
        .prepare(`SELECT * FROM ${quoteIdent(t.name)} ORDER BY ${order}`)
        .iterate()) {
        chunk.push(row as Row);
        if (chunk.length === CHUNK_ROWS) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
    },
    async close() {
      if (db.inTransaction) db.exec('ROLLBACK');
      store.close();
    },
  };
}

/** PostgreSQL's bigint as a JS number (row ids, counts, byte sizes: all below 2^53). */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

async function postgresSource(url: string): Promise<CopySource> {
  const client = new pg.Client({ connectionString: url, types: pgTypes });
  await client.connect();
  // One snapshot for every table, as above; read only, so it never blocks the team's writes.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  return {
    async tables() {
      const { rows } = await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      return rows.map((r) => r.name).filter((n) => !BOOKKEEPING_TABLES.has(n));
    },
    async columns(table) {
      const { rows } = await client.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      return rows.map((r) => r.name);
    },
    async *rows(t) {
      const order = (t.primaryKey.length ? t.primaryKey : t.columns.map((c) => c.name))
        .map(quoteIdent)
        .join(', ');
      for (let offset = 0; ; offset += CHUNK_ROWS) {
        const { rows } = await client.query<Row>(
          `SELECT ${t.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${quoteIdent(t.name)}
           ORDER BY ${order} LIMIT ${CHUNK_ROWS} OFFSET ${offset}`,
        );
        if (rows.length) yield rows;
        if (rows.length < CHUNK_ROWS) return;
      }
    },
    async close() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}

// --- targets -------------------------------------------------------------------------------------

async function copyToPostgres(
  source: ReturnType<typeof folderSource>,
  url: string,
  onTable: ((name: string, rows: number) => void) | undefined,
  copyBlobs: () => void,
): Promise<Array<{ name: string; rows: number }>> {
  try {
    // The typed layer's tables first, with their keys and indexes (its own migration transaction).
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const layer = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateStore(layer, 'postgres');
    } finally {
      await layer.destroy();
    }
    const client = new pg.Client({ connectionString: url, types: pgTypes });
    await client.connect();
    try {
      await client.query('BEGIN');
      const existing = new Set(
        (
          await client.query<{ name: string }>(
            `SELECT table_name AS name FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
          )
        ).rows.map((r) => r.name),
      );
      // Checked under lock: nobody can write into the target between the check and the copy.
      for (const t of source.shapes) {
        if (!existing.has(t.name)) continue;
        await client.query(`LOCK TABLE ${quoteIdent(t.name)} IN EXCLUSIVE MODE`);
        const { rows } = await client.query(`SELECT 1 FROM ${quoteIdent(t.name)} LIMIT 1`);
        if (rows.length) {
          throw new CopyRefusedError(
            `target ${describeLocation(url)} is not empty (table ${t.name} has rows); copy into an empty database`,
          );
        }
      }
      const created = source.shapes.filter((t) => !existing.has(t.name));
      for (const t of created) await client.query(createTableSql(t));
      const counts: Array<{ name: string; rows: number }> = [];
      for (const t of source.shapes) {
        let n = 0;
        for await (const chunk of source.rows(t)) {
          await insertPostgres(client, t, chunk);
          n += chunk.length;
        }
        await resetIdentity(client, t.name);
        counts.push({ name: t.name, rows: n });
        onTable?.(t.name, n);
      }
      for (const t of created) for (const index of createIndexesSql(t)) await client.query(index);
      // Files before the commit: a failed file copy leaves no team project pointing at nothing.
      copyBlobs();
      await client.query('COMMIT');
      return counts;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await client.end();
    }
  } finally {
    await source.close();
  }
}

async function insertPostgres(client: pg.Client, t: TableShape, rows: Row[]): Promise<void> {
  const cols = t.columns.map((c) => c.name);
  // PostgreSQL takes at most 65535 parameters per statement.
  const perStatement = Math.max(1, Math.floor(60_000 / cols.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const values: unknown[] = [];
    const tuples = part.map((r) => {
      const marks = cols.map((c) => {
        values.push(r[c] ?? null);
        return `$${values.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await client.query(
      `INSERT INTO ${quoteIdent(t.name)} (${cols.map(quoteIdent).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`,
      values,
    );
  }
}

/** Ids were copied as they were; the next id a team member's insert gets continues after them. */
async function resetIdentity(client: pg.Client, table: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`,
    [table],
  );
  for (const { name } of rows) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${quoteIdent(name)}), 0) + 1, false)
       FROM ${quoteIdent(table)}`,
      [quoteIdent(table), name],
    );
  }
}

async function copyToFolder(
  source: CopySource,
  folder: string,
  onTable: ((name: string, rows: number) => void) | undefined,
  copyBlobs: () => void,
): Promise<Array<{ name: string; rows: number }>> {
  const dir = resolve(folder);
  const existed = existsSync(dir);
  let filling = false;
  let db: Database.Database | null = null;
  try {
    if (existed) {
      if (!statSync(dir).isDirectory()) throw new CopyRefusedError(`target is a file: ${dir}`);
      if (readdirSync(dir).length) {
        throw new CopyRefusedError(`target folder is not empty: ${dir}; copy into a new folder`);
      }
    }
    filling = true;
    mkdirSync(join(dir, BLOBS_DIR), { recursive: true });
    db = new Database(join(dir, DATABASE_FILE));
    db.pragma('journal_mode = WAL');
    migrateProjectFile(db); // the desktop schema, tables still empty
    const shapes = sqliteTableShapes(db).filter((s) => !BOOKKEEPING_TABLES.has(s.name));
    const byName = new Map(shapes.map((s) => [s.name, s]));
    // Nothing of the source may be left behind: every table and column must have a place here.
    for (const table of await source.tables()) {
      const shape = byName.get(table);
      if (!shape) {
        throw new CopyRefusedError(
          `table ${table} of the source has no place in a desktop project of this version; update the workstation`,
        );
      }
      const missing = (await source.columns(table)).filter(
        (c) => !shape.columns.some((s) => s.name === c),
      );
      if (missing.length) {
        throw new CopyRefusedError(
          `column ${table}.${missing[0]} of the source has no place in a desktop project of this version`,
        );
      }
    }
    const present = new Set(await source.tables());
    // Images go last: the status triggers (layer migration 0004) rewrite images.status when QA, stage
    // results or job items are inserted; written last, each image keeps the source's status.
    // Foreign keys are off for that order and checked as a whole before the commit.
    const order = [
      ...shapes.filter((s) => s.name !== 'images'),
      ...shapes.filter((s) => s.name === 'images'),
    ].filter((s) => present.has(s.name));
    db.pragma('foreign_keys = OFF');
    db.exec('BEGIN IMMEDIATE');
    const counts: Array<{ name: string; rows: number }> = [];
    for (const t of order) {
      const cols = t.columns.map((c) => c.name);
      const insert = db.prepare(
        `INSERT INTO ${quoteIdent(t.name)} (${cols.map(quoteIdent).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      );
      let n = 0;
      for await (const chunk of source.rows(t)) {
        for (const r of chunk) insert.run(cols.map((c) => r[c] ?? null));
        n += chunk.length;
      }
      counts.push({ name: t.name, rows: n });
      onTable?.(t.name, n);
    }
    const broken = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
    if (broken.length) {
      throw new Error(
        `the source breaks a foreign key: a row of ${broken[0]!.table} points to a missing ${broken[0]!.parent} row`,
      );
    }
    copyBlobs();
    db.exec('COMMIT');
    db.pragma('foreign_keys = ON');
    return counts;
  } catch (err) {
    if (db?.inTransaction) db.exec('ROLLBACK');
    db?.close();
    db = null;
    // Only what this copy wrote goes again: the target was missing or empty when it began.
    if (filling) undoFolder(dir, existed);
    throw err;
  } finally {
    db?.close();
    await source.close();
  }
}
