// The point-cloud cache of a project: blobs/point-clouds/<imageId>.bin (the packed arrays, served
// as the image's 'point-cloud' blob) and <imageId>.json (the description with its stamp). The stamp
// hashes everything the cloud is built from (depth, intrinsics, gravity frame, masks, RGB source,
// point budget), so a new graph or an edited mask gives a new stamp and the cache rebuilds. The
// files live in a desktop project's folder or a team project's shared blob folder (CloudFiles).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PointCloudInfo } from '../../contract/point-cloud';

export const POINT_CLOUD_DIR = 'blobs/point-clouds';
/** Bump when the way clouds are built changes, so old cache files are rebuilt. */
const BUILD_VERSION = 'cloud-v1';

/** Project-relative path of an image's packed cloud. */
export function pointCloudBlobPath(imageId: number): string {
  return `${POINT_CLOUD_DIR}/${imageId}.bin`;
}

function describedBy(imageId: number): string {
  return `${POINT_CLOUD_DIR}/${imageId}.json`;
}

export function cloudStamp(parts: unknown[]): string {
  const h = createHash('sha256');
  h.update(BUILD_VERSION);
  for (const p of parts) h.update(`\u0000${typeof p === 'string' ? p : JSON.stringify(p)}`);
  return h.digest('hex').slice(0, 16);
}

/** Where the cache files are kept, by project-relative path (`blobs/point-clouds/…`). */
export interface CloudFiles {
  read(path: string): Promise<Buffer>;
  size(path: string): Promise<number>;
  /** Whole or not at all: a reader never sees half a file. */
  write(path: string, data: Uint8Array): Promise<void>;
}

export interface CloudCache {
  /** The cached description when both files are there and match `stamp`; else null. */
  read(imageId: number, stamp: string): Promise<PointCloudInfo | null>;
  /** Writes the blob, then its description. */
  write(imageId: number, packed: Uint8Array, info: PointCloudInfo): Promise<void>;
}

export function cloudCache(files: CloudFiles): CloudCache {
  return {
    async read(imageId, stamp) {
      try {
        const meta = PointCloudInfo.safeParse(
          JSON.parse((await files.read(describedBy(imageId))).toString('utf8')),
        );
        if (!meta.success || meta.data.stamp !== stamp) return null;
        const bytes = await files.size(pointCloudBlobPath(imageId));
        return bytes === meta.data.bytes ? meta.data : null;
      } catch {
        return null;
      }
    },
    async write(imageId, packed, info) {
      await files.write(pointCloudBlobPath(imageId), packed);
      await files.write(describedBy(imageId), Buffer.from(JSON.stringify(info)));
    },
  };
}

/** The cache files of a desktop project, in its folder. */
export function folderCloudFiles(folder: string): CloudFiles {
  return {
    read: (path) => readFile(join(folder, path)),
    size: async (path) => (await stat(join(folder, path))).size,
    async write(path, data) {
      const full = join(folder, path);
      await mkdir(dirname(full), { recursive: true });
      const tmp = `${full}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await writeFile(tmp, data);
      await rename(tmp, full);
    },
  };
}
