// Re-derivation of a team project's image after a reviewer edits its objects, as the desktop's
// RederiveQueue does it (engine/pipeline/rederive.ts): the image's graph and QA are computed again
// by the workers' own computation (image-stages.ts: cpu-task.ts, cpu-stages.ts) from the objects as
// they are now, and written through the SceneStore, which keeps QA by stable key and never loses a
// decision (a relabel re-renders the kept QA's text; QA whose facts changed go back to review; QA
// whose facts vanished are held as orphaned). One image at a time, in the background, so an edit
// returns at once; an edit made while one runs queues another run that sees it, and objects a
// pipeline worker stores meanwhile make it compute again before it stores anything.
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectDb } from '../../db/store/connect';
import { lockObjectEdits } from '../../db/store/object-edit-store';
import { printable } from '../printable';
import { InferenceLane } from '../pipeline/inference-lane';
import { qaSeedOf } from '../pipeline/rederive';
import type { BlobStore } from './blob-store';
import { computeImageStages } from './image-stages';

/** What the desktop re-runs after an edit: the graph (with masks derived from depth), then QA. */
const STAGES = new Set(['graph', 'qa'] as const);

/**
 * How many times an image is computed again when a pipeline worker stored its objects (detected
 * objects, masks) while the re-derivation computed; each time needs such a store to land then.
 */
const RECOMPUTES = 5;

export interface TeamRederiveOptions {
  /** Called after the graph and QA are computed and before they are stored (tests). */
  beforeWrite?: (imageId: number) => Promise<void>;
}

export class TeamRederive {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly db: ProjectDb,
    private readonly blobs: BlobStore,
    private readonly o: TeamRederiveOptions = {},
  ) {}

  /** Schedules graph + QA of one image; `done` runs once they are stored (failures are logged). */
  enqueue(imageId: number, done: () => void | Promise<void> = () => {}): void {
    this.pending++;
    this.chain = this.chain
      .then(async () => {
        for (let attempt = 1; !(await this.derive(imageId)); attempt++)
          if (attempt >= RECOMPUTES)
            throw new Error(
              `its objects changed while its graph and QA were computed, ${RECOMPUTES} times`,
            );
        await done();
      })
      .catch((err: unknown) =>
        // The message may name a file; the log line stays one line.
        console.error(
          `re-derivation of image ${imageId} failed: ${printable(err instanceof Error ? err.message : String(err))}`,
        ),
      )
      .finally(() => this.pending--);
  }

  /**
   * Computes the image's graph and QA from its objects and stores them, unless the objects changed
   * meanwhile (a worker stored detected objects or masks): false then, nothing stored.
   */
  private async derive(imageId: number): Promise<boolean> {
    const seed = qaSeedOf(await new SceneStore(this.db.db).stageRecords(imageId));
    const computed = await computeImageStages(
      {
        db: this.db.db,
        dialect: this.db.dialect,
        blobs: this.blobs,
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
    await this.o.beforeWrite?.(imageId);
    return this.db.db.transaction().execute(async (trx) => {
      // After the edits' writes, never interleaved with them (derived masks touch their rows), and
      // no worker stores objects until this commits.
      await lockObjectEdits(trx, this.db.dialect);
      const scene = new SceneStore(trx);
      // Holds the image's row so a worker storing this image's results waits, and vice versa.
      const held = await scene.lockImagesForRun([imageId], '', [], this.db.dialect);
      if (!held.has(imageId)) return true;
      if (!(await computed.isCurrent(scene))) return false;
      await computed.write(scene, trx);
      return true;
    });
  }

  /** Resolves when every scheduled re-derivation has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }
}
