// A write that found the project database locked for longer than the busy timeout (another process
// holding a long write transaction) rolled back whole, so it is safe to run again. Callers that act
// for a reviewer retry it here, pausing without blocking the event loop, so an ordinary action never
// ends in "database is locked".
import Database from 'better-sqlite3';

export function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');
}

export class ProjectBusyError extends Error {
  override name = 'ProjectBusyError';
}

/**
 * Runs `write` (one transaction, all-or-nothing: a synchronous one, or a whole Kysely transaction
 * of the two-database layer, begun again from the start), again after a pause each time it fails
 * with SQLITE_BUSY; after `attempts` tries it fails with a message a reviewer can act on.
 */
export async function retryWhenBusy<T>(
  write: () => T | Promise<T>,
  opts: { attempts?: number; pauseMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const pauseMs = opts.pauseMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (attempt >= attempts)
        throw new ProjectBusyError(
          'the project is busy: another process (an import or a pipeline run) kept it locked; nothing was changed, try again in a moment',
        );
      await new Promise((r) => setTimeout(r, pauseMs * attempt));
    }
  }
}
