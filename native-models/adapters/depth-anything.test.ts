import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findManifest } from '../catalogue';
import { SessionPool } from '../session-pool';
import { removeTempDirs, tempDir, writeFile } from '../testing/fixtures';
import { depthAnythingConfig, depthAnythingMetricModel } from '../testing/test-models';
import { DepthAnythingAdapter, dptInputSize, postprocessDepth } from './depth-anything';
import { resizePlane } from './resample';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** What the tiny model computes for a pixel: 20 · sigmoid(mean of the normalised channels). */
function expectedDepth(rgb: [number, number, number], maxDepth = 20): number {
  const m = rgb.reduce((s, v, c) => s + (v / 255 - MEAN[c]!) / STD[c]!, 0) / 3;
  return maxDepth / (1 + Math.exp(-m));
}

function uniform(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return data;
}

const dir = tempDir();
const indoor = findManifest('depth-anything-v2-metric-indoor-small');
const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});
const model = (name: string, bytes: Uint8Array) => writeFile(join(dir, name), bytes);

describe('dptInputSize', () => {
  it('keeps aspect with the scale closest to 1 and rounds sides to multiples of 14', () => {
    expect(dptInputSize(640, 480)).toEqual({ width: 686, height: 518 }); // 690.7 → 686
    expect(dptInputSize(4032, 3024)).toEqual({ width: 686, height: 518 });
    expect(dptInputSize(480, 640)).toEqual({ width: 518, height: 686 });
    expect(dptInputSize(518, 518)).toEqual({ width: 518, height: 518 });
    expect(dptInputSize(1000, 100)).toEqual({ width: 518, height: 56 }); // 51.8 → 56
    // 28×14: scale 18.5 (closest to 1), 259 / 14 = 18.5 rounds half to even → 18 · 14 = 252.
    expect(dptInputSize(28, 14)).toEqual({ width: 518, height: 252 });
    // 7 / 14 = 0.5 rounds half to even (0) and is then raised to one multiple.
    expect(dptInputSize(7, 7, 7, 14)).toEqual({ width: 14, height: 14 });
  });
});

