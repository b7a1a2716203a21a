// Where an export may write. The typed output path is compared with the folders an export must never
// replace only after both are resolved the way the kernel will reach them (the real path of every
// existing ancestor), and also by device and inode: a symlinked parent, `..` or a bind mount cannot
// make a protected folder look like somewhere else. Writability is checked here too, so a read-only
// destination fails before the dataset is written rather than after.
import { accessSync, constants, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, relative, resolve, sep } from 'node:path';
import { printable } from '../printable';
import { ExportError } from './export-error';

/** A folder an export must never replace or delete, with what to call it in a refusal. */
export interface ProtectedPlace {
  path: string;
  what: string;
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/**
 * `path` as the file calls that follow will reach it: absolute, with the real path of its deepest
 * existing ancestor and the missing rest appended. The result is what the export reads and writes,
 * so the path checked is the path used.
 */
export function physicalPath(path: string): string {
  const abs = resolve(path);
  const missing: string[] = [];
  for (let head = abs; ; head = dirname(head)) {
    try {
      return join(realpathSync.native(head), ...missing);
    } catch (err) {
      const code = errno(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        throw new ExportError(`cannot resolve ${printable(path)}: ${code}`);
      if (code === 'ENOENT' && exists(head, false))
        throw new ExportError(`${printable(head)} is a broken symbolic link`);
    }
    if (dirname(head) === head) return abs;
    missing.unshift(basename(head));
  }
}

function exists(path: string, follow: boolean): boolean {
  try {
    if (follow) statSync(path);
    else lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Places no export ever replaces, whatever the project: `/`, the home folder and the cwd. */
export function everywhereProtected(): ProtectedPlace[] {
  const cwd = process.cwd();
  return [
    { path: parse(cwd).root, what: 'the file system root' },
    { path: homedir(), what: 'the home folder' },
    { path: cwd, what: 'the folder the command runs in' },
  ];
}

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !parse(r).root;
}

/** True when `folder` or one of its ancestors is the file `id` (same device and inode). */
function hasAncestor(folder: string, id: { dev: number; ino: number }): boolean {
  for (let p = folder; ; p = dirname(p)) {
    try {
      const s = statSync(p);
      if (s.dev === id.dev && s.ino === id.ino) return true;
    } catch {
      // A missing protected folder or ancestor: its existing ancestors are still compared.
    }
    if (dirname(p) === p) return false;
  }
}

/** How a refusal names the output: as typed, and where it really leads when that differs. */
function shown(typed: string, target: string): string {
  return resolve(typed) === target
    ? printable(target)
    : `${printable(typed)} (really ${printable(target)})`;
}

/**
 * Throws ExportError when replacing `target` (a physical path, see physicalPath) would replace or
 * delete one of `places` or anything inside it.
 */
export function refuseProtected(typed: string, target: string, places: ProtectedPlace[]): void {
  let targetId: { dev: number; ino: number } | null = null;
  try {
    const s = statSync(target);
    targetId = { dev: s.dev, ino: s.ino };
  } catch {
    // Not there yet: nothing to alias by inode.
  }
  for (const place of [...places, ...everywhereProtected()]) {
    let guarded: string;
    try {
      guarded = physicalPath(place.path);
    } catch {
      guarded = resolve(place.path);
    }
    const same = guarded === target;
    if (same || isInside(guarded, target) || (targetId && hasAncestor(guarded, targetId))) {
      throw new ExportError(
        same
          ? `refusing to export into ${shown(typed, target)}: it is ${place.what}`
          : `refusing to export into ${shown(typed, target)}: replacing it would delete ${place.what} (${printable(guarded)})`,
      );
    }
  }
}

/** Why `path` cannot be written (a folder: create, rename and delete entries in it), or null. */
function notWritable(path: string, folder = true): string | null {
  try {
    accessSync(path, folder ? constants.W_OK | constants.X_OK : constants.W_OK);
    return null;
  } catch (err) {
    return errno(err);
  }
}

/** The deepest folder of `path` that exists (where `mkdir -p` would start). */
function existingAncestor(path: string): string {
  let p = path;
  while (!exists(p, true) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Throws ExportError unless an export can be written at `target` (physical): the folder it is
 * created in, and when an earlier export is being replaced, that export and every folder in it
 * (the old one is moved aside and deleted at the end).
 */
export function requireWritableTarget(target: string): void {
  const parent = existingAncestor(dirname(target));
  const why = notWritable(parent);
  if (why)
    throw new ExportError(
      `cannot export into ${printable(target)}: ${printable(parent)} is not writable (${why})`,
    );
  if (!exists(target, true)) return;
  const pending = [target];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const bad = notWritable(dir);
    if (bad)
      throw new ExportError(
        `cannot replace ${printable(target)}: ${printable(dir)} is not writable (${bad}), so the earlier export could not be deleted`,
      );
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) pending.push(join(dir, e.name));
  }
}

/** Throws ExportError naming `what` unless the file (or folder) `path` can be written. */
export function requireWritable(path: string, what: string, folder = false): void {
  const why = notWritable(path, folder);
  if (why) throw new ExportError(`${what} is read-only: ${printable(path)} (${why})`);
}
