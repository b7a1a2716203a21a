// `sqw export` into a destination it cannot finish writing (issue 17, case 11): a read-only project
// (the export is recorded in it) or an earlier export that cannot be deleted must fail before the
// dataset is written, not after. Root ignores file modes, so as root sqw runs as `nobody`.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExportFixture } from '../export/test-fixture';
import { tempDir } from '../test/helpers';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: 65534, gid: 65534 } : {};

async function sqw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SQW, ...args], { cwd: ROOT, ...user });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dir = tempDir('sqw-readonly-');
let project: string;
let outs: string;

beforeAll(async () => {
  chmodSync(dir.path, 0o755);
  const fx = await buildExportFixture(join(dir.path, 'fixture'));
  project = fx.store.folder;
  fx.store.close();
  // The project and its folders are readable by the user that runs sqw; outputs go to a folder
  // it can write.
  chmodSync(join(dir.path, 'fixture'), 0o755);
  chmodSync(project, 0o777);
  outs = join(dir.path, 'outs');
  mkdirSync(outs, { mode: 0o777 });
  chmodSync(outs, 0o777);
});
afterAll(() => {
  chmodSync(outs, 0o777);
  dir.remove();
});

describe('a destination sqw export cannot finish', () => {
  it('a read-only project database is refused before anything is written', async () => {
    const db = join(project, 'project.sqlite');
    chmodSync(db, 0o444);
    try {
      const r = await sqw([
        'export',
        '--project',
        project,
        '--format',
        'coco',
        '--out',
        `${outs}/ro`,
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /^sqw: the project database is read-only: .*project\.sqlite \(EACCES\)$/m,
      );
      expect(readdirSync(outs)).toEqual([]);
    } finally {
      chmodSync(db, 0o666);
      // What the refused run's read-only connection left: an empty -wal and a read-only -shm.
      for (const f of ['project.sqlite-wal', 'project.sqlite-shm'])
        rmSync(join(project, f), { force: true });
    }
  });

  it('an earlier export that cannot be deleted is refused before a new one is written', async () => {
    const target = `${outs}/qa`;
    const first = await sqw([
      'export',
      '--project',
      project,
      '--format',
      'qa-jsonl',
      '--out',
      target,
    ]);
    expect(first.code, first.stderr).toBe(0);
    chmodSync(target, 0o555);
    try {
      const r = await sqw([
        'export',
        '--project',
        project,
        '--format',
        'llava',
        '--out',
        target,
        '--force',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/cannot replace .*qa: .*qa is not writable \(EACCES\)/);
      expect(readdirSync(outs)).toEqual(['qa']);
      expect(existsSync(join(target, 'qa.jsonl'))).toBe(true);
    } finally {
      chmodSync(target, 0o755);
    }
  });
});
