// Read-only queries for dataset export: the project streamed a page of images at a time (their QA,
// objects with masks), so an export of 1M QA never holds more than one page in memory.
import type { Database, Statement } from 'better-sqlite3';
import type { ImageRow } from './images';

// The same aliases as ImageRepository, so rows are ImageRows.
const IMAGE_COLUMNS = `id, batch_id AS batchId, source_path AS sourcePath, rel_path AS relPath,
  file_name AS fileName, sha256, bytes, format, width, height, orientation, exif_json AS exifJson,
  fx, fy, cx, cy, intrinsics_source AS intrinsicsSource, upright_blob AS uprightBlob,
  thumb_blob AS thumbBlob, depth_blob AS depthBlob, depth_preview_blob AS depthPreviewBlob,
  depth_json AS depthJson, status, created_at AS createdAt`;

export interface QaFilter {
  statuses: readonly string[];
  /** Only these families (none = all). */
  families?: readonly string[];
  /** Only QA whose latest review decision was made by one of these reviewers. */
  reviewers?: readonly string[];
  /** Only QA named this way (formats that use one naming never read the other). */
  naming?: 'region' | 'expression';
}

export interface ExportQaRow {
  id: number;
  imageId: number;
  family: string;
  status: string;
  /** Current answer text: a reviewer's edit replaces the generated one. */
  answer: string;
  /** Machine value as stored (JSON text), null for a tie. */
  valueJson: string | null;
  /** The full generated record (JSON text). */
  recordJson: string;
}

export interface ExportObjectRow {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** COCO RLE as JSON, or null when the object has no mask. */
  maskRle: string | null;
  maskProvenance: string | null;
  provenance: string;
}

export interface StageModelRow {
  stage: string;
  engine: string | null;
  model: string | null;
  version: string | null;
  images: number;
}

export class ExportRowsRepository {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private qaWhere(f: QaFilter): { sql: string; params: unknown[] } {
    // `+q.status` keeps the planner on the (image_id) index: pages are then read in (image_id, id)
    // order and stop at LIMIT, instead of a status index followed by a sort of everything after
    // the cursor.
    const parts = ['q.record_json IS NOT NULL', `+q.status IN (${marks(f.statuses.length)})`];
    const params: unknown[] = [...f.statuses];
    if (f.families?.length) {
      parts.push(`+q.family IN (${marks(f.families.length)})`);
      params.push(...f.families);
    }
    if (f.naming) {
      parts.push(`json_extract(q.record_json, '$.naming') = ?`);
      params.push(f.naming);
    }
    if (f.reviewers?.length) {
      parts.push(
        `(SELECT r.reviewer FROM review_decisions r WHERE r.qa_id = q.id ORDER BY r.id DESC LIMIT 1) IN (${marks(f.reviewers.length)})`,
      );
      params.push(...f.reviewers);
    }
    return { sql: parts.join(' AND '), params };
  }

  /** How many images have QA passing the filter (progress totals). */
  qaImageCount(f: QaFilter): number {
    if (f.statuses.length === 0) return 0;
    const w = this.qaWhere(f);
    return (
      this.stmt(`SELECT COUNT(DISTINCT q.image_id) AS n FROM qa_pairs q WHERE ${w.sql}`).get(
        ...w.params,
      ) as { n: number }
    ).n;
  }

  /** How many images have objects, and how many have a scene graph. */
  imageCounts(): { withObjects: number; withGraphs: number } {
    return this.stmt(
      `SELECT (SELECT COUNT(DISTINCT image_id) FROM objects WHERE deleted_at IS NULL) AS withObjects,
              (SELECT COUNT(*) FROM scene_graphs) AS withGraphs`,
    ).get() as { withObjects: number; withGraphs: number };
  }

