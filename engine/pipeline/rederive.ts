// Re-derivation after a reviewer edits an image's objects: only that image's downstream stages
// (segment/lift/graph, then qa) re-run, in the background and one image at a time, so an edit
// returns at once. QA keyed by fact keeps unchanged decisions (db/store/scene-store.ts upsertQa).
import type { ProjectStore } from '../../db/project-store';
import { sqliteHandle } from '../../db/store/connect';
import { SceneStore } from '../../db/store/scene-store';
import type { EventBus } from '../event-bus';
import { printable } from '../printable';
import { runGraphStage } from './graph-stage';
import { runQaStage } from './qa-stage';

/** The seed the image's QA was last generated with, so a re-run phrases unchanged facts the same. */
export async function lastQaSeed(store: ProjectStore, imageId: number): Promise<string> {
  return qaSeedOf(await new SceneStore(sqliteHandle(store.db)).stageRecords(imageId));
}

/** The seed an image's stage records say its QA was generated with ('1' when none says). */
export function qaSeedOf(records: ReadonlyArray<{ stage: string; provenance: unknown }>): string {
  const qa = records.find((r) => r.stage === 'qa');
  const seed = (qa?.provenance as { seed?: unknown } | null)?.seed;
  return typeof seed === 'string' ? seed : '1';
}

export class RederiveQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly events: EventBus) {}

  /** Schedules a re-run of graph + qa for one image; errors are recorded as stage failures. */
  enqueue(store: ProjectStore, imageId: number): void {
    this.pending++;
    this.chain = this.chain
      .then(async () => {
        const graph = await runGraphStage(store, imageId);
        if (graph.status === 'done')
          await runQaStage(store, imageId, { seed: await lastQaSeed(store, imageId) });
        const image = store.images.get(imageId);
        if (image)
          this.events.emit({
            type: 'images-changed',
            projectId: store.id,
            batchId: image.batchId,
            imageId,
          });
      })
      .catch((err: unknown) =>
        // The message may name a file; the log line stays one line.
        console.error(
          `re-derivation of image ${imageId} failed: ${printable(err instanceof Error ? err.message : String(err))}`,
        ),
      )
      .finally(() => this.pending--);
  }

  /** Resolves when every scheduled re-derivation has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }
}
