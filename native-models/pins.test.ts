// Installed files against the sha256 recorded at install and the manifest's pins (issue 18 item 3).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findManifest } from './catalogue';
import { importModel } from './import-local';
import { modelInfo, recordVerification } from './model-info';
import { ModelStore } from './store';
import { removeTempDirs, tempDir, writeFile } from './testing/fixtures';
import { depthAnythingMetricModel } from './testing/test-models';
import { verifyModel } from './verify';

afterAll(() => removeTempDirs());

describe('pins and recorded checksums', () => {
  it('lists revision, size and the recorded sha256 per file; unpinned shows as such', async () => {
    const metric3d = findManifest('metric3d-vit-small');
    const info = modelInfo(metric3d, new ModelStore(tempDir()));
    expect(info.pinned).toBe(true);
    expect(info.files.map((f) => [f.path, f.revision?.slice(0, 7), f.size, f.approxSize])).toEqual([
      ['onnx/model.onnx', '672e63a', null, '151 MB'],
      ['preprocessor_config.json', '5745871', 288, null],
      ['config.json', 'f57fb97', 30, null],
    ]);
    expect(info.files.every((f) => f.installedSha256 === null)).toBe(true);
    const slimsam = modelInfo(findManifest('slimsam-77-uniform'), new ModelStore(tempDir()));
    expect(slimsam.pinned).toBe(false);
    expect(slimsam.files.every((f) => f.revision === null)).toBe(true);
  });

  it('verify checks every file against the sha256 recorded at install and says which changed', async () => {
    const indoor = findManifest('depth-anything-v2-metric-indoor-small');
    const store = new ModelStore(tempDir());
    const src = tempDir();
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingMetricModel());
    writeFile(join(src, 'preprocessor_config.json'), '{"size":{"height":518,"width":518}}');
    writeFile(join(src, 'config.json'), '{"depth_estimation_type":"metric","max_depth":20}');
    const imported = await importModel(indoor, src, store);
    const recorded = imported.record.files.find((f) => f.path === 'config.json')!.sha256;
    expect(modelInfo(indoor, store).files.map((f) => f.installedSha256)).toEqual(
      imported.record.files.map((f) => f.sha256),
    );

    const ok = await verifyModel(indoor, store, { device: 'cpu', timeoutMs: 20_000 });
    expect(ok.ok).toBe(true);
    expect(ok.files).toEqual([
      { path: 'onnx/model.onnx', ok: true, problem: null },
      { path: 'preprocessor_config.json', ok: true, problem: null },
      { path: 'config.json', ok: true, problem: null },
    ]);

    // A file changed after install (edited by hand, or another revision copied over it).
    // Still metric, so only the checksum tells (a "relative" config would fail the metric proof).
    writeFileSync(
      store.filePath(indoor, 'config.json'),
      '{"depth_estimation_type":"metric","max_depth":20,"edited":true}',
    );
    const bad = await verifyModel(indoor, store, { device: 'cpu', timeoutMs: 20_000 });
    expect(bad.ok).toBe(false);
    expect(bad.graphs[0]?.ok).toBe(true);
    const changed = bad.files.find((f) => f.path === 'config.json')!;
    expect(changed.ok).toBe(false);
    expect(changed.problem).toMatch(
      new RegExp(`^sha256 ${recorded} recorded at install, now [0-9a-f]{64}$`),
    );
    const status = recordVerification(store, bad, 'cpu');
    expect(status.lastError?.message).toMatch(/^config\.json: sha256 /);
    expect(status.verification?.files?.find((f) => !f.ok)?.path).toBe('config.json');
  });

  it('verify holds a file to the size the manifest pins', async () => {
    const metric3d = findManifest('metric3d-vit-small');
    const store = new ModelStore(tempDir());
    const src = tempDir();
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingMetricModel());
    writeFile(join(src, 'preprocessor_config.json'), '{"do_normalize": false}');
    writeFile(join(src, 'config.json'), '{"model_type":"metric3d"}'); // 25 B, the pin says 30
    await importModel(metric3d, src, store);
    const v = await verifyModel(metric3d, store, { device: 'cpu', timeoutMs: 20_000 });
    expect(v.files.find((f) => f.path === 'config.json')?.problem).toBe(
      '25 bytes, the manifest pins 30',
    );
    expect(v.files.find((f) => f.path === 'preprocessor_config.json')?.problem).toBe(
      '23 bytes, the manifest pins 288',
    );
  });
});
