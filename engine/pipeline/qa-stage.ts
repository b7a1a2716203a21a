// qa for one image: QA pairs from its stored scene graph (spatial/qa), kept by stable key so
// re-running keeps review decisions on unchanged facts; ambiguous objects are stored for review.
// Written through the two-database layer's SceneStore, as a team worker writes them.
import type { ProjectStore } from '../../db/project-store';
import type { GeneratedQa, QaUpsertCounts } from '../../db/repositories/qa-upsert-plan';
import { sqliteHandle } from '../../db/store/connect';
import { SceneStore } from '../../db/store/scene-store';
import { generateQa } from '../../spatial/qa/generate';
import type { QaResult } from '../../spatial/qa/types';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import type { StageOutcome } from './graph-stage';

export interface QaStageOptions {
  /** Stored on every pair; the same seed and graph give the same QA. */
  seed: string;
  imperialShare?: number;
}

/** Generated pairs as stored: by their stable id (the key re-derivation keeps decisions by). */
export function generatedQaRows(result: QaResult): GeneratedQa[] {
  return result.pairs.map((p) => ({
    key: p.id,
    family: p.family,
    kind: p.kind,
    question: p.question,
    answer: p.answer,
    value: p.value,
    factHash: p.factHash,
    record: p,
  }));
}

/**
 * Stores one image's generated QA (kept by the qa-keeping rules: a decided pair is never deleted)
 * and ambiguities. Call with a store made on the image's write transaction: the upsert reads the
 * stored pairs, then writes. The image's status follows from its QA (database triggers).
 */
export async function storeQa(
  scene: SceneStore,
  imageId: number,
  result: QaResult,
): Promise<QaUpsertCounts> {
  const counts = await scene.upsertQa(imageId, generatedQaRows(result));
  await scene.replaceAmbiguities(imageId, result.ambiguities);
  return counts;
}

export async function runQaStage(
  store: ProjectStore,
  imageId: number,
  opts: QaStageOptions,
): Promise<StageOutcome> {
  const started = performance.now();
  const db = sqliteHandle(store.db);
  const stageRecord = (o: StageOutcome, provenance: Record<string, unknown> | null = null) => ({
    imageId,
    stage: 'qa',
    status: o.status,
    reason: o.status === 'done' ? null : o.reason,
    provenance,
    tookMs: performance.now() - started,
    jobId: null,
  });
  const record = async (o: StageOutcome) => {
    await new SceneStore(db).recordStages([stageRecord(o)]);
    return o;
  };
  const stored = await new SceneStore(db).graph(imageId);
  if (!stored)
    return record({ status: 'skipped', reason: 'no scene graph: run the graph stage first' });
  let result;
  try {
    result = generateQa(stored.graph as SceneGraph, {
      imageId: String(imageId),
      seed: opts.seed,
      imperialShare: opts.imperialShare,
    });
  } catch (err) {
    return record({ status: 'failed', reason: (err as Error).message });
  }
  const counts = await db.transaction().execute(async (trx) => {
    const scene = new SceneStore(trx);
    const c = await storeQa(scene, imageId, result);
    await scene.recordStages([
      stageRecord(
        { status: 'done', detail: '' },
        { engine: 'spatial/qa', seed: opts.seed, skipped: result.skipped, ...c },
      ),
    ]);
    return c;
  });
  return {
    status: 'done',
    detail: `${result.pairs.length} QA (${counts.added} new, ${counts.changed} changed, ${counts.unchanged} kept), ${result.ambiguities.length} ambiguous objects`,
  };
}
