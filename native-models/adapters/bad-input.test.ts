// Bad models and inputs: every failure names the model and the problem.
import { afterAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../session-pool';
import {
  clipVisionModel,
  groundingDinoModel,
  metric3dModel,
  samDecoderModel,
  samEncoderModel,
} from '../testing/adapter-models';
import { fakeGpu } from '../testing/fake-gpu';
import { installedContext, removeTempDirs, solidImage } from '../testing/fixtures';
import { depthAnythingConfig, depthAnythingMetricModel } from '../testing/test-models';
import { bertTokenizer } from '../testing/tokenizers';
import { createClipSceneFilter } from './clip';
import { createDepthAnything } from './depth-anything';
import { createGroundingDino } from './grounding-dino';
import { createMetric3d } from './metric3d';
import { createOwlv2 } from './owlv2';
import { createSam } from './sam';
import { createSlimSam } from './slimsam';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

const tok = bertTokenizer(['chair']);
const table = new Float32Array(7 * 900);
const boxes = new Float32Array(900 * 4);
const image = solidImage(32, 24, [1, 2, 3]);
const gdino = (files: Record<string, Uint8Array | string>) =>
  createGroundingDino(installedContext('grounding-dino-tiny', files, pool));

describe('bad models', () => {
  it('a truncated file', async () => {
    const whole = groundingDinoModel(table, boxes);
    const det = gdino({ 'onnx/model.onnx': whole.slice(0, whole.length >> 1), ...tok });
    await expect(det.run(image, { phrases: ['chair'] })).rejects.toThrow(
      /^model grounding-dino-tiny: onnx\/model\.onnx \(\d+ bytes\) could not be loaded — truncated or not an ONNX file\?/,
    );
  });

  it('a file with the wrong inputs', async () => {
    const det = gdino({
      'onnx/model.onnx': groundingDinoModel(table, boxes, { inputName: 'img' }),
      ...tok,
    });
    await expect(det.run(image, { phrases: ['chair'] })).rejects.toThrow(
      'model grounding-dino-tiny: onnx/model.onnx: inputs do not match: expected [pixel_values, pixel_mask, input_ids, token_type_ids, attention_mask], got [img, pixel_mask, input_ids, token_type_ids, attention_mask]',
    );
  });

  it('a model of another task in the slot', async () => {
    // A CLIP vision graph installed as the depth model: its input name fits, its outputs do not.
    const ctx = installedContext(
      'depth-anything-v2-metric-indoor-small',
      { 'onnx/model.onnx': clipVisionModel(new Float32Array(3 * 512)) },
      pool,
    );
    await expect(createDepthAnything(ctx).run(image)).rejects.toThrow(
      /^model depth-anything-v2-metric-indoor-small: onnx\/model\.onnx: outputs missing: expected \[predicted_depth\], got \[image_embeds\]/,
    );
    // An adapter given another task's manifest refuses at once.
    expect(() => createClipSceneFilter(ctx)).toThrow(
      'model depth-anything-v2-metric-indoor-small: is a depth model, not a scene-filter model',
    );
    expect(() => createMetric3d(ctx)).toThrow(/is not a Metric3D export/);
    const samCtx = installedContext('sam-vit-b', {}, pool);
    expect(() => createSlimSam(samCtx)).toThrow(
      'model sam-vit-b: decoder has no input_boxes: use the "boxes" revision of the export',
    );
    expect(() => createSam(installedContext('slimsam-77-uniform', {}, pool))).toThrow(
      /not a Meta-format SAM decoder/,
    );
  });

  it('NaN output', async () => {
    const det = gdino({
      'onnx/model.onnx': groundingDinoModel(table, boxes, { nan: true }),
      ...tok,
    });
    await expect(det.run(image, { phrases: ['chair'] })).rejects.toThrow(
      /^model grounding-dino-tiny: produced non-finite values in logits \(230400 of 230400 are NaN or infinite\)/,
    );
    const m3d = createMetric3d(
      installedContext(
        'metric3d-vit-small',
        { 'onnx/model.onnx': metric3dModel({ nan: true }) },
        pool,
      ),
    );
    await expect(m3d.run(image)).rejects.toThrow(
      /^model metric3d-vit-small: produced non-finite values in predicted_depth/,
    );
    const da = createDepthAnything(
      installedContext(
        'depth-anything-v2-metric-indoor-small',
        {
          'onnx/model.onnx': depthAnythingMetricModel({ nan: true }),
          // Its head (… then Sqrt) is not Sigmoid × max_depth: the config proves it metric.
          'config.json': depthAnythingConfig('metric', 20),
        },
        pool,
      ),
    );
    await expect(da.run(image)).rejects.toThrow(
      /^model depth-anything-v2-metric-indoor-small: produced non-finite depth/,
    );
  });

  it('a GPU lost mid-run: that call fails naming the model and the provider, the next runs on the CPU', async () => {
    const gpu = await fakeGpu();
    const gpuPool = new SessionPool({ ort: gpu.ort, platform: 'linux', arch: 'x64' });
    const ctx = {
      ...installedContext('metric3d-vit-small', { 'onnx/model.onnx': metric3dModel() }, gpuPool),
      device: 'auto' as const,
    };
    const m3d = createMetric3d(ctx);
    try {
      expect((await m3d.run(image)).provider).toBe('webgpu');
      gpu.lose();
      await expect(m3d.run(image)).rejects.toThrow(
        /^model metric3d-vit-small: onnx\/model\.onnx failed to run on webgpu: \[WebGPU\] Device was lost.*; webgpu no longer works \(Failed to get a WebGPU adapter/,
      );
      const after = await m3d.run(image);
      expect(after.provider).toBe('cpu');
      expect(after.depth.every(Number.isFinite)).toBe(true);
    } finally {
      await gpuPool.release();
    }
  });

  it('a missing or broken tokenizer', () => {
    expect(() => gdino({ 'onnx/model.onnx': groundingDinoModel(table, boxes) })).toThrow(
      /^model grounding-dino-tiny: tokenizer\.json is missing from .*grounding-dino-tiny; import the export's whole folder/,
    );
    expect(() =>
      createOwlv2(installedContext('owlv2-base-patch16', { 'tokenizer.json': '{"model":' }, pool)),
    ).toThrow(/^model owlv2-base-patch16: tokenizer files in .* are not valid JSON/);
  });

  it('a model that is not installed, an empty box, a short image buffer', async () => {
    const sam = createSam(installedContext('sam-vit-b', {}, pool));
    await expect(sam.run(image, { boxes: [[0, 0, 5, 5]] })).rejects.toThrow(
      /^model sam-vit-b: sam_vit_b_01ec64\.encoder\.onnx is not installed in .* \(download or import the model\)/,
    );
    const ok = createSam(
      installedContext(
        'sam-vit-b',
        {
          'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
          'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
        },
        pool,
      ),
    );
    await expect(ok.run(image, { boxes: [[5, 5, 5, 9]] })).rejects.toThrow(
      'model sam-vit-b: box [5, 5, 5, 9] is empty',
    );
    await expect(
      ok.run({ data: new Uint8Array(10), width: 32, height: 24 }, { boxes: [[0, 0, 1, 1]] }),
    ).rejects.toThrow('model sam-vit-b: image buffer too short: 10 bytes for 32×24×3');
  });
});
