// Runs long operations (imports, pipeline runs) as persisted jobs: one row per job, progress written
// to the database and pushed as events, pause/cancel through an AbortSignal whose reason says which.
// A running job holds a lease in its row that this runner renews (a heartbeat); a job whose lease
// expired belongs to a process that is gone, and is recognised on the next open or claimed by a
// resume. Starting and claiming are atomic across processes: each is one transaction through the
// two-database layer (db/store/job-store.ts), with the job's `prepare` (its queue) inside it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Job, JobProgress } from '../../contract/entities';
import { isBusy } from '../../db/busy';
import type { ProjectStore } from '../../db/project-store';
import { sqliteHandle } from '../../db/store/connect';
import { JobStore, type JobLease } from '../../db/store/job-store';
import type { ProjectTables } from '../../db/store/schema';
import type { EventBus } from '../event-bus';
import { UserInputError, NotFoundError } from '../errors';

/** A job that another process (or this one) is running already. */
export class JobConflictError extends UserInputError {
  override name = 'JobConflictError';
}

/**
 * How long a running job's lease lasts without a heartbeat; it is renewed four times as often.
 * A killed run becomes resumable at most this long after its last heartbeat. SQW_JOB_LEASE_MS
 * overrides it (tests, very slow machines).
 */
export const DEFAULT_LEASE_MS = 10_000;

export function leaseMsFromEnv(): number | undefined {
  const ms = Number(process.env.SQW_JOB_LEASE_MS);
  return Number.isFinite(ms) && ms >= 100 ? ms : undefined;
}

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

const STOPPED_STATUS: Record<StopReason, Job['status']> = {
  pause: 'paused',
  cancel: 'cancelled',
  shutdown: 'interrupted',
};

export class JobRunner {
  private readonly running = new Map<
    string,
    { store: ProjectStore; controller: AbortController; done: Promise<void>; resumable: boolean }
  >();
  /** This runner's name in job leases (not a PID: those are reused). */
  private readonly owner = randomUUID();
  readonly leaseMs: number;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly events: EventBus,
    opts: { leaseMs?: number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? leaseMsFromEnv() ?? DEFAULT_LEASE_MS;
  }

  /**
   * Creates and runs a job. `exclusive`: refused with the running job's id while another job of
   * this kind runs on the project (in any process), checked and created in one transaction.
   */
  async start(
    store: ProjectStore,
    kind: string,
    params: unknown,
    body: JobBody,
    opts: {
      resumable?: boolean;
      /** Set-up written with the job (its queue); awaits nothing but `db`. */
      prepare?: (jobId: string, db: Kysely<ProjectTables>) => Promise<void>;
      exclusive?: boolean;
    } = {},
  ): Promise<Job> {
    const id = randomUUID();
    const job = await sqliteHandle(store.db)
      .transaction()
      .execute(async (trx) => {
        const jobs = new JobStore(trx, 'sqlite');
        const live = opts.exclusive ? await jobs.liveJob(kind, Date.now()) : undefined;
        if (live) throw new JobConflictError(describeLive(live));
        await jobs.createRunning({ id, kind, params }, this.lease());
        await opts.prepare?.(id, trx);
        return (await jobs.get(id))!;
      });
    this.launch(store, job, body, opts.resumable ?? false);
    return job;
  }

  /**
   * Continues a paused or interrupted job with `body` (which picks up its stored queue), or one
   * whose process is gone (its lease expired). The claim and `prepare` are one transaction, so two
   * processes never resume the same job.
   */
  async resume(
    store: ProjectStore,
    jobId: string,
    body: JobBody,
    opts: {
      allowFinished?: boolean;
      exclusive?: boolean;
      /** Set-up written with the claim (e.g. failed images back in the queue); awaits only `db`. */
      prepare?: (db: Kysely<ProjectTables>) => Promise<void>;
    } = {},
  ): Promise<Job> {
    const job = await jobStore(store).get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    if (this.running.has(jobId)) throw new UserInputError(`job ${jobId} is already running`);
    const claimed = await sqliteHandle(store.db)
      .transaction()
      .execute(async (trx) => {
        const jobs = new JobStore(trx, 'sqlite');
        const live = opts.exclusive ? await jobs.liveJob(job.kind, Date.now()) : undefined;
        if (live && live.id !== jobId) throw new JobConflictError(describeLive(live));
        if (!(await jobs.claim(jobId, this.lease(), opts.allowFinished))) return null;
        await opts.prepare?.(trx);
        return (await jobs.get(jobId))!;
      });
    if (!claimed) {
      const now = (await jobStore(store).get(jobId))!;
      if (now.status === 'running')
        throw new JobConflictError(
          `job ${jobId} is running in another process (it renews its lease); a killed run becomes resumable within ${Math.ceil(this.leaseMs / 1000)} s of its last heartbeat`,
        );
      throw new UserInputError(
        `job ${jobId} is ${now.status}; only paused or interrupted jobs resume`,
      );
    }
    this.launch(store, claimed, body, true);
    return claimed;
  }

