// The jobs a served team project runs in its server process (exports, imports), one kind per
// instance: each announced as `job` events, its contract Job (status, counts, message, result)
// kept in the project's `jobs` table under a lease this process renews, so jobs.get, jobs.list
// and the result answer after a server restart, and a job whose server died is marked failed.
import { randomUUID } from 'node:crypto';
import type { Job } from '../../contract/entities';
import type { JobCounts, JobLease, JobStore } from '../../db/store/job-store';
import { NotFoundError } from '../errors';
import type { EventBus } from '../event-bus';
import { DEFAULT_LEASE_MS, leaseMsFromEnv } from '../jobs/job-runner';

export const CANCELLED = 'cancelled by the user';
/** Minimum time between progress writes, as the desktop's JobRunner. */
const PROGRESS_INTERVAL_MS = 100;

export interface ServerJobProgress extends JobCounts {
  current: string | null;
}

/** How a job's body ended without throwing. */
export interface ServerJobEnd {
  /** The job's message; a stopped job without one says it was cancelled. */
  message: string | null;
  /** Kept with the job (its `*.result`); none for a job that stopped before its end. */
  result?: unknown;
  failed?: number;
  skipped?: number;
}

export interface ServerJobContext {
  /** Aborted by jobs.cancel, or when this process lost the job's lease. */
  signal: AbortSignal;
  /** Goes to the clients at once and to the database at most every 100 ms, in order. */
  progress(p: ServerJobProgress): void;
}

export type ServerJobBody = (ctx: ServerJobContext) => Promise<ServerJobEnd>;

interface Run {
  job: Job;
  controller: AbortController;
}

/** A kind's jobs (subclasses add its `start` and typed result). */
export class ServerJobs {
  /** The jobs running in this process. */
  private readonly runs = new Map<string, Run>();
  private readonly running = new Set<Promise<void>>();
  /** This process's name in job leases. */
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly store: JobStore,
    /** The jobs' kind in the table, and their ids' prefix (`export-…`, `import-…`). */
    readonly kind: string,
    /** The message of a job whose server stopped while it ran, from its parameters. */
    private readonly interrupted: (params: unknown) => string,
    opts: { leaseMs?: number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? leaseMsFromEnv() ?? DEFAULT_LEASE_MS;
  }

  /** Whether `jobId` names a job of this kind (by its prefix; it may not exist). */
  owns(jobId: string): boolean {
    return jobId.startsWith(`${this.kind}-`);
  }

  /**
   * Marks the jobs whose process is gone (their lease ran out) failed, saying so; run when a
   * server starts, and before each read, so one that died moments ago shows once its lease ends.
   */
  async markInterrupted(now = Date.now()): Promise<Job[]> {
    return (await this.store.markInterrupted(this.kind, this.interrupted, now)).map((s) => s.job);
  }

  /** Records the job as running and runs `body` in the background (the kind's `start`). */
  protected async launch(
    params: unknown,
    events: EventBus,
    projectId: string,
    body: ServerJobBody,
  ): Promise<{ jobId: string }> {
    const job = await this.store.createRunning(
      { id: `${this.kind}-${randomUUID()}`, kind: this.kind, params },
      this.lease(),
    );
    const run: Run = { job, controller: new AbortController() };
    const emit = (current: string | null) =>
      events.emit({ type: 'job', projectId, job: { ...run.job }, current });
    this.runs.set(job.id, run);
    this.beat();
    emit(null);

    let writes = Promise.resolve();
    let lastWrite = 0;
    const progress = ({ current, ...counts }: ServerJobProgress) => {
      run.job = { ...run.job, ...counts, updatedAt: new Date().toISOString() };
      emit(current);
      const now = Date.now();
      if (now - lastWrite < PROGRESS_INTERVAL_MS && counts.done < counts.total) return;
      lastWrite = now;
      writes = writes.then(async () => {
        // Not ours any more (marked interrupted after a stall): the job stops.
        if (!(await this.store.progress(job.id, this.owner, counts))) run.controller.abort('lost');
      });
    };
    const { signal } = run.controller;
    const finish = async (end: ServerJobEnd & { status: Job['status'] }) => {
      await writes.catch(() => undefined);
      const { done, total } = run.job;
      const row = await this.store.release(job.id, this.owner, { done, total, ...end });
      // Another process marked it interrupted (this one stalled past its lease): that stays.
      run.job = row ?? (await this.store.get(job.id)) ?? run.job;
      emit(null);
    };
    const work = body({ signal, progress })
      .then(
        (end) =>
          // Stopped between items: the job says cancelled, with what the body says it did.
          finish(
            signal.aborted
              ? { ...end, status: 'cancelled', message: end.message ?? CANCELLED }
              : { ...end, status: 'done' },
          ),
        (err: unknown) =>
          finish(
            signal.aborted
              ? { status: 'cancelled', message: CANCELLED }
              : { status: 'failed', message: err instanceof Error ? err.message : String(err) },
          ),
      )
      .catch((err: unknown) => {
        // The database refused the job's end (it went away): the clients hear it, and the job
        // is marked interrupted by the next server start.
        const message = `the ${this.kind}'s end could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
        run.job = { ...run.job, status: 'failed', message, updatedAt: new Date().toISOString() };
        emit(null);
      })
      .finally(() => this.runs.delete(job.id));
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      if (this.running.size === 0) this.stopBeat();
    });
    return { jobId: job.id };
  }

  /** The finished job's result; null while it runs or when it failed. */
  async result(jobId: string): Promise<unknown> {
    await this.find(jobId);
    return this.store.result(jobId);
  }

  /** The job as the desktop's jobs.get gives it (status, counts, message). */
  async job(jobId: string): Promise<Job> {
    const run = this.runs.get(jobId);
    // A running job's counts here are fresher than its last write.
    return run ? { ...run.job } : this.find(jobId);
  }

  /** The project's jobs of this kind, newest first (jobs.list), from this process or earlier ones. */
  async jobs(): Promise<Job[]> {
    await this.markInterrupted();
    return (await this.store.list(this.kind)).map((j) => {
      const run = this.runs.get(j.id);
      return run ? { ...run.job } : j;
    });
  }

  /**
   * Stops a running job at its next item (jobs.cancel); the job turns 'cancelled' when its body
   * has stopped. A finished job, or one another server process runs, is returned as it is, as
   * the desktop does.
   */
  async cancel(jobId: string): Promise<Job> {
    const run = this.runs.get(jobId);
    if (!run) return this.find(jobId);
    if (run.job.status === 'running') run.controller.abort('cancel');
    return { ...run.job };
  }

  private async find(jobId: string): Promise<Job> {
    await this.markInterrupted();
    const job = await this.store.get(jobId, this.kind);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    return job;
  }

  /** Waits for every job this process started. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private lease(): JobLease {
    return { owner: this.owner, expiresAt: Date.now() + this.leaseMs };
  }

  /** Renews the running jobs' leases four times per lease, while any runs. */
  private beat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const [id, run] of this.runs)
        void this.store.renewLease(id, this.lease()).then(
          (held) => {
            if (!held) run.controller.abort('lost');
          },
          // The database is away for a moment: the lease has slack for the next beat.
          () => undefined,
        );
    }, this.leaseMs / 4);
    this.heartbeat.unref();
  }

  private stopBeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
