// Read-only queries for dataset export: the project streamed a page of images at a time (their QA,
// objects with masks), so an export of 1M QA never holds more than one page in memory.
import type { Database, Statement } from 'better-sqlite3';
import type { QaPair as QaRecord } from '../../spatial/qa/types';
import type { ImageRow } from './images';

/** The image fields an export reads (EXIF, thumbnails and status are never exported). */
export type ExportImageRow = Pick<
  ImageRow,
  | 'id'
  | 'sourcePath'
  | 'relPath'
  | 'fileName'
  | 'sha256'
  | 'width'
  | 'height'
  | 'fx'
  | 'fy'
  | 'cx'
  | 'cy'
  | 'intrinsicsSource'
  | 'uprightBlob'
  | 'depthBlob'
>;

export interface QaFilter {
  statuses: readonly string[];
  /** Only these families (none = all). */
  families?: readonly string[];
  /** Only QA whose latest review decision was made by one of these reviewers. */
  reviewers?: readonly string[];
  /** Only QA named this way (formats that use one naming never read the other). */
  naming?: 'region' | 'expression';
  /** Only images with ids in [first, last] (one export shard). */
  imageRange?: readonly [number, number];
  /** At most this many phrasings per fact, picked by a hash of `seed` (none = all). */
  phrasingsPerFact?: number;
  seed?: string;
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

  /** A cached statement that returns rows as arrays. */
  private raw(sql: string): Statement {
    const key = `raw:${sql}`;
    let s = this.statements.get(key);
    if (!s) {
      s = this.db.prepare(sql).raw();
      this.statements.set(key, s);
    }
    return s;
  }

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Records of the image's rejected phrasings of facts that have an edited phrasing, by fact: the
   * phrasings an edit withheld (fact-decisions.ts), which a corrected fact is exported in too.
   */
  supersededRecords(imageId: number): Map<string, QaRecord[]> {
    const rows = this.raw(
      `SELECT r.fact_id, r.record_json FROM qa_pairs r
       WHERE r.image_id = ? AND r.status = 'rejected' AND r.record_json IS NOT NULL AND r.fact_id IS NOT NULL
         AND EXISTS (SELECT 1 FROM qa_pairs e WHERE e.image_id = r.image_id AND e.fact_id = r.fact_id AND e.status = 'edited')
       ORDER BY r.id`,
    ).all(imageId) as Array<[string, string]>;
    const out = new Map<string, QaRecord[]>();
    for (const [fact, json] of rows) {
      const list = out.get(fact);
      const record = JSON.parse(json) as QaRecord;
      if (list) list.push(record);
      else out.set(fact, [record]);
    }
    return out;
  }

