// Temporary folders of killed exports (issue 17, case 10): the next export into the same folder
// deletes the stale ones it recognisably made, and nothing else: not a running export's, not a
// folder that merely looks like one.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { EXPORT_MARKER, writeExportFolder } from './safe-output';
import { ExportTemps, STALE_AFTER_MS, TEMP_MARKER } from './temp-folders';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = tempDir('sqw-temps-');
afterAll(() => dir.remove());

const exportText = (out: string, text = 'done\n') =>
  writeExportFolder(
    out,
    { force: true },
    async (w) => w.write('a.txt', text),
    () => ({}),
  );

/** Backdates a temporary folder's marker as if its export had stopped touching it long ago. */
function age(folder: string): void {
  const past = new Date(Date.now() - STALE_AFTER_MS - 60_000);
  const marker = join(folder, TEMP_MARKER);
  if (existsSync(marker)) utimesSync(marker, past, past);
  utimesSync(folder, past, past);
}

/** Runs an export in a child process and kills it (SIGKILL) while it is writing. */
async function killedExport(out: string): Promise<void> {
  const script = join(dir.path, 'hang.mts');
  writeFileSync(
    script,
    `import { writeExportFolder } from ${JSON.stringify(join(ROOT, 'engine/export/safe-output.ts'))};
setInterval(() => {}, 1000);
await writeExportFolder(process.argv[2]!, { force: false }, async (w) => {
  await w.write('half.jsonl', 'one record\\n');
  process.stdout.write('writing\\n');
  await new Promise(() => {});
}, () => ({}));
`,
  );
  const child = spawn(process.execPath, [join(ROOT, 'bin/run-ts.mjs'), script, out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && res());
    child.on('exit', (code) => rej(new Error(`export ended before it was killed (${code})`)));
  });
  const exited = new Promise((res) => child.on('exit', res));
  child.kill('SIGKILL');
  await exited;
}

const temps = (parent: string) => readdirSync(parent).filter((n) => /\.(partial|old)-/.test(n));

describe('stale temporary folders of killed exports', () => {
  it('are deleted by the next export into the same folder', async () => {
    const parent = join(dir.path, 'killed');
    mkdirSync(parent);
    await killedExport(join(parent, 'E'));
    const left = temps(parent);
    expect(left).toHaveLength(1);
    expect(existsSync(join(parent, left[0]!, 'half.jsonl'))).toBe(true);
    age(join(parent, left[0]!));

    const r = await exportText(join(parent, 'F'));
    expect(temps(parent)).toEqual([]);
    expect(r.cleaned).toEqual([
      `removed a stale temporary export folder ${join(parent, left[0]!)}`,
    ]);
    expect(readdirSync(parent).sort()).toEqual(['F']);
  }, 60_000);

  it('leave a running export alone: its marker is fresh', async () => {
    const parent = join(dir.path, 'running');
    mkdirSync(parent);
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    let started!: () => void;
    const writing = new Promise<void>((res) => (started = res));
    const slow = writeExportFolder(
      join(parent, 'slow'),
      { force: false },
      async (w) => {
        await w.write('first.txt', '1');
        started();
        await gate;
        await w.write('second.txt', '2');
      },
      () => ({}),
    );
    await writing;
    const running = temps(parent);
    expect(running).toHaveLength(1);
    const r = await exportText(join(parent, 'quick'));
    expect(r.cleaned).toEqual([]);
    expect(temps(parent)).toEqual(running);
    release();
    await slow;
    expect(readdirSync(join(parent, 'slow')).sort()).toEqual(
      ['MANIFEST.sha256', 'first.txt', 'second.txt', EXPORT_MARKER].sort(),
    );
    expect(temps(parent)).toEqual([]);
  });

  it('never touch a folder that only looks like one', async () => {
    const parent = join(dir.path, 'lookalikes');
    const mine = join(dir.path, 'elsewhere');
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, TEMP_MARKER), '{}');
    const names = ['.E.partial-deadbeef', '.notes.old-0123abcd', '.E.partial-xyz'];
    for (const n of names) {
      mkdirSync(join(parent, n), { recursive: true });
      writeFileSync(join(parent, n, 'keep.txt'), 'mine');
      age(join(parent, n));
    }
    // A marker but no hex suffix; a symbolic link named like a temporary folder.
    writeFileSync(join(parent, '.E.partial-xyz', TEMP_MARKER), '{}');
    age(join(parent, '.E.partial-xyz'));
    symlinkSync(mine, join(parent, '.E.old-0badf00d'));
    age(mine);
    await exportText(join(parent, 'E'));
    for (const n of names) expect(readFileSync(join(parent, n, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(mine, TEMP_MARKER))).toBe(true);
  });

  it('remove an empty folder by their name that a kill left before its marker, once stale', async () => {
    const parent = join(dir.path, 'unmarked');
    const stale = join(parent, '.E.partial-0123abcd');
    const fresh = join(parent, '.E.partial-89abcdef');
    mkdirSync(stale, { recursive: true });
    mkdirSync(fresh);
    age(stale);
    const r = await exportText(join(parent, 'E'));
    expect(r.cleaned).toEqual([`removed an empty temporary export folder ${stale}`]);
    // A fresh one may belong to an export in another process that is about to mark it.
    expect(readdirSync(parent).sort()).toEqual(['.E.partial-89abcdef', 'E']);
  });

  it('give back an earlier export that a kill left between the two renames', async () => {
    const parent = join(dir.path, 'between');
    mkdirSync(parent);
    await exportText(join(parent, 'E'), 'earlier\n');
    // What a kill right after the earlier export was moved aside leaves behind.
    const t = new ExportTemps(parent, join(parent, 'E'), 'aaaaaaaa');
    const old = await t.create('old');
    t.stop();
    renameSync(join(parent, 'E'), join(old, 'E'));
    age(old);
    const r = await exportText(join(parent, 'other'));
    expect(r.cleaned).toEqual([`restored the earlier export ${join(parent, 'E')} from ${old}`]);
    expect(readFileSync(join(parent, 'E', 'a.txt'), 'utf8')).toBe('earlier\n');
    expect(temps(parent)).toEqual([]);
  });
});
