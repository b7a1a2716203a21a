// A pipeline run over a job's image queue (job_items): pages of pending images stream through a
// bounded window of images in flight; model stages go through one inference lane, CPU stages through
// the worker pool, and each image's results commit in the owning thread. Stopping (pause, cancel,
// kill) loses at most the images in flight, which stay pending and run again on resume.
import type { JobProgress, JobStageCounts } from '../../contract/entities';
import type { PipelineSummary } from '../../contract/api';
import type { Kysely } from 'kysely';
import type { ProjectStore } from '../../db/project-store';
import { sqliteHandle } from '../../db/store/connect';
import { JobItemStore } from '../../db/store/job-item-store';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectTables } from '../../db/store/schema';
import type { Device } from '../../native-models/providers';
import { CpuPool, defaultPoolSize } from './cpu-pool';
import { runImage, type ImageRunEnv, type ImageRunOutcome } from './image-run';
import { InferenceLane } from './inference-lane';
import type { ModelStageResolver } from './model-stage';
import { setUpModels } from './model-setup';
import { ALL_STAGES, FINISHED_SKIPS, type StageName } from './stages';

export { ALL_STAGES, parseStages, type StageName } from './stages';

export type RunSummary = PipelineSummary;

export interface RunProgress {
  total: number;
  /** Images settled (done, skipped or failed), this run and before it. */
  done: number;
  failed: number;
  skipped: number;
  current: string | null;
  detail: JobProgress;
}

export interface RunOptions {
  /** The job whose queue (job_items) this run works through; see queueImages. */
  jobId: string;
  stages: readonly StageName[];
  onlyPending?: boolean;
  seed: string;
  device?: Device;
  /** Detection vocabulary; empty or absent = the model's default. */
  labels?: readonly string[];
  modelsDir?: string | null;
  /** Finds each model stage's model; default: installed models in the models folder. */
  resolver?: ModelStageResolver;
  /** CPU worker threads; 0 runs the CPU stages inline. */
  workers?: number;
  /** Run installed models in the owning thread instead of the inference worker. */
  inferenceInThread?: boolean;
  /**
   * Inference threads (default 1), each with its own sessions of every model: onnxruntime-node
   * blocks the thread it runs on, so a second thread lets one image's pre/post-processing overlap
   * another's inference, at the memory of a second copy of the models.
   */
  inferenceThreads?: number;
  /** Images decoded ahead of the inference lane, beyond one per worker. */
  prefetch?: number;
  /** Most images per model call for models that take batches (1 = one at a time). */
  maxBatch?: number;
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

const PAGE = 200;
const SUMMARY_FAILURES = 100;

/**
 * Puts the project's images in the job's queue (all, or those with unfinished stages), on the
 * desktop project's `db` (inside the job's start transaction).
 */
export function queueImages(
  db: Kysely<ProjectTables>,
  jobId: string,
  stages: readonly StageName[],
  onlyPending: boolean,
): Promise<number> {
  return new JobItemStore(db, 'sqlite').enqueueImages(jobId, {
    onlyPendingFor: onlyPending ? stages : [],
    finishedSkips: FINISHED_SKIPS,
    // Detected objects take ids from blocks fixed now (db/store/object-id-blocks.ts).
    reserveObjectIds: stages.includes('detect'),
  });
}

export async function runPipeline(store: ProjectStore, opts: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const db = sqliteHandle(store.db);
  const items = new JobItemStore(db, 'sqlite');
  // The run's summary reads its stage records as a team run's does.
  const results = new SceneStore(db);
  const wanted = new Set(opts.stages);
  const device = opts.device ?? 'auto';

  const setup = await setUpModels(wanted, {
    resolver: opts.resolver,
    modelsDir: opts.modelsDir,
    device,
    labels: opts.labels,
    inThread: opts.inferenceInThread,
    maxBatch: opts.maxBatch,
    threads: opts.inferenceThreads,
  });
  const { models, missing, notices, providers } = setup;

  let current: string | null = null;
  const pool = new CpuPool(opts.workers ?? defaultPoolSize());
  const lane = new InferenceLane(Math.max(1, setup.threadCalls().length));
  const env: ImageRunEnv = {
    store,
    items,
    jobId: opts.jobId,
    stages: wanted,
    onlyPending: opts.onlyPending ?? false,
    seed: opts.seed,
    models,
    missing,
    lane,
    pool,
    onProvider: (stage, provider) => {
      const was = providers[stage];
      // A provider lost mid-run (a GPU reset) moves the model: say so, never a silent slowdown.
      if (was && was !== provider) notices.push(`stage ${stage}: now on ${provider} (was ${was})`);
      providers[stage] = provider;
    },
    onImage: (relPath) => {
      current = relPath;
    },
  };

  // Live counters, seeded from what the job already settled (resume).
  const stageCounts = new Map<string, JobStageCounts>(
    ALL_STAGES.filter((s) => wanted.has(s)).map((s) => [
      s,
      { stage: s, done: 0, skipped: 0, failed: 0 },
    ]),
  );
  for (const r of await results.runStageCounts(opts.jobId)) {
    const c = stageCounts.get(r.stage);
    if (c && (r.status === 'done' || r.status === 'skipped' || r.status === 'failed'))
      c[r.status] += r.n;
  }
  const initial = await items.counts(opts.jobId);
  const total = initial.pending + initial.done + initial.skipped + initial.failed;
  const settledBefore = total - initial.pending;
  let failed = initial.failed;
  let skipped = initial.skipped;
  let settledNow = 0;

  const report = () => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = settledNow >= 3 && elapsed > 0 ? settledNow / elapsed : null;
    const left = total - settledBefore - settledNow;
    opts.onProgress?.({
      total,
      done: settledBefore + settledNow,
      failed,
      skipped,
      current,
      detail: {
        stages: [...stageCounts.values()].map((c) => ({ ...c })),
        current,
        etaSeconds: rate ? left / rate : null,
        imagesPerSecond: rate,
        providers: { ...providers },
        notices,
      },
    });
  };
  const settle = (o: ImageRunOutcome) => {
    settledNow++;
    if (o.item === 'failed') failed++;
    if (o.item === 'skipped') skipped++;
    for (const r of o.records) {
      const c = stageCounts.get(r.stage);
      if (c) c[r.status]++;
    }
    report();
  };

