import type { Database } from 'better-sqlite3';

export interface NewImage {
  batchId: number;
  sourcePath: string;
  relPath: string;
  fileName: string;
  sha256: string;
  bytes: number;
  format: string;
  width: number;
  height: number;
  orientation: number;
  exif: Record<string, unknown> | null;
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
  uprightBlob: string | null;
  thumbBlob: string;
  depthBlob: string | null;
  depthPreviewBlob: string | null;
  depth: Record<string, unknown> | null;
}

export interface ImageRow {
  id: number;
  batchId: number;
  sourcePath: string;
  relPath: string;
  fileName: string;
  sha256: string;
  bytes: number;
  format: string;
  width: number;
  height: number;
  orientation: number;
  exifJson: string | null;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  intrinsicsSource: string;
  uprightBlob: string | null;
  thumbBlob: string;
  depthBlob: string | null;
  depthPreviewBlob: string | null;
  depthJson: string | null;
  status: string;
  createdAt: string;
}

/** The batch view's filters (all given ones must hold). Each is an indexed lookup (migration 8). */
export interface ImageFilter {
  batchId?: number;
  search?: string;
  label?: string;
  ambiguous?: boolean;
  qaFamily?: string;
  changedAfterEdit?: boolean;
  reviewer?: string;
}

export interface ImageQuery extends ImageFilter {
  status?: string;
  offset: number;
  limit: number;
}

/** WHERE clause and parameters for a filter; `status` optional (counts leave it out). */
function whereOf(q: ImageFilter & { status?: string }): { clause: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.batchId !== undefined) {
    where.push('batch_id = ?');
    params.push(q.batchId);
  }
  if (q.status !== undefined) {
    where.push('status = ?');
    params.push(q.status);
  }
  if (q.search) {
    where.push("rel_path LIKE ? ESCAPE '\\'");
    params.push(`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (q.label !== undefined) {
    where.push('id IN (SELECT image_id FROM objects WHERE label = ? AND deleted_at IS NULL)');
    params.push(q.label);
  }
  if (q.ambiguous === true) where.push('id IN (SELECT image_id FROM ambiguities)');
  if (q.ambiguous === false) where.push('id NOT IN (SELECT image_id FROM ambiguities)');
  if (q.qaFamily !== undefined) {
    where.push('id IN (SELECT image_id FROM qa_pairs WHERE family = ?)');
    params.push(q.qaFamily);
  }
  if (q.changedAfterEdit === true)
    where.push("id IN (SELECT image_id FROM qa_pairs WHERE status = 'changed')");
  if (q.changedAfterEdit === false)
    where.push("id NOT IN (SELECT image_id FROM qa_pairs WHERE status = 'changed')");
  if (q.reviewer !== undefined) {
    where.push(
      'id IN (SELECT q.image_id FROM review_decisions r JOIN qa_pairs q ON q.id = r.qa_id WHERE r.reviewer = ?)',
    );
    params.push(q.reviewer);
  }
  return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

const COLUMNS = `id, batch_id AS batchId, source_path AS sourcePath, rel_path AS relPath,
  file_name AS fileName, sha256, bytes, format, width, height, orientation, exif_json AS exifJson,
  fx, fy, cx, cy, intrinsics_source AS intrinsicsSource, upright_blob AS uprightBlob,
  thumb_blob AS thumbBlob, depth_blob AS depthBlob, depth_preview_blob AS depthPreviewBlob,
  depth_json AS depthJson, status, created_at AS createdAt`;

export class ImageRepository {
  constructor(private readonly db: Database) {}

  get(id: number): ImageRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM images WHERE id = ?`).get(id) as
      ImageRow | undefined;
  }

  /** Images whose relative path or file name equals `name`, for matching annotation files. */
  findByName(name: string): ImageRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM images WHERE rel_path = ? OR file_name = ? ORDER BY id`)
      .all(name, name) as ImageRow[];
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n;
  }

  query(q: ImageQuery): { total: number; items: ImageRow[] } {
    const { clause, params } = whereOf(q);
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM images ${clause}`).get(...params) as { n: number }
    ).n;
    const items = this.db
      .prepare(`SELECT ${COLUMNS} FROM images ${clause} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as ImageRow[];
    return { total, items };
  }

  /** Images per status under a filter (one grouped index scan). */
  statusCounts(f: ImageFilter): { total: number; byStatus: Record<string, number> } {
    const { clause, params } = whereOf(f);
    const rows = this.db
      .prepare(`SELECT status, COUNT(*) AS n FROM images ${clause} GROUP BY status`)
      .all(...params) as Array<{ status: string; n: number }>;
    const byStatus: Record<string, number> = {};
    let total = 0;
    for (const r of rows) {
      byStatus[r.status] = r.n;
      total += r.n;
    }
    return { total, byStatus };
  }

  /** Distinct labels, QA families and reviewers in use (of one batch when given), first 500 each. */
  filterOptions(batchId?: number): { labels: string[]; families: string[]; reviewers: string[] } {
    const inBatch =
      batchId === undefined ? '' : 'AND image_id IN (SELECT id FROM images WHERE batch_id = ?)';
    const args = batchId === undefined ? [] : [batchId];
    const column = (sql: string) =>
      (this.db.prepare(sql).all(...args) as Array<{ v: string }>).map((r) => r.v);
    return {
      labels: column(
        `SELECT DISTINCT label AS v FROM objects WHERE deleted_at IS NULL ${inBatch} ORDER BY label LIMIT 500`,
      ),
      families: column(
        `SELECT DISTINCT family AS v FROM qa_pairs WHERE 1 ${inBatch} ORDER BY family LIMIT 500`,
      ),
      reviewers: column(
        `SELECT DISTINCT r.reviewer AS v FROM review_decisions r JOIN qa_pairs q ON q.id = r.qa_id
         WHERE 1 ${inBatch.replace('image_id', 'q.image_id')} ORDER BY r.reviewer LIMIT 500`,
      ),
    };
  }
}
