// The exports RPC of `sqw serve --database`: each export runs in the server process over the team
// project (team-export.ts), with `job` events for its progress. The contract's Job of each run
// (status, counts, message, result) is kept in the project's `jobs` table as the desktop keeps
// its export jobs, so jobs.get, jobs.list and exports.result answer after a server restart; the
// export's record is in the exports table. An export whose server died is marked failed.
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { Job } from '../../contract/entities';
import type { ExportOptionsInput, ExportResult } from '../../contract/exports';
import type { JobLease } from '../../db/repositories/jobs';
import type { JobStore } from '../../db/store/job-store';
import { NotFoundError } from '../errors';
import type { EventBus } from '../event-bus';
import { exportProject } from '../export/export';
import type { ExportProject } from '../export/export-project';
import { exportMessage, listExports, refuseBadExport } from '../services/exports';
import { DEFAULT_LEASE_MS, leaseMsFromEnv } from '../jobs/job-runner';

const KIND = 'export';
const CANCELLED = 'cancelled by the user';
/** Minimum time between progress writes, as the desktop's JobRunner. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * The message of an export whose server process stopped while it ran. Its unfinished folder
 * (`.NAME.partial-…` beside the output folder) is the desktop's: the next export into that
 * folder's parent removes it once its marker has gone stale (engine/export/temp-folders.ts).
 */
export function interruptedMessage(params: unknown): string {
  const outDir = (params as { outDir?: unknown } | null)?.outDir;
  const where =
    typeof outDir === 'string'
      ? `; nothing was written to ${outDir}, and the unfinished folder it left in ${dirname(outDir)} is removed by the next export there`
      : '';
  return `interrupted: the server stopped while this export ran${where}`;
}

interface ExportRun {
  job: Job;
  controller: AbortController;
}

/**
 * The exports a served team project runs: each in this process, announced as `job` events, its
 * job in the project's database under a lease this process renews.
 */
export class TeamExportJobs {
  /** The exports running in this process. */
  private readonly runs = new Map<string, ExportRun>();
  private readonly running = new Set<Promise<void>>();
  /** This process's name in job leases. */
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly project: ExportProject,
    private readonly store: JobStore,
    opts: { leaseMs?: number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? leaseMsFromEnv() ?? DEFAULT_LEASE_MS;
  }

  /**
   * Marks the exports whose process is gone (their lease ran out) failed, saying so; run when a
   * server starts, and before each read, so one that died moments ago shows once its lease ends.
   */
  async markInterrupted(now = Date.now()): Promise<Job[]> {
    return (await this.store.markInterrupted(KIND, interruptedMessage, now)).map((s) => s.job);
  }

  /** Refuses bad options or target folders at once, then runs the export in the background. */
  async start(
    options: ExportOptionsInput,
    events: EventBus,
    projectId: string,
  ): Promise<{ jobId: string }> {
    await refuseBadExport(this.project, options);
    const job = await this.store.createRunning(
      { id: `export-${randomUUID()}`, kind: KIND, params: options },
      this.lease(),
    );
    const run: ExportRun = { job, controller: new AbortController() };
    const emit = (current: string | null) =>
      events.emit({ type: 'job', projectId, job: { ...run.job }, current });
    this.runs.set(job.id, run);
    this.beat();
    emit(null);

    // Progress goes to the clients at once and to the database at most every 100 ms, in order.
    let writes = Promise.resolve();
    let lastWrite = 0;
    const onProgress = (done: number, total: number, current: string | null) => {
      run.job = { ...run.job, done, total, updatedAt: new Date().toISOString() };
      emit(current);
      const now = Date.now();
      if (now - lastWrite < PROGRESS_INTERVAL_MS && done < total) return;
      lastWrite = now;
      writes = writes.then(async () => {
        // Not ours any more (marked interrupted after a stall): the export stops.
        if (!(await this.store.progress(job.id, this.owner, { done, total })))
          run.controller.abort('lost');
      });
    };
    const { signal } = run.controller;
    const finish = async (
      end: { status: Job['status']; message: string | null },
      result?: ExportResult,
    ) => {
      await writes.catch(() => undefined);
      const { done, total } = run.job;
      const row = await this.store.release(job.id, this.owner, { ...end, done, total, result });
      // Another process marked it interrupted (this one stalled past its lease): that stays.
      run.job = row ?? (await this.store.get(job.id)) ?? run.job;
      emit(null);
    };
    const work = exportProject(this.project, options, { signal, onProgress })
      .then(
        (result) =>
          // A cancel that came after the last item: the files are written, the job says cancelled.
          signal.aborted
            ? finish({ status: 'cancelled', message: CANCELLED })
            : finish({ status: 'done', message: exportMessage(result) }, result),
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
        const message = `the export's end could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
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

  /** The finished export's result; null while it runs or when it failed or was cancelled. */
  async result(jobId: string): Promise<ExportResult | null> {
    await this.find(jobId);
    return (await this.store.result(jobId)) as ExportResult | null;
  }

  /** The export's job as the desktop's jobs.get gives it (status, counts, message). */
  async job(jobId: string): Promise<Job> {
    const run = this.runs.get(jobId);
    // A running export's counts here are fresher than its last write.
    return run ? { ...run.job } : this.find(jobId);
  }

  /** The project's export jobs, newest first (jobs.list), from this process or earlier ones. */
  async jobs(): Promise<Job[]> {
    await this.markInterrupted();
    return (await this.store.list(KIND)).map((j) => {
      const run = this.runs.get(j.id);
      return run ? { ...run.job } : j;
    });
  }

  /**
   * Stops a running export at its next item (jobs.cancel); the job turns 'cancelled' when the
   * export has stopped. A finished job, or one another server process runs, is returned as it
   * is, as the desktop does.
   */
  async cancel(jobId: string): Promise<Job> {
    const run = this.runs.get(jobId);
    if (!run) return this.find(jobId);
    if (run.job.status === 'running') run.controller.abort('cancel');
    return { ...run.job };
  }

  private async find(jobId: string): Promise<Job> {
    await this.markInterrupted();
    const job = await this.store.get(jobId, KIND);
    if (!job) throw new NotFoundError(`job not found: ${jobId}`);
    return job;
  }

  list() {
    return listExports(this.project);
  }

  /** Waits for every export this process started. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private lease(): JobLease {
    return { owner: this.owner, expiresAt: Date.now() + this.leaseMs };
  }

  /** Renews the running exports' leases four times per lease, while any runs. */
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
