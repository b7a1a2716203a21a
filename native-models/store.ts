// Where models live: <models dir>/<model id>/<file paths of the manifest>, plus an install record
// (sqw-install.json) written last, so a folder without it is an unfinished install.
// Models dir: explicit argument, else $SQW_MODELS_DIR, else ~/.sqw/models.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelManifest } from './manifest';
import type { Device } from './providers';

export const INSTALL_RECORD = 'sqw-install.json';
/** Last verification, last provider and last failure; survives restarts, removed with the model. */
export const STATUS_RECORD = 'sqw-status.json';

export interface StatusRecord {
  verification: {
    ok: boolean;
    at: string;
    device: Device;
    /** Installed files against the sha256 recorded at install and the manifest's pins. */
    files?: FileCheck[];
    graphs: {
      graph: string;
      file: string;
      ok: boolean;
      error: string | null;
      problems: string[];
      provider: string | null;
      attempts: { provider: string; ok: boolean; error: string | null }[];
    }[];
  } | null;
  provider: string | null;
  lastError: { operation: string; message: string; at: string } | null;
}

export interface FileCheck {
  path: string;
  ok: boolean;
  /** What differs ("sha256 … recorded at install, now …"); null when the file matches. */
  problem: string | null;
}

const EMPTY_STATUS: StatusRecord = { verification: null, provider: null, lastError: null };

export interface InstallRecord {
  id: string;
  installedAt: string;
  how: 'download' | 'import';
  source: string;
  /**
   * Each file as installed: its sha256 recorded on first download or import (what `models verify`
   * checks the file against later) and the commit its URL was pinned to (null: a branch or a
   * local copy).
   */
  files: InstalledFile[];
}

export interface InstalledFile {
  path: string;
  size: number;
  sha256: string;
  /** Absent in records written before pins existed. */
  revision?: string | null;
}

export interface InstalledState {
  id: string;
  installed: boolean;
  /** Files of the manifest missing from the folder (all of them when nothing is installed). */
  missing: string[];
  /** Leftover partial downloads (resumable). */
  partial: string[];
  record: InstallRecord | null;
}

export function resolveModelsDir(explicit?: string | null, env = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.SQW_MODELS_DIR) return resolve(env.SQW_MODELS_DIR);
  return join(homedir(), '.sqw', 'models');
}

export class ModelStore {
  readonly dir: string;

  constructor(dir?: string | null) {
    this.dir = resolveModelsDir(dir);
  }

  modelDir(id: string): string {
    return join(this.dir, id);
  }

  filePath(manifest: ModelManifest, path: string): string {
    return join(this.modelDir(manifest.id), path);
  }

  /** Absolute path of the file holding `graph` (e.g. "model", "encoder"). */
  graphPath(manifest: ModelManifest, graph?: string): string {
    const contract = graph
      ? manifest.contracts.find((c) => c.graph === graph)
      : manifest.contracts[0];
    if (!contract) throw new Error(`model ${manifest.id} has no graph "${graph}"`);
    return this.filePath(manifest, contract.file);
  }

  ensureModelDir(id: string): string {
    const d = this.modelDir(id);
    mkdirSync(d, { recursive: true });
    return d;
  }

  state(manifest: ModelManifest): InstalledState {
    const missing: string[] = [];
    const partial: string[] = [];
    for (const f of manifest.files) {
      const p = this.filePath(manifest, f.path);
      if (!existsSync(p)) missing.push(f.path);
      if (existsSync(`${p}.part`)) partial.push(f.path);
    }
    const record = this.readRecord(manifest.id);
    return { id: manifest.id, installed: record !== null, missing, partial, record };
  }

  readRecord(id: string): InstallRecord | null {
    const p = join(this.modelDir(id), INSTALL_RECORD);
    if (!existsSync(p)) return null;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as InstallRecord;
    } catch {
      return null;
    }
  }

  writeRecord(record: InstallRecord): void {
    this.ensureModelDir(record.id);
    writeFileSync(join(this.modelDir(record.id), INSTALL_RECORD), JSON.stringify(record, null, 2));
    // New files: an earlier verification or failure says nothing about them.
    this.updateStatus(record.id, { verification: null, lastError: null, provider: null });
  }

  readStatus(id: string): StatusRecord {
    const p = join(this.modelDir(id), STATUS_RECORD);
    if (!existsSync(p)) return { ...EMPTY_STATUS };
    try {
      return { ...EMPTY_STATUS, ...(JSON.parse(readFileSync(p, 'utf8')) as Partial<StatusRecord>) };
    } catch {
      return { ...EMPTY_STATUS };
    }
  }

  /** Merge `patch` into the model's status record (creates the model folder if needed). */
  updateStatus(id: string, patch: Partial<StatusRecord>): StatusRecord {
    const next = { ...this.readStatus(id), ...patch };
    this.ensureModelDir(id);
    writeFileSync(join(this.modelDir(id), STATUS_RECORD), JSON.stringify(next, null, 2));
    return next;
  }

  /** Bytes of the model's folder (files, partial downloads, records). */
  bytesOnDisk(id: string): number {
    const d = this.modelDir(id);
    return existsSync(d) ? folderSize(d) : 0;
  }

  /** Delete a model's folder (files, partial downloads, record). Returns the bytes freed. */
  remove(id: string): { removed: boolean; bytes: number } {
    const d = this.modelDir(id);
    if (!existsSync(d)) return { removed: false, bytes: 0 };
    const bytes = folderSize(d);
    rmSync(d, { recursive: true, force: true });
    return { removed: true, bytes };
  }
}

function folderSize(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of readdirNames(p)) total += folderSize(join(p, name));
  return total;
}

function readdirNames(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
