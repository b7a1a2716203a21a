// What the shared review handlers (review-decisions.ts, review-history.ts, object-edits.ts) work over: a project's
// async stores, on the desktop's project.sqlite or a team's PostgreSQL, and what the serving side
// does around a write (live events, re-derivation after an undone object edit, the claims clock).
import type { Database } from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { EngineEvent } from '../../contract/api';
import type { AuditEntryRow } from '../../db/store/rows';
import { ClaimStore } from '../../db/store/access-store';
import { BrowseStore } from '../../db/store/browse-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { ObjectEditStore } from '../../db/store/object-edit-store';
import { sqliteHandle } from '../../db/store/connect';
import { OrphanedQaError, ReviewConflictError, ReviewStore } from '../../db/store/review-store';
import type { ProjectTables } from '../../db/store/schema';
import { UndoStore } from '../../db/store/undo-store';
import { NotFoundError, UserInputError } from '../errors';
import { StaleEditError } from '../review/errors';

/** The stores one project's decisions and undo go through, on either database. */
export interface ReviewSource {
  db: Kysely<ProjectTables>;
  review: ReviewStore;
  browse: BrowseStore;
  catalog: CatalogStore;
  claims: ClaimStore;
  undo: UndoStore;
  objectEdits: ObjectEditStore;
}

export interface ReviewContext {
  /** The project's stores; throws not-found for a project that is not open. */
  sourceOf(projectId: string): ReviewSource;
  /** Pushes a review command to the other reviewers (and windows). */
  announce(projectId: string, entry: AuditEntryRow): void;
  /** After an object edit, undo or redo: re-derive the images whose objects it wrote. */
  afterStep(projectId: string, entry: AuditEntryRow): void;
  /** The clock claims are judged by. */
  now(): number;
  /**
   * Runs one write (a whole transaction) for a reviewer: the desktop retries it while another
   * process holds project.sqlite (db/busy.ts); PostgreSQL waits on row locks instead.
   */
  write<T>(work: () => Promise<T>): Promise<T>;
}

/** The live update a committed review command sends: it names the person, so the other reviewers see who decided or edited what. */
export function reviewEvent(
  projectId: string,
  entry: AuditEntryRow,
): Extract<EngineEvent, { type: 'review' }> {
  return {
    type: 'review',
    projectId,
    actor: entry.actor,
    command: entry.command,
    target: entry.target,
    op: entry.op,
    entryId: entry.id,
    imageIds: entry.imageIds,
  };
}

/** Store errors as the codes a client acts on. */
export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ReviewConflictError) throw new StaleEditError(err.message);
    if (err instanceof OrphanedQaError) throw new UserInputError(err.message);
    if (err instanceof Error && /^QA pair not found/.test(err.message))
      throw new NotFoundError(err.message);
    throw err;
  }
}

const desktopSources = new WeakMap<Database, ReviewSource>();

/**
 * A desktop project's review stores: over the Kysely handle on the connection its ProjectStore
 * already holds (db/store/sqlite-dialect.ts says why its transactions never await anything else),
 * made once per connection.
 */
export function desktopReviewSource(connection: Database): ReviewSource {
  let source = desktopSources.get(connection);
  if (!source) {
    const db = sqliteHandle(connection);
    source = {
      db,
      review: new ReviewStore(db, 'sqlite'),
      browse: new BrowseStore(db),
      catalog: new CatalogStore(db),
      claims: new ClaimStore(db, 'sqlite'),
      undo: new UndoStore(db, 'sqlite'),
      objectEdits: new ObjectEditStore(db, 'sqlite'),
    };
    desktopSources.set(connection, source);
  }
  return source;
}
