// What the qa stage stores for one image, on either database: its generated QA pairs, kept by
// stable key so re-running keeps review decisions on unchanged facts, and its ambiguous objects
// for review. The desktop's image run, a team worker and the re-derivation after an edit all
// store QA through storeQa (the two-database layer's SceneStore).
import type { GeneratedQa, QaUpsertCounts } from '../../db/rules/qa-upsert-plan';
import type { SceneStore } from '../../db/store/scene-store';
import type { QaResult } from '../../spatial/qa/types';

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
