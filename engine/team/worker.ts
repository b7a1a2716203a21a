// `sqw worker`: claims image jobs of a team project from its PostgreSQL queue, runs the named
// stages and stores their results with the job's completion (db/queue/image-queue.ts). Any number
// of workers on any number of machines; one killed at any moment loses nothing, since its claimed
// jobs return to the queue when their lease expires. Model stages run on this machine's models
// (`--device`, `--models-dir`), loaded on the first job that asks for them.
import { hostname } from 'node:os';
import { ImageQueue, type ImageJob, type QueueOptions } from '../../db/queue/image-queue';
import type { StageRecord } from '../../db/repositories/stage-results';
import { openPostgresProject, type ProjectDb } from '../../db/store/connect';
import { CatalogStore } from '../../db/store/catalog-store';
import { SceneStore } from '../../db/store/scene-store';
import type { Device } from '../../native-models/providers';
import { InferenceLane } from '../pipeline/inference-lane';
import { setUpModels, type ModelSetup } from '../pipeline/model-setup';
import type { ModelStageName } from '../pipeline/model-stage';
import { blobKeyOf, type BlobStore } from './blob-store';
import {
  computeImageStages,
  PIPELINE_STAGES,
  type ImageStagesEnv,
  type PipelineStageName,
} from './image-stages';
import type { WorkerModels } from './model-stages';
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
  /** Where this worker's models run (default auto: the best provider that loads). */
  device?: Device;
  /** Installed models (default $SQW_MODELS_DIR or ~/.sqw/models). */
  modelsDir?: string | null;
  /** Said once per model setup: a stage without a usable model, a fallback. */
  onNotice?: (message: string) => void;
}

export interface WorkerReport {
  worker: string;
  jobs: number;
  failed: number;
  stored: number;
}

/** Every stage name a job may carry: probe stages and the pipeline's stages. */
export function workerStageNames(): string[] {
  return [...Object.keys(workerStages()), ...PIPELINE_STAGES];
}

/**
 * The worker's models, loaded for the model stages a job asks for the first time that set is
 * asked for (a run's jobs all ask for the same), and kept until the worker stops.
 */
class WorkerModelSetups {
  private readonly setups = new Map<string, Promise<ModelSetup>>();

  constructor(private readonly o: WorkerOptions) {}

  get(stages: ReadonlySet<ModelStageName>, labels: readonly string[]): Promise<WorkerModels> {
    const key = JSON.stringify([[...stages].sort(), labels]);
    let setup = this.setups.get(key);
    if (!setup) {
      setup = setUpModels(stages, {
        modelsDir: this.o.modelsDir,
        device: this.o.device ?? 'auto',
        labels,
      });
      this.setups.set(key, setup);
      void setup.then(
        (s) => s.notices.forEach((n) => this.o.onNotice?.(n)),
        () => this.setups.delete(key),
      );
    }
    return setup;
  }

  async close(): Promise<void> {
    for (const s of this.setups.values()) await (await s.catch(() => null))?.close();
  }
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
  const setups = new WorkerModelSetups(o);
  const pipeline: Omit<ImageStagesEnv, 'runId' | 'seed' | 'labels'> = {
    db: project.db,
    dialect: project.dialect,
    blobs: o.blobs,
    models: (stages, labels) => setups.get(stages, labels),
    // One model call at a time; images of the jobs in hand that wait for the same stage share it.
    lane: new InferenceLane(1),
  };
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
            const stored = await runJob(job.data, project, pipeline, probes, worker, (write) =>
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
    await setups.close();
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
  pipeline: Omit<ImageStagesEnv, 'runId' | 'seed' | 'labels'>,
  probes: Record<string, WorkerStage>,
  worker: string,
  finish: (write: (trx: ProjectDb['db']) => Promise<number>) => Promise<number>,
): Promise<number> {
  const { imageId, runId } = job;
  const { blobs } = pipeline;
  const pipelineStages = new Set<PipelineStageName>();
  const probeRecords: StageRecord[] = [];
  for (const name of job.stages) {
    if ((PIPELINE_STAGES as readonly string[]).includes(name)) {
      pipelineStages.add(name as PipelineStageName);
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
  const computed = pipelineStages.size
    ? await computeImageStages(
        { ...pipeline, runId, seed: job.seed ?? DEFAULT_SEED, labels: job.labels ?? [] },
        imageId,
        pipelineStages,
      )
    : null;
  return finish(async (trx) => {
    const scene = new SceneStore(trx);
    // Checked under the image's lock: two attempts of one job write one after the other.
    const lock = await scene.lockImageForRun(imageId, runId, job.stages, project.dialect);
    if (!lock.exists) throw new Error(`image ${imageId} not in the project`);
    if (lock.storedByRun) return 0;
    await scene.recordStages(probeRecords);
    const written = computed ? await computed.write(scene, trx) : [];
    return probeRecords.length + written.length;
  });
}