  /**
   * The next `limit` QA passing the filter after (afterImageId, afterId), by image then id: one
   * index range scan per page, so a page costs the same at the start and the end of a project.
   */
  qaPage(afterImageId: number, afterId: number, limit: number, f: QaFilter): ExportQaRow[] {
    if (f.statuses.length === 0) return [];
    const w = this.qaWhere(f);
    return this.stmt(
      `SELECT q.id, q.image_id AS imageId, q.family, q.status, q.answer, q.value_json AS valueJson,
              q.record_json AS recordJson
       FROM qa_pairs q WHERE (q.image_id, q.id) > (?, ?) AND ${w.sql}
       ORDER BY q.image_id, q.id LIMIT ?`,
    ).all(afterImageId, afterId, ...w.params, limit) as ExportQaRow[];
  }

  /** Images firstId..lastId, by id (one query per page instead of one per image). */
  imagesInRange(firstId: number, lastId: number): ImageRow[] {
    return this.stmt(
      `SELECT ${IMAGE_COLUMNS} FROM images WHERE id BETWEEN ? AND ? ORDER BY id`,
    ).all(firstId, lastId) as ImageRow[];
  }

  /** Next `limit` ids of images that have objects, after `afterId`. */
  objectImageIds(afterId: number, limit: number): number[] {
    return (
      this.stmt(
        'SELECT DISTINCT image_id FROM objects WHERE image_id > ? AND deleted_at IS NULL ORDER BY image_id LIMIT ?',
      )
        .raw()
        .all(afterId, limit) as number[][]
    ).map((r) => r[0]!);
  }

  /** Objects of images firstId..lastId, by image then id; masks only when asked for. */
  objectsInRange(firstId: number, lastId: number, withMasks = true): ExportObjectRow[] {
    return this.stmt(
      `SELECT id, image_id AS imageId, label, score, x0, y0, x1, y1,
              ${withMasks ? 'mask_rle' : 'NULL'} AS maskRle,
              mask_provenance AS maskProvenance, provenance
       FROM objects WHERE image_id BETWEEN ? AND ? AND deleted_at IS NULL ORDER BY image_id, id`,
    ).all(firstId, lastId) as ExportObjectRow[];
  }

  /** QA counts by status over the whole project (approval rates for the dataset card). */
  qaStatusCounts(): Record<string, number> {
    const rows = this.stmt(
      'SELECT status, COUNT(*) AS n FROM qa_pairs GROUP BY status ORDER BY status',
    ).all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Which engines/models (and versions) produced the stored stage results, with image counts. */
  stageModels(): StageModelRow[] {
    return this.stmt(
      `SELECT stage, json_extract(provenance_json, '$.engine') AS engine,
              json_extract(provenance_json, '$.model') AS model,
              COALESCE(json_extract(provenance_json, '$.modelVersion'), json_extract(provenance_json, '$.version')) AS version,
              COUNT(*) AS images
       FROM stage_runs WHERE status = 'done' AND provenance_json IS NOT NULL
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    ).all() as StageModelRow[];
  }

  /** Recorded exports, newest first. */
  exports(limit = 100): Array<{
    id: number;
    format: string;
    outDir: string;
    optionsJson: string;
    countsJson: string;
    checksum: string;
    createdAt: string;
  }> {
    return this.stmt(
      `SELECT id, format, out_dir AS outDir, options_json AS optionsJson, counts_json AS countsJson,
              checksum, created_at AS createdAt
       FROM exports ORDER BY id DESC LIMIT ?`,
    ).all(limit) as ReturnType<ExportRowsRepository['exports']>;
  }

  /** Records one finished export; returns its id. */
  recordExport(e: {
    format: string;
    outDir: string;
    options: unknown;
    counts: unknown;
    checksum: string;
  }): number {
    const info = this.stmt(
      'INSERT INTO exports (format, out_dir, options_json, counts_json, checksum, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      e.format,
      e.outDir,
      JSON.stringify(e.options),
      JSON.stringify(e.counts),
      e.checksum,
      new Date().toISOString(),
    );
    return Number(info.lastInsertRowid);
  }
}

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
