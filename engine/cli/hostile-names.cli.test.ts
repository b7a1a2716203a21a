// File and folder names with newlines and terminal escapes, through `sqw` as a user runs it: every
// line shows them escaped (issue 17, case 12).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');
const SAMPLE = resolve(ROOT, 'samples/demo-batch/redwood-livingroom/color');

async function sqw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SQW, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const dir = tempDir('sqw-names-');
afterAll(() => dir.remove());

describe('names with control characters', () => {
  it('import and info print them escaped, one report line each', async () => {
    const photos = join(dir.path, 'photos');
    mkdirSync(photos);
    copyFileSync(join(SAMPLE, '00000.jpg'), join(photos, 'good.jpg'));
    writeFileSync(join(photos, 'evil\n\x1b[31mred.jpg'), 'not a jpeg at all');
    const project = join(dir.path, 'proj\x1b]0;pwned\x07');

    const imp = await sqw(['import', photos, '--project', project]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).not.toMatch(CONTROL);
    const lines = imp.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}failed: evil\\n\\x1b\[31mred\.jpg: /);

    const info = await sqw(['info', '--project', project]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).not.toMatch(CONTROL);
    expect(info.stdout).toContain('proj\\x1b]0;pwned\\x07');
  });

  it('a one-line error keeps the whole name, escaped', async () => {
    const r = await sqw(['import', join(dir.path, 'no\nsuch\x1b[2J'), '--project', dir.path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no\\nsuch\\x1b[2J');
  });
});
