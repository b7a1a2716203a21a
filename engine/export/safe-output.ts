// Exports are written into a temporary folder beside the target and renamed into place at the end,
// so a failed or killed export never leaves half a dataset; file names come from ids, never from
// input paths, and every path is checked to stay inside the output folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

export class ExportError extends Error {}

export interface ExportWriter {
  /** Writes `relPath` (forward slashes, no `..`) inside the export folder. */
  write(relPath: string, data: string | Uint8Array): Promise<void>;
  /** Appends to `relPath`, so large files (JSONL) stream instead of being held in memory. */
  append(relPath: string, data: string): Promise<void>;
}

export async function writeExportFolder(
  outDir: string,
  opts: { force: boolean },
  body: (w: ExportWriter) => Promise<void>,
): Promise<string> {
  const target = resolve(outDir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory())
      throw new ExportError(`output exists and is not a folder: ${target}`);
    if (readdirSync(target).length > 0 && !opts.force) {
      throw new ExportError(`output folder is not empty: ${target} (use --force to replace it)`);
    }
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = randomBytes(4).toString('hex');
  const tmp = join(parent, `.${basename(target)}.partial-${suffix}`);
  await mkdir(tmp);
  try {
    await body({
      async write(relPath, data) {
        const full = safeJoin(tmp, relPath);
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, data);
      },
      async append(relPath, data) {
        const full = safeJoin(tmp, relPath);
        await mkdir(dirname(full), { recursive: true });
        await appendFile(full, data);
      },
    });
    if (existsSync(target)) {
      const old = join(parent, `.${basename(target)}.old-${suffix}`);
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    return target;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

export function safeJoin(root: string, relPath: string): string {
  if (relPath.includes('\0') || relPath.startsWith('/') || /(^|[\\/])\.\.([\\/]|$)/.test(relPath)) {
    throw new ExportError(`refusing to write outside the export folder: ${relPath}`);
  }
  const full = resolve(root, relPath);
  if (!full.startsWith(resolve(root) + sep))
    throw new ExportError(`refusing to write outside the export folder: ${relPath}`);
  return full;
}

/** A file-name-safe stem: letters, digits, dot, dash and underscore only. */
export function safeStem(name: string): string {
  const stem = name
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '');
  return stem.slice(0, 80) || 'image';
}
