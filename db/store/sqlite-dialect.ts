// The two-database layer's SQLite dialect: Kysely's, with write transactions that begin IMMEDIATE
// and may not span the event loop.
//
// IMMEDIATE: Kysely begins with a deferred BEGIN, so a read-then-write transaction racing another
// process takes its write lock only at its first write and can fail there with SQLITE_BUSY(_SNAPSHOT)
// after its checks have run. Taking the lock at BEGIN makes the busy wait happen before anything
// is read (as the desktop's synchronous transactions do), and db/busy.ts retries the whole thing.
//
// The event loop: on a desktop project the Kysely handle shares its better-sqlite3 connection with
// the synchronous repositories (a few desktop writes still go through them). A synchronous write
// made while a Kysely transaction is open on that connection lands INSIDE it, and is lost if it
// rolls back. Synchronous writes only run in their own macrotask, and a transaction that awaits
// nothing but this driver (whose queries run synchronously) finishes within the macrotask it began
// in; so the rule is "never await anything but the database inside a transaction", and this driver
// enforces it: a transaction still open when a probe scheduled at BEGIN fires (the next check
// phase of the event loop) ends in TransactionSpannedEventLoopError, after committing what the
// connection holds (so nothing written meanwhile is lost) or after the rollback it was going to do.
//
// Prepared statements are kept by their SQL text: Kysely prepares every query anew, and preparing
// compiles the triggers of the table written (a job item's update re-derives its image's status),
// which costs more than running the statement.
import type { Database, Statement } from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type TransactionSettings,
} from 'kysely';

/** A transaction on a shared SQLite connection awaited something other than the database. */
export class TransactionSpannedEventLoopError extends Error {
  override name = 'TransactionSpannedEventLoopError';
  constructor(ended: 'committed' | 'rolled back') {
    super(
      `a SQLite transaction stayed open across the event loop (it awaited file I/O or a timer) and was ${ended}: ` +
        'other writers of the shared connection may have written inside it; read files before the transaction begins',
    );
  }
}

/** How many distinct statements stay prepared (least recently used ones go first). */
const KEPT_STATEMENTS = 500;

/** The connection as Kysely's driver sees it, preparing each SQL text once. */
class PreparedStatements implements SqliteDatabase {
  private readonly kept = new Map<string, Statement>();

  constructor(private readonly database: Database) {}

  prepare(sql: string): Statement {
    let statement = this.kept.get(sql);
    if (statement) {
      this.kept.delete(sql); // most recently used last
    } else {
      statement = this.database.prepare(sql);
      if (this.kept.size >= KEPT_STATEMENTS) this.kept.delete(this.kept.keys().next().value!);
    }
    this.kept.set(sql, statement);
    return statement;
  }

  close(): void {
    this.kept.clear();
    this.database.close();
  }
}

interface OpenTransaction {
  crossed: boolean;
  probe: ReturnType<typeof setImmediate>;
}

class GuardedSqliteDriver extends SqliteDriver {
  private open: OpenTransaction | null = null;

  constructor(private readonly database: Database) {
    super({ database: new PreparedStatements(database) });
  }

  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
    const open: OpenTransaction = {
      crossed: false,
      probe: setImmediate(() => (open.crossed = true)),
    };
    this.open = open;
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const crossed = this.close();
    await super.commitTransaction(connection);
    if (crossed) throw new TransactionSpannedEventLoopError('committed');
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const crossed = this.close();
    // After a commit that reported a crossing, Kysely rolls back a transaction that is over.
    if (!this.database.inTransaction) return;
    await super.rollbackTransaction(connection);
    if (crossed) throw new TransactionSpannedEventLoopError('rolled back');
  }

  /** Ends the probe; true when the transaction outlived the macrotask it began in. */
  private close(): boolean {
    const open = this.open;
    this.open = null;
    if (!open) return false;
    clearImmediate(open.probe);
    return open.crossed;
  }
}

/** Kysely's SQLite dialect over `database`, with the transactions described above. */
export class GuardedSqliteDialect extends SqliteDialect {
  constructor(private readonly database: Database) {
    super({ database });
  }

  override createDriver(): Driver {
    return new GuardedSqliteDriver(this.database);
  }
}
