// The exports RPC of `sqw serve --database`: each export runs in the server process over the team
// project (team-export.ts), with `job` events for its progress. The contract's Job of each run
// (status, counts, message, result) is kept in the project's `jobs` table as the desktop keeps
// its export jobs, so jobs.get, jobs.list and exports.result answer after a server restart; the
// export's record is in the exports table. An export whose server died is marked failed.
import { dirname } from 'node:path';
import type { ExportOptionsInput, ExportResult } from '../../contract/exports';
import type { JobStore } from '../../db/store/job-store';
import type { EventBus } from '../event-bus';
import { exportProject } from '../export/export';
import type { ExportProject } from '../export/export-project';
import { exportMessage, listExports, refuseBadExport } from '../services/exports';
import { ServerJobs } from './server-jobs';

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

/**
 * The exports a served team project runs: each in this process, announced as `job` events, its
 * job in the project's database under a lease this process renews (server-jobs.ts).
 */
export class TeamExportJobs extends ServerJobs {
  constructor(
    readonly project: ExportProject,
    store: JobStore,
    opts: { leaseMs?: number } = {},
  ) {
    super(store, 'export', interruptedMessage, opts);
  }

  /** Refuses bad options or target folders at once, then runs the export in the background. */
  async start(
    options: ExportOptionsInput,
    events: EventBus,
    projectId: string,
  ): Promise<{ jobId: string }> {
    await refuseBadExport(this.project, options);
    return this.launch(options, events, projectId, async ({ signal, progress }) => {
      const result = await exportProject(this.project, options, {
        signal,
        onProgress: (done, total, current) => progress({ done, total, current }),
      });
      // A cancel that came after the last item: the files are written, the job says cancelled.
      return signal.aborted ? { message: null } : { message: exportMessage(result), result };
    });
  }

  /** The finished export's result; null while it runs or when it failed or was cancelled. */
  override async result(jobId: string): Promise<ExportResult | null> {
    return (await super.result(jobId)) as ExportResult | null;
  }

  /** The exports recorded in the project (exports.list). */
  list() {
    return listExports(this.project);
  }
}
