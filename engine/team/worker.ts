// `sqw worker`: claims image jobs of a team project from its PostgreSQL queue, runs the named
// stages and stores their results with the job's completion (db/queue/image-queue.ts). Any number
// of workers on any number of machines; one killed at any moment loses nothing, since its claimed
// jobs return to the queue when their lease expires.
import { hostname } from 'node:os';
import { ImageQueue, type QueueOptions, type StageOutcome } from '../../db/queue/image-queue';
import { openPostgresProject } from '../../db/store/connect';
import { CatalogStore } from '../../db/store/catalog-store';
import type { BlobStore } from './blob-store';
import { workerStages } from './worker-stages';

export interface WorkerOptions extends QueueOptions {
  url: string;
  blobs: BlobStore;
  /** Jobs claimed per fetch and run at once. */
  batchSize?: number;
  /** Stop once nothing is waiting or running anywhere (benches, tests, one-shot runs). */
  exitWhenIdle?: boolean;
  simulateMs?: number;
  signal?: AbortSignal;
  onJob?: (imageId: number, stored: number) => void;
}

export interface WorkerReport {
  worker: string;
  jobs: number;
  failed: number;
  stored: number;
}

const IDLE_POLL_MS = 250;

export async function runWorker(o: WorkerOptions): Promise<WorkerReport> {
  const worker = `${hostname()}:${process.pid}`;
  const stages = workerStages({ simulateMs: o.simulateMs });
  const queue = await ImageQueue.open(o.url, o);
  const project = await openPostgresProject(o.url, 2);
  const catalog = new CatalogStore(project.db);
  const report: WorkerReport = { worker, jobs: 0, failed: 0, stored: 0 };
  try {
    while (!o.signal?.aborted) {
      const jobs = await queue.claim(o.batchSize ?? 8);
      if (jobs.length === 0) {
        if (o.exitWhenIdle) {
          const c = await queue.counts();
          if (c.waiting === 0 && c.active === 0) break;
        }
        await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
        continue;
      }
      await Promise.all(
        jobs.map(async (job) => {
          try {
            const outcomes: StageOutcome[] = [];
            for (const name of job.data.stages) {
              const stage = stages[name];
              if (!stage) throw new Error(`unknown worker stage: ${name}`);
              const t0 = performance.now();
              const out = await stage({
                imageId: job.data.imageId,
                blobs: o.blobs,
                worker,
                thumbKey: async () => {
                  const image = await catalog.image(job.data.imageId);
                  if (!image) throw new Error(`image ${job.data.imageId} not in the project`);
                  return image.thumbBlob;
                },
              });
              outcomes.push({ ...out, stage: name, tookMs: performance.now() - t0 });
            }
            const stored = await queue.finish(job, outcomes);
            report.jobs++;
            report.stored += stored;
            o.onJob?.(job.data.imageId, stored);
          } catch (err) {
            report.failed++;
            await queue.fail(job, err instanceof Error ? err.message : String(err));
          }
        }),
      );
    }
    return report;
  } finally {
    await queue.close();
    await project.close();
  }
}
