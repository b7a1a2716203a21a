// The exports RPC of `sqw serve --database`: each export runs in the server process over the team
// project (team-export.ts), with `job` events for its progress; the contract's Job of each run
// (jobs.get, jobs.cancel) and its result are kept by the process, its record in the project's
// exports table.
import { randomUUID } from 'node:crypto';
import type { Job } from '../../contract/entities';
import type { ExportOptionsInput, ExportResult } from '../../contract/exports';
import { NotFoundError } from '../errors';
import type { EventBus } from '../event-bus';
import { exportProject } from '../export/export';
import type { ExportProject } from '../export/export-project';
import { exportMessage, listExports, refuseBadExport } from '../services/exports';

interface ExportRun {
  job: Job;
  result: ExportResult | null;
  controller: AbortController;
}

const CANCELLED = 'cancelled by the user';

/**
 * The exports a served team project runs: each in this process, announced as `job` events; the
 * result is kept here (the project's exports table has the record).
 */
export class TeamExportJobs {
  private readonly runs = new Map<string, ExportRun>();
  private readonly running = new Set<Promise<void>>();

  constructor(readonly project: ExportProject) {}

  /** Refuses bad options or target folders at once, then runs the export in the background. */
  async start(
    options: ExportOptionsInput,
    events: EventBus,
    projectId: string,
  ): Promise<{ jobId: string }> {
    await refuseBadExport(this.project, options);
    const now = new Date().toISOString();
    const run: ExportRun = {
      job: {
        id: `export-${randomUUID()}`,
        kind: 'export',
        status: 'running',
        total: 0,
        done: 0,
        failed: 0,
        skipped: 0,
        message: null,
        createdAt: now,
        updatedAt: now,
      },
      result: null,
      controller: new AbortController(),
    };
    const update = (change: Partial<Job>, current: string | null = null) => {
      run.job = { ...run.job, ...change, updatedAt: new Date().toISOString() };
      events.emit({ type: 'job', projectId, job: { ...run.job }, current });
    };
    this.runs.set(run.job.id, run);
    update({});
    const { signal } = run.controller;
    const work = exportProject(this.project, options, {
      signal,
      onProgress: (done, total, current) => update({ done, total }, current),
    }).then(
      (result) => {
        // A cancel that came after the last item: the files are written, the job says cancelled.
        if (signal.aborted) return update({ status: 'cancelled', message: CANCELLED });
        run.result = result;
        update({ status: 'done', message: exportMessage(result) });
      },
      (err: unknown) =>
        update(
          signal.aborted
            ? { status: 'cancelled', message: CANCELLED }
            : { status: 'failed', message: err instanceof Error ? err.message : String(err) },
        ),
    );
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    return { jobId: run.job.id };
  }

  /** The finished export's result; null while it runs or when it failed or was cancelled. */
  result(jobId: string): ExportResult | null {
    return this.find(jobId).result;
  }

  /** The export's job as the desktop's jobs.get gives it (status, counts, message). */
  job(jobId: string): Job {
    return { ...this.find(jobId).job };
  }

  /** The exports this process started, newest first (jobs.list). */
  jobs(): Job[] {
    return [...this.runs.values()].map((r) => ({ ...r.job })).reverse();
  }

  /**
   * Stops a running export at its next item (jobs.cancel); the job turns 'cancelled' when the
   * export has stopped. A finished job is returned as it is, as on the desktop.
   */
  cancel(jobId: string): Job {
    const run = this.find(jobId);
    if (run.job.status === 'running') run.controller.abort('cancel');
    return { ...run.job };
  }

  private find(jobId: string): ExportRun {
    const run = this.runs.get(jobId);
    if (!run) throw new NotFoundError(`job not found: ${jobId}`);
    return run;
  }

  list() {
    return listExports(this.project);
  }

  /** Waits for every export this process started. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
