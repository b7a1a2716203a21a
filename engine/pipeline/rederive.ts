// Re-derivation after a reviewer edits an image's objects: only that image's downstream stages
// (segment/lift/graph, then qa) re-run, in the background and one image at a time, so an edit
// returns at once. The computation and its writes are a team project's (rederive-image.ts), over
// project.sqlite and the project's blobs/ folder; QA keyed by fact keeps unchanged decisions.
import type { ProjectStore } from '../../db/project-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import type { EventBus } from '../event-bus';
import { printable } from '../printable';
import { FolderBlobStore } from '../team/blob-store';
import { rederiveImage } from './rederive-image';

export class RederiveQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly events: EventBus) {}

  /** Schedules a re-run of graph + qa for one image; errors are recorded as stage failures. */
  enqueue(store: ProjectStore, imageId: number): void {
    this.pending++;
    this.chain = this.chain
      .then(async () => {
        await rederiveImage(
          { db: sqliteHandle(store.db), dialect: 'sqlite' },
          new FolderBlobStore(store.blobsDir),
          imageId,
        );
        const image = await new CatalogStore(sqliteHandle(store.db)).image(imageId);
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