  // Inline (no workers) runs one image at a time: a serial baseline whose stage times are clean.
  const window = pool.size === 0 ? 1 : pool.size * 2 + (opts.prefetch ?? 2);
  const inFlight = new Set<Promise<void>>();
  let firstError: Error | null = null;
  report();
  try {
    let after = 0;
    outer: for (;;) {
      const page = await items.pendingPage(opts.jobId, after, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!;
      for (const imageId of page) {
        if (opts.signal?.aborted || firstError) break outer;
        while (inFlight.size >= window) await Promise.race(inFlight);
        const p: Promise<void> = runImage(env, imageId)
          .then(settle, (err: unknown) => {
            // Not a stage failure (those are recorded per image): the database or a bug. Stop.
            firstError ??= err as Error;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.all(inFlight);
    await pool.close();
    await setup.close();
  }
  if (firstError) throw firstError;
  current = null;
  report();

  const summary: RunSummary = {
    images: total,
    notices,
    stages: {},
    interrupted: Boolean(opts.signal?.aborted) && (await items.counts(opts.jobId)).pending > 0,
    providers,
    elapsedMs: performance.now() - started,
    inferenceBusyMs: lane.busyMs,
    ...(setup.threadCalls().length > 1 ? { inferenceThreadCalls: setup.threadCalls() } : {}),
    ...(Object.keys(lane.batchSizes).length ? { batches: { ...lane.batchSizes } } : {}),
  };
  // From the database, not the live counters: exact across resumes and retries.
  const finalCounts = await results.runStageCounts(opts.jobId);
  const count = (stage: string, status: string) =>
    finalCounts.find((r) => r.stage === stage && r.status === status)?.n ?? 0;
  const reasons = await results.runSkipReasons(opts.jobId);
  for (const stage of ALL_STAGES) {
    if (!wanted.has(stage)) continue;
    const skippedBy: Record<string, number> = {};
    for (const r of reasons) if (r.stage === stage) skippedBy[r.reason ?? ''] = r.n;
    summary.stages[stage] = {
      done: count(stage, 'done'),
      skipped: skippedBy,
      failed: await results.runFailures(opts.jobId, stage, SUMMARY_FAILURES),
      failedTotal: count(stage, 'failed'),
    };
  }
  return summary;
}
