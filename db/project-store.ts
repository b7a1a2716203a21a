// A project is a folder: project.sqlite (WAL) + blobs/. This opens or creates one and hands out the
// synchronous repositories that remain; reads and writes of images, objects, QA, scene results and
// claims go through the two-database layer (db/store). Nothing above db/ touches SQL.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BatchRepository } from './repositories/batches';
import { ImageRepository } from './repositories/images';
import { JobRepository } from './repositories/jobs';
import { ProjectRepository } from './repositories/project';
import { AccountRepository } from './repositories/accounts';
import {
  describeSchema,
  migrateProjectFile,
  projectFileIsCurrent,
} from './store/sqlite-migrations';

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

export class ProjectStore {
  readonly project: ProjectRepository;
  readonly batches: BatchRepository;
  /** Only the image count of toProjectSummary (engine/mappers.ts); every other read is the layer's. */
  readonly images: ImageRepository;
  readonly jobs: JobRepository;
  readonly accounts: AccountRepository;

  private constructor(
    readonly folder: string,
    readonly db: Database.Database,
  ) {
    this.project = new ProjectRepository(db);
    this.batches = new BatchRepository(db);
    this.images = new ImageRepository(db);
    this.jobs = new JobRepository(db);
    this.accounts = new AccountRepository(db);
  }

  get blobsDir(): string {
    return join(this.folder, BLOBS_DIR);
  }

  get id(): string {
    return this.project.get().id;
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
    return new ProjectStore(dir, db);
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
      const store = new ProjectStore(dir, db);
      if (!store.project.exists()) {
        if (nameForNew === undefined)
          throw new ProjectStoreError(`project database has no project row: ${dir}`);
        store.project.create({ id: randomUUID().replace(/-/g, '').slice(0, 16), name: nameForNew });
      }
      return store;
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
