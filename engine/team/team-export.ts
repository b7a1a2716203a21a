// A team project as an export reads it (docs/TEAM-SETUP.md): the desktop's export over the
// project's database (the export store on PostgreSQL), with its images, depth maps and masks read
// from the shared blob store. The exports the server runs: team-export-jobs.ts.
import type { ProjectDb } from '../../db/store/connect';
import { ExportStore, type ExportImageRow } from '../../db/store/export-store';
import {
  batchFolders,
  type ExportProject,
  type MediaFile,
  type MediaFiles,
} from '../export/export-project';
import { ExportError } from '../export/safe-output';
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

  async size(key: string): Promise<number> {
    throw new ExportError(`this export reads no files, yet asked for ${key}`);
  }
}
