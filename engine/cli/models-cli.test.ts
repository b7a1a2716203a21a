// `sqw models list | get | export` as a user runs them (issue 18 items 2, 3, 9). Each test starts
// the CLI as a process; nothing reaches the network (get without --yes only plans, export runs a
// stand-in "python" that writes what the real script writes).
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { depthAnythingMetricModel } from '../../native-models/testing/test-models';
import { tempDir } from '../test/helpers';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');

async function sqw(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SQW, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('sqw models', { timeout: 120_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('list shows each file pinned or "unpinned", with size and checksum; --json carries them', async () => {
    const models = join(dir.path, 'models');
    const human = await sqw(['models', 'list', '--models-dir', models]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/slimsam-77-uniform .*\(unpinned\)/);
    expect(human.stdout).not.toMatch(/metric3d-vit-small .*\(unpinned\)/);
    expect(human.stdout).toContain(
      'onnx/model.onnx  @672e63a9d45e  ≈151 MB  sha256 recorded at install',
    );
    expect(human.stdout).toContain('preprocessor_config.json  @574587159419  288 B');
    expect(human.stdout).toContain('onnx/vision_encoder.onnx  unpinned  ≈23.3 MB');
    const json = JSON.parse(
      (await sqw(['models', 'list', '--models-dir', models, '--json'])).stdout,
    );
    const m3 = json.models.find((m: { id: string }) => m.id === 'metric3d-vit-small');
    expect(m3.pinned).toBe(true);
    expect(m3.files[1]).toMatchObject({
      path: 'preprocessor_config.json',
      revision: '57458715941991f340c6fbcd76f22dc09a8d5074',
      size: 288,
      sha256: null,
      installedSha256: null,
    });
  });

  it('get recommends the smallest set for photos with sizes and licences, and downloads only with --yes', async () => {
    const models = join(dir.path, 'models');
    const r = await sqw(['models', 'get', '--models-dir', models]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Photos need 3 model(s), ≈804.9 MB in all:');
    expect(r.stdout).toContain(
      '↓ depth: metric3d-vit-small — Metric3D v2 ViT-S (depth + normals), ≈151.0 MB, licence cc0-1.0',
    );
    expect(r.stdout).toContain('↓ segmentation: slimsam-77-uniform');
    expect(r.stdout).toContain('unpinned');
    expect(r.stdout).toContain('sqw models get --yes');
    const plan = JSON.parse(
      (await sqw(['models', 'get', '--models-dir', models, '--json'])).stdout,
    );
    expect(plan.plan.missingModels.map((m: { id: string }) => m.id)).toEqual([
      'owlv2-base-patch16',
      'slimsam-77-uniform',
      'metric3d-vit-small',
    ]);
    expect(plan.downloaded).toEqual([]);
  });

  it('export says what to install when Python or torch is missing', async () => {
    const models = join(dir.path, 'models');
    const id = 'depth-anything-v2-metric-indoor-small';
    const none = await sqw([
      'models',
      'export',
      id,
      '--models-dir',
      models,
      '--python',
      join(dir.path, 'no-python'),
    ]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`no Python at "${join(dir.path, 'no-python')}"`);
    expect(none.stderr).toContain('python3 -m pip install torch transformers onnxruntime');

    // A Python without torch: the probe prints what is missing.
    const bare = join(dir.path, 'bare-python');
    writeFileSync(bare, '#!/bin/sh\necho torch,onnxruntime\nexit 1\n');
    chmodSync(bare, 0o755);
    const lacking = await sqw(['models', 'export', id, '--models-dir', models, '--python', bare]);
    expect(lacking.code).toBe(3);
    expect(lacking.stderr).toContain(`${bare} lacks torch, onnxruntime`);
    expect(lacking.stderr).toContain(`${bare} -m pip install torch onnxruntime`);

    const unknown = await sqw([
      'models',
      'export',
      'metric3d-vit-small',
      '--models-dir',
      models,
      '--python',
      bare,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('the repository has no export script for it');
  });

  it('export runs the script with the checkpoint and imports what it wrote', async () => {
    const models = join(dir.path, 'models');
    const onnx = join(dir.path, 'tiny.onnx');
    writeFileSync(onnx, depthAnythingMetricModel());
    const log = join(dir.path, 'args.txt');
    // Stands in for python3 + torch: records its arguments and writes the script's outputs.
    const py = join(dir.path, 'python');
    writeFileSync(
      py,
      [
        '#!/bin/sh',
        'if [ "$1" = "-c" ]; then exit 0; fi',
        `echo "$@" > ${log}`,
        'out=""; while [ $# -gt 0 ]; do [ "$1" = "--out" ] && out="$2"; shift; done',
        'mkdir -p "$out/onnx"',
        `cp ${onnx} "$out/onnx/model.onnx"`,
        'echo \'{"size":{"height":518,"width":518},"ensure_multiple_of":14}\' > "$out/preprocessor_config.json"',
        'echo \'{"depth_estimation_type":"metric","max_depth":20}\' > "$out/config.json"',
        'echo \'{"exporter":"torchscript","check":{"ok":true}}\'',
      ].join('\n'),
    );
    chmodSync(py, 0o755);
    const id = 'depth-anything-v2-metric-indoor-small';
    const r = await sqw(['models', 'export', id, '--models-dir', models, '--python', py, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.report).toEqual({ exporter: 'torchscript', check: { ok: true } });
    expect(out.copied.map((c: { to: string }) => c.to)).toEqual([
      'onnx/model.onnx',
      'preprocessor_config.json',
      'config.json',
    ]);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(log, 'utf8')).toMatch(
      /export_depth_anything_metric\.py --checkpoint depth-anything\/Depth-Anything-V2-Metric-Indoor-Small-hf --out /,
    );
    const listed = JSON.parse(
      (await sqw(['models', 'list', '--models-dir', models, '--json'])).stdout,
    );
    expect(listed.models.find((m: { id: string }) => m.id === id)).toMatchObject({
      installed: true,
      installedHow: 'import',
    });
  });
});
