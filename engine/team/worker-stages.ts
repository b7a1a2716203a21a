// Probe stages of a team worker: `noop` measures what the queue itself costs per image, `checksum`
// proves a worker sees the shared blob folder. The pipeline's own stages a worker runs are in
// image-stages.ts (segment, lift, graph, qa); the model stages do not run in workers yet.
import { createHash } from 'node:crypto';
import type { BlobStore } from './blob-store';

export interface StageOutcome {
  status: 'done' | 'skipped' | 'failed';
  reason: string | null;
  provenance: Record<string, unknown> | null;
}

export interface StageContext {
  imageId: number;
  blobs: BlobStore;
  /** The image's stored thumbnail key, read from the project. */
  thumbKey(): Promise<string>;
  worker: string;
}

export type WorkerStage = (ctx: StageContext) => Promise<StageOutcome>;

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
