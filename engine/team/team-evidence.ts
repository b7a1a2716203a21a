// What a team project's review cards and image view show from the scene graphs, read-only: each
// card's measured evidence and why approving it is blocked, and the image's ambiguous objects with
// the expression each object is exported under. The rules are the desktop's (qa-checks.ts,
// referents.ts, qa-evidence.ts) over reads loaded through the two-database stores.
import type { ApiHandlers } from '../../contract/api';
import type { ReviewQa } from '../../contract/review';
import type { QaReviewRow } from '../../db/repositories/annotations';
import { GeometryCheck, type GeometryReads } from '../review/qa-checks';
import { ambiguousOf, expressionsOf, namesOf } from '../review/referents';
import { evidenceReaderOver } from '../scene-view/qa-evidence';
import { NotFoundError } from '../errors';
import { toEditableObject, toReviewQa } from '../services/review';
import { loadGeometryReads } from './team-geometry';
import type { TeamProject } from './team-project';
import type { TeamReviewContext } from './team-review-context';

/** Cards for `rows` with their evidence and approval block, from reads of their images. */
export function cardsFrom(reads: GeometryReads, rows: readonly QaReviewRow[]): ReviewQa[] {
  const evidence = evidenceReaderOver((imageId) => reads.graph(imageId));
  const checks = new GeometryCheck(reads);
  return rows.map((q) => toReviewQa(q, evidence, checks.blockedFact(q, reads.factSiblings(q.id))));
}

/** Cards for `rows`, reading their images and their facts' phrasings now. */
export async function reviewCards(
  project: TeamProject,
  rows: readonly QaReviewRow[],
): Promise<ReviewQa[]> {
  if (rows.length === 0) return [];
  const reads = await loadGeometryReads(project.db.db, {
    images: rows.map((q) => q.imageId),
    factsOf: rows.map((q) => q.id),
  });
  return cardsFrom(reads, rows);
}

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
export function createTeamEvidenceHandlers(c: TeamReviewContext): {
  queue: ApiHandlers['qa']['queue'];
  image: ApiHandlers['reviews']['image'];
} {
  const p = c.project;
  return {
    queue: async ({ projectId, ...f }) => {
      c.check(projectId);
      const page = await p.browse.qaQueue(f);
      const imageIds = [...new Set(page.items.map((q) => q.imageId))];
      return {
        total: page.total,
        items: await reviewCards(p, page.items),
        families: await p.browse.qaFamilies(),
        objects: await p.browse.objectLabels(imageIds),
      };
    },
    image: async ({ projectId, imageId, reviewer }) => {
      c.check(projectId);
      if (!(await p.catalog.image(imageId))) throw new NotFoundError(`image not found: ${imageId}`);
      const view = await imageNaming(p, imageId);
      return {
        imageId,
        objects: view.objects.map(toEditableObject),
        qa: view.qa,
        ambiguous: view.ambiguous,
        names: view.names,
        geometryPending: view.geometryPending,
        history: await c.history(reviewer),
      };
    },
  };
}
