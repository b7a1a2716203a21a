// Where a project's image, depth and mask files live, behind one interface: a shared folder now
// (NFS or any mount every worker and the server see), an S3-compatible store later. The shared
// location holds what a desktop project keeps under its blobs/ folder (`sqw project copy` puts it
// there, and the colour sources the model stages read: sourceBlobKey); keys are paths inside it,
// blobKeyOf turns a path stored in the database into one.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { BLOBS_DIR } from '../../db/project-store';

import { sourceBlobKey } from '../../db/copy/source-blobs';

export { sourceBlobKey };

/** The database stores blob paths relative to a project folder ('blobs/depth/…'). */
export function blobKeyOf(projectPath: string): string {
  const prefix = `${BLOBS_DIR}/`;
  if (!projectPath.startsWith(prefix))
    throw new Error(`not a path under the project's ${BLOBS_DIR}/ folder: ${projectPath}`);
  return projectPath.slice(prefix.length);
}

export interface BlobStore {
  read(key: string): Promise<Buffer>;
  /** Bytes in the blob, without reading it (the point-cloud cache checks its files by size). */
  size(key: string): Promise<number>;
  /** Whole or not at all: readers never see half a file. */
  write(key: string, data: Buffer): Promise<void>;
}

export class FolderBlobStore implements BlobStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Refuses keys that would leave the folder (`..`, absolute paths). */
  private path(key: string): string {
    const path = resolve(this.root, key);
    const rel = relative(this.root, path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) {
      throw new Error(`blob key outside the blob folder: ${key}`);
    }
    return path;
  }

  // async: a refused key rejects the promise like any other read failure, never throws in place.
  async read(key: string): Promise<Buffer> {
    return readFile(this.path(key));
  }

  async size(key: string): Promise<number> {
    return (await stat(this.path(key))).size;
  }

  async write(key: string, data: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Unique per write: a worker writes several images' depth maps into one folder at once, and a
    // name shared by two writes would give one key the other's bytes.
    const partial = join(
      dirname(path),
      `.${process.pid}.${randomBytes(8).toString('hex')}.partial`,
    );
    await writeFile(partial, data);
    await rename(partial, path);
  }
}

/**
 * The key of an image's full colour image (the upright copy, else the shared source), or why none
 * may be read: a hash or format that is not one the importer records would name some other file
 * (`sources/../…`), and an upright path outside the project's blobs/ is not a blob. The store
 * refuses keys outside its folder as well; this also keeps them to the image's own kind of file.
 */
export function originalBlobKey(image: {
  uprightBlob: string | null;
  sha256: string;
  format: string;
}): { key: string } | { refused: string } {
  if (image.uprightBlob) {
    try {
      return { key: blobKeyOf(image.uprightBlob) };
    } catch (err) {
      return { refused: (err as Error).message };
    }
  }
  if (!/^[0-9a-f]{64}$/.test(image.sha256) || !/^[a-z0-9]{1,8}$/.test(image.format))
    return {
      refused: `its recorded hash or format is not a SHA-256 and a file format (${JSON.stringify(image.sha256.slice(0, 80))}, ${JSON.stringify(image.format.slice(0, 20))}): no file is read by it`,
    };
  return { key: sourceBlobKey(image) };
}
