// `sqw worker`: claims image jobs of a team project from its PostgreSQL queue, runs the named
// stages and stores their results with the job's completion (db/queue/image-queue.ts). Any number
// of workers on any number of machines; one killed at any moment loses nothing, since its claimed
// jobs return to the queue when their lease expires.
import { hostname } from 'node:os';
import { ImageQueue, type ImageJob, type QueueOptions } from '../../db/queue/image-queue';
import type { StageRecord } from '../../db/repositories/stage-results';
import { openPostgresProject, type ProjectDb } from '../../db/store/connect';
import { CatalogStore } from '../../db/store/catalog-store';
import { SceneStore } from '../../db/store/scene-store';
import { blobKeyOf, type BlobStore } from './blob-store';
import { CPU_STAGES, computeImageStages, type CpuStageName } from './image-stages';
import { workerStages, type WorkerStage } from './worker-stages';

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

/** Every stage name a job may carry: probe stages and the pipeline's CPU stages. */
export function workerStageNames(): string[] {
  return [...Object.keys(workerStages()), ...CPU_STAGES];
}

const IDLE_POLL_MS = 250;
const DEFAULT_SEED = '1';

export async function runWorker(o: WorkerOptions): Promise<WorkerReport> {
  const worker = `${hostname()}:${process.pid}`;
  const probes = workerStages({ simulateMs: o.simulateMs });
  const queue = await ImageQueue.open(o.url, o);
  // One connection per job in hand writes its results: as many as the queue's pool.
  const project = await openPostgresProject(o.url, o.poolSize ?? 4);
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
            const stored = await runJob(job.data, project, o.blobs, probes, worker, (write) =>
              queue.finish(job, project.db, write),
            );
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

/**
 * One image's job: computes its stages, then stores their results in the job's completing
 * transaction. Returns how many stage records it stored: 0 when an earlier attempt of the same run
 * (a worker whose lease ran out but which finished after all) stored them already.
 */
async function runJob(
  job: ImageJob,
  project: ProjectDb,
  blobs: BlobStore,
  probes: Record<string, WorkerStage>,
  worker: string,
  finish: (write: (trx: ProjectDb['db']) => Promise<number>) => Promise<number>,
): Promise<number> {
  const { imageId, runId } = job;
  const cpuStages = new Set<CpuStageName>();
  const probeRecords: StageRecord[] = [];
  for (const name of job.stages) {
    if ((CPU_STAGES as readonly string[]).includes(name)) {
      cpuStages.add(name as CpuStageName);
      continue;
    }
    const stage = probes[name];
    if (!stage) throw new Error(`unknown worker stage: ${name}`);
    const t0 = performance.now();
    const out = await stage({
      imageId,
      blobs,
      worker,
      thumbKey: async () => {
        const image = await new CatalogStore(project.db).image(imageId);
        if (!image) throw new Error(`image ${imageId} not in the project`);
        return blobKeyOf(image.thumbBlob);
      },
    });
    probeRecords.push({
      ...out,
      imageId,
      stage: name,
      tookMs: performance.now() - t0,
      jobId: runId,
    });
  }
  const computed = cpuStages.size
    ? await computeImageStages(
        { db: project.db, blobs, runId, seed: job.seed ?? DEFAULT_SEED },
        imageId,
        cpuStages,
      )
    : null;
  return finish(async (trx) => {
    const scene = new SceneStore(trx);
    // Checked under the image's lock: two attempts of one job write one after the other.
    const lock = await scene.lockImageForRun(imageId, runId, job.stages, project.dialect);
    if (!lock.exists) throw new Error(`image ${imageId} not in the project`);
    if (lock.storedByRun) return 0;
    await scene.recordStages(probeRecords);
    const written = computed ? await computed.write(scene) : [];
    return probeRecords.length + written.length;
  });
}
