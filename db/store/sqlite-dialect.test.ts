// The layer's SQLite transactions: they take the write lock at BEGIN, a whole transaction is
// retried while another process holds the file, and one that awaits anything but the database
// (while the synchronous repositories share its connection) ends loudly instead of silently
// carrying or losing their writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryWhenBusy } from '../busy';
import { GuardedSqliteDialect, TransactionSpannedEventLoopError } from './sqlite-dialect';

interface Tables {
  notes: { id: Generated<number>; text: string };
}

let dir: string;
let file: string;
let shared: Database.Database;
let db: Kysely<Tables>;

const texts = () =>
  (shared.prepare('SELECT text FROM notes ORDER BY id').all() as Array<{ text: string }>).map(
    (r) => r.text,
  );
/** Another process's connection to the same file. */
const other = () => {
  const c = new Database(file);
  c.pragma('busy_timeout = 0');
  return c;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqw-dialect-'));
  file = join(dir, 'p.sqlite');
  shared = new Database(file);
  shared.pragma('journal_mode = WAL');
  shared.pragma('busy_timeout = 20');
  shared.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  db = new Kysely<Tables>({ dialect: new GuardedSqliteDialect(shared) });
});
afterEach(() => {
  shared.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite transactions of the two-database layer', () => {
  it('take the write lock at BEGIN: another writer is refused before the first write', async () => {
    const second = other();
    try {
      const tried = await db.transaction().execute(async (trx) => {
        await trx.selectFrom('notes').selectAll().execute();
        // Only a read so far; with a deferred BEGIN the other process could still write here.
        try {
          second.exec("INSERT INTO notes (text) VALUES ('theirs')");
          return 'written';
        } catch (err) {
          return (err as { code?: string }).code;
        }
      });
      expect(tried).toBe('SQLITE_BUSY');
      // A read-only transaction takes no lock.
      await db
        .transaction()
        .setAccessMode('read only')
        .execute(async () => second.exec("INSERT INTO notes (text) VALUES ('theirs')"));
      expect(texts()).toEqual(['theirs']);
    } finally {
      second.close();
    }
  });

  it('a whole transaction is run again while another process holds the file', async () => {
    const second = other();
    second.exec('BEGIN IMMEDIATE');
    setTimeout(() => second.exec('COMMIT'), 150);
    let attempts = 0;
    let bodies = 0;
    try {
      await retryWhenBusy(
        () => {
          attempts++;
          return db.transaction().execute(async (trx) => {
            bodies++;
            await trx.insertInto('notes').values({ text: 'mine' }).execute();
          });
        },
        { attempts: 50, pauseMs: 10 },
      );
    } finally {
      second.close();
    }
    expect(attempts).toBeGreaterThan(1);
    // Busy at BEGIN: the body ran once, when the lock was free, never on a stale read.
    expect(bodies).toBe(1);
    expect(texts()).toEqual(['mine']);
  });

  it('a transaction that awaits a timer ends loudly and keeps what the shared connection wrote meanwhile', async () => {
    const waiting = db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ text: 'in transaction' }).execute();
      await new Promise((r) => setTimeout(r, 20));
    });
    // A synchronous job on the same connection writes while the transaction waits: it lands inside.
    await new Promise((r) => setImmediate(r));
    shared.prepare("INSERT INTO notes (text) VALUES ('job')").run();
    await expect(waiting).rejects.toThrow(TransactionSpannedEventLoopError);
    await expect(waiting).rejects.toThrow(/and was committed/);
    expect(shared.inTransaction).toBe(false);
    expect(texts()).toEqual(['in transaction', 'job']);
  });

  it('a transaction that reads a file and then fails is rolled back, loudly', async () => {
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ text: 'in transaction' }).execute();
      await readFile(file);
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow(/stayed open across the event loop .* rolled back/);
    expect(shared.inTransaction).toBe(false);
    expect(texts()).toEqual([]);
  });

  it('transactions that await only the database run back to back without a warning', async () => {
    await Promise.all(
      ['a', 'b', 'c'].map((text) =>
        db.transaction().execute(async (trx) => {
          const n = (await trx.selectFrom('notes').selectAll().execute()).length;
          await trx
            .insertInto('notes')
            .values({ text: `${text}${n}` })
            .execute();
        }),
      ),
    );
    expect(texts()).toEqual(['a0', 'b1', 'c2']);
  });
});

describe('prepared statements of the two-database layer', () => {
  it('prepares each SQL text once, answers as a fresh statement would, and sees schema changes', async () => {
    const prepare = vi.spyOn(shared, 'prepare');
    for (const text of ['a', 'b', 'c']) await db.insertInto('notes').values({ text }).execute();
    const byId = (id: number) =>
      db.selectFrom('notes').select('text').where('id', '=', id).executeTakeFirst();
    expect(await byId(2)).toEqual({ text: 'b' });
    expect(await byId(3)).toEqual({ text: 'c' });
    expect(await byId(9)).toBeUndefined();
    // One insert, one select: two statements prepared for six queries.
    expect(prepare).toHaveBeenCalledTimes(2);
    // A kept statement reads a column added after it was prepared (SQLite re-prepares it).
    const all = () => db.selectFrom('notes').selectAll().orderBy('id').execute();
    expect((await all())[0]).toEqual({ id: 1, text: 'a' });
    shared.exec("ALTER TABLE notes ADD COLUMN tag TEXT DEFAULT 'x'");
    expect((await all())[0]).toEqual({ id: 1, text: 'a', tag: 'x' });
    prepare.mockRestore();
  });
});
