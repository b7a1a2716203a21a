// A project is a folder: project.sqlite (WAL) + blobs/. This opens or creates one (migrated, its
// project row made); every read and write of the project goes through the two-database layer
// (db/store/) on the same connection. Nothing above db/ touches SQL.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  describeSchema,
  firstRowOf,
  migrateProjectFile,
  projectFileIsCurrent,
  runCompiled,
  sqliteCompiler,
} from './store/sqlite-migrations';
import type { TeamTables } from './store/team-tables';

export const DATABASE_FILE = 'project.sqlite';
export const BLOBS_DIR = 'blobs';

export class ProjectStoreError extends Error {}

/** How long a statement waits for another connection's write transaction before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Makes every `db.transaction(fn)` on this connection begin IMMEDIATE (take the write lock first).
 * In WAL mode a deferred transaction that reads and then writes fails at once with SQLITE_BUSY
 * ("database is locked") when another process committed after its read: the busy timeout does not
 * apply to that case. Taking the lock at BEGIN makes it wait its turn instead, and makes every
 * check-then-write (revision checks, job claims) atomic across processes.
 */
function beginImmediately(db: Database.Database): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn) => transaction(fn).immediate) as Database.Database['transaction'];
}

/** The project table, for statements compiled for SQLite and run synchronously here. */
const projectTable = sqliteCompiler.withTables<Pick<TeamTables, 'project'>>();

/** The project row's id: what the engine knows an open project by (it never changes). */
function projectId(db: Database.Database): string | undefined {
  return firstRowOf(db, projectTable.selectFrom('project').select('id').limit(1).compile())?.id;
}

export class ProjectStore {
  private constructor(
    readonly folder: string,
    readonly db: Database.Database,
    /** The project's id, read once at open (name, counts: db/store/browse-store.ts). */
    readonly id: string,
  ) {}

  get blobsDir(): string {
    return join(this.folder, BLOBS_DIR);
  }

  /** Opens an existing project folder; fails with a clear reason when it is not one. */
  static open(folder: string): ProjectStore {
    const dir = resolve(folder);
    const file = join(dir, DATABASE_FILE);
    if (!existsSync(file))
      throw new ProjectStoreError(`not a project folder (no ${DATABASE_FILE}): ${dir}`);
    return ProjectStore.connect(dir, undefined);
  }

  /**
   * A read-only connection for threads that only read (export shards): no migration, no start-up
   * writes; refuses a database at another schema version than this program's.
   */
  static openReadOnly(folder: string): ProjectStore {
    const dir = resolve(folder);
    const file = join(dir, DATABASE_FILE);
    if (!existsSync(file))
      throw new ProjectStoreError(`not a project folder (no ${DATABASE_FILE}): ${dir}`);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!projectFileIsCurrent(db)) {
      const schema = describeSchema(db);
      db.close();
      throw new ProjectStoreError(
        `project database is at ${schema}, not this program's newest schema: ${dir}`,
      );
    }
    const id = projectId(db);
    if (id === undefined) {
      db.close();
      throw new ProjectStoreError(`project database has no project row: ${dir}`);
    }
    return new ProjectStore(dir, db, id);
  }

  /** Opens the project in `folder`, creating folder, database and blobs/ when missing. */
  static openOrCreate(folder: string, name?: string): ProjectStore {
    const dir = resolve(folder);
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw new ProjectStoreError(`project path is a file, not a folder: ${dir}`);
    }
    mkdirSync(dir, { recursive: true });
    return ProjectStore.connect(dir, name ?? defaultName(dir));
  }

  private static connect(dir: string, nameForNew: string | undefined): ProjectStore {
    mkdirSync(join(dir, BLOBS_DIR), { recursive: true });
    const db = new Database(join(dir, DATABASE_FILE));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      beginImmediately(db);
      migrateProjectFile(db);
      // Made here, synchronously, so that an open store always has its id; checked and written
      // in one transaction, so two processes creating one folder make one row.
      const id = db.transaction(() => {
        const known = projectId(db);
        if (known !== undefined) return known;
        if (nameForNew === undefined)
          throw new ProjectStoreError(`project database has no project row: ${dir}`);
        const made = randomUUID().replace(/-/g, '').slice(0, 16);
        runCompiled(
          db,
          projectTable
            .insertInto('project')
            .values({ id: made, name: nameForNew, created_at: nowIso() })
            .compile(),
        );
        return made;
      })();
      return new ProjectStore(dir, db, id);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function defaultName(dir: string): string {
  const parts = dir.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? 'project';
}

export function nowIso(): string {
  return new Date().toISOString();
}
