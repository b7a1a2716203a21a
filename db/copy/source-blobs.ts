// The colour images a model stage reads, in a team project's shared blob folder. A desktop
// project reads each image from its imported source file (or the upright copy under blobs/), a
// path on the importing machine; a team's workers run elsewhere, so `sqw project copy` puts each
// source that has no upright copy into the shared folder under its content hash.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the shared folder keeps the colour sources. */
export const SOURCES_DIR = 'sources';

/** The blob key of an image's colour source: its content hash, with its format for people. */
export function sourceBlobKey(image: { sha256: string; format: string }): string {
  return `${SOURCES_DIR}/${image.sha256}.${image.format}`;
}

export interface ImageSource {
  relPath: string;
  sourcePath: string;
  sha256: string;
  format: string;
  /** Set when an upright copy was stored at import: that one is read instead of the source. */
  uprightBlob: string | null;
}

export interface SharedSources {
  shared: number;
  /** Sources that could not be shared; model stages in workers fail for those images. */
  missing: Array<{ image: string; reason: string }>;
}

/**
 * Copies the sources of `images` (those without an upright copy) into `blobsDir`, each checked
 * against the hash taken at import: a source changed since is not shared (its objects and depth
 * were made for other pixels), and is reported with a missing one.
 */
export function shareSources(images: Iterable<ImageSource>, blobsDir: string): SharedSources {
  const out: SharedSources = { shared: 0, missing: [] };
  const done = new Set<string>();
  for (const image of images) {
    if (image.uprightBlob) continue;
    const key = sourceBlobKey(image);
    if (done.has(key)) continue;
    let data: Buffer;
    try {
      data = readFileSync(image.sourcePath);
    } catch (err) {
      out.missing.push({
        image: image.relPath,
        reason: `cannot read ${image.sourcePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      });
      continue;
    }
    if (createHash('sha256').update(data).digest('hex') !== image.sha256) {
      out.missing.push({
        image: image.relPath,
        reason: `${image.sourcePath} changed since import`,
      });
      continue;
    }
    const path = join(blobsDir, ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, data);
    renameSync(partial, path);
    done.add(key);
    out.shared++;
  }
  return out;
}
