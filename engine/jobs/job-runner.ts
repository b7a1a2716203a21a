// Runs long operations (imports, pipeline runs) as persisted jobs: one row per job, progress written
// to the database and pushed as events, pause/cancel through an AbortSignal whose reason says which.
// A job's owner process id is stored while it runs, so a job left `running` by a dead process is
// recognised on the next open (db/repositories/jobs.ts markInterrupted).
import { randomUUID } from 'node:crypto';
import type { JobProgress } from '../../contract/entities';
import type { ProjectStore } from '../../db/project-store';
import type { JobRow } from '../../db/repositories/jobs';
import type { EventBus } from '../event-bus';
import { UserInputError, NotFoundError } from '../errors';

/** Why a job's signal was aborted; decides the status it ends in. */
export type StopReason = 'pause' | 'cancel' | 'shutdown';

export interface JobProgressUpdate {
  total: number;
  done: number;
  failed?: number;
  skipped?: number;
  current?: string | null;
  detail?: JobProgress;
}

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  progress(p: JobProgressUpdate): void;
}

export type JobBody = (
  ctx: JobContext,
) => Promise<{ result: unknown; failed?: number; skipped?: number; message?: string }>;

/** Minimum time between progress writes, so a fast job is not slowed by its own bookkeeping. */
const PROGRESS_INTERVAL_MS = 100;

const STOPPED_STATUS: Record<StopReason, JobRow['status']> = {
  pause: 'paused',
  cancel: 'cancelled',
  shutdown: 'interrupted',
};

export class JobRunner {
  private readonly running = new Map<
    string,
    { controller: AbortController; done: Promise<void>; resumable: boolean }
  >();

  constructor(private readonly events: EventBus) {}

  start(
    store: ProjectStore,
    kind: string,
    params: unknown,
    body: JobBody,
    opts: { resumable?: boolean; prepare?: (jobId: string) => void } = {},
  ): JobRow {
    const id = randomUUID();
    const job = store.db.transaction(() => {
      const row = store.jobs.create({ id, kind, params });
      opts.prepare?.(id);
      return row;
    })();
    this.launch(store, job, body, opts.resumable ?? false);
    return job;
  }

  /** Continues a paused or interrupted job with `body` (which picks up its stored queue). */
  resume(store: ProjectStore, jobId: string, body: JobBody, allowFinished = false): JobRow {
    const job = store.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    if (this.running.has(jobId)) throw new UserInputError(`job ${jobId} is already running`);
    const resumable = ['paused', 'interrupted', 'queued'];
    if (!resumable.includes(job.status) && !(allowFinished && job.status !== 'running'))
      throw new UserInputError(
        `job ${jobId} is ${job.status}; only paused or interrupted jobs resume`,
      );
    this.launch(store, job, body, true);
    return store.jobs.get(jobId)!;
  }

  pause(store: ProjectStore, jobId: string): JobRow {
    const job = store.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    const run = this.running.get(jobId);
    if (!run) throw new UserInputError(`job ${jobId} is ${job.status}, not running here`);
    if (!run.resumable) throw new UserInputError(`a ${job.kind} job cannot be paused`);
    run.controller.abort('pause' satisfies StopReason);
    return job;
  }

  cancel(store: ProjectStore, jobId: string): JobRow {
    const job = store.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    const run = this.running.get(jobId);
    if (run) {
      run.controller.abort('cancel' satisfies StopReason);
      return job;
    }
    if (job.status === 'paused' || job.status === 'interrupted') {
      const row = store.jobs.update(jobId, {
        status: 'cancelled',
        message: 'cancelled by the user',
      });
      this.events.emit({ type: 'job', projectId: store.id, job: row, current: null });
      return row;
    }
    return job;
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** Resolves when the job has finished (used by tests and the CLI). */
  async settled(jobId: string): Promise<void> {
    await this.running.get(jobId)?.done;
  }

  async settleAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Engine shutdown: resumable jobs end `interrupted`, the others `cancelled`. */
  abortAll(): void {
    for (const r of this.running.values()) r.controller.abort('shutdown' satisfies StopReason);
  }

  private launch(store: ProjectStore, job: JobRow, body: JobBody, resumable: boolean): void {
    const controller = new AbortController();
    const done = this.run(store, job, controller, body, resumable).finally(() =>
      this.running.delete(job.id),
    );
    this.running.set(job.id, { controller, done, resumable });
  }

  private async run(
    store: ProjectStore,
    job: JobRow,
    controller: AbortController,
    body: JobBody,
    resumable: boolean,
  ): Promise<void> {
    const projectId = store.id;
    const emit = (row: JobRow, current: string | null) =>
      this.events.emit({ type: 'job', projectId, job: row, current });
    emit(
      store.jobs.update(job.id, { status: 'running', ownerPid: process.pid, message: null }),
      null,
    );
    let lastWrite = 0;
    const ctx: JobContext = {
      jobId: job.id,
      signal: controller.signal,
      progress: (p) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_INTERVAL_MS && p.done < p.total) return;
        lastWrite = now;
        if (!store.db.open) return;
        emit(
          store.jobs.update(job.id, {
            total: p.total,
            done: p.done,
            failed: p.failed,
            skipped: p.skipped,
            progress: p.detail,
          }),
          p.current ?? null,
        );
      },
    };
    try {
      const outcome = await body(ctx);
      store.jobs.setResult(job.id, outcome.result);
      const reason = controller.signal.reason as StopReason | undefined;
      let status: JobRow['status'] = 'done';
      if (controller.signal.aborted)
        status =
          reason === 'shutdown' && !resumable ? 'cancelled' : STOPPED_STATUS[reason ?? 'cancel'];
      emit(
        store.jobs.update(job.id, {
          status,
          ownerPid: null,
          failed: outcome.failed,
          skipped: outcome.skipped,
          message: outcome.message ?? (status === 'cancelled' ? 'cancelled by the user' : null),
        }),
        null,
      );
    } catch (err) {
      if (!store.db.open) return;
      emit(
        store.jobs.update(job.id, {
          status: 'failed',
          ownerPid: null,
          message: (err as Error).message,
        }),
        null,
      );
    }
  }
}
