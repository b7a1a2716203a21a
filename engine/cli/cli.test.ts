// The sqw binary as a user runs it: a real child process through bin/sqw.mjs.
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { runSqw, tempDir } from '../test/helpers';
import { layer } from '../test/layer';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = resolve(ROOT, 'samples/demo-batch');

const sqw = runSqw;

describe('sqw CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('has --help for the program and every command', async () => {
    const top = await sqw(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of [
      'import',
      'serve',
      'info',
      'run',
      'export',
      'models',
      'users',
      'worker',
      'queue',
      'project',
    ]) {
      expect(top.stdout).toContain(cmd);
      const help = await sqw([cmd, '--help']);
      expect(help.code, cmd).toBe(0);
      expect(help.stdout).toContain(`Usage: sqw ${cmd}`);
    }
  });

  it('imports with --json, and a second run adds nothing', async () => {
    const args = [
      'import',
      `${SAMPLES}/redwood-livingroom/color`,
      '--project',
      dir.path,
      '--depth',
      `${SAMPLES}/redwood-livingroom/depth`,
      '--depth-encoding',
      'mm',
      '--depth-sensor',
      'redwood',
      '--intrinsics',
      `${SAMPLES}/intrinsics.json`,
      '--json',
    ];
    const first = await sqw(args);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 3, withDepth: 3 });
    const second = JSON.parse((await sqw(args)).stdout);
    expect(second).toMatchObject({ imported: 0, duplicates: 3 });
    const info = JSON.parse((await sqw(['info', '--project', dir.path, '--json'])).stdout);
    expect(info.project.imageCount).toBe(3);
    expect(info.batches).toHaveLength(2);
    // The range-noise preset is stored with each image's depth (the graph stage reads it there).
    const store = ProjectStore.open(dir.path);
    try {
      const depth = (await layer(store).catalog.imagesNamed('00000.jpg')).map((i) =>
        JSON.parse(i.depthJson!),
      );
      expect(depth).toEqual([
        expect.objectContaining({ source: 'sensor', noisePreset: 'redwood' }),
      ]);
    } finally {
      store.close();
    }
  });

  it('fails with one line and a non-zero code on bad arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['import', `${dir.path}/nope`, '--project', dir.path], /image folder not found/],
      [
        ['import', SAMPLES, '--project', dir.path, '--depth-encoding', 'furlongs'],
        /unknown depth encoding 'furlongs'/,
      ],
      [
        ['import', SAMPLES, '--project', dir.path, '--depth-sensor', 'kinect-v3'],
        /unknown depth sensor preset 'kinect-v3': use kinect-v1, realsense-d435, tum, redwood/,
      ],
      [['import', SAMPLES, '--project', dir.path, '--intrinsics', '1,2,3'], /--intrinsics/],
      [['info', '--project', `${dir.path}/missing`], /not a project folder/],
      [['serve', '--host', '0.0.0.0', '--port', '0'], /without TLS/],
      [['frobnicate'], /unknown command/],
      [['run', '--project', dir.path, '--stages', 'graph,teleport'], /unknown stage 'teleport'/],
      [['run', '--project', dir.path, '--labels', ' , '], /--labels needs at least one label/],
      [['run', '--project', dir.path, '--batch', '0'], /--batch must be a whole number from 1/],
      [
        ['run', '--project', dir.path, '--inference-threads', '9'],
        /--inference-threads must be a whole number from 1 to 8, got 9/,
      ],
      [
        ['run', '--project', dir.path, '--resume', '--labels', 'chair'],
        /--labels cannot change a run being resumed/,
      ],
      [
        ['export', '--project', dir.path, '--format', 'pdf', '--out', `${dir.path}/o`],
        /unknown format 'pdf'/,
      ],
      [['import', '--project', dir.path], /give an image folder, --annotations, or both/],
    ];
    for (const [args, pattern] of cases) {
      const r = await sqw(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      expect(r.stderr.trim().split('\n')[0]).toMatch(pattern);
    }
    // 14 CLI processes in sequence: the file's 30 s limit was too short on a loaded machine.
  }, 120_000);

  it('names --force when an earlier export is in the way (the engine message names no flag)', async () => {
    const project = `${dir.path}/p`;
    const out = `${dir.path}/out`;
    expect(
      (await sqw(['import', `${SAMPLES}/sun-corridor/color`, '--project', project])).code,
    ).toBe(0);
    const args = ['export', '--project', project, '--format', 'scenegraph', '--out', out];
    expect((await sqw(args)).code).toBe(0);
    const again = await sqw(args);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/not empty.*--force replaces an earlier export/);
    expect((await sqw([...args, '--force'])).code).toBe(0);
  });
});
