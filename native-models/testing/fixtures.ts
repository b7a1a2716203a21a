// Test helpers: temp folders holding generated models.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempDir(prefix = 'sqw-models-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(path: string, data: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}
