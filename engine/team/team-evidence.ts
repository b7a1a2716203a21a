// What a team project's review cards and image view show from the scene graphs, read-only: each
// card's measured evidence and why approving it is blocked, and the image's ambiguous objects with
// the expression each object is exported under. The rules are the desktop's (qa-checks.ts,
// referents.ts, qa-evidence.ts) over reads loaded through the two-database stores.
import type { ApiHandlers } from '../../contract/api';
import { ambiguousOf, expressionsOf, namesOf } from '../review/referents';
import { NotFoundError } from '../errors';
import { loadGeometryReads } from '../services/geometry-reads';
import { toEditableObject } from '../services/review';
import { cardsFrom, reviewCards } from '../services/review-cards';
import { historyOf } from '../services/review-history';
import type { TeamProject } from './team-project';

/** One image's cards, ambiguous objects and object names, from one read of the image. */
export async function imageNaming(project: TeamProject, imageId: number) {
  const [reads, objects, rows] = await Promise.all([
    loadGeometryReads(project.db.db, { images: [imageId] }),
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
export function createTeamEvidenceHandlers(
  p: TeamProject,
  check: (projectId: string) => void,
): {
  queue: ApiHandlers['qa']['queue'];
  image: ApiHandlers['reviews']['image'];
} {
  return {
    queue: async ({ projectId, ...f }) => {
      check(projectId);
      const page = await p.browse.qaQueue(f);
      const imageIds = [...new Set(page.items.map((q) => q.imageId))];
      return {
        total: page.total,
        items: await reviewCards(p.db.db, page.items),
        families: await p.browse.qaFamilies(),
        objects: await p.browse.objectLabels(imageIds),
      };
    },
    image: async ({ projectId, imageId, reviewer }) => {
      check(projectId);
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
