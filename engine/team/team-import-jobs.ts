// The imports RPC of `sqw serve --database`: an admin's import runs in the server process, from
// folders on the server's disk, through the same function as `sqw import --database` (rows
// through the layer, files into the shared blob folder: team-import.ts), with the desktop's `job`
// and `images-changed` events. Its job is kept in the project like an export's (server-jobs.ts).
import type { ImportResult } from '../../contract/api';
import type { ProjectDb } from '../../db/store/connect';
import type { JobStore } from '../../db/store/job-store';
import type { EventBus } from '../event-bus';
import { checkImportRequest, runImport } from '../import/import-request';
import { importJobEnd, importJobProgress, type ImportJobRequest } from '../services/imports';
import type { BlobStore } from './blob-store';
import { ServerJobs } from './server-jobs';
import { teamImportTargets } from './team-import';

/**
 * The message of an import whose server process stopped while it ran: the images it committed
 * stay (each file is one transaction), and importing the folder again adds the rest.
 */
export function interruptedImportMessage(params: unknown): string {
  const folder = (params as { folder?: unknown } | null)?.folder;
  const what = typeof folder === 'string' ? `${folder} ` : '';
  return `interrupted: the server stopped while this import ran; the images it had imported stay in their batch, and importing ${what}again adds the rest (those are duplicates)`;
}

export class TeamImportJobs extends ServerJobs {
  constructor(
    private readonly project: ProjectDb,
    private readonly blobs: BlobStore,
    store: JobStore,
    opts: { leaseMs?: number } = {},
  ) {
    super(store, 'import', interruptedImportMessage, opts);
  }

  /**
   * Checks the request on the server's disk (a missing folder or an unreadable COCO file is
   * refused here, with nothing written), then imports in the background.
   */
  async start(
    request: ImportJobRequest,
    events: EventBus,
    projectId: string,
  ): Promise<{ jobId: string }> {
    const checked = await checkImportRequest(request);
    const targets = teamImportTargets(this.project, this.blobs);
    return this.launch(request, events, projectId, async ({ signal, progress }) => {
      const run = await runImport(targets, checked, {
        signal,
        onProgress: (p) => progress(importJobProgress(p)),
      });
      return importJobEnd(run, events, projectId);
    });
  }

  /** The import's result (also of one cancelled between files); null while it runs or failed. */
  override async result(jobId: string): Promise<ImportResult | null> {
    return (await super.result(jobId)) as ImportResult | null;
  }
}
