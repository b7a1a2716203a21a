import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseProject,
  chromiumArgs,
  findChromium,
  hasDisplay,
  importArgs,
  parseDemoBatches,
  parseReadyLine,
  probeElectron,
  serveArgs,
  type ProbeInput,
} from './start-helpers';

const electronDir = '/repo/node_modules/electron';

function probe(overrides: Partial<ProbeInput> & { files?: Record<string, string> } = {}) {
  const files = overrides.files ?? {};
  return probeElectron({
    env: { DISPLAY: ':0' },
    platform: 'linux',
    electronDir,
    exists: (path) => path in files,
    readFile: (path) => files[path],
    ...overrides,
  });
}

describe('probeElectron', () => {
  const pathTxt = join(electronDir, 'path.txt');
  const binary = join(electronDir, 'dist', 'electron');

  it('finds the downloaded binary', () => {
    expect(probe({ files: { [pathTxt]: 'electron', [binary]: '' } })).toEqual({ ok: true, binary });
  });

  it('explains why Electron cannot run', () => {
    expect(probe({ env: { DISPLAY: ':0', SQW_NO_ELECTRON: '1' } })).toEqual({
      ok: false,
      reason: 'SQW_NO_ELECTRON=1',
    });
    expect(probe({ env: {} })).toEqual({ ok: false, reason: 'no DISPLAY or WAYLAND_DISPLAY' });
    expect(probe({ electronDir: undefined })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not installed'),
    });
    expect(probe()).toMatchObject({
      ok: false,
      reason: expect.stringContaining('never downloaded'),
    });
    expect(probe({ files: { [pathTxt]: 'electron' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('missing'),
    });
  });

  it('needs no display on macOS and Windows, accepts Wayland on Linux', () => {
    expect(hasDisplay({}, 'darwin')).toBe(true);
    expect(hasDisplay({}, 'win32')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'linux')).toBe(false);
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const files = { '/opt/electron/electron': '' };
    expect(
      probe({ env: { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, files }),
    ).toEqual({
      ok: true,
      binary: '/opt/electron/electron',
    });
  });
});

describe('findChromium', () => {
  it('prefers well-known paths, then PATH', () => {
    expect(findChromium({}, (p) => p === '/usr/bin/chromium')).toBe('/usr/bin/chromium');
    expect(
      findChromium({ PATH: '/opt/x:relative:/opt/y' }, (p) => p === '/opt/y/google-chrome'),
    ).toBe('/opt/y/google-chrome');
    expect(
      findChromium({ PATH: 'relative' }, (p) => p === join('relative', 'chromium')),
    ).toBeUndefined();
    expect(findChromium({ PATH: '/opt/x' }, () => false)).toBeUndefined();
  });

  it('builds an app-window command line with a private profile', () => {
    expect(chromiumArgs('http://127.0.0.1:1/#token=t', '/tmp/p')).toEqual([
      '--app=http://127.0.0.1:1/#token=t',
      '--user-data-dir=/tmp/p',
      '--no-first-run',
      '--no-default-browser-check',
    ]);
    expect(chromiumArgs('u', 'd', { runningAsRoot: true })).toContain('--no-sandbox');
  });
});

describe('parseReadyLine', () => {
  it('reads the serve --json ready line', () => {
    const line = '{"url":"http://127.0.0.1:4321/#token=abc","port":4321,"token":"abc"}\n';
    expect(parseReadyLine(line)).toEqual({
      url: 'http://127.0.0.1:4321/#token=abc',
      port: 4321,
      token: 'abc',
    });
  });

  it('ignores anything else', () => {
    expect(parseReadyLine('listening…')).toBeUndefined();
    expect(parseReadyLine('{not json')).toBeUndefined();
    expect(parseReadyLine('{"url":"http://evil.example/","port":1,"token":"t"}')).toBeUndefined();
    expect(parseReadyLine('{"url":"http://127.0.0.1:1/","port":0,"token":"t"}')).toBeUndefined();
  });
});

describe('demo batches', () => {
  const batchDir = resolve('/repo/samples/demo-batch');

  it('builds import command lines relative to the batches file', () => {
    const [first, second] = parseDemoBatches(
      JSON.stringify([
        { folder: 'rgb', depthFolder: 'depth', depthEncoding: 'mm', intrinsics: 'intrinsics.json' },
        {
          folder: '/abs/photos',
          intrinsics: { fx: 500, fy: 500, cx: 320, cy: 240 },
          annotations: 'boxes.coco.json',
        },
      ]),
      'batches.json',
    );
    expect(importArgs('sqw.mjs', first!, batchDir, '/p')).toEqual([
      'sqw.mjs',
      'import',
      join(batchDir, 'rgb'),
      '--project',
      '/p',
      '--depth',
      join(batchDir, 'depth'),
      '--depth-encoding',
      'mm',
      '--intrinsics',
      join(batchDir, 'intrinsics.json'),
    ]);
    expect(importArgs('sqw.mjs', second!, batchDir, '/p')).toEqual([
      'sqw.mjs',
      'import',
      resolve('/abs/photos'),
      '--project',
      '/p',
      '--intrinsics',
      '500,500,320,240',
      '--annotations',
      join(batchDir, 'boxes.coco.json'),
    ]);
  });

  it('reports a broken batches file by name', () => {
    expect(() => parseDemoBatches('{', 'b.json')).toThrow(/^b\.json: not JSON/);
    expect(() => parseDemoBatches('[{"depthFolder":"d"}]', 'b.json')).toThrow(
      /^b\.json: 0\.folder/,
    );
  });

  it('serves the project as JSON and defaults to the demo project', () => {
    expect(serveArgs('sqw.mjs', '/p')).toEqual(['sqw.mjs', 'serve', '--project', '/p', '--json']);
    expect(chooseProject({}, '/repo', '/home')).toEqual({
      dir: join('/repo', '.sqw-demo'),
      demo: true,
    });
    expect(chooseProject({ SQW_PROJECT: 'x' }, '/repo', '/home')).toEqual({
      dir: resolve('/home', 'x'),
      demo: false,
    });
    expect(chooseProject({ SQW_PROJECT: 'x' }, '/repo', '/home', '/y')).toEqual({
      dir: resolve('/y'),
      demo: false,
    });
  });
});
