// `sqw export` as a user runs it (a child process through bin/sqw.mjs) against the ways a typed
// output path can alias folders the export must never replace: issue 17, case 1.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExportFixture } from '../export/test-fixture';
import { tempDir } from '../test/helpers';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');

async function sqw(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SQW, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dir = tempDir('sqw-export-guard-');
let first: string;

beforeAll(async () => {
  const fx = await buildExportFixture(join(dir.path, 'fixture'));
  first = fx.store.folder;
  fx.store.close();
});
afterAll(() => dir.remove());

describe('sqw export --force never replaces a folder a project reads from', () => {
  it("refuses a symlinked alias of a second project's image source, and the images stay", async () => {
    const expD = join(dir.path, 'expD');
    const e = await sqw(['export', '--project', first, '--format', 'hf', '--out', `${expD}/E`]);
    expect(e.code, e.stderr).toBe(0);
    const images = join(expD, 'E/train/images');
    const before = readdirSync(images).sort();
    expect(before.length).toBeGreaterThan(0);
    const second = join(dir.path, 'second');
    const imp = await sqw(['import', images, '--project', second]);
    expect(imp.code, imp.stderr).toBe(0);
    symlinkSync(expD, join(dir.path, 'alias'));

    const forced = await sqw(
      ['export', '--project', second, '--format', 'coco', '--out', 'alias/E', '--force'],
      dir.path,
    );
    expect(forced.code).not.toBe(0);
    expect(forced.stderr.trim().split('\n')).toHaveLength(1);
    expect(forced.stderr).toMatch(/refusing to export into .*expD\/E.*image source of batch 1/);
    expect(readdirSync(images).sort()).toEqual(before);

    // The same folder through `..` from inside the alias, and the project folder itself.
    const dotdot = await sqw(
      ['export', '--project', second, '--format', 'coco', '--out', 'alias/E/train/..', '--force'],
      dir.path,
    );
    expect(dotdot.code).not.toBe(0);
    expect(dotdot.stderr).toMatch(/refusing to export into/);
    expect(readdirSync(images).sort()).toEqual(before);
    expect(existsSync(join(second, 'project.sqlite'))).toBe(true);
  });
});
