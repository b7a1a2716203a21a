// Derived files of a project (thumbnails, upright copies, depth maps), content-addressed by the
// source's SHA-256 and written atomically (temporary file + rename), so a crash never leaves a
// half-written blob under its final name.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BLOBS_DIR } from '../../db/project-store';

export type BlobKindDir = 'thumbs' | 'upright' | 'depth' | 'depth-preview';

/** Project-relative, '/'-separated: what the database stores. */
export function blobRelPath(kind: BlobKindDir, sha: string, ext: string): string {
  return `${BLOBS_DIR}/${kind}/${sha}.${ext}`;
}

export interface PendingBlob {
  relPath: string;
  data: Uint8Array;
}

/** Writes `data` to `<projectFolder>/<relPath>` atomically. */
export async function writeBlobAtomic(projectFolder: string, blob: PendingBlob): Promise<void> {
  const target = join(projectFolder, ...blob.relPath.split('/'));
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, blob.data);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeBlobs(projectFolder: string, blobs: PendingBlob[]): Promise<void> {
  for (const b of blobs) await writeBlobAtomic(projectFolder, b);
}
