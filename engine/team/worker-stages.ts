// The stages a team worker can run on a claimed image. Only stages that need no model yet: the
// model stages (detect, segment, depth, …) and lift/graph/qa still run in `sqw run` on a desktop
// project; wiring them here is the next step of the distributed pipeline.
import { createHash } from 'node:crypto';
import type { StageOutcome } from '../../db/queue/image-queue';
import type { BlobStore } from './blob-store';

export interface StageContext {
  imageId: number;
  blobs: BlobStore;
  /** The image's stored thumbnail key, read from the project. */
  thumbKey(): Promise<string>;
  worker: string;
}

export type WorkerStage = (ctx: StageContext) => Promise<Omit<StageOutcome, 'stage' | 'tookMs'>>;

export function workerStages(o: { simulateMs?: number } = {}): Record<string, WorkerStage> {
  return {
    // Does nothing but take `simulateMs`: measures what the queue itself costs per image.
    noop: async (ctx) => {
      if (o.simulateMs) await new Promise((r) => setTimeout(r, o.simulateMs));
      return { status: 'done', reason: null, provenance: { worker: ctx.worker } };
    },
    // Reads the image's thumbnail through the blob store: proves the worker sees the shared files.
    checksum: async (ctx) => {
      const data = await ctx.blobs.read(await ctx.thumbKey());
      return {
        status: 'done',
        reason: null,
        provenance: {
          worker: ctx.worker,
          thumbSha256: createHash('sha256').update(data).digest('hex'),
          bytes: data.length,
        },
      };
    },
  };
}
