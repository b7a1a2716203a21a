import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { depthAnythingMetricModel } from './testing/test-models';
import { removeTempDirs, tempDir, writeFile } from './testing/fixtures';
import { buildModel, DataType } from './onnx-builder';

afterAll(() => removeTempDirs());

describe('onnx-builder', () => {
  it('writes a model onnxruntime-node loads with the declared names, dtypes and symbolic dims', async () => {
    const file = writeFile(join(tempDir(), 'd.onnx'), depthAnythingMetricModel());
    const s = await ort.InferenceSession.create(file);
    expect(s.inputNames).toEqual(['pixel_values']);
    expect(s.outputNames).toEqual(['predicted_depth']);
    expect(s.inputMetadata[0]).toMatchObject({
      type: 'float32',
      shape: ['batch', 3, 'height', 'width'],
    });
    expect(s.outputMetadata[0]).toMatchObject({
      type: 'float32',
      shape: ['batch', 'height', 'width'],
    });
    // 20 · sigmoid(mean(0, 0, 0)) = 10 for every pixel; [2,3,2,3] → [2,2,3]
    const x = new ort.Tensor('float32', new Float32Array(2 * 3 * 2 * 3), [2, 3, 2, 3]);
    const out = (await s.run({ pixel_values: x })).predicted_depth!;
    expect(out.dims).toEqual([2, 2, 3]);
    expect([...(out.data as Float32Array)]).toEqual(new Array(12).fill(10));
    await s.release();
  });

  it('encodes int64 inputs, fixed dims and float/int attributes', async () => {
    const bytes = buildModel({
      name: 'g',
      inputs: [{ name: 'ids', elemType: DataType.INT64, dims: [1, 4] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, dims: [1, 4] }],
      nodes: [
        {
          opType: 'Cast',
          inputs: ['ids'],
          outputs: ['f'],
          attributes: { to: { kind: 'int', value: 1 } },
        },
        {
          opType: 'LeakyRelu',
          inputs: ['f'],
          outputs: ['y'],
          attributes: { alpha: { kind: 'float', value: 0.25 } },
        },
      ],
    });
    const file = writeFile(join(tempDir(), 'g.onnx'), bytes);
    const s = await ort.InferenceSession.create(file);
    expect(s.inputMetadata[0]).toMatchObject({ type: 'int64', shape: [1, 4] });
    const ids = new ort.Tensor('int64', BigInt64Array.from([-4n, -1n, 0n, 3n]), [1, 4]);
    const y = (await s.run({ ids })).y!;
    expect([...(y.data as Float32Array)]).toEqual([-1, -0.25, 0, 3]);
    await s.release();
  });
});
