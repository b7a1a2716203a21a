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

/**
 * An imitation of the relative Depth Anything V2 export (onnx-community/depth-anything-v2-small):
 * the metric exports' exact I/O, but the relative head — ReLU, then × max_depth, which transformers
 * sets to 1 for relative models — so a pixel gives relu(mean of its normalised channels + 2): about
 * 0–4.7, inside the old [0, 1.01 · max_depth] guard. A depth slot must refuse it.
 */
export function depthAnythingRelativeModel(): Uint8Array {
  return buildModel({
    name: 'tiny_depth_anything_v2_relative',
    inputs: [
      { name: 'pixel_values', elemType: DataType.FLOAT, dims: ['batch', 3, 'height', 'width'] },
    ],
    outputs: [
      { name: 'predicted_depth', elemType: DataType.FLOAT, dims: ['batch', 'height', 'width'] },
    ],
    nodes: [
      {
        opType: 'ReduceMean',
        inputs: ['pixel_values'],
        outputs: ['mean'],
        attributes: {
          axes: { kind: 'ints', value: [1] },
          keepdims: { kind: 'int', value: 0 },
        },
      },
      { opType: 'Add', inputs: ['mean', 'shift'], outputs: ['shifted'] },
      { opType: 'Relu', inputs: ['shifted'], outputs: ['relu'] },
      { opType: 'Mul', inputs: ['relu', 'max_depth'], outputs: ['predicted_depth'] },
    ],
    initializers: [scalar('shift', 2), scalar('max_depth', 1)],
  });
}

/** transformers' config.json of a Depth Anything model; `type` null leaves the key out. */
export function depthAnythingConfig(
  type: 'metric' | 'relative' | null,
  maxDepth: number | null,
): string {
  const c: Record<string, unknown> = { model_type: 'depth_anything', patch_size: 14 };
  if (type !== null) c.depth_estimation_type = type;
  if (maxDepth !== null) c.max_depth = maxDepth;
  return JSON.stringify(c, null, 2);
}
