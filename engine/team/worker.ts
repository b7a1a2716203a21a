// `sqw worker`: claims image jobs of a team project from its PostgreSQL queue, runs the named
// stages and stores their results with the job's completion (db/queue/image-queue.ts). Any number
// of workers on any number of machines; one killed at any moment loses nothing, since its claimed
// jobs return to the queue when their lease expires. Model stages run on this machine's models
// (`--device`, `--models-dir`), loaded on the first job that asks for them.
import { hostname } from 'node:os';
import { ImageQueue, type ImageJob, type QueueOptions } from '../../db/queue/image-queue';
import type { StageRecord } from '../../db/store/rows';
import { openPostgresProject, type ProjectDb } from '../../db/store/connect';
import { CatalogStore } from '../../db/store/catalog-store';
import { lockObjectEdits } from '../../db/store/object-edit-store';
import { SceneStore } from '../../db/store/scene-store';
import type { Device } from '../../native-models/providers';
import { InferenceLane } from '../pipeline/inference-lane';
import { setUpModels, type ModelSetup } from '../pipeline/model-setup';
import type { ModelStageName } from '../pipeline/model-stage';
import { blobKeyOf, type BlobStore } from './blob-store';
import {
  computeImageStages,
  PIPELINE_STAGES,
  type ComputedImage,
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
  /**
   * Called once per fetched batch, after its stages are computed and before they are stored, with
   * its image ids: tests make a reviewer's edit (or a lease's end) land in between.
   */
  beforeStore?: (imageIds: number[]) => Promise<void>;
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
/**
 * How many times a batch is computed again for images edited meanwhile before the job fails (and
 * is retried by the queue later): each time needs an edit of the image to land while it computes.
 */
const STALE_RECOMPUTES = 5;

/** Results of images whose objects changed while they were computed: none of the batch stored. */
class StaleResultsError extends Error {
  constructor(
    /** Their indices in the batch. */
    readonly stale: number[],
    imageIds: number[],
  ) {
    super(
      `the objects of image ${imageIds.join(', ')} changed while its stages ran (a reviewer's edit, another run's results); nothing stored, the queue runs it again`,
    );
  }
}

export async function runWorker(o: WorkerOptions): Promise<WorkerReport> {
  const worker = `${hostname()}:${process.pid}`;
  const probes = workerStages({ simulateMs: o.simulateMs });
  const queue = await ImageQueue.open(o.url, o);
  // One connection per job in hand writes its results: as many as the queue's pool.
  const project = await openPostgresProject(o.url, o.poolSize ?? 4);
  const report: WorkerReport = { worker, jobs: 0, failed: 0, stored: 0 };
  const setups = new WorkerModelSetups(o);
  const pipeline: Omit<ImageStagesEnv, 'runId' | 'seed' | 'labels' | 'firstObjectId'> = {
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
      // Stages run for every job at once; then the batch's results and completions are stored in
      // one transaction, or job by job when that fails, so one bad job fails alone.
      const compute = async (job: (typeof jobs)[number]) => {
        try {
          return { job, results: await runJob(job.data, project, pipeline, probes, worker) };
        } catch (err) {
          report.failed++;
          await queue.fail(job, err instanceof Error ? err.message : String(err));
          return null;
        }
      };
      let ready = (await Promise.all(jobs.map(compute))).filter((r) => r !== null);
      await o.beforeStore?.(ready.map((r) => r.job.data.imageId));
      const settle = async (batch: typeof ready) => {
        const stored = await queue.finish(
          batch.map((r) => r.job),
          project.db,
          (trx) => storeJobs(batch, trx, project.dialect),
        );
        batch.forEach((r, i) => {
          report.jobs++;
          report.stored += stored[i]!;
          o.onJob?.(r.job.data.imageId, stored[i]!);
        });
      };
      for (let attempt = 1; ready.length; attempt++) {
        try {
          await settle(ready);
          break;
        } catch (err) {
          // A reviewer edited an image while its stages ran: nothing was stored; those images are
          // computed again from their objects as they are now, and the batch stored again.
          if (err instanceof StaleResultsError && attempt < STALE_RECOMPUTES) {
            const again = await Promise.all(
              ready.map((r, i) => (err.stale.includes(i) ? compute(r.job) : r)),
            );
            ready = again.filter((r) => r !== null);
            continue;
          }
          for (const r of ready)
            await settle([r]).catch(async (e: unknown) => {
              report.failed++;
              await queue.fail(r.job, e instanceof Error ? e.message : String(e));
            });
          break;
        }
      }
    }
    return report;
  } finally {
    await setups.close();
    await queue.close();
    await project.close();
  }
}

