// Evidence for review cards: each QA's measured numbers read from its image's stored scene graph
// (spatial/qa/evidence.ts). One graph parse per image per request, however many QA it serves.
import type { QaEvidence } from '../../contract/review';
import type { ProjectStore } from '../../db/project-store';
import type { QaReviewRow } from '../../db/repositories/annotations';
import { qaEvidence } from '../../spatial/qa/evidence';
import type { SceneGraph } from '../../spatial/scene/scene-graph';

export type EvidenceReader = (q: QaReviewRow) => QaEvidence | null;

export function evidenceReader(store: ProjectStore): EvidenceReader {
  const graphs = new Map<number, SceneGraph | null>();
  const graphOf = (imageId: number): SceneGraph | null => {
    if (!graphs.has(imageId))
      graphs.set(imageId, (store.scene.graph(imageId)?.graph as SceneGraph | undefined) ?? null);
    return graphs.get(imageId)!;
  };
  return (q) => {
    const r = q.record;
    const graph = r ? graphOf(q.imageId) : null;
    if (!r || !graph || !Array.isArray(r.subjects)) return null;
    return qaEvidence(graph, {
      family: q.family,
      subjects: r.subjects as number[],
      steps: Array.isArray(r.steps) ? (r.steps as Array<Record<string, unknown>>) : undefined,
    });
  };
}
