// Synchronous reads of the pipeline's per-image results on a desktop project (stage status with
// provenance, scene graphs, QA records, ambiguous objects) and the export log. The pipeline writes
// those results through the two-database layer (db/store/scene-store.ts), as a team worker does.
import type { Database } from 'better-sqlite3';

export interface StageRunRow {
  imageId: number;
  stage: string;
  status: 'done' | 'skipped' | 'failed';
  reason: string | null;
  provenance: Record<string, unknown> | null;
  tookMs: number | null;
}

export class SceneRepository {
  constructor(private readonly db: Database) {}

  stageRuns(imageId: number): StageRunRow[] {
    const rows = this.db
      .prepare(
        `SELECT image_id AS imageId, stage, status, reason, provenance_json AS p, took_ms AS tookMs
         FROM stage_runs WHERE image_id = ? ORDER BY stage`,
      )
      .all(imageId) as Array<Omit<StageRunRow, 'provenance'> & { p: string | null }>;
    return rows.map(({ p, ...r }) => ({ ...r, provenance: p ? JSON.parse(p) : null }));
  }

  graph(imageId: number): { graph: unknown; notes: string[] } | undefined {
    const row = this.db
      .prepare('SELECT graph_json AS g, notes_json AS n FROM scene_graphs WHERE image_id = ?')
      .get(imageId) as { g: string; n: string | null } | undefined;
    return row ? { graph: JSON.parse(row.g), notes: row.n ? JSON.parse(row.n) : [] } : undefined;
  }

  /** Ids of images with a stored scene graph, in id order, one page at a time (streams large batches). */
  graphImageIds(afterId: number, limit: number): number[] {
    return (
      this.db
        .prepare(
          'SELECT image_id AS id FROM scene_graphs WHERE image_id > ? ORDER BY image_id LIMIT ?',
        )
        .all(afterId, limit) as Array<{ id: number }>
    ).map((r) => r.id);
  }

  /** Generated QA records of one image, optionally only some statuses (export). */
  qaRecords(
    imageId: number,
    statuses?: readonly string[],
  ): Array<{ status: string; answer: string; record: unknown }> {
    const rows = this.db
      .prepare(
        'SELECT status, answer, record_json AS r FROM qa_pairs WHERE image_id = ? AND record_json IS NOT NULL ORDER BY id',
      )
      .all(imageId) as Array<{ status: string; answer: string; r: string }>;
    return rows
      .filter((row) => !statuses || statuses.includes(row.status))
      .map((row) => ({ status: row.status, answer: row.answer, record: JSON.parse(row.r) }));
  }

  ambiguities(
    imageId: number,
  ): Array<{ nodeId: number; label: string; group: number[]; reason: string }> {
    return (
      this.db
        .prepare(
          'SELECT node_id AS nodeId, label, group_json AS g, reason FROM ambiguities WHERE image_id = ? ORDER BY node_id',
        )
        .all(imageId) as Array<{ nodeId: number; label: string; g: string; reason: string }>
    ).map(({ g, ...r }) => ({ ...r, group: JSON.parse(g) as number[] }));
  }

  recordExport(e: {
    format: string;
    outDir: string;
    options: unknown;
    counts: unknown;
    checksum: string;
  }): void {
    this.db
      .prepare(
        'INSERT INTO exports (format, out_dir, options_json, counts_json, checksum, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        e.format,
        e.outDir,
        JSON.stringify(e.options),
        JSON.stringify(e.counts),
        e.checksum,
        new Date().toISOString(),
      );
  }

  exports(): Array<{ format: string; outDir: string; checksum: string; createdAt: string }> {
    return this.db
      .prepare(
        'SELECT format, out_dir AS outDir, checksum, created_at AS createdAt FROM exports ORDER BY id',
      )
      .all() as Array<{ format: string; outDir: string; checksum: string; createdAt: string }>;
  }
}