/** One image's computed results, not stored yet. */
interface JobResults {
  probeRecords: StageRecord[];
  computed: ComputedImage | null;
}

/** One image's job: computes its stages (outside any transaction; storeJobs writes them). */
async function runJob(
  job: ImageJob,
  project: ProjectDb,
  pipeline: Omit<ImageStagesEnv, 'runId' | 'seed' | 'labels' | 'firstObjectId'>,
  probes: Record<string, WorkerStage>,
  worker: string,
): Promise<JobResults> {
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
        {
          ...pipeline,
          runId,
          seed: job.seed ?? DEFAULT_SEED,
          labels: job.labels ?? [],
          firstObjectId: job.firstObjectId ?? null,
        },
        imageId,
        pipelineStages,
      )
    : null;
  return { probeRecords, computed };
}

/**
 * Stores a batch's results in the transaction that completes its jobs. Returns per job how many
 * stage records it stored: 0 when an earlier attempt of the same run (a worker whose lease ran out
 * but which finished after all) stored them already, checked under the images' locks so two
 * attempts of one job write one after the other. Throws StaleResultsError, storing nothing, when
 * an image's objects changed after its stages read them.
 */
async function storeJobs(
  batch: ReadonlyArray<{ job: { data: ImageJob }; results: JobResults }>,
  trx: ProjectDb['db'],
  dialect: ProjectDb['dialect'],
): Promise<number[]> {
  const scene = new SceneStore(trx);
  // No reviewer's edit commits between the check below and this transaction's commit.
  if (batch.some((r) => r.results.computed)) await lockObjectEdits(trx, dialect, 'shared');
  // A batch may hold jobs of several runs: one locking statement per run and stage list.
  const groups = new Map<string, number[]>();
  batch.forEach(({ job }, i) => {
    const key = JSON.stringify([job.data.runId, job.data.stages]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const writes: boolean[] = [];
  for (const indices of groups.values()) {
    const { runId, stages } = batch[indices[0]!]!.job.data;
    const ids = indices.map((i) => batch[i]!.job.data.imageId);
    const held = await scene.lockImagesForRun(ids, runId, stages, dialect);
    for (const i of indices) {
      const { imageId } = batch[i]!.job.data;
      const stored = held.get(imageId);
      if (stored === undefined) throw new Error(`image ${imageId} not in the project`);
      writes[i] = !stored;
    }
  }
  // The same image twice in one run's batch: stored once.
  const seen = new Set<string>();
  batch.forEach(({ job }, i) => {
    const key = JSON.stringify([job.data.imageId, job.data.runId]);
    if (seen.has(key)) writes[i] = false;
    seen.add(key);
  });
  // Results computed from objects an edit has changed since are not stored (their graph and QA
  // would describe objects that are gone): checked for the whole batch before anything is written.
  const stale: number[] = [];
  for (const [i, { results }] of batch.entries())
    if (writes[i] && results.computed && !(await results.computed.isCurrent(scene))) stale.push(i);
  if (stale.length)
    throw new StaleResultsError(
      stale,
      stale.map((i) => batch[i]!.job.data.imageId),
    );
  await scene.recordStages(batch.flatMap((r, i) => (writes[i] ? r.results.probeRecords : [])));
  const stored: number[] = [];
  for (const [i, { results }] of batch.entries()) {
    if (!writes[i]) {
      stored.push(0);
      continue;
    }
    const written = results.computed ? await results.computed.write(scene, trx) : [];
    stored.push(results.probeRecords.length + written.length);
  }
  return stored;
}
