// The install routes for metric depth (issue 18 item 2) and preprocessing read from the installed
// preprocessor_config.json (item 3), on tiny models with the exports' names (no weights, no network).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DepthAnythingAdapter, dptInputSize, lowerBoundInputSize } from './adapters/depth-anything';
import { findManifest } from './catalogue';
import { importModel } from './import-local';
import { installedManifest, preprocessingFromConfig } from './preprocessor-config';
import { SessionPool } from './session-pool';
import { ModelStore } from './store';
import { removeTempDirs, tempDir, writeFile } from './testing/fixtures';
import { depthAnythingMetricModel } from './testing/test-models';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

const grey = (w: number, h: number) => ({
  data: new Uint8Array(w * h * 3).fill(128),
  width: w,
  height: h,
});

describe('upstream Depth Anything sizing (Resize lower_bound, multiple of 14)', () => {
  it('matches DPT when shrinking and keeps both sides ≥ 518 for a small image', () => {
    // Values from the upstream rule computed with numpy (np.round half to even, then ceil).
    expect(lowerBoundInputSize(640, 480)).toEqual({ width: 686, height: 518 });
    expect(lowerBoundInputSize(4032, 3024)).toEqual(dptInputSize(4032, 3024));
    expect(lowerBoundInputSize(300, 200)).toEqual({ width: 784, height: 518 });
    expect(dptInputSize(300, 200)).toEqual({ width: 518, height: 350 });
    expect(lowerBoundInputSize(600, 100)).toEqual({ width: 3108, height: 518 });
    // Rounding below the bound goes up to the next multiple: 520/14 = 37.1 → 37·14 = 518 < 520.
    expect(lowerBoundInputSize(520, 520, 520)).toEqual({ width: 532, height: 532 });
  });
});

describe('fabio-sim v2.0.0 release route (input "image", output "depth")', () => {
  it('runs through the manifest names with the lower_bound size, in metres', async () => {
    const release = findManifest('depth-anything-v2-metric-indoor-small-release');
    expect(release.contracts[0]?.inputs[0]?.name).toBe('image');
    expect(release.contracts[0]?.outputs[0]?.name).toBe('depth');
    const store = new ModelStore(tempDir());
    const src = writeFile(
      join(tempDir(), 'depth_anything_v2_vits_indoor.onnx'),
      depthAnythingMetricModel({ inputName: 'image', outputName: 'depth' }),
    );
    await importModel(release, src, store);
    const adapter = new DepthAnythingAdapter(release, store.graphPath(release), pool, 'cpu');
    const r = await adapter.run(grey(300, 200));
    expect(r.network).toEqual({ width: 784, height: 518 });
    expect(r.depth).toHaveLength(300 * 200);
    // The tiny graph is Sigmoid(mean of the normalised pixels) × 20.
    for (const v of [r.depth[0]!, r.depth[299 * 200]!]) expect(v).toBeGreaterThan(0);
    expect(Math.max(...r.depth)).toBeLessThanOrEqual(20);
  });

  it('refuses the HF-layout file under the release entry (names differ) with both names', async () => {
    const release = findManifest('depth-anything-v2-metric-outdoor-small-release');
    const store = new ModelStore(tempDir());
    const src = writeFile(join(tempDir(), 'model.onnx'), depthAnythingMetricModel());
    await importModel(release, src, store);
    const adapter = new DepthAnythingAdapter(release, store.graphPath(release), pool, 'cpu');
    await expect(adapter.run(grey(64, 48))).rejects.toThrow(
      /expected \[image\], got \[pixel_values\]/,
    );
  });
});

describe('preprocessing from the installed preprocessor_config.json', () => {
  const metric3d = findManifest('metric3d-vit-small');

  it('takes every value the file states and lists what differs from the catalogue', () => {
    // Metric3D's first preprocessor (commit 16a821e) normalised with ImageNet statistics.
    const first = preprocessingFromConfig(metric3d.preprocessing!, {
      do_normalize: true,
      do_rescale: true,
      ensure_multiple_of: 14,
      image_mean: [0.485, 0.456, 0.406],
      image_std: [0.229, 0.224, 0.225],
      keep_aspect_ratio: true,
      resample: 3,
      size: { height: 518, width: 518 },
    });
    expect(first.preprocessing).toMatchObject({
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      rescale: true,
      size: 518,
      interpolation: 'bicubic',
    });
    expect(first.changed.map((c) => c.split(':')[0])).toEqual([
      'image_mean',
      'image_std',
      'do_rescale',
    ]);
    // The pinned one (57458715, 288 B) is what the catalogue says: nothing changes.
    const pinned = preprocessingFromConfig(metric3d.preprocessing!, {
      do_normalize: false,
      do_pad: false,
      do_rescale: false,
      do_resize: true,
      ensure_multiple_of: 14,
      image_processor_type: 'DPTImageProcessor',
      keep_aspect_ratio: true,
      resample: 3,
      size: { height: 518, width: 518 },
      size_divisor: null,
    });
    expect(pinned.changed).toEqual([]);
    // DETR-style sizes: shortest edge and the long-side cap.
    const gdino = findManifest('grounding-dino-tiny').preprocessing!;
    expect(
      preprocessingFromConfig(gdino, {
        size: { shortest_edge: 640, longest_edge: 1000 },
        resample: 2,
      }).preprocessing,
    ).toMatchObject({ size: 640, maxSize: 1000, interpolation: 'bilinear' });
  });

  it('the adapter sizes the network input from the installed file, not the catalogue', async () => {
    const indoor = findManifest('depth-anything-v2-metric-indoor-small');
    const store = new ModelStore(tempDir());
    const src = tempDir();
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingMetricModel());
    writeFile(
      join(src, 'preprocessor_config.json'),
      JSON.stringify({ size: { height: 252, width: 252 }, ensure_multiple_of: 14, resample: 3 }),
    );
    await importModel(indoor, src, store);
    const { manifest, changed } = installedManifest(indoor, store);
    expect(changed).toEqual(['size: 252 (catalogue 518)']);
    const adapter = new DepthAnythingAdapter(manifest, store.graphPath(manifest), pool, 'cpu');
    expect((await adapter.run(grey(640, 480))).network).toEqual({ width: 336, height: 252 });
  });
});
