// qa for one image: QA pairs from its stored scene graph (spatial/qa), kept by stable key so
// re-running keeps review decisions on unchanged facts; ambiguous objects are stored for review.
import type { ProjectStore } from '../../db/project-store';
import type { GeneratedQa } from '../../db/repositories/qa-upsert-plan';
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
 * Stores one image's generated QA and ambiguities (call inside the image's transaction); an image
 * that got QA goes to review. Returns the upsert counts (added, changed, unchanged).
 */
export function storeQa(store: ProjectStore, imageId: number, result: QaResult) {
  const counts = store.scene.upsertQa(imageId, generatedQaRows(result));
  store.scene.replaceAmbiguities(imageId, result.ambiguities);
  if (result.pairs.length > 0) store.images.setStatus(imageId, 'needs-review');
  return counts;
}

export function runQaStage(
  store: ProjectStore,
  imageId: number,
  opts: QaStageOptions,
): StageOutcome {
  const started = performance.now();
  const record = (o: StageOutcome, provenance: Record<string, unknown> | null = null) => {
    store.scene.recordStage({
      imageId,
      stage: 'qa',
      status: o.status,
      reason: o.status === 'done' ? null : o.reason,
      provenance,
      tookMs: performance.now() - started,
    });
    return o;
  };
  const stored = store.scene.graph(imageId);
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
  const counts = store.db.transaction(() => {
    const c = storeQa(store, imageId, result);
    record(
      { status: 'done', detail: '' },
      { engine: 'spatial/qa', seed: opts.seed, skipped: result.skipped, ...c },
    );
    return c;
  })();
  return {
    status: 'done',
    detail: `${result.pairs.length} QA (${counts.added} new, ${counts.changed} changed, ${counts.unchanged} kept), ${result.ambiguities.length} ambiguous objects`,
  };
}
