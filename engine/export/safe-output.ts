// Exports are written into a temporary folder beside the target and renamed into place at the end,
// so a failed or killed export never leaves half a dataset; file names come from ids, never from
// input paths, and every path is checked to stay inside the output folder. --force replaces only a
// folder an earlier export wrote (it holds EXPORT_MARKER), never an arbitrary one. Where it may
// write is output-guard's job; its temporary folders, and those killed exports left, temp-folders'.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { printable } from '../printable';
import { ExportError } from './export-error';
import { LinkBatcher } from './io/link-batcher';
import { cleanStaleTemps, ExportTemps, removeTempFolder, TEMP_MARKER } from './temp-folders';
import {
  physicalPath,
  refuseProtected,
  requireWritableTarget,
  type ProtectedPlace,
} from './output-guard';

export { ExportError };

/** Written last into every export; its presence is what lets --force replace the folder. */
export const EXPORT_MARKER = 'sqw-export.json';
export const MANIFEST = 'MANIFEST.sha256';

export interface ExportWriter {
  /** Writes `relPath` (forward slashes, no `..`) inside the export folder. */
  write(relPath: string, data: string | Uint8Array): Promise<void>;
  /** Appends to `relPath`, so large files (JSONL) stream instead of being held in memory. */
  append(relPath: string, data: string | Uint8Array): Promise<void>;
  /** Copies a file from outside into `relPath`. */
  copyFrom(relPath: string, source: string): Promise<void>;
  /** A symbolic link at `relPath` to an absolute path outside (not listed in the manifest). */
  link(relPath: string, target: string): Promise<void>;
  /** Moves scratch parts (written with append) into the end of `relPath`, then deletes them. */
  concat(relPath: string, parts: string[]): Promise<void>;
  /** Files another thread wrote into this folder, with their sha256, for the manifest. */
  adopt(files: Array<[string, string]>): void;
  /** Deletes a scratch folder or file inside the export folder. */
  remove(relPath: string): Promise<void>;
  /** The (temporary) export folder itself, for shards writing into it. */
  readonly root: string;
}

/**
 * The writer of one export shard (a worker thread over a range of images) in the export's
 * temporary folder: what its sinks append goes to part files under `.shards/`, images and depth
 * maps go to their final paths. `finish` hands back both for the main thread.
 */
export function shardWriter(
  root: string,
  shard: number,
  /** Where the shard's links go: the main thread makes every link of an export, in sequence. */
  link: (relPath: string, target: string) => void,
): {
  w: ExportWriter;
  finish(): Promise<{ parts: Record<string, string>; files: Array<[string, string]> }>;
  close(): Promise<void>;
} {
  const table = new FileTable(root, (relPath) => relPath.startsWith(`${SHARDS_DIR}/`));
  const inner = table.writer();
  const parts: Record<string, string> = {};
  const partOf = (relPath: string) =>
    (parts[relPath] ??= `${SHARDS_DIR}/${shard}/${relPath.replace(/\//g, '__')}`);
  return {
    w: {
      ...inner,
      append: (relPath, data) => inner.append(partOf(relPath), data),
      link: async (relPath, target) => {
        safeJoin(root, relPath);
        link(relPath, resolve(target));
      },
    },
    async finish() {
      await table.finish();
      const partPaths = new Set(Object.values(parts));
      return { parts, files: table.entries().filter(([path]) => !partPaths.has(path)) };
    },
    close: () => table.closeAll(),
  };
}

/** Scratch folder of export shards inside the temporary export folder. */
export const SHARDS_DIR = '.shards';

export interface WriteFolderOptions {
  force: boolean;
  /**
   * Folders the export must never replace or delete (the project, image sources). A function is
   * asked again right before an earlier export is replaced, so a batch imported meanwhile counts.
   */
  protect?: ProtectedPlace[] | (() => ProtectedPlace[] | Promise<ProtectedPlace[]>);
}

async function protectedPlaces(opts: WriteFolderOptions): Promise<ProtectedPlace[]> {
  return typeof opts.protect === 'function' ? opts.protect() : (opts.protect ?? []);
}

