// Review cards (answer, measured evidence, why approving is blocked) for QA rows of a desktop or a
// team project, from the scene graphs read through the two-database stores.
import type { Kysely } from 'kysely';
import type { ReviewQa } from '../../contract/review';
import type { QaReviewRow } from '../../db/store/rows';
import type { ProjectTables } from '../../db/store/schema';
import { GeometryCheck, type GeometryReads } from '../review/qa-checks';
import { evidenceReaderOver } from '../scene-view/qa-evidence';
import { loadGeometryReads } from './geometry-reads';
import { toReviewQa } from './review';

/** Cards for `rows` with their evidence and approval block, from reads of their images. */
export function cardsFrom(reads: GeometryReads, rows: readonly QaReviewRow[]): ReviewQa[] {
  const evidence = evidenceReaderOver((imageId) => reads.graph(imageId));
  const checks = new GeometryCheck(reads);
  return rows.map((q) => toReviewQa(q, evidence, checks.blockedFact(q, reads.factSiblings(q.id))));
}

/** Cards for `rows`, reading their images and their facts' phrasings now. */
export async function reviewCards(
  db: Kysely<ProjectTables>,
  rows: readonly QaReviewRow[],
): Promise<ReviewQa[]> {
  if (rows.length === 0) return [];
  const reads = await loadGeometryReads(db, {
    images: rows.map((q) => q.imageId),
    factsOf: rows.map((q) => q.id),
  });
  return cardsFrom(reads, rows);
}
