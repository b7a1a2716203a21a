// Batch reads on the desktop's connection; batches and their issues are written by the import
// through the two-database layer (db/store/import-store.ts).
import type { Database } from 'better-sqlite3';

export interface NewBatch {
  sourceFolder: string;
  depthFolder: string | null;
  depthEncoding: string | null;
  intrinsics: unknown;
}

export interface BatchRow {
  id: number;
  sourceFolder: string;
  depthFolder: string | null;
  depthEncoding: string | null;
  createdAt: string;
  imageCount: number;
  withDepth: number;
  skipped: number;
  failed: number;
}

export interface IssueRow {
  path: string;
  kind: 'skipped' | 'failed' | 'warning';
  reason: string;
}

export class BatchRepository {
  constructor(private readonly db: Database) {}

  list(): BatchRow[] {
    return this.db
      .prepare(
        `SELECT b.id, b.source_folder AS sourceFolder, b.depth_folder AS depthFolder,
                b.depth_encoding AS depthEncoding, b.created_at AS createdAt,
                (SELECT COUNT(*) FROM images i WHERE i.batch_id = b.id) AS imageCount,
                (SELECT COUNT(*) FROM images i WHERE i.batch_id = b.id AND i.depth_blob IS NOT NULL) AS withDepth,
                (SELECT COUNT(*) FROM import_issues s WHERE s.batch_id = b.id AND s.kind = 'skipped') AS skipped,
                (SELECT COUNT(*) FROM import_issues s WHERE s.batch_id = b.id AND s.kind = 'failed') AS failed
         FROM batches b ORDER BY b.id`,
      )
      .all() as BatchRow[];
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM batches').get() as { n: number }).n;
  }

  issues(batchId: number): IssueRow[] {
    return this.db
      .prepare('SELECT path, kind, reason FROM import_issues WHERE batch_id = ? ORDER BY id')
      .all(batchId) as IssueRow[];
  }
}
