// An image import's writes on either database (async, through Kysely): the batch with its scan
// report, each file's image row with its issues, and the duplicate test, as check-then-write.
// Every transaction here awaits only the database (files are read and decoded before it begins),
// so on a desktop project's shared SQLite connection it ends within its macrotask
// (db/store/sqlite-dialect.ts).
import type { Kysely } from 'kysely';
import type { NewImage } from './rows';
import { CatalogStore, type IssueRow, type NewBatch } from './catalog-store';
import type { ProjectTables } from './schema';

export type ImageCommit =
  | { status: 'imported'; imageId: number; issues: IssueRow[] }
  /** Another image (committed earlier, by this import or another process) has the same content. */
  | { status: 'duplicate'; of: string; issues: IssueRow[] };

export class ImportStore {
  constructor(private readonly db: Kysely<ProjectTables>) {}

  /** A new batch and the scan's issues, together: a batch is never without its report. */
  async openBatch(batch: NewBatch, issues: IssueRow[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const store = new CatalogStore(trx);
      const id = await store.createBatch(batch);
      if (issues.length) await insertIssues(trx, id, issues);
      return id;
    });
  }

  async addIssues(batchId: number, issues: IssueRow[]): Promise<void> {
    if (issues.length === 0) return;
    await this.db.transaction().execute((trx) => insertIssues(trx, batchId, issues));
  }

  /**
   * Where the image holding this content was imported from, if one is: read before decoding a
   * file so a known one costs no work. Not the final word; commitImage decides.
   */
  async sourceOf(sha256: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('images')
      .select('source_path')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row?.source_path;
  }

  /**
   * In one transaction: the image row unless an image with its content exists (the unique sha256
   * decides, also against another process committing the twin at the same moment: PostgreSQL's
   * ON CONFLICT waits for it), and the file's issues: `issues` when imported, `duplicate(of)`
   * when not.
   */
  async commitImage(
    row: NewImage,
    issues: IssueRow[],
    duplicate: (of: string) => IssueRow[],
  ): Promise<ImageCommit> {
    return this.db.transaction().execute(async (trx): Promise<ImageCommit> => {
      const inserted = await new CatalogStore(trx).insertImageUnlessKnown(row);
      if (inserted !== undefined) {
        if (issues.length) await insertIssues(trx, row.batchId, issues);
        return { status: 'imported', imageId: inserted, issues };
      }
      const other = await trx
        .selectFrom('images')
        .select('source_path')
        .where('sha256', '=', row.sha256)
        .executeTakeFirstOrThrow();
      const written = duplicate(other.source_path);
      if (written.length) await insertIssues(trx, row.batchId, written);
      return { status: 'duplicate', of: other.source_path, issues: written };
    });
  }
}

async function insertIssues(
  db: Kysely<ProjectTables>,
  batchId: number,
  issues: IssueRow[],
): Promise<void> {
  const now = new Date().toISOString();
  // Chunks keep each statement under SQLite's bound-parameter limit on a long scan report.
  for (let i = 0; i < issues.length; i += 500)
    await db
      .insertInto('import_issues')
      .values(
        issues.slice(i, i + 500).map((s) => ({
          batch_id: batchId,
          path: s.path,
          kind: s.kind,
          reason: s.reason,
          created_at: now,
        })),
      )
      .execute();
}
