// Re-derivation of one image after a reviewer edits its objects, on either database: its graph
// (with masks derived from depth) and QA are computed again from the objects as they are now, by
// the pipeline's own computation (engine/team/image-stages.ts: cpu-task.ts, cpu-stages.ts), and
// stored through the SceneStore, which keeps QA by stable key and never loses a decision (a relabel
// re-renders the kept QA's text; QA whose facts changed go back to review; QA whose facts vanished
// are held as orphaned). The desktop's RederiveQueue and a team's TeamRederive both run it.
import { lockObjectEdits } from '../../db/store/object-edit-store';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectDb } from '../../db/store/connect';
import type { BlobStore } from '../team/blob-store';
import { computeImageStages } from '../team/image-stages';
import { InferenceLane } from './inference-lane';

/** What is re-run after an edit: the graph (with masks derived from depth), then QA. */
const STAGES = new Set(['graph', 'qa'] as const);

/**
 * How many times an image is computed again when a pipeline run stored its objects (detected
 * objects, masks) while the re-derivation computed; each time needs such a store to land then.
 */
const RECOMPUTES = 5;

/** The seed an image's stage records say its QA was generated with ('1' when none says). */
export function qaSeedOf(records: ReadonlyArray<{ stage: string; provenance: unknown }>): string {
  const qa = records.find((r) => r.stage === 'qa');
  const seed = (qa?.provenance as { seed?: unknown } | null)?.seed;
  return typeof seed === 'string' ? seed : '1';
}

export interface RederiveOptions {
  /** Called after the graph and QA are computed and before they are stored (tests). */
  beforeWrite?: (imageId: number) => Promise<void>;
}

/** Computes and stores the image's graph and QA; throws when its objects kept changing meanwhile. */
export async function rederiveImage(
  db: Pick<ProjectDb, 'db' | 'dialect'>,
  blobs: BlobStore,
  imageId: number,
  o: RederiveOptions = {},
): Promise<void> {
  for (let attempt = 1; !(await deriveOnce(db, blobs, imageId, o)); attempt++)
    if (attempt >= RECOMPUTES)
      throw new Error(
        `its objects changed while its graph and QA were computed, ${RECOMPUTES} times`,
      );
}

/**
 * Computes the image's graph and QA from its objects and stores them, unless the objects changed
 * meanwhile (a pipeline run stored detected objects or masks): false then, nothing stored.
 */
async function deriveOnce(
  db: Pick<ProjectDb, 'db' | 'dialect'>,
  blobs: BlobStore,
  imageId: number,
  o: RederiveOptions,
): Promise<boolean> {
  // The seed the image's QA was last generated with, so unchanged facts are phrased the same.
  const seed = qaSeedOf(await new SceneStore(db.db).stageRecords(imageId));
  const computed = await computeImageStages(
    {
      db: db.db,
      dialect: db.dialect,
      blobs,
      runId: null,
      seed,
      labels: [],
      // Graph and QA only: an edit never re-runs a model.
      models: () => Promise.reject(new Error('a re-derivation runs no model stage')),
      lane: new InferenceLane(1),
    },
    imageId,
    STAGES,
  );
  await o.beforeWrite?.(imageId);
  return db.db.transaction().execute(async (trx) => {
    // After the edits' writes, never interleaved with them (derived masks touch their rows), and
    // no worker stores objects until this commits.
    await lockObjectEdits(trx, db.dialect);
    const scene = new SceneStore(trx);
    // Holds the image's row so a worker storing this image's results waits, and vice versa.
    const held = await scene.lockImagesForRun([imageId], '', [], db.dialect);
    if (!held.has(imageId)) return true;
    if (!(await computed.isCurrent(scene))) return false;
    await computed.write(scene, trx);
    return true;
  });
}
