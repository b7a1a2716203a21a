// What the pipeline's stages read and write per image, on SQLite and PostgreSQL alike (the desktop's
// image run and re-derivation, a team worker): objects with their masks, the scene graph,
// generated QA (kept by the qa-keeping rules: qa-upsert-plan.ts) and ambiguous objects, and the
// stage records. Methods do not open transactions: a caller writes an image's results through a
// store made on one transaction.
import type { Kysely } from 'kysely';
import { parseAttributes, type ObjectExclusion, type StageRecord } from './rows';
import type { QaStatus } from '../rules/qa-keeping';
import { planQaUpsert, type GeneratedQa, type QaUpsertCounts } from '../rules/qa-upsert-plan';
import type { ProjectTables } from './schema';

export interface StoredObjectRow {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
  provenance: string;
  maskRle: string | null;
  maskProvenance: string | null;
  attributes: string[];
  excluded: ObjectExclusion | null;
}

export interface Ambiguity {
  nodeId: number;
  label: string;
  group: number[];
  reason: string;
}

export interface StoredQaPair {
  id: number;
  imageId: number;
  key: string | null;
  family: string;
  question: string;
  answer: string;
  status: string;
}

export class SceneStore {
  constructor(private readonly db: Kysely<ProjectTables>) {}

  /** Objects of one image (not deleted) with their stored masks, in id order. */
  async objectsWithMasks(imageId: number): Promise<StoredObjectRow[]> {
    const rows = await this.db
      .selectFrom('objects')
      .select([
        'id',
        'image_id',
        'label',
        'score',
        'x0',
        'y0',
        'x1',
        'y1',
        'provenance',
        'mask_rle',
        'mask_provenance',
        'attributes_json',
        'excluded',
      ])
      .where('image_id', '=', imageId)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      imageId: r.image_id,
      label: r.label,
      score: r.score,
      box: [r.x0, r.y0, r.x1, r.y1],
      provenance: r.provenance,
      maskRle: r.mask_rle,
      maskProvenance: r.mask_provenance,
      attributes: parseAttributes(r.attributes_json),
      excluded: r.excluded as ObjectExclusion | null,
    }));
  }

  /** A machine-made mask; a reviewer's ('human') is never replaced: false then. */
  async setMask(
    objectId: number,
    maskRle: string,
    provenance: 'model' | 'depth-cluster' | 'imported',
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('objects')
      .set({ mask_rle: maskRle, mask_provenance: provenance })
      .where('id', '=', objectId)
      .where((eb) =>
        eb.or([eb('mask_provenance', 'is', null), eb('mask_provenance', '!=', 'human')]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async saveGraph(imageId: number, graph: unknown, notes: string[]): Promise<void> {
    const row = {
      image_id: imageId,
      graph_json: JSON.stringify(graph),
      notes_json: JSON.stringify(notes),
      created_at: new Date().toISOString(),
    };
    await this.db
      .insertInto('scene_graphs')
      .values(row)
      .onConflict((oc) =>
        oc.column('image_id').doUpdateSet({
          graph_json: row.graph_json,
          notes_json: row.notes_json,
          created_at: row.created_at,
        }),
      )
      .execute();
  }

  async graph(imageId: number): Promise<{ graph: unknown; notes: string[] } | undefined> {
    const row = await this.db
      .selectFrom('scene_graphs')
      .select(['graph_json', 'notes_json'])
      .where('image_id', '=', imageId)
      .executeTakeFirst();
    return row
      ? {
          graph: JSON.parse(row.graph_json),
          notes: row.notes_json ? JSON.parse(row.notes_json) : [],
        }
      : undefined;
  }

  /** Replaces an image's generated QA by key, never losing a review decision (qa-upsert-plan.ts). */
  async upsertQa(imageId: number, pairs: GeneratedQa[]): Promise<QaUpsertCounts> {
    const rows = await this.db
      .selectFrom('qa_pairs as q')
      .select((eb) => [
        'q.id',
        'q.qa_key as key',
        'q.fact_hash as factHash',
        'q.status',
        'q.question',
        'q.answer',
        'q.record_json as record',
        'q.held_json as held',
        'q.fact_id as factId',
        eb
          .exists(
            eb.selectFrom('review_decisions as d').select('d.id').whereRef('d.qa_id', '=', 'q.id'),
          )
          .as('decided'),
      ])
      .where('q.image_id', '=', imageId)
      .execute();
    const plan = planQaUpsert(
      // SQLite answers EXISTS with 1/0, PostgreSQL with a boolean.
      rows.map((r) => ({ ...r, status: r.status as QaStatus, decided: Boolean(r.decided) })),
      pairs,
    );
    const now = new Date().toISOString();
    if (plan.insert.length)
      await this.db
        .insertInto('qa_pairs')
        .values(
          plan.insert.map((p) => ({
            image_id: imageId,
            family: p.family,
            question: p.question,
            answer: p.answer,
            value_json: p.valueJson,
            status: 'proposed',
            created_at: now,
            qa_key: p.key,
            kind: p.kind,
            fact_hash: p.factHash,
            record_json: p.recordJson,
            naming: p.naming,
            fact_id: p.factId,
          })),
        )
        .execute();
    for (const p of plan.update)
      await this.db
        .updateTable('qa_pairs')
        .set({
          family: p.family,
          question: p.question,
          answer: p.answer,
          value_json: p.valueJson,
          kind: p.kind,
          fact_hash: p.factHash,
          record_json: p.recordJson,
          naming: p.naming,
          status: p.status,
          held_json: p.heldJson,
          fact_id: p.factId,
        })
        .where('id', '=', p.id)
        .execute();
    for (const k of plan.keep)
      await this.db
        .updateTable('qa_pairs')
        .set({ status: k.status, answer: k.answer, held_json: k.heldJson })
        .where('id', '=', k.id)
        .execute();
    if (plan.remove.length)
      await this.db.deleteFrom('qa_pairs').where('id', 'in', plan.remove).execute();
    return plan.counts;
  }

  async qaPairs(imageId: number): Promise<StoredQaPair[]> {
    return this.db
      .selectFrom('qa_pairs')
      .select([
        'id',
        'image_id as imageId',
        'qa_key as key',
        'family',
        'question',
        'answer',
        'status',
      ])
      .where('image_id', '=', imageId)
      .orderBy('id')
      .execute();
  }

  async replaceAmbiguities(imageId: number, items: Ambiguity[]): Promise<void> {
    await this.db.deleteFrom('ambiguities').where('image_id', '=', imageId).execute();
    if (items.length)
      await this.db
        .insertInto('ambiguities')
        .values(
          items.map((a) => ({
            image_id: imageId,
            node_id: a.nodeId,
            label: a.label,
            group_json: JSON.stringify(a.group),
            reason: a.reason,
          })),
        )
        .execute();
  }

  async ambiguities(imageId: number): Promise<Ambiguity[]> {
    const rows = await this.db
      .selectFrom('ambiguities')
      .select(['node_id', 'label', 'group_json', 'reason'])
      .where('image_id', '=', imageId)
      .orderBy('node_id')
      .execute();
    return rows.map((r) => ({
      nodeId: r.node_id,
      label: r.label,
      group: JSON.parse(r.group_json) as number[],
      reason: r.reason,
    }));
  }

  /** Stage records, one per (image, stage): a later record replaces the earlier one. */
  async recordStages(records: readonly StageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = new Date().toISOString();
    await this.db
      .insertInto('stage_runs')
      .values(
        records.map((r) => ({
          image_id: r.imageId,
          stage: r.stage,
          status: r.status,
          reason: r.reason,
          provenance_json: r.provenance ? JSON.stringify(r.provenance) : null,
          took_ms: r.tookMs,
          updated_at: now,
          job_id: r.jobId,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['image_id', 'stage']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          reason: eb.ref('excluded.reason'),
          provenance_json: eb.ref('excluded.provenance_json'),
          took_ms: eb.ref('excluded.took_ms'),
          updated_at: eb.ref('excluded.updated_at'),
          job_id: eb.ref('excluded.job_id'),
        })),
      )
      .execute();
  }

  async stageRecords(imageId: number): Promise<StageRecord[]> {
    const rows = await this.db
      .selectFrom('stage_runs')
      .selectAll()
      .where('image_id', '=', imageId)
      .orderBy('stage')
      .execute();
    return rows.map((r) => ({
      imageId: r.image_id,
      stage: r.stage,
      status: r.status as StageRecord['status'],
      reason: r.reason,
      provenance: r.provenance_json ? JSON.parse(r.provenance_json) : null,
      tookMs: r.took_ms,
      jobId: r.job_id,
    }));
  }

  /** Per stage and status, how many images one run has settled (a team run's summary). */
  async runStageCounts(
    runId: string,
  ): Promise<Array<{ stage: string; status: string; n: number }>> {
    const rows = await this.db
      .selectFrom('stage_runs')
      .select((eb) => ['stage', 'status', eb.fn.countAll<number>().as('n')])
      .where('job_id', '=', runId)
      .groupBy(['stage', 'status'])
      .orderBy('stage')
      .orderBy('status')
      .execute();
    return rows.map((r) => ({ stage: r.stage, status: r.status, n: Number(r.n) }));
  }

  /** Per stage, the reasons one run skipped images for, with how many (a summary). */
  async runSkipReasons(
    runId: string,
  ): Promise<Array<{ stage: string; reason: string | null; n: number }>> {
    const rows = await this.db
      .selectFrom('stage_runs')
      .select((eb) => ['stage', 'reason', eb.fn.countAll<number>().as('n')])
      .where('job_id', '=', runId)
      .where('status', '=', 'skipped')
      .groupBy(['stage', 'reason'])
      .orderBy('stage')
      .orderBy('reason')
      .execute();
    return rows.map((r) => ({ stage: r.stage, reason: r.reason, n: Number(r.n) }));
  }

  /** The first `limit` images of one run whose `stage` failed, with the reason (a summary). */
  async runFailures(
    runId: string,
    stage: string,
    limit: number,
  ): Promise<Array<{ image: string; reason: string }>> {
    const rows = await this.db
      .selectFrom('stage_runs as s')
      .innerJoin('images as i', 'i.id', 's.image_id')
      .select(['i.rel_path as image', 's.reason'])
      .where('s.job_id', '=', runId)
      .where('s.stage', '=', stage)
      .where('s.status', '=', 'failed')
      .orderBy('s.image_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ image: r.image, reason: r.reason ?? '' }));
  }

  /**
   * Holds the rows of `imageIds` until the transaction ends, so two writers of one image's results
   * (a worker whose lease ran out and the one that took the job over) go one after the other, and
   * says per image whether a record of one of `stages` by `runId` is stored already: image id →
   * stored, an id not in the project is absent. One statement for a whole fetched batch; rows are
   * locked in id order, so two batches sharing images wait for each other rather than deadlock.
   * SQLite has one writer at a time already: no row lock there.
   */
  async lockImagesForRun(
    imageIds: readonly number[],
    runId: string,
    stages: readonly string[],
    dialect: 'sqlite' | 'postgres',
  ): Promise<Map<number, boolean>> {
    if (imageIds.length === 0) return new Map();
    let q = this.db
      .selectFrom('images as i')
      .select((eb) => [
        'i.id',
        eb
          .exists(
            eb
              .selectFrom('stage_runs as s')
              .select('s.stage')
              .whereRef('s.image_id', '=', 'i.id')
              .where('s.job_id', '=', runId)
              .where('s.stage', 'in', stages.length ? [...stages] : ['']),
          )
          .as('stored'),
      ])
      .where('i.id', 'in', [...imageIds])
      .orderBy('i.id');
    if (dialect === 'postgres') q = q.forUpdate();
    const rows = await q.execute();
    return new Map(rows.map((r) => [r.id, Boolean(r.stored)]));
  }
}
