// The pipeline runs of a served team project, as the jobs page shows them: each run queued for the
// workers (`sqw run --database`, `sqw queue enqueue`) is a contract Job of kind 'pipeline' whose
// counts are its images in the project's queue and whose per-stage counts are the stage records
// that name the run. Pause, resume, cancel and retrying failures are the queue's operations on the
// run's jobs (db/queue/run-control.ts), so every worker on every machine sees them at its next
// claim. Runs are read from the queue, never kept here: another server or `sqw run` sees the same.
import type { Job, JobImageError, JobStageCounts } from '../../contract/entities';
import { ImageQueue } from '../../db/queue/image-queue';
import type { QueueRun, QueueRuns } from '../../db/queue/run-control';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectDb } from '../../db/store/connect';
import { NotFoundError, UserInputError } from '../errors';
import { PIPELINE_JOB } from '../pipeline/pipeline-jobs';

/** The contract's Job of a queued run. */
export function runJob(run: QueueRun, stages: JobStageCounts[]): Job {
  const left = run.waiting + run.active;
  const failed = run.failed + run.failedStages;
  let status: Job['status'];
  let message: string | null;
  if (left === 0 && run.cancelled > 0) {
    status = 'cancelled';
    message = `cancelled by the user: ${run.cancelled} images not run`;
  } else if (left === 0) {
    status = 'done';
    message = failed
      ? `${failed} failures; jobs.errors lists them, retry runs those images again`
      : null;
  } else if (run.parked > 0) {
    status = 'paused';
    message = `paused: ${run.parked} images wait${run.active ? `, ${run.active} finishing on the workers` : ''}; resume gives them to the workers`;
  } else {
    status = run.active === 0 && run.completed + run.failed === 0 ? 'queued' : 'running';
    message = `${run.waiting} queued, ${run.active} running on the workers (sqw worker)`;
  }
  return {
    id: run.runId,
    kind: PIPELINE_JOB,
    status,
    total: run.images,
    done: run.completed + run.failed,
    failed,
    skipped: 0,
    message,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    progress: {
      stages,
      // Workers on other machines run the images: none is "current" here, and no rate is kept.
      current: null,
      etaSeconds: null,
      imagesPerSecond: null,
      providers: {},
      notices: [],
    },
  };
}

export class TeamRuns {
  private queue: Promise<ImageQueue> | null = null;

  constructor(
    private readonly project: ProjectDb,
    /** The project's postgres:// URL; null on SQLite (tests), which has no queue. */
    private readonly url: string | null,
  ) {}

  /** The queue, opened on first use (reporting only: this process claims nothing). */
  private async runs(): Promise<QueueRuns | null> {
    if (!this.url) return null;
    this.queue ??= ImageQueue.open(this.url, { supervise: false, poolSize: 2 }).catch((err) => {
      this.queue = null;
      throw err;
    });
    return (await this.queue).runs();
  }

  /** Every run in the queue, newest first. */
  async list(): Promise<Job[]> {
    const runs = await this.runs();
    if (!runs) return [];
    return Promise.all((await runs.list()).map((r) => this.job(r)));
  }

  /** The run's job, or undefined when the queue has no run of that id. */
  async get(runId: string): Promise<Job | undefined> {
    const run = await (await this.runs())?.get(runId);
    return run && this.job(run);
  }

  async pause(runId: string): Promise<Job> {
    const runs = await this.need(runId);
    if ((await runs.pause(runId)) === 0)
      throw new UserInputError(`run ${runId} has no images waiting or running to pause`);
    return (await this.get(runId))!;
  }

  async resume(runId: string): Promise<Job> {
    const runs = await this.need(runId);
    if ((await runs.resume(runId)) === 0) throw new UserInputError(`run ${runId} is not paused`);
    return (await this.get(runId))!;
  }

  async cancel(runId: string): Promise<Job> {
    const runs = await this.need(runId);
    // A finished run is returned as it is, as the desktop does.
    await runs.cancel(runId);
    return (await this.get(runId))!;
  }

  async retryFailed(runId: string): Promise<Job> {
    const runs = await this.need(runId);
    if ((await runs.retryFailed(runId)) === 0)
      throw new UserInputError(`job ${runId} has no failed images to retry`);
    return (await this.get(runId))!;
  }

  async errors(
    runId: string,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: JobImageError[] }> {
    return (await this.need(runId)).failures(runId, offset, limit);
  }

  async close(): Promise<void> {
    const queue = this.queue;
    this.queue = null;
    await (await queue?.catch(() => null))?.close();
  }

  /** The queue, when it holds the run. */
  private async need(runId: string): Promise<QueueRuns> {
    const runs = await this.runs();
    if (!runs || !(await runs.get(runId)))
      throw new NotFoundError(`no pipeline run ${runId} in the project's queue`);
    return runs;
  }

  private async job(run: QueueRun): Promise<Job> {
    const rows = await new SceneStore(this.project.db).runStageCounts(run.runId);
    const names = [...new Set([...run.stages, ...rows.map((r) => r.stage)])];
    const n = (stage: string, status: string) =>
      rows.find((r) => r.stage === stage && r.status === status)?.n ?? 0;
    return runJob(
      run,
      names.map((stage) => ({
        stage,
        done: n(stage, 'done'),
        skipped: n(stage, 'skipped'),
        failed: n(stage, 'failed'),
      })),
    );
  }
}
