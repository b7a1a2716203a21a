// Exports of a team project (docs/TEAM-SETUP.md): the desktop's export over the project's database
// (the export store on PostgreSQL) with its images, depth maps and masks read from the shared blob
// store, and the exports RPC of `sqw serve --database`: each export runs in the server process,
// with `job` events for its progress; its result is kept by the process, its record in the project.
import { randomUUID } from 'node:crypto';
import type { Job } from '../../contract/entities';
import type { ExportOptionsInput, ExportResult } from '../../contract/exports';
import type { ProjectDb } from '../../db/store/connect';
import { ExportStore, type ExportImageRow } from '../../db/store/export-store';
import { NotFoundError } from '../errors';
import type { EventBus } from '../event-bus';
import { exportProject } from '../export/export';
import {
  batchFolders,
  type ExportProject,
  type MediaFile,
  type MediaFiles,
} from '../export/export-project';
import { ExportError } from '../export/safe-output';
import { exportMessage, listExports, refuseBadExport } from '../services/exports';
import { blobKeyOf, sourceBlobKey, type BlobStore } from './blob-store';

/**
 * A team project as an export reads it. `sharedFolder`: the blob store's folder on this machine,
 * which an export must never replace (null for a store that is not a folder).
 */
export function teamExportProject(
  db: ProjectDb,
  blobs: BlobStore,
  sharedFolder: string | null,
): ExportProject {
  const rows = new ExportStore(db.db, db.dialect);
  return {
    rows,
    files: new BlobMediaFiles(blobs),
    protectedPlaces: async () => [
      ...(sharedFolder ? [{ path: sharedFolder, what: "the project's shared blob folder" }] : []),
      // Folders on the importing machine; refused here too, should this be that machine.
      ...(await batchFolders(rows)),
    ],
    // The database is written through the connection the export reads by; nothing to check ahead.
    checkWritable: () => undefined,
    // Shards open a desktop project folder; a team project is read on the export's thread.
    shardFolder: null,
  };
}

/**
 * A team project's files in its blob store: the upright copy where one was stored, else the
 * colour source `sqw project copy` shared under its hash; depth maps under the store's keys. The
 * exported file is named after the path the project stored (the desktop's extension).
 */
export class BlobMediaFiles implements MediaFiles {
  readonly local = false;

  constructor(private readonly blobs: BlobStore) {}

  image(image: ExportImageRow): MediaFile {
    if (image.uprightBlob) return this.file(image.uprightBlob, blobKeyOf(image.uprightBlob));
    const key = sourceBlobKey(image);
    return {
      name: image.sourcePath,
      path: null,
      read: () =>
        this.blobs.read(key).catch((err: unknown) => {
          throw new ExportError(
            `image ${image.id} (${image.relPath}): its colour image is not in the shared blob folder (${key}): run \`sqw project share-sources\` where the source files are (${(err as Error).message})`,
          );
        }),
    };
  }

  depth(image: ExportImageRow): MediaFile | null {
    return image.depthBlob ? this.file(image.depthBlob, blobKeyOf(image.depthBlob)) : null;
  }

  private file(name: string, key: string): MediaFile {
    return { name, path: null, read: () => this.blobs.read(key) };
  }
}

/** The blob store of an export that copies no files (`sqw export` without --blobs). */
export class NoBlobStore implements BlobStore {
  async read(key: string): Promise<Buffer> {
    throw new ExportError(`this export reads no files, yet asked for ${key}`);
  }

  async write(key: string): Promise<void> {
    throw new ExportError(`an export writes no blobs, yet wrote ${key}`);
  }
}

interface ExportRun {
  job: Job;
  result: ExportResult | null;
}

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
    };
    const update = (change: Partial<Job>, current: string | null = null) => {
      run.job = { ...run.job, ...change, updatedAt: new Date().toISOString() };
      events.emit({ type: 'job', projectId, job: { ...run.job }, current });
    };
    this.runs.set(run.job.id, run);
    update({});
    const work = exportProject(this.project, options, {
      onProgress: (done, total, current) => update({ done, total }, current),
    }).then(
      (result) => {
        run.result = result;
        update({ status: 'done', message: exportMessage(result) });
      },
      (err: unknown) =>
        update({ status: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    return { jobId: run.job.id };
  }

  /** The finished export's result; null while it runs or when it failed. */
  result(jobId: string): ExportResult | null {
    const run = this.runs.get(jobId);
    if (!run) throw new NotFoundError(`job not found: ${jobId}`);
    return run.result;
  }

  list() {
    return listExports(this.project);
  }

  /** Waits for every export this process started. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