/**
 * Throws ExportError when `outDir` could not be written (checked again before an earlier export is
 * replaced); returns the physical folder the export will be written to.
 */
export function checkExportTarget(
  outDir: string,
  opts: { force: boolean; protect?: ProtectedPlace[] },
): string {
  const target = physicalPath(outDir);
  refuseProtected(outDir, target, opts.protect ?? []);
  refuseForeignFolder(target, opts.force);
  requireWritableTarget(target);
  return target;
}

function refuseForeignFolder(target: string, force: boolean): void {
  if (!existsSync(target)) return;
  const shown = printable(target);
  if (!statSync(target).isDirectory())
    throw new ExportError(`output exists and is not a folder: ${shown}`);
  if (readdirSync(target).length === 0) return;
  if (!force)
    throw new ExportError(
      `output folder is not empty: ${shown} (an earlier export there can be replaced; choose to replace it)`,
      true,
    );
  if (!existsSync(join(target, EXPORT_MARKER)))
    throw new ExportError(
      `output folder is not empty and was not written by an export (no ${EXPORT_MARKER}): ${shown}; refusing to replace it`,
    );
}

export async function writeExportFolder(
  outDir: string,
  opts: WriteFolderOptions,
  body: (w: ExportWriter) => Promise<void>,
  marker: () => unknown,
): Promise<{ outDir: string; checksum: string; cleaned: string[] }> {
  // Every file call below uses the physical path that was checked, never the typed one.
  const target = checkExportTarget(outDir, {
    force: opts.force,
    protect: await protectedPlaces(opts),
  });
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const cleaned = await cleanStaleTemps(parent);
  const temps = new ExportTemps(parent, target, randomBytes(4).toString('hex'));
  try {
    let tmp: string | null = await temps.create('partial');
    const files = new FileTable(tmp);
    try {
      await body(files.writer());
      const manifest = await files.finish();
      const checksum = createHash('sha256').update(manifest).digest('hex');
      await files.writeRaw(MANIFEST, manifest);
      await files.writeRaw(
        EXPORT_MARKER,
        `${JSON.stringify({ ...asObject(marker()), checksum }, null, 2)}\n`,
      );
      let old: string | null = null;
      if (existsSync(target)) {
        // The export took a while: the folders it must not touch may have changed (a new batch).
        refuseProtected(outDir, target, await protectedPlaces(opts));
        refuseForeignFolder(target, opts.force);
        // Moved into a marked folder, so a kill before it is deleted leaves it recognisable.
        old = await temps.create('old');
        await rename(target, join(old, basename(target)));
      }
      await rename(tmp, target);
      temps.forget(tmp);
      tmp = null;
      await rm(join(target, TEMP_MARKER), { force: true });
      if (old) {
        await removeTempFolder(old);
        temps.forget(old);
      }
      return { outDir: target, checksum, cleaned };
    } catch (err) {
      await files.closeAll();
      if (tmp) await removeTempFolder(tmp);
      throw err;
    }
  } finally {
    temps.stop();
  }
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : { value: v };
}

/** Open files of one export with a running sha256 each; appends reuse the open handle. */
class FileTable {
  private readonly open = new Map<string, { fh: FileHandle; hash: Hash | null }>();
  private readonly done = new Map<string, string>();
  private readonly dirs = new Set<string>();
  private readonly links = new LinkBatcher();

  /** `unhashed`: scratch files that never reach the manifest (a shard's parts) skip sha256. */
  constructor(
    private readonly root: string,
    private readonly unhashed?: (relPath: string) => boolean,
  ) {}

