// Test helpers: temp folders holding generated models.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AdapterContext } from '../adapters/runtime';
import { findManifest } from '../catalogue';
import type { SessionPool } from '../session-pool';
import { ModelStore } from '../store';

const created: string[] = [];

/** A temp folder; removeTempDirs() (in a test file's afterAll) deletes them all. */
export function tempDir(prefix = 'sqw-models-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function writeFile(path: string, data: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** A store in a temp folder holding `files` (path → bytes) for model `id`, and a CPU context. */
export function installedContext(
  id: string,
  files: Record<string, Uint8Array | string>,
  pool: SessionPool,
): AdapterContext {
  const store = new ModelStore(tempDir());
  const manifest = findManifest(id);
  for (const [path, data] of Object.entries(files)) writeFile(store.filePath(manifest, path), data);
  return { manifest, store, pool, device: 'cpu' };
}

/** A width × height RGB image of one colour. */
export function solidImage(
  width: number,
  height: number,
  rgb: [number, number, number],
): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height };
}
