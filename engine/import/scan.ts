// Lists image files under a folder, recursively and in a deterministic order. The file system is
// injectable so tests can simulate unreadable folders (chmod does not stop root).
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { ImportIssue } from '../../contract/entities';

/** What a directory entry or stat says about a file's type (the optional ones name the others). */
export interface FileKind {
  isDirectory(): boolean;
  isFile(): boolean;
  isFIFO?(): boolean;
  isSocket?(): boolean;
  isCharacterDevice?(): boolean;
  isBlockDevice?(): boolean;
}

export interface DirEntry extends FileKind {
  name: string;
  isSymbolicLink(): boolean;
}

export interface ScanFs {
  readdir(path: string): Promise<DirEntry[]>;
  stat(path: string): Promise<FileKind>;
}

/** The name of a file type other than a regular file or a folder, for a skip reason. */
export function specialKind(k: FileKind): string {
  if (k.isFIFO?.()) return 'FIFO (named pipe)';
  if (k.isSocket?.()) return 'socket';
  if (k.isCharacterDevice?.()) return 'character device';
  if (k.isBlockDevice?.()) return 'block device';
  return 'special file';
}

export const nodeScanFs: ScanFs = {
  readdir: (path) => readdir(path, { withFileTypes: true }),
  stat: (path) => stat(path),
};

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'ppm', 'pgm'];
export const DEPTH_EXTENSIONS = ['png', 'pgm'];

export interface ScannedFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the scanned root, '/'-separated. */
  relPath: string;
}

export interface ScanOptions {
  extensions: string[];
  fs?: ScanFs;
  /** Absolute folders not to descend into (e.g. a depth folder inside the colour folder). */
  exclude?: string[];
}

export interface ScanResult {
  files: ScannedFile[];
  /** Sub-folders that could not be read (kind 'skipped'), paths relative to the root. */
  issues: ImportIssue[];
}

export class ScanError extends Error {}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

// Code-unit order, not locale order: the same on every machine.
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
}

/**
 * Scans `root`. An unreadable root throws ScanError (nothing to import); an unreadable sub-folder
 * becomes an issue and the scan goes on, and so does every entry that is neither a regular file nor
 * a folder (a FIFO, a device, a link to one): reading those would block or never end. Hidden
 * entries (leading '.') are ignored: they are OS metadata such as macOS '._IMG.jpg' resource forks.
 */
export async function scanFolder(root: string, opts: ScanOptions): Promise<ScanResult> {
  const fs = opts.fs ?? nodeScanFs;
  const exts = new Set(opts.extensions.map((e) => e.toLowerCase()));
  const exclude = new Set(opts.exclude ?? []);
  const files: ScannedFile[] = [];
  const issues: ImportIssue[] = [];

  const rel = (abs: string) => toPosix(relative(root, abs)) || '.';

  async function visit(dir: string): Promise<void> {
    let entries: DirEntry[];
    try {
      entries = await fs.readdir(dir);
    } catch (err) {
      if (dir === root) throw new ScanError(`cannot read folder ${root}: ${errorCode(err)}`);
      issues.push({
        path: rel(dir),
        kind: 'skipped',
        reason: `folder not readable (${errorCode(err)})`,
      });
      return;
    }
    const sorted = [...entries].sort((a, b) => byCodeUnit(a.name, b.name));
    for (const entry of sorted) {
      if (entry.name.startsWith('.')) continue;
      const abs = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      // Why an entry that is neither a regular file nor a folder is skipped (reported, never read).
      let special: string | null = null;
      if (entry.isSymbolicLink()) {
        try {
          const s = await fs.stat(abs);
          isFile = s.isFile();
          if (!isFile && !s.isDirectory())
            special = `not a regular file: a symbolic link to a ${specialKind(s)}`;
          // Linked folders are not followed: they can form cycles or leave the batch folder.
          if (s.isDirectory()) {
            issues.push({
              path: rel(abs),
              kind: 'skipped',
              reason: 'symbolic link to a folder not followed',
            });
            continue;
          }
        } catch (err) {
          issues.push({
            path: rel(abs),
            kind: 'skipped',
            reason: `broken symbolic link (${errorCode(err)})`,
          });
          continue;
        }
        isDir = false;
      } else if (!isDir && !isFile) {
        special = `not a regular file: a ${specialKind(entry)}`;
      }
      if (special) {
        issues.push({ path: rel(abs), kind: 'skipped', reason: special });
      } else if (isDir) {
        if (!exclude.has(abs)) await visit(abs);
      } else if (isFile && exts.has(extname(entry.name).slice(1).toLowerCase())) {
        files.push({ path: abs, relPath: rel(abs) });
      }
    }
  }

  await visit(root);
  files.sort((a, b) => byCodeUnit(a.relPath, b.relPath));
  return { files, issues };
}
