// The temporary folders of an export sit beside its output folder: `.NAME.partial-HEX` (the export
// being written) and `.NAME.old-HEX` (holding the earlier export while it is deleted). Each holds
// TEMP_MARKER, which the running export touches every few seconds; an export that was killed stops
// touching it, and the next export into the same folder deletes the folders whose marker went
// stale. A folder without the marker or with another name is never touched (except an empty one
// by our name that a kill left before its marker was written), and neither is one whose marker is
// fresh (an export still running in another process).
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { existsSync } from 'node:fs';

export const TEMP_MARKER = '.sqw-export-temp.json';
const TEMP_NAME = /^\.(.+)\.(partial|old)-[0-9a-f]{8}$/;
/** How often a running export touches its markers. */
export const HEARTBEAT_MS = 5_000;
/** A marker untouched this long belongs to an export that is no longer running. */
export const STALE_AFTER_MS = 5 * 60_000;

export type TempKind = 'partial' | 'old';

export function tempFolderName(target: string, kind: TempKind, suffix: string): string {
  return `.${basename(target)}.${kind}-${suffix}`;
}

/** The temporary folders of one running export, kept recognisable and alive until it ends. */
export class ExportTemps {
  private readonly markers = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly parent: string,
    private readonly target: string,
    private readonly suffix: string,
  ) {
    this.timer = setInterval(() => void this.touch(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Creates the folder and its marker (the marker first exists before anything else is put in). */
  async create(kind: TempKind): Promise<string> {
    const dir = join(this.parent, tempFolderName(this.target, kind, this.suffix));
    await mkdir(dir);
    const marker = join(dir, TEMP_MARKER);
    const record = { tool: 'sqw export', kind, target: basename(this.target), pid: process.pid };
    await writeFile(marker, `${JSON.stringify({ ...record, host: hostname() })}\n`);
    this.markers.add(marker);
    return dir;
  }

  /** The folder was renamed (into place) or removed: its marker is no longer kept alive. */
  forget(dir: string): void {
    this.markers.delete(join(dir, TEMP_MARKER));
  }

  private async touch(): Promise<void> {
    const now = new Date();
    for (const m of this.markers) await utimes(m, now, now).catch(() => undefined);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Deletes a temporary folder with its marker last, so a removal cut short is still recognised. */
export async function removeTempFolder(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[]))
    if (name !== TEMP_MARKER) await rm(join(dir, name), { recursive: true, force: true });
  await rm(join(dir, TEMP_MARKER), { force: true });
  await rmdir(dir).catch(() => undefined);
}

/**
 * Deletes the stale temporary folders an export left in `parent` (killed, or cut short by a power
 * loss). An `.old` folder whose output folder is missing (killed between the two renames) gives the
 * earlier export back instead. Returns what it removed or restored, one line each.
 */
export async function cleanStaleTemps(parent: string, now = Date.now()): Promise<string[]> {
  const done: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const dir = join(parent, name);
    const marker = join(dir, TEMP_MARKER);
    const [folder, mark] = await Promise.all(
      [lstat(dir), lstat(marker)].map((p) => p.catch(() => null)),
    );
    if (!folder?.isDirectory()) continue;
    if (!mark) {
      // Killed between making the folder and writing its marker: an empty folder by our name,
      // left alone while it is fresh (an export in another process may be about to mark it).
      // rmdir removes only an empty one, so nothing anyone put there can be lost.
      if (now - folder.mtimeMs < STALE_AFTER_MS) continue;
      if (
        await rmdir(dir).then(
          () => true,
          () => false,
        )
      )
        done.push(`removed an empty temporary export folder ${dir}`);
      continue;
    }
    if (!mark.isFile() || now - mark.mtimeMs < STALE_AFTER_MS) continue;
    const kind = m[2] as TempKind;
    const target = await markedTarget(marker, m[1]!);
    const output = join(parent, target);
    if (kind === 'old' && !existsSync(output) && existsSync(join(dir, target))) {
      await rename(join(dir, target), output);
      done.push(`restored the earlier export ${output} from ${dir}`);
    } else {
      done.push(`removed a stale temporary export folder ${dir}`);
    }
    await removeTempFolder(dir);
  }
  return done;
}

async function markedTarget(marker: string, fromName: string): Promise<string> {
  try {
    const t = (JSON.parse(await readFile(marker, 'utf8')) as { target?: unknown }).target;
    return typeof t === 'string' && t && !t.includes('/') && t !== '..' ? t : fromName;
  } catch {
    return fromName;
  }
}
