// A team project opened for serving: its PostgreSQL (or SQLite, in tests) database through the
// two-database layer's stores, and its shared blob folder. Nothing here writes SQL.
import type { BlobRef } from '../../contract/blobs';
import { AccountStore, ClaimStore } from '../../db/store/access-store';
import { BrowseStore } from '../../db/store/browse-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { JobStore } from '../../db/store/job-store';
import type { ProjectDb } from '../../db/store/connect';
import { ObjectEditStore } from '../../db/store/object-edit-store';
import { ReviewStore } from '../../db/store/review-store';
import { UndoStore } from '../../db/store/undo-store';
import { extname } from 'node:path';
import { BLOBS_DIR } from '../../db/project-store';
import { pointCloudBlobPath } from '../scene-view/cloud-cache';
import { FolderBlobStore, originalBlobKey, type BlobStore } from './blob-store';
import { NotFoundError } from '../errors';
import type { ImageRow } from '../../db/store/rows';
import { TeamRederive } from './team-rederive';
import { teamExportProject } from './team-export';
import { TeamExportJobs } from './team-export-jobs';
import { TeamImportJobs } from './team-import-jobs';
import { TeamRuns } from './team-runs';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.bin': 'application/octet-stream',
};

export interface TeamBlob {
  contentType: string;
  data: Buffer;
}

export class TeamProject {
  readonly catalog: CatalogStore;
  readonly review: ReviewStore;
  readonly browse: BrowseStore;
  readonly claims: ClaimStore;
  readonly accounts: AccountStore;
  readonly undo: UndoStore;
  readonly objectEdits: ObjectEditStore;
  readonly blobs: BlobStore;
  /** Graph and QA of an image again after a reviewer edits its objects. */
  readonly rederive: TeamRederive;
  /** Dataset exports (files from the blob store), their jobs kept in the project. */
  readonly exportJobs: TeamExportJobs;
  /** Imports from folders on the server's disk, their jobs kept in the project. */
  readonly importJobs: TeamImportJobs;
  /** Pipeline runs in the project's queue, for the workers (`sqw run --database`). */
  readonly runs: TeamRuns;

  private constructor(
    readonly db: ProjectDb,
    /** Where the project is, for people: the connection string with its password masked. */
    readonly location: string,
    readonly id: string,
    readonly name: string,
    readonly createdAt: string,
    blobFolder: string,
    queueUrl: string | null,
  ) {
    // On PostgreSQL an image in the workers' queue reads as 'processing', as on the desktop.
    this.catalog = new CatalogStore(db.db, { pipelineQueue: queueUrl !== null });
    this.review = new ReviewStore(db.db, db.dialect);
    this.browse = new BrowseStore(db.db);
    this.claims = new ClaimStore(db.db, db.dialect);
    this.accounts = new AccountStore(db.db);
    this.undo = new UndoStore(db.db, db.dialect);
    this.objectEdits = new ObjectEditStore(db.db, db.dialect);
    this.blobs = new FolderBlobStore(blobFolder);
    this.rederive = new TeamRederive(db, this.blobs);
    const jobs = new JobStore(db.db, db.dialect);
    this.exportJobs = new TeamExportJobs(teamExportProject(db, this.blobs, blobFolder), jobs);
    this.importJobs = new TeamImportJobs(db, this.blobs, jobs);
    this.runs = new TeamRuns(db, queueUrl);
  }

  /** `queueUrl`: the project's postgres:// URL, for its pipeline queue (none on SQLite). */
  static async open(
    db: ProjectDb,
    location: string,
    blobFolder: string,
    queueUrl: string | null = null,
  ): Promise<TeamProject> {
    const p = await new BrowseStore(db.db).project();
    const project = new TeamProject(db, location, p.id, p.name, p.createdAt, blobFolder, queueUrl);
    // Exports and imports a previous server process was running when it stopped: failed, saying so.
    await project.exportJobs.markInterrupted();
    await project.importJobs.markInterrupted();
    return project;
  }

  /**
   * The bytes behind a blob ref, from the shared blob folder; undefined when the image or its
   * file is missing. An image's original is what the desktop serves (its upright copy, else its
   * source file), read from the shared folder since the source path belongs to the importing
   * machine: a missing one is a NotFoundError saying why, so the UI can say so.
   */
  async readBlob(ref: BlobRef): Promise<TeamBlob | undefined> {
    if (ref.projectId !== this.id) return undefined;
    const image = await this.catalog.image(ref.imageId);
    if (!image) return undefined;
    let key: string | null;
    switch (ref.kind) {
      case 'thumb':
        key = image.thumbBlob;
        break;
      case 'depth-preview':
        key = image.depthPreviewBlob;
        break;
      case 'image':
        return readOriginal(this.blobs, image);
      case 'point-cloud':
        // Written by scene.pointCloud (team-scene.ts); absent until it has run for the image.
        key = pointCloudBlobPath(image.id);
        break;
    }
    if (!key) return undefined;
    const contentType = CONTENT_TYPES[extname(key).toLowerCase()];
    if (!contentType) return undefined;
    try {
      return { contentType, data: await this.blobs.read(sharedKey(key)) };
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.rederive.idle();
    await this.exportJobs.idle();
    await this.importJobs.idle();
    await this.runs.close();
    await this.db.close();
  }
}

/**
 * An image's full-resolution colour image from the shared blob folder, as the desktop serves it:
 * the upright copy where one was stored, else the source `sqw project copy` (or the team import)
 * shared under its hash. Unlike the desktop's source, which is read in place, these bytes were
 * checked against the import hash when they were shared, and they are what the workers' models
 * read: not hashed again per view.
 */
async function readOriginal(blobs: BlobStore, image: ImageRow): Promise<TeamBlob> {
  const where = `image ${image.id} (${image.relPath})`;
  const found = originalBlobKey(image);
  if ('refused' in found) throw new NotFoundError(`${where}: ${found.refused}`);
  const contentType = CONTENT_TYPES[extname(found.key).toLowerCase()];
  if (!contentType)
    throw new NotFoundError(`${where}: ${found.key} is not an image format browsers show`);
  try {
    return { contentType, data: await blobs.read(found.key) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The error of a key refused by the store names the key only; fs errors would name the
    // server's absolute path, which is no business of the reviewer's.
    const why = code ? `unreadable (${code})` : (err as Error).message;
    if (code !== 'ENOENT') throw new NotFoundError(`${where}: ${found.key} ${why}`);
    throw new NotFoundError(
      image.uprightBlob
        ? `${where}: its upright copy is not in the shared blob folder (${found.key})`
        : `${where}: its full image is not in the shared blob folder (${found.key}): the project was copied to PostgreSQL before \`sqw project copy\` shared colour images, or its source was unreadable then; run \`sqw project share-sources\` where the source files are`,
    );
  }
}

/**
 * The database stores blob paths relative to a project folder (`blobs/thumbs/…`); `sqw project
 * copy` puts the folder's blobs/ itself into the shared folder, so the shared key drops `blobs/`.
 */
export function sharedKey(projectRelative: string): string {
  const prefix = `${BLOBS_DIR}/`;
  return projectRelative.startsWith(prefix)
    ? projectRelative.slice(prefix.length)
    : projectRelative;
}
