// Tiny ONNX models with the contracts of public exports, for tests and benchmarks (no weights).
import { buildModel, DataType, scalar } from '../onnx-builder';

export interface DepthModelOptions {
  inputName?: string;
  outputName?: string;
  /** Metric head scale: the export computes sigmoid(x) × maxDepth inside the graph. */
  maxDepth?: number;
  /** Make every output NaN (sqrt of a negative number). */
  nan?: boolean;
  /** A fixed batch dimension (exports traced at batch 1); default symbolic. */
  batch?: number;
}

/**
 * Depth Anything V2 metric contract: `pixel_values` f32 [batch,3,H,W] → `predicted_depth`
 * f32 [batch,H,W]. Graph: ReduceMean over channels → Sigmoid → × maxDepth, so the output for
 * a pixel is maxDepth · sigmoid(mean of its three normalised channels), in metres.
 */
export function depthAnythingMetricModel(opts: DepthModelOptions = {}): Uint8Array {
  const input = opts.inputName ?? 'pixel_values';
  const output = opts.outputName ?? 'predicted_depth';
  const nodes = [
    {
      opType: 'ReduceMean',
      inputs: [input],
      outputs: ['mean'],
      attributes: {
        axes: { kind: 'ints' as const, value: [1] },
        keepdims: { kind: 'int' as const, value: 0 },
      },
    },
    { opType: 'Sigmoid', inputs: ['mean'], outputs: ['sig'] },
    { opType: 'Mul', inputs: ['sig', 'max_depth'], outputs: [opts.nan ? 'scaled' : output] },
  ];
  const initializers = [scalar('max_depth', opts.maxDepth ?? 20)];
  if (opts.nan) {
    nodes.push({ opType: 'Sub', inputs: ['scaled', 'big'], outputs: ['negative'] });
    nodes.push({ opType: 'Sqrt', inputs: ['negative'], outputs: [output] });
    initializers.push(scalar('big', 1000));
  }
  return buildModel({
    name: 'tiny_depth_anything_v2_metric',
    inputs: [
      {
        name: input,
        elemType: DataType.FLOAT,
        dims: [opts.batch ?? 'batch', 3, 'height', 'width'],
      },
    ],
    outputs: [
      { name: output, elemType: DataType.FLOAT, dims: [opts.batch ?? 'batch', 'height', 'width'] },
    ],
    nodes,
    initializers,
  });
}
