// What the geometry checks, answer-card evidence and object names read of a project (desktop or
// team), loaded through the two-database stores so the synchronous rules (engine/review/qa-checks.ts,
// referents.ts, scene-view/qa-evidence.ts) run on it unchanged: per image its scene graph, the
// seed its QA were generated with, its ambiguities and whether objects changed after the graph,
// and the phrasings of its QA (all, or those of some facts). Given a transaction, everything is
// read inside it.
import type { Kysely } from 'kysely';
import type { QaReviewRow } from '../../db/store/rows';
import { BrowseStore } from '../../db/store/browse-store';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectTables } from '../../db/store/schema';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { qaSeedOf } from '../pipeline/rederive-image';
import type { AmbiguityRow, GeometryReads } from '../review/qa-checks';

interface ImageGeometry {
  graph: SceneGraph | undefined;
  seed: string;
  ambiguities: AmbiguityRow[];
  editedSinceGraph: boolean;
}

/** What to read: images, and of their QA every one or only the phrasings of some facts. */
export interface GeometryScope {
  images?: Iterable<number>;
  /**
   * Only the phrasings of these QA's facts (one decision, one card: far fewer rows than whole
   * images), their images read too; without it, every QA of `images`.
   */
  factsOf?: readonly number[];
}

/**
 * The reads of a scope, loaded now. Asking about an image not read, or with `factsOf` about
 * another fact, is a mistake of the caller and throws, rather than answering "no graph",
 * "nothing ambiguous" or "no siblings" by omission.
 */
export async function loadGeometryReads(
  db: Kysely<ProjectTables>,
  scope: GeometryScope,
): Promise<GeometryReads> {
  const scene = new SceneStore(db);
  const browse = new BrowseStore(db);
  const ofFacts = scope.factsOf ? await browse.qaOfFacts(scope.factsOf) : null;
  const ids = [
    ...new Set([...(scope.images ?? []), ...(ofFacts ?? []).map((q) => q.imageId)]),
  ].sort((a, b) => a - b);
  const images = new Map<number, ImageGeometry>();
  for (const id of ids) {
    const [stored, runs, ambiguities, edited] = await Promise.all([
      scene.graph(id),
      scene.stageRecords(id),
      scene.ambiguities(id),
      browse.editedSinceGraph(id),
    ]);
    images.set(id, {
      graph: stored?.graph as SceneGraph | undefined,
      seed: qaSeedOf(runs),
      ambiguities,
      editedSinceGraph: edited,
    });
  }
  const qa = new Map<number, QaReviewRow>();
  // Live phrasings per fact, in id order (as BrowseStore.factSiblings lists them).
  const facts = new Map<string, number[]>();
  const rows = ofFacts ?? (await browse.qaOfImages(ids));
  for (const row of rows) {
    qa.set(row.id, row);
    if (row.factId === null || row.status === 'orphaned') continue;
    const key = `${row.imageId}:${row.factId}`;
    facts.set(key, [...(facts.get(key) ?? []), row.id]);
  }
  const image = (imageId: number) => {
    const found = images.get(imageId);
    if (!found) throw new Error(`image ${imageId} was not read for the geometry checks`);
    return found;
  };
  const qaRow = (qaId: number) => {
    const row = qa.get(qaId);
    if (!row && scope.factsOf)
      throw new Error(`QA #${qaId} is outside the facts read for the geometry checks`);
    return row;
  };
  return {
    graph: (imageId) => image(imageId).graph,
    qaSeed: (imageId) => image(imageId).seed,
    ambiguities: (imageId) => image(imageId).ambiguities,
    editedSinceGraph: (imageId) => image(imageId).editedSinceGraph,
    // Reading whole images, a QA gone since (or never there) reads as on the desktop: no row, no
    // siblings; the image-level reads above refuse images that were not read.
    qaReview: (qaId) => qaRow(qaId),
    factSiblings: (qaId) => {
      const row = qaRow(qaId);
      if (!row || row.factId === null) return [];
      return (facts.get(`${row.imageId}:${row.factId}`) ?? []).filter((id) => id !== qaId);
    },
  };
}
