// Per-image results of the pipeline stages: stage status with provenance, scene graphs, generated
// QA (kept by stable key so re-derivation preserves review decisions) and ambiguous objects.
import type { Database } from 'better-sqlite3';
import type { QaStatus } from './qa-keeping';
import {
  planQaUpsert,
  type GeneratedQa,
  type QaUpsertCounts,
  type StoredQaRow,
} from './qa-upsert-plan';

export interface StageRunRow {
  imageId: number;
  stage: string;
  status: 'done' | 'skipped' | 'failed';
  reason: string | null;
  provenance: Record<string, unknown> | null;
  tookMs: number | null;
}

export type { GeneratedQa, QaUpsertCounts } from './qa-upsert-plan';

export class SceneRepository {
  constructor(private readonly db: Database) {}

  recordStage(r: StageRunRow): void {
    this.db
      .prepare(
        `INSERT INTO stage_runs (image_id, stage, status, reason, provenance_json, took_ms, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (image_id, stage) DO UPDATE SET status = excluded.status, reason = excluded.reason,
           provenance_json = excluded.provenance_json, took_ms = excluded.took_ms, updated_at = excluded.updated_at`,
      )
      .run(
        r.imageId,
        r.stage,
        r.status,
        r.reason,
        r.provenance ? JSON.stringify(r.provenance) : null,
        r.tookMs,
        new Date().toISOString(),
      );
  }

  stageRuns(imageId: number): StageRunRow[] {
    const rows = this.db
      .prepare(
        `SELECT image_id AS imageId, stage, status, reason, provenance_json AS p, took_ms AS tookMs
         FROM stage_runs WHERE image_id = ? ORDER BY stage`,
      )
      .all(imageId) as Array<Omit<StageRunRow, 'provenance'> & { p: string | null }>;
    return rows.map(({ p, ...r }) => ({ ...r, provenance: p ? JSON.parse(p) : null }));
  }

  saveGraph(imageId: number, graph: unknown, notes: string[]): void {
    this.db
      .prepare(
        `INSERT INTO scene_graphs (image_id, graph_json, notes_json, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (image_id) DO UPDATE SET graph_json = excluded.graph_json, notes_json = excluded.notes_json,
           created_at = excluded.created_at`,
      )
      .run(imageId, JSON.stringify(graph), JSON.stringify(notes), new Date().toISOString());
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

  /**
   * Replaces an image's generated QA by key, never losing a review decision (qa-keeping.ts says
   * what happens to each pair). Texts are always rewritten from the new generation, so a relabel
   * reaches every stored question and answer.
   */
  upsertQa(imageId: number, pairs: GeneratedQa[]): QaUpsertCounts {
    return this.db.transaction(() => {
      const rows = (
        this.db
          .prepare(
            `SELECT q.id, q.qa_key AS key, q.fact_hash AS factHash, q.status, q.question, q.answer,
               q.record_json AS record, q.held_json AS held, q.fact_id AS factId,
               EXISTS (SELECT 1 FROM review_decisions d WHERE d.qa_id = q.id) AS decided
             FROM qa_pairs q WHERE q.image_id = ?`,
          )
          .all(imageId) as Array<Omit<StoredQaRow, 'decided'> & { decided: number }>
      ).map((r) => ({ ...r, status: r.status as QaStatus, decided: r.decided === 1 }));
      const plan = planQaUpsert(rows, pairs);
      const now = new Date().toISOString();
      const insert = this.db.prepare(
        `INSERT INTO qa_pairs (image_id, family, question, answer, value_json, status, created_at, qa_key, kind,
           fact_hash, record_json, naming, fact_id) VALUES (?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?, ?, ?, ?)`,
      );
      const update = this.db.prepare(
        `UPDATE qa_pairs SET family = ?, question = ?, answer = ?, value_json = ?, kind = ?, fact_hash = ?,
           record_json = ?, naming = ?, status = ?, held_json = ?, fact_id = ? WHERE id = ?`,
      );
      const keep = this.db.prepare(
        'UPDATE qa_pairs SET status = ?, answer = ?, held_json = ? WHERE id = ?',
      );
      const remove = this.db.prepare('DELETE FROM qa_pairs WHERE id = ?');
      for (const p of plan.insert)
        insert.run(
          imageId,
          p.family,
          p.question,
          p.answer,
          p.valueJson,
          now,
          p.key,
          p.kind,
          p.factHash,
          p.recordJson,
          p.naming,
          p.factId,
        );
      for (const p of plan.update)
        update.run(
          p.family,
          p.question,
          p.answer,
          p.valueJson,
          p.kind,
          p.factHash,
          p.recordJson,
          p.naming,
          p.status,
          p.heldJson,
          p.factId,
          p.id,
        );
      for (const k of plan.keep) keep.run(k.status, k.answer, k.heldJson, k.id);
      for (const id of plan.remove) remove.run(id);
      return plan.counts;
    })();
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

  replaceAmbiguities(
    imageId: number,
    items: Array<{ nodeId: number; label: string; group: number[]; reason: string }>,
  ): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM ambiguities WHERE image_id = ?').run(imageId);
      const ins = this.db.prepare(
        'INSERT INTO ambiguities (image_id, node_id, label, group_json, reason) VALUES (?, ?, ?, ?, ?)',
      );
      for (const a of items) ins.run(imageId, a.nodeId, a.label, JSON.stringify(a.group), a.reason);
    })();
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
