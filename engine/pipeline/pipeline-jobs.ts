// Pipeline runs as persisted, resumable jobs: start (queue the images, then run), resume (run what
// is still pending), retry failed (failed images back to pending, then resume). The service and
// `sqw run` both go through here, so a run started in one can be resumed from the other.
import type { ProjectStore } from '../../db/project-store';
import type { Job } from '../../contract/entities';
import { JobItemStore } from '../../db/store/job-item-store';
import { JobStore } from '../../db/store/job-store';
import type { Device } from '../../native-models/providers';
import { NotFoundError, UserInputError } from '../errors';
import { jobStore, type JobBody, type JobRunner } from '../jobs/job-runner';
import type { ModelStageResolver } from './model-stage';
import { queueImages, runPipeline, type RunSummary } from './run';
import { ALL_STAGES, type StageName } from './stages';

/** What a pipeline job stores as its params (jobs.params_json), enough to resume it anywhere. */
export interface PipelineJobParams {
  stages: StageName[];
  onlyPending: boolean;
  seed: string;
  device: Device;
  /** What the detector looks for; empty = the model's default vocabulary. */
  labels?: string[];
}

/** Per-process choices that are not part of the job (they may differ on resume). */
export interface PipelineRunEnv {
  modelsDir?: string | null;
  resolver?: ModelStageResolver;
  workers?: number;
  /** Overrides the stored device (e.g. `sqw run --resume --device cpu`). */
  device?: Device;
  /** Run installed models in the owning thread instead of the inference worker (benchmarks). */
  inferenceInThread?: boolean;
  /** Most images per model call for models that take batches (`sqw run --batch`). */
  maxBatch?: number;
  /** Inference threads, each with its own copy of the models (`sqw run --inference-threads`). */
  inferenceThreads?: number;
}

export const PIPELINE_JOB = 'pipeline';

function body(store: ProjectStore, params: PipelineJobParams, env: PipelineRunEnv): JobBody {
  return async ({ jobId, signal, progress }) => {
    const summary = await runPipeline(store, {
      ...params,
      device: env.device ?? params.device,
      jobId,
      modelsDir: env.modelsDir,
      resolver: env.resolver,
      workers: env.workers,
      inferenceInThread: env.inferenceInThread,
      maxBatch: env.maxBatch,
      inferenceThreads: env.inferenceThreads,
      signal,
      onProgress: (p) => progress(p),
    });
    return { result: summary, ...totals(summary), message: summaryMessage(summary) };
  };
}

function totals(s: RunSummary): { failed: number; skipped: number } {
  let failed = 0;
  for (const st of Object.values(s.stages)) failed += st.failedTotal ?? st.failed.length;
  return { failed, skipped: 0 };
}

export function summaryMessage(s: RunSummary): string {
  return [
    ...s.notices,
    ...Object.entries(s.stages).map(
      ([stage, st]) =>
        `${stage}: ${st.done} done, ${Object.values(st.skipped).reduce((a, b) => a + b, 0)} skipped, ${st.failedTotal ?? st.failed.length} failed`,
    ),
  ].join('; ');
}

/** A desktop project's jobs through the two-database layer (for `sqw run` and the tests). */
export { jobStore };

export function startPipelineJob(
  runner: JobRunner,
  store: ProjectStore,
  params: PipelineJobParams,
  env: PipelineRunEnv = {},
): Promise<Job> {
  // One pipeline run per project: two would both queue every image and under-count each other.
  return runner.start(store, PIPELINE_JOB, params, body(store, params, env), {
    resumable: true,
    exclusive: true,
    prepare: async (jobId, db) => {
      const n = await queueImages(db, jobId, params.stages, params.onlyPending);
      await new JobStore(db, 'sqlite').setTotal(jobId, n);
    },
  });
}

async function storedParams(store: ProjectStore, jobId: string): Promise<PipelineJobParams> {
  const jobs = jobStore(store);
  const job = await jobs.get(jobId);
  if (!job) throw new NotFoundError(`job not found: ${jobId}`);
  if (job.kind !== PIPELINE_JOB)
    throw new UserInputError(`job ${jobId} is a ${job.kind} job, not a pipeline run`);
  const p = (await jobs.params(jobId)) as Partial<PipelineJobParams>;
  const stages = (p.stages ?? []).filter((s): s is StageName =>
    (ALL_STAGES as readonly string[]).includes(s),
  );
  return {
    stages: stages.length ? stages : [...ALL_STAGES],
    onlyPending: p.onlyPending ?? false,
    seed: p.seed ?? '1',
    device: p.device ?? 'auto',
    labels: Array.isArray(p.labels) ? p.labels.filter((l) => typeof l === 'string') : [],
  };
}

export async function resumePipelineJob(
  runner: JobRunner,
  store: ProjectStore,
  jobId: string,
  env: PipelineRunEnv = {},
): Promise<Job> {
  const params = await storedParams(store, jobId);
  return runner.resume(store, jobId, body(store, params, env), { exclusive: true });
}

export async function retryFailedPipelineJob(
  runner: JobRunner,
  store: ProjectStore,
  jobId: string,
  env: PipelineRunEnv = {},
): Promise<Job> {
  const params = await storedParams(store, jobId);
  if (runner.isRunning(jobId)) throw new UserInputError(`job ${jobId} is running; pause it first`);
  // Requeued in the claim's transaction: never under a run that another process still owns.
  return runner.resume(store, jobId, body(store, params, env), {
    allowFinished: true,
    exclusive: true,
    prepare: async (db) => {
      const n = await new JobItemStore(db, 'sqlite').requeueFailed(jobId);
      if (n === 0) throw new UserInputError(`job ${jobId} has no failed images to retry`);
    },
  });
}

/** The newest pipeline job that can resume (paused or interrupted), if any. */
export function resumableJob(store: ProjectStore): Promise<Job | undefined> {
  return jobStore(store).latest(PIPELINE_JOB, ['interrupted', 'paused']);
}

/** The newest pipeline job running under a live lease (in this process or another), if any. */
export function livePipelineJob(store: ProjectStore): Promise<Job | undefined> {
  return jobStore(store).liveJob(PIPELINE_JOB, Date.now());
}

/**
 * Waits while `jobId` runs under a lease that has not expired: true once the lease has expired
 * unrenewed (its process is gone: the job can be resumed), false as soon as it is renewed (the
 * run is alive in another process). True at once when no lease is held.
 */
export async function waitForLease(
  store: ProjectStore,
  jobId: string,
  pollMs = 100,
): Promise<boolean> {
  const jobs = jobStore(store);
  const first = await jobs.lease(jobId);
  if (!first) return true;
  for (;;) {
    const now = await jobs.lease(jobId);
    if (!now) return true; // released: it finished or paused meanwhile
    if (now.owner !== first.owner || now.expiresAt !== first.expiresAt) return false;
    if (Date.now() > now.expiresAt) return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
