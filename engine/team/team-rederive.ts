// Re-derivation of a team project's image after a reviewer edits its objects, as the desktop's
// RederiveQueue does it, by the same function (engine/pipeline/rederive-image.ts): one image at a
// time, in the background, so an edit returns at once; an edit made while one runs queues another
// run that sees it, and objects a pipeline worker stores meanwhile make it compute again before it
// stores anything.
import type { ProjectDb } from '../../db/store/connect';
import { printable } from '../printable';
import { rederiveImage, type RederiveOptions } from '../pipeline/rederive-image';
import type { BlobStore } from './blob-store';

export type TeamRederiveOptions = RederiveOptions;

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
        await rederiveImage(this.db, this.blobs, imageId, this.o);
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

  /** Resolves when every scheduled re-derivation has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }
}
