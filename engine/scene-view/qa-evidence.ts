// Evidence for review cards: each QA's measured numbers read from its image's stored scene graph
// (spatial/qa/evidence.ts). One graph parse per image per request, however many QA it serves.
// The graphs are read through the two-database stores, on a desktop or a team project.
import type { QaEvidence } from '../../contract/review';
import type { QaReviewRow } from '../../db/store/rows';
import { evidenceOf } from '../../spatial/qa/evidence';
import type { SceneGraph } from '../../spatial/scene/scene-graph';

export type EvidenceReader = (q: QaReviewRow) => QaEvidence | null;

/** Evidence from the image's scene graph as `graphOf` gives it (undefined: no graph yet). */
export function evidenceReaderOver(
  graphOf: (imageId: number) => SceneGraph | undefined,
): EvidenceReader {
  const readers = new Map<number, ReturnType<typeof evidenceOf> | null>();
  const readerOf = (imageId: number) => {
    if (!readers.has(imageId)) {
      const graph = graphOf(imageId);
      readers.set(imageId, graph ? evidenceOf(graph) : null);
    }
    return readers.get(imageId)!;
  };
  return (q) => {
    const r = q.record;
    const read = r ? readerOf(q.imageId) : null;
    if (!r || !read || !Array.isArray(r.subjects)) return null;
    return read({
      family: q.family,
      subjects: r.subjects as number[],
      steps: Array.isArray(r.steps) ? (r.steps as Array<Record<string, unknown>>) : undefined,
    });
  };
}
