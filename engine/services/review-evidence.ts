// What the review queue and image view show from the scene graphs, read-only, on a desktop or a
// team project: each card's measured evidence and why approving it is blocked, and the image's
// ambiguous objects with the expression each object is exported under. The rules are
// engine/review's (qa-checks.ts, referents.ts, qa-evidence.ts) over reads loaded through the
// two-database stores.
import type { ApiHandlers } from '../../contract/api';
import { ambiguousOf, expressionsOf, namesOf } from '../review/referents';
import { NotFoundError } from '../errors';
import { loadGeometryReads } from './geometry-reads';
import { toEditableObject } from './review';
import { cardsFrom, reviewCards } from './review-cards';
import type { ReviewContext, ReviewSource } from './review-context';
import { historyOf } from './review-history';

/** One image's cards, ambiguous objects and object names, from one read of the image. */
export async function imageNaming(project: ReviewSource, imageId: number) {
  const [reads, objects, rows] = await Promise.all([
    loadGeometryReads(project.db, { images: [imageId] }),
    project.browse.objectStates(imageId),
    project.browse.qaForImage(imageId),
  ]);
  const expressions = expressionsOf(reads.graph(imageId));
  const ambiguities = reads.ambiguities(imageId);
  return {
    objects,
    qa: cardsFrom(reads, rows),
    // As the desktop's ambiguousObjects: nothing ambiguous, nothing to list.
    ambiguous: ambiguities.length === 0 ? [] : ambiguousOf(ambiguities, expressions),
    names: namesOf(objects, expressions),
    geometryPending: reads.editedSinceGraph(imageId),
  };
}

/** The read-only handlers that carry the scene graphs' evidence, blocks and names. */
export function createEvidenceHandlers(c: Pick<ReviewContext, 'sourceOf'>): {
  queue: ApiHandlers['qa']['queue'];
  image: ApiHandlers['reviews']['image'];
} {
  return {
    queue: async ({ projectId, ...f }) => {
      const p = c.sourceOf(projectId);
      const page = await p.browse.qaQueue(f);
      const imageIds = [...new Set(page.items.map((q) => q.imageId))];
      return {
        total: page.total,
        items: await reviewCards(p.db, page.items),
        families: await p.browse.qaFamilies(),
        objects: await p.browse.objectLabels(imageIds),
      };
    },
    image: async ({ projectId, imageId, reviewer }) => {
      const p = c.sourceOf(projectId);
      if (!(await p.catalog.image(imageId))) throw new NotFoundError(`image not found: ${imageId}`);
      const view = await imageNaming(p, imageId);
      return {
        imageId,
        objects: view.objects.map(toEditableObject),
        qa: view.qa,
        ambiguous: view.ambiguous,
        names: view.names,
        geometryPending: view.geometryPending,
        history: await historyOf(p, reviewer),
      };
    },
  };
}
