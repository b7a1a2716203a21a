// The point-cloud cache of a project: blobs/point-clouds/<imageId>.bin (the packed arrays, served
// as the image's 'point-cloud' blob) and <imageId>.json (the description with its stamp). The stamp
// hashes everything the cloud is built from (depth, intrinsics, gravity frame, masks, RGB source,
// point budget), so a new graph or an edited mask gives a new stamp and the cache rebuilds.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PointCloudInfo } from '../../contract/point-cloud';

export const POINT_CLOUD_DIR = 'blobs/point-clouds';
/** Bump when the way clouds are built changes, so old cache files are rebuilt. */
const BUILD_VERSION = 'cloud-v1';

/** Project-relative path of an image's packed cloud. */
export function pointCloudBlobPath(imageId: number): string {
  return `${POINT_CLOUD_DIR}/${imageId}.bin`;
}

export function cloudStamp(parts: unknown[]): string {
  const h = createHash('sha256');
  h.update(BUILD_VERSION);
  for (const p of parts) h.update(`\u0000${typeof p === 'string' ? p : JSON.stringify(p)}`);
  return h.digest('hex').slice(0, 16);
}

/** The cached description when both files are there and match `stamp`; else null. */
export async function readCachedCloud(
  folder: string,
  imageId: number,
  stamp: string,
): Promise<PointCloudInfo | null> {
  try {
    const meta = PointCloudInfo.safeParse(
      JSON.parse(await readFile(join(folder, POINT_CLOUD_DIR, `${imageId}.json`), 'utf8')),
    );
    if (!meta.success || meta.data.stamp !== stamp) return null;
    const bin = await stat(join(folder, pointCloudBlobPath(imageId)));
    return bin.size === meta.data.bytes ? meta.data : null;
  } catch {
    return null;
  }
}

/** Writes blob then description, each through a temporary file and a rename (never half a file). */
export async function writeCachedCloud(
  folder: string,
  imageId: number,
  packed: Uint8Array,
  info: PointCloudInfo,
): Promise<void> {
  const dir = join(folder, POINT_CLOUD_DIR);
  await mkdir(dir, { recursive: true });
  const tmp = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const bin = join(folder, pointCloudBlobPath(imageId));
  await writeFile(bin + tmp, packed);
  await rename(bin + tmp, bin);
  const meta = join(dir, `${imageId}.json`);
  await writeFile(meta + tmp, JSON.stringify(info));
  await rename(meta + tmp, meta);
}