  /**
   * `forPages`: the page query writes `+q.status` / `+q.naming`, which keeps the planner on the
   * (image_id) index: pages are then read in (image_id, id) order and stop at LIMIT, instead of a
   * status or naming index followed by a sort of everything after the cursor. The count uses the
   * (naming, status, image_id) index and never reads the table.
   */
  private qaWhere(f: QaFilter, forPages: boolean): { sql: string; params: unknown[] } {
    const plus = forPages ? '+' : '';
    // A naming mode is only stored with a record, so it implies one.
    const parts = [
      f.naming ? `${plus}q.naming = ?` : 'q.record_json IS NOT NULL',
      `${plus}q.status IN (${marks(f.statuses.length)})`,
    ];
    const params: unknown[] = f.naming ? [f.naming, ...f.statuses] : [...f.statuses];
    if (f.imageRange && forPages) {
      // Pages start at the range's first image (the caller's cursor); only the end is a bound
      // here: a second lower bound would replace the cursor's in the index range, and each page
      // would scan from the range start again.
      parts.push('q.image_id <= ?');
      params.push(f.imageRange[1]);
    } else if (f.imageRange) {
      parts.push('q.image_id BETWEEN ? AND ?');
      params.push(f.imageRange[0], f.imageRange[1]);
    }
    if (f.families?.length) {
      parts.push(`+q.family IN (${marks(f.families.length)})`);
      params.push(...f.families);
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
    const w = this.qaWhere(f, false);
    return (
      this.stmt(`SELECT COUNT(DISTINCT q.image_id) AS n FROM qa_pairs q WHERE ${w.sql}`).get(
        ...w.params,
      ) as { n: number }
    ).n;
  }

  /** Lowest and highest image id with QA passing the filter (null: none), to split an export. */
  qaImageIdBounds(f: QaFilter): [number, number] | null {
    if (f.statuses.length === 0) return null;
    const w = this.qaWhere(f, false);
    const r = this.raw(
      `SELECT MIN(q.image_id), MAX(q.image_id) FROM qa_pairs q WHERE ${w.sql}`,
    ).get(...w.params) as [number | null, number | null];
    return r[0] === null || r[1] === null ? null : [r[0], r[1]];
  }

  /** How many images have objects, and how many have a scene graph. */
  imageCounts(): { withObjects: number; withGraphs: number } {
    return this.stmt(
      `SELECT (SELECT COUNT(DISTINCT image_id) FROM objects WHERE deleted_at IS NULL) AS withObjects,
              (SELECT COUNT(*) FROM scene_graphs) AS withGraphs`,
    ).get() as { withObjects: number; withGraphs: number };
  }

  // The page readers fetch rows as arrays and build the objects here: better-sqlite3's per-row
  // objects were a quarter of the page query's time (430 -> 325 ms per 100k QA rows).

  /**
   * The next `limit` QA passing the filter after (afterImageId, afterId), by image then id: one
   * index range scan per page, so a page costs the same at the start and the end of a project.
   */
  qaPage(afterImageId: number, afterId: number, limit: number, f: QaFilter): ExportQaRow[] {
    if (f.statuses.length === 0) return [];
    const w = this.qaWhere(f, true);
    const rows = this.raw(
      `SELECT q.id, q.image_id, q.family, q.status, q.answer, q.value_json, q.record_json
       FROM qa_pairs q WHERE (q.image_id, q.id) > (?, ?) AND ${w.sql}
       ORDER BY q.image_id, q.id LIMIT ?`,
    ).all(afterImageId, afterId, ...w.params, limit) as unknown[][];
    return rows.map((r) => ({
      id: r[0] as number,
      imageId: r[1] as number,
      family: r[2] as string,
      status: r[3] as string,
      answer: r[4] as string,
      valueJson: r[5] as string | null,
      recordJson: r[6] as string,
    }));
  }

  /** Images firstId..lastId, by id (one query per page instead of one per image). */
  imagesInRange(firstId: number, lastId: number): ExportImageRow[] {
    const rows = this.raw(
      `SELECT id, source_path, rel_path, file_name, sha256, width, height, fx, fy, cx, cy,
              intrinsics_source, upright_blob, depth_blob
       FROM images WHERE id BETWEEN ? AND ? ORDER BY id`,
    ).all(firstId, lastId) as unknown[][];
    return rows.map((r) => ({
      id: r[0] as number,
      sourcePath: r[1] as string,
      relPath: r[2] as string,
      fileName: r[3] as string,
      sha256: r[4] as string,
      width: r[5] as number,
      height: r[6] as number,
      fx: r[7] as number,
      fy: r[8] as number,
      cx: r[9] as number,
      cy: r[10] as number,
      intrinsicsSource: r[11] as string,
      uprightBlob: r[12] as string | null,
      depthBlob: r[13] as string | null,
    }));
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
    const rows = this.raw(
      `SELECT id, image_id, label, score, x0, y0, x1, y1, ${withMasks ? 'mask_rle' : 'NULL'},
              mask_provenance, provenance
       FROM objects WHERE image_id BETWEEN ? AND ? AND deleted_at IS NULL ORDER BY image_id, id`,
    ).all(firstId, lastId) as unknown[][];
    return rows.map((r) => ({
      id: r[0] as number,
      imageId: r[1] as number,
      label: r[2] as string,
      score: r[3] as number | null,
      x0: r[4] as number,
      y0: r[5] as number,
      x1: r[6] as number,
      y1: r[7] as number,
      maskRle: r[8] as string | null,
      maskProvenance: r[9] as string | null,
      provenance: r[10] as string,
    }));
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