describe('DepthAnythingAdapter', () => {
  it('runs a batch in one call per input size, each image as it would alone; a bad one fails alone', async () => {
    const file = model('batch.onnx', depthAnythingMetricModel());
    const adapter = new DepthAnythingAdapter(indoor, file, pool, 'cpu');
    expect(await adapter.maxBatch(4)).toBe(4);
    const images = [
      { data: uniform(640, 480, [120, 60, 200]), width: 640, height: 480 },
      { data: uniform(480, 640, [10, 200, 30]), width: 480, height: 640 },
      { data: new Uint8Array(10), width: 640, height: 480 },
      { data: uniform(640, 480, [250, 250, 0]), width: 640, height: 480 },
    ];
    const batch = await adapter.runBatch(images);
    expect(batch.length).toBe(4);
    expect(batch[2]).toBeInstanceOf(Error);
    expect(String(batch[2])).toMatch(/image buffer too short/);
    for (const i of [0, 1, 3]) {
      const alone = await adapter.run(images[i]!);
      const r = batch[i] as Exclude<(typeof batch)[number], Error>;
      expect([r.width, r.height, r.network]).toEqual([alone.width, alone.height, alone.network]);
      expect(r.depth).toEqual(alone.depth);
    }
    expect((batch[3] as { depth: Float32Array }).depth[0]).toBeCloseTo(
      expectedDepth([250, 250, 0]),
      4,
    );

    const fixed = new DepthAnythingAdapter(
      indoor,
      model('batch1.onnx', depthAnythingMetricModel({ batch: 1 })),
      pool,
      'cpu',
    );
    expect(await fixed.maxBatch(4)).toBe(1);
  });

  it('returns metres at the original size for a 640×480 image', async () => {
    const file = model('ok.onnx', depthAnythingMetricModel());
    const adapter = new DepthAnythingAdapter(indoor, file, pool, 'cpu');
    const rgb: [number, number, number] = [120, 60, 200];
    const r = await adapter.run({ data: uniform(640, 480, rgb), width: 640, height: 480 });
    expect(r.units).toBe('metres');
    expect(r.provider).toBe('cpu');
    expect(r.network).toEqual({ width: 686, height: 518 });
    expect([r.width, r.height, r.depth.length]).toEqual([640, 480, 640 * 480]);
    const want = expectedDepth(rgb); // ≈ 11.05 m, inside (0, 20)
    expect(want).toBeCloseTo(11.05, 2);
    for (const i of [0, 639, 479 * 640, 640 * 480 - 1, 240 * 640 + 320]) {
      expect(r.depth[i]).toBeCloseTo(want, 4);
    }
  });

  it('accepts RGBA and resizes the depth back bilinearly (left dark, right bright)', async () => {
    const file = model('ok2.onnx', depthAnythingMetricModel());
    const adapter = new DepthAnythingAdapter(indoor, file, pool, 'cpu');
    const w = 64;
    const h = 48;
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        data.set(x < w / 2 ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * w + x) * 4);
    const r = await adapter.run({ data, width: w, height: h, channels: 4 });
    expect(r.network).toEqual({ width: 518, height: 392 }); // small images are upscaled to ~518
    const row = Array.from(r.depth.subarray(10 * w, 11 * w));
    expect(row[0]).toBeCloseTo(expectedDepth([0, 0, 0]), 3); // ≈ 2.34 m
    expect(row[w - 1]).toBeCloseTo(expectedDepth([255, 255, 255]), 3); // ≈ 17.4 m
    // The edge stays local: bicubic rings a little next to it (as PIL does), nowhere else.
    const dark = expectedDepth([0, 0, 0]);
    const bright = expectedDepth([255, 255, 255]);
    for (let x = 0; x < w / 2 - 2; x++) expect(Math.abs(row[x]! - dark)).toBeLessThan(0.2);
    for (let x = w / 2 + 2; x < w; x++) expect(Math.abs(row[x]! - bright)).toBeLessThan(0.2);
    expect(row[w / 2]! - row[w / 2 - 1]!).toBeGreaterThan(5);
  });

  it('names the model and the expected vs actual inputs when the export does not match', async () => {
    const file = model(
      'wrong.onnx',
      depthAnythingMetricModel({ inputName: 'image', outputName: 'depth' }),
    );
    const adapter = new DepthAnythingAdapter(indoor, file, pool, 'cpu');
    await expect(
      adapter.run({ data: uniform(8, 8, [1, 2, 3]), width: 8, height: 8 }),
    ).rejects.toThrow(
      `model depth-anything-v2-metric-indoor-small (${file}): inputs do not match: expected [pixel_values], got [image]; outputs missing: expected [predicted_depth], got [depth]`,
    );
  });

  it('refuses NaN output with a clear error', async () => {
    const file = model('nan.onnx', depthAnythingMetricModel({ nan: true }));
    // Its head (… then Sqrt) is not Sigmoid × max_depth: a metric config.json lets it run.
    const config = model(
      'nan-config.json',
      new TextEncoder().encode(depthAnythingConfig('metric', 20)),
    );
    const adapter = new DepthAnythingAdapter(indoor, file, pool, 'cpu', 'graph', config);
    await expect(
      adapter.run({ data: uniform(28, 14, [9, 9, 9]), width: 28, height: 14 }),
    ).rejects.toThrow(
      `model depth-anything-v2-metric-indoor-small produced non-finite depth (${518 * 252} of ${518 * 252} values are NaN or infinite)`,
    );
  });

  it('refuses a head scaled to another max_depth before running it', async () => {
    const file = model('relative.onnx', depthAnythingMetricModel({ maxDepth: 100 }));
    const adapter = new DepthAnythingAdapter(indoor, file, pool, 'cpu');
    await expect(
      adapter.run({ data: uniform(14, 14, [200, 200, 200]), width: 14, height: 14 }),
    ).rejects.toThrow(
      /^model depth-anything-v2-metric-indoor-small: not a metric depth model: the graph \(Sigmoid × constant\) gives max_depth 100 m, this slot expects 20 m/,
    );
  });

  it('refuses a model of another task', () => {
    const clip = findManifest('clip-vit-base-patch32');
    expect(() => new DepthAnythingAdapter(clip, 'x.onnx', pool)).toThrow(
      'model clip-vit-base-patch32 is a scene-filter model, not a depth model',
    );
  });
});

describe('depth post-processing', () => {
  it('rejects unexpected output shapes', async () => {
    await expect(postprocessDepth('m', new Float32Array(8), [2, 2, 2], 4, 4, 20)).rejects.toThrow(
      'model m: depth output has shape [2,2,2], expected [1,h,w]',
    );
  });

  it('refuses values outside [0, max_depth] (a head the graph check could not read)', async () => {
    await expect(
      postprocessDepth('m', Float32Array.of(1, 2, 3, 85), [1, 2, 2], 4, 4, 20),
    ).rejects.toThrow(
      'model m: depth range [1.000, 85.000] is outside [0, 20] m: not a metric (sigmoid × max_depth) export?',
    );
  });

  it('upsamples 2×2 → 4×4 bilinearly with half-pixel centres', () => {
    const out = resizePlane(Float32Array.from([0, 4, 8, 12]), 2, 2, 4, 4);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 1, 3, 4]);
    expect(Array.from(out.subarray(12, 16))).toEqual([8, 9, 11, 12]);
  });
});
