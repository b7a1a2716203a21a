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

export interface ImageQuery {
  batchId?: number;
  status?: string;
  search?: string;
  offset: number;
  limit: number;
}

const COLUMNS = `id, batch_id AS batchId, source_path AS sourcePath, rel_path AS relPath,
  file_name AS fileName, sha256, bytes, format, width, height, orientation, exif_json AS exifJson,
  fx, fy, cx, cy, intrinsics_source AS intrinsicsSource, upright_blob AS uprightBlob,
  thumb_blob AS thumbBlob, depth_blob AS depthBlob, depth_preview_blob AS depthPreviewBlob,
  depth_json AS depthJson, status, created_at AS createdAt`;

export class ImageRepository {
  constructor(private readonly db: Database) {}

  insert(img: NewImage): number {
    const info = this.db
      .prepare(
        `INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
           orientation, exif_json, fx, fy, cx, cy, intrinsics_source, upright_blob, thumb_blob, depth_blob,
           depth_preview_blob, depth_json, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(
        img.batchId,
        img.sourcePath,
        img.relPath,
        img.fileName,
        img.sha256,
        img.bytes,
        img.format,
        img.width,
        img.height,
        img.orientation,
        img.exif ? JSON.stringify(img.exif) : null,
        img.intrinsics.fx,
        img.intrinsics.fy,
        img.intrinsics.cx,
        img.intrinsics.cy,
        img.intrinsics.source,
        img.uprightBlob,
        img.thumbBlob,
        img.depthBlob,
        img.depthPreviewBlob,
        img.depth ? JSON.stringify(img.depth) : null,
        new Date().toISOString(),
      );
    return Number(info.lastInsertRowid);
  }

  findBySha(sha256: string): { id: number; sourcePath: string } | undefined {
    return this.db
      .prepare('SELECT id, source_path AS sourcePath FROM images WHERE sha256 = ?')
      .get(sha256) as { id: number; sourcePath: string } | undefined;
  }

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
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM images ${clause}`).get(...params) as { n: number }
    ).n;
    const items = this.db
      .prepare(`SELECT ${COLUMNS} FROM images ${clause} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as ImageRow[];
    return { total, items };
  }

  setStatus(id: number, status: string): void {
    this.db.prepare('UPDATE images SET status = ? WHERE id = ?').run(status, id);
  }
}