  async pause(store: ProjectStore, jobId: string): Promise<Job> {
    const job = await jobStore(store).get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    const run = this.running.get(jobId);
    if (!run) throw new UserInputError(`job ${jobId} is ${job.status}, not running here`);
    if (!run.resumable) throw new UserInputError(`a ${job.kind} job cannot be paused`);
    run.controller.abort('pause' satisfies StopReason);
    return job;
  }

  async cancel(store: ProjectStore, jobId: string): Promise<Job> {
    const job = await jobStore(store).get(jobId);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    const run = this.running.get(jobId);
    if (run) {
      run.controller.abort('cancel' satisfies StopReason);
      return job;
    }
    const row = await jobStore(store).cancelStopped(jobId, 'cancelled by the user');
    if (!row) return (await jobStore(store).get(jobId)) ?? job;
    this.events.emit({ type: 'job', projectId: store.id, job: row, current: null });
    return row;
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

  private lease(): JobLease {
    return { owner: this.owner, expiresAt: Date.now() + this.leaseMs };
  }

  private launch(store: ProjectStore, job: Job, body: JobBody, resumable: boolean): void {
    const controller = new AbortController();
    const done = this.run(store, job, controller, body, resumable).finally(() => {
      this.running.delete(job.id);
      if (this.running.size === 0 && this.heartbeat) {
        clearInterval(this.heartbeat);
        this.heartbeat = null;
      }
    });
    this.running.set(job.id, { store, controller, done, resumable });
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.renewLeases(), Math.max(25, this.leaseMs / 4));
      this.heartbeat.unref();
    }
  }

  /** The heartbeat. A job whose lease was taken over (this process stalled past it) stops here. */
  private renewLeases(): void {
    for (const [id, r] of this.running) {
      if (!r.store.db.open) continue;
      jobStore(r.store)
        .renewLease(id, this.lease())
        .then(
          (held) => {
            if (!held) r.controller.abort('shutdown');
          },
          (err: unknown) => {
            // Locked for a moment: the lease has slack for the next beat. Closed: the job is over.
            if (!isBusy(err) && r.store.db.open) throw err;
          },
        );
    }
  }

  private async run(
    store: ProjectStore,
    job: Job,
    controller: AbortController,
    body: JobBody,
    resumable: boolean,
  ): Promise<void> {
    const projectId = store.id;
    const emit = (row: Job, current: string | null) =>
      this.events.emit({ type: 'job', projectId, job: row, current });
    emit(job, null);
    let lastWrite = 0;
    // Progress writes in the order reported, each event after its row is written; the job's end
    // waits for them, and a failed write fails the job there.
    let writes: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    const ctx: JobContext = {
      jobId: job.id,
      signal: controller.signal,
      progress: (p) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_INTERVAL_MS && p.done < p.total) return;
        lastWrite = now;
        if (!store.db.open) return;
        writes = writes.then(async () => {
          if (!store.db.open) return;
          const row = await jobStore(store).writeProgress(job.id, this.owner, {
            total: p.total,
            done: p.done,
            failed: p.failed,
            skipped: p.skipped,
            detail: p.detail,
          });
          if (row) emit(row, p.current ?? null);
        });
        writes = writes.catch((err: unknown) => {
          writeError ??= err;
        });
      },
    };
    const stoppedStatus = (): Job['status'] => {
      const reason = controller.signal.reason as StopReason | undefined;
      return reason === 'shutdown' && !resumable ? 'cancelled' : STOPPED_STATUS[reason ?? 'cancel'];
    };
    try {
      const outcome = await body(ctx).finally(() => writes);
      if (writeError) throw writeError;
      const status: Job['status'] = controller.signal.aborted ? stoppedStatus() : 'done';
      // Written only while this runner still holds the job (not after another process took over).
      const row = await jobStore(store).release(job.id, this.owner, {
        status,
        failed: outcome.failed,
        skipped: outcome.skipped,
        message: outcome.message ?? (status === 'cancelled' ? 'cancelled by the user' : null),
        result: outcome.result,
      });
      if (row) emit(row, null);
    } catch (err) {
      if (!store.db.open) return;
      // A body that stops by throwing its signal's reason (signal.throwIfAborted(), as the export
      // does) was paused or cancelled, not failed.
      const stopped = controller.signal.aborted && err === controller.signal.reason;
      const status = stopped ? stoppedStatus() : 'failed';
      const row = await jobStore(store).release(job.id, this.owner, {
        status,
        message: stopped
          ? status === 'cancelled'
            ? 'cancelled by the user'
            : null
          : err instanceof Error
            ? err.message
            : String(err),
      });
      if (row) emit(row, null);
    }
  }
}

/** A desktop project's jobs through the two-database layer. */
export function jobStore(store: ProjectStore): JobStore {
  return new JobStore(sqliteHandle(store.db), 'sqlite');
}

function describeLive(job: Job): string {
  const what = job.kind === 'pipeline' ? 'pipeline run' : `${job.kind} job`;
  return `another ${what} is in progress on this project: job ${job.id} (${job.done}/${job.total} done); wait for it to finish or pause it`;
}
