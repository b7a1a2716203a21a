// Runs long operations (imports now, pipeline stages later) as persisted jobs: one row per job,
// progress written to the database and pushed as events, cancellation through an AbortSignal.
import { randomUUID } from 'node:crypto';
import type { ProjectStore } from '../../db/project-store';
import type { JobRow } from '../../db/repositories/jobs';
import type { EventBus } from '../event-bus';
import { NotFoundError } from '../errors';

export interface JobContext {
  signal: AbortSignal;
  progress(p: {
    total: number;
    done: number;
    failed?: number;
    skipped?: number;
    current?: string | null;
  }): void;
}

export type JobBody = (
  ctx: JobContext,
) => Promise<{ result: unknown; failed?: number; skipped?: number; message?: string }>;

/** Minimum time between progress writes, so a fast import is not slowed by its own bookkeeping. */
const PROGRESS_INTERVAL_MS = 100;

export class JobRunner {
  private readonly running = new Map<
    string,
    { controller: AbortController; done: Promise<void> }
  >();

  constructor(private readonly events: EventBus) {}

  start(store: ProjectStore, kind: string, params: unknown, body: JobBody): JobRow {
    const id = randomUUID();
    const job = store.jobs.create({ id, kind, params });
    const controller = new AbortController();
    const done = this.run(store, job, controller, body).finally(() => this.running.delete(id));
    this.running.set(id, { controller, done });
    return job;
  }

  cancel(store: ProjectStore, jobId: string): JobRow {
    const job = store.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    this.running.get(jobId)?.controller.abort();
    return job;
  }

  /** Resolves when the job has finished (used by tests and the CLI). */
  async settled(jobId: string): Promise<void> {
    await this.running.get(jobId)?.done;
  }

  async settleAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  abortAll(): void {
    for (const r of this.running.values()) r.controller.abort();
  }

  private async run(
    store: ProjectStore,
    job: JobRow,
    controller: AbortController,
    body: JobBody,
  ): Promise<void> {
    const projectId = store.id;
    const emit = (row: JobRow, current: string | null) =>
      this.events.emit({ type: 'job', projectId, job: row, current });
    emit(store.jobs.update(job.id, { status: 'running' }), null);
    let lastWrite = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (p) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_INTERVAL_MS && p.done < p.total) return;
        lastWrite = now;
        emit(
          store.jobs.update(job.id, {
            total: p.total,
            done: p.done,
            failed: p.failed,
            skipped: p.skipped,
          }),
          p.current ?? null,
        );
      },
    };
    try {
      const outcome = await body(ctx);
      store.jobs.setResult(job.id, outcome.result);
      const status = controller.signal.aborted ? 'cancelled' : 'done';
      emit(
        store.jobs.update(job.id, {
          status,
          failed: outcome.failed,
          skipped: outcome.skipped,
          message: outcome.message ?? (status === 'cancelled' ? 'cancelled by the user' : null),
        }),
        null,
      );
    } catch (err) {
      emit(store.jobs.update(job.id, { status: 'failed', message: (err as Error).message }), null);
    }
  }
}
