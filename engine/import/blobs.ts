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

/** Where an import puts an image's files: a desktop project's folder or a team's blob store. */
export interface ImportBlobs {
  /** The derived files, each under the path the database stores ('blobs/…'), whole or not at all. */
  write(blobs: PendingBlob[]): Promise<void>;
  /**
   * Keeps an imported colour source (one with no upright copy) where the model stages read it:
   * a team's workers run elsewhere and read it from the shared store; a desktop project reads the
   * source file itself, so has none.
   */
  keepSource?(image: { sha256: string; format: string }, data: Buffer): Promise<void>;
}

/** A desktop project's blobs/ folder. */
export function projectFolderBlobs(projectFolder: string): ImportBlobs {
  return {
    async write(blobs) {
      for (const b of blobs) await writeBlobAtomic(projectFolder, b);
    },
  };
}