  /** Creates a file's folder once (a synchronous call: cheaper than a thread-pool round trip). */
  private ensureDir(full: string): void {
    const dir = dirname(full);
    if (this.dirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  writer(): ExportWriter {
    return {
      root: this.root,
      adopt: (files) => {
        for (const [path, hash] of files) {
          if (this.open.has(path) || this.done.has(path))
            throw new ExportError(`export wrote ${path} twice`);
          this.done.set(path, hash);
        }
      },
      remove: (relPath) => rm(safeJoin(this.root, relPath), { recursive: true, force: true }),
      write: async (relPath, data) => {
        if (this.open.has(relPath) || this.done.has(relPath))
          throw new ExportError(`export wrote ${relPath} twice`);
        await this.append(relPath, data);
        await this.close(relPath);
      },
      append: (relPath, data) => this.append(relPath, data),
      copyFrom: async (relPath, source) => {
        if (this.open.has(relPath) || this.done.has(relPath))
          throw new ExportError(`export wrote ${relPath} twice`);
        const entry = await this.handle(relPath);
        for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) {
          entry.hash?.update(chunk as Buffer);
          await entry.fh.write(chunk as Buffer);
        }
        await this.close(relPath);
      },
      link: async (relPath, target) => {
        const full = safeJoin(this.root, relPath);
        this.ensureDir(full);
        await this.links.add(resolve(target), full);
      },
      concat: async (relPath, parts) => {
        for (const part of parts) {
          const partPath = safeJoin(this.root, part);
          if (this.open.has(part)) await this.close(part);
          this.done.delete(part);
          if (!existsSync(partPath)) continue;
          if (!this.open.has(relPath) && !this.done.has(relPath)) {
            // The file starts with this part: move it into place and only read it for the hash.
            const full = safeJoin(this.root, relPath);
            this.ensureDir(full);
            await rename(partPath, full);
            const entry = await this.handle(relPath);
            for await (const chunk of createReadStream(full, { highWaterMark: 1 << 20 }))
              entry.hash?.update(chunk as Buffer);
            continue;
          }
          const entry = await this.handle(relPath);
          for await (const chunk of createReadStream(partPath, { highWaterMark: 1 << 20 })) {
            entry.hash?.update(chunk as Buffer);
            await entry.fh.write(chunk as Buffer);
          }
          await rm(partPath);
        }
      },
    };
  }

  private async handle(relPath: string): Promise<{ fh: FileHandle; hash: Hash | null }> {
    let entry = this.open.get(relPath);
    if (!entry) {
      if (this.done.has(relPath)) throw new ExportError(`export reopened ${relPath}`);
      const full = safeJoin(this.root, relPath);
      this.ensureDir(full);
      entry = {
        fh: await open(full, 'a'),
        hash: this.unhashed?.(relPath) ? null : createHash('sha256'),
      };
      this.open.set(relPath, entry);
    }
    return entry;
  }

  private async append(relPath: string, data: string | Uint8Array): Promise<void> {
    const entry = await this.handle(relPath);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    entry.hash?.update(buf);
    await entry.fh.write(buf);
  }

  private async close(relPath: string): Promise<void> {
    const entry = this.open.get(relPath);
    if (!entry) return;
    this.open.delete(relPath);
    await entry.fh.close();
    this.done.set(relPath, entry.hash?.digest('hex') ?? '');
  }

  async writeRaw(relPath: string, text: string): Promise<void> {
    const fh = await open(safeJoin(this.root, relPath), 'w');
    try {
      await fh.writeFile(text);
    } finally {
      await fh.close();
    }
  }

  /** Closes every file; returns the manifest (sha256sum format, sorted by path). */
  async finish(): Promise<string> {
    await this.links.drain();
    await this.closeAll();
    return [...this.done.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, hash]) => `${hash}  ${path}\n`)
      .join('');
  }

  /** Finished files and their sha256 (after finish). */
  entries(): Array<[string, string]> {
    return [...this.done.entries()];
  }

  async closeAll(): Promise<void> {
    await this.links.close();
    for (const path of [...this.open.keys()]) await this.close(path);
  }
}

export function safeJoin(root: string, relPath: string): string {
  if (relPath.includes('\0') || relPath.startsWith('/') || /(^|[\\/])\.\.([\\/]|$)/.test(relPath)) {
    throw new ExportError(`refusing to write outside the export folder: ${relPath}`);
  }
  const full = resolve(root, relPath);
  const rel = relative(resolve(root), full);
  if (!rel || rel.startsWith('..') || !full.startsWith(resolve(root) + sep))
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
