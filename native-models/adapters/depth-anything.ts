// Metric depth with Depth Anything V2 (metric indoor/outdoor exports). Decoding stays outside: the
// input is raw RGB(A) pixels. Steps, as the HF DPTImageProcessor / transformers.js do them:
//  1. size: keep aspect, the scale closest to 1 of (518/H, 518/W) for both axes, each side rounded
//     (half to even) to a multiple of 14 — e.g. 640×480 → 686×518;
//  2. bicubic resize (PIL-style, antialiased when shrinking), /255, ImageNet mean/std, RGB CHW f32;
//  3. run; `predicted_depth` [1,h,w] is already metres: the metric head ends in Sigmoid × max_depth
//     inside the exported graph (HF modeling_depth_anything.py `depth_estimation_type: "metric"`,
//     upstream metric_depth/dpt.py), so nothing is multiplied here. Before the first run the
//     export must prove it is metric (../depth-metric.ts: config.json or the graph's head): a
//     relative export has the same I/O and an output range that fits [0, max_depth]. Values outside
//     [0, max_depth] are still refused;
//  4. bilinear resize back to the original width × height (bilinear: no overshoot, no negatives).
import { checkContract, describeSession } from '../contract-check';
import { proveMetricDepth, type MetricProof } from '../depth-metric';
import type { ModelManifest, Preprocessing } from '../manifest';
import type { Device } from '../providers';
import type { OrtSession, SessionPool } from '../session-pool';
import { resizerFor } from './image-prep';
import { jsResizer, type ImageResizer, type ResizeMethod } from './resize-graph';
import {
  checkImage,
  ModelAdapterError,
  openGraph,
  requireModel,
  runFailure,
  type AdapterContext,
  type ImageInput,
} from './runtime';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA, alpha ignored); default 3. */
  channels?: 3 | 4;
}

export interface DepthResult {
  /** Row-major, width × height, metres. */
  depth: Float32Array;
  width: number;
  height: number;
  units: 'metres';
  /** Network input size used. */
  network: { width: number; height: number };
  provider: string;
  timings: { preMs: number; inferMs: number; postMs: number };
}

/** Python round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** DPT `get_resize_output_image_size` with keep_aspect_ratio and ensure_multiple_of. */
export function dptInputSize(
  width: number,
  height: number,
  size = 518,
  multiple = 14,
): { width: number; height: number } {
  let sh = size / height;
  let sw = size / width;
  if (Math.abs(1 - sw) < Math.abs(1 - sh)) sh = sw;
  else sw = sh;
  const constrain = (v: number) => {
    const y = roundHalfEven(v / multiple) * multiple;
    return y < multiple ? multiple : y;
  };
  return { width: constrain(width * sw), height: constrain(height * sh) };
}

/**
 * Upstream Depth Anything's `Resize(resize_method='lower_bound', keep_aspect_ratio=True,
 * ensure_multiple_of=14)` (depth_anything_v2/util/transform.py): the larger of the two scales, so
 * both sides reach `size`; each side rounded (numpy, half to even) to the multiple, and up to the
 * next multiple when rounding fell below `size`. Equal to DPT's rule when shrinking; differs for a
 * side under `size`: 300×200 → 784×518 (DPT: 518×350).
 */
export function lowerBoundInputSize(
  width: number,
  height: number,
  size = 518,
  multiple = 14,
): { width: number; height: number } {
  const scale = Math.max(size / width, size / height);
  const constrain = (v: number) => {
    const y = roundHalfEven(v / multiple) * multiple;
    return y < size ? Math.ceil(v / multiple) * multiple : y;
  };
  return { width: constrain(width * scale), height: constrain(height * scale) };
}

/** Steps 1–2: the network input, through `resizer` (the resize graphs on the model's provider). */
export async function preprocessDepthAnything(
  image: RgbImage,
  prep: Preprocessing,
  resizer: ImageResizer = jsResizer,
): Promise<{ data: Float32Array; width: number; height: number }> {
  const channels = image.channels ?? 3;
  if (image.data.length < image.width * image.height * channels) {
    throw new Error(
      `image buffer too short: ${image.data.length} bytes for ${image.width}×${image.height}×${channels}`,
    );
  }
  const sizeRule = prep.resize === 'lower-bound-multiple' ? lowerBoundInputSize : dptInputSize;
  const { width, height } = sizeRule(image.width, image.height, prep.size, prep.multipleOf ?? 14);
  const data = await resizer.chw(
    image.data,
    image.width,
    image.height,
    channels,
    width,
    height,
    prep.interpolation,
    { scale: prep.rescale ? 1 / 255 : 1, mean: prep.mean ?? [0, 0, 0], std: prep.std ?? [1, 1, 1] },
  );
  return { data, width, height };
}

/** Check and resize a raw `predicted_depth` to the original image size (metres). */
export async function postprocessDepth(
  modelId: string,
  output: Float32Array,
  dims: readonly number[],
  width: number,
  height: number,
  maxDepth: number | null,
  resizer: ImageResizer = jsResizer,
): Promise<Float32Array> {
  const spatial = dims.slice(-2);
  const lead = dims.slice(0, -2);
  if (spatial.length !== 2 || lead.some((d) => d !== 1)) {
    throw new Error(
      `model ${modelId}: depth output has shape [${dims.join(',')}], expected [1,h,w]`,
    );
  }
  const [h, w] = spatial as [number, number];
  let bad = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < output.length; i++) {
    const v = output[i]!;
    if (!Number.isFinite(v)) bad++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (bad > 0) {
    throw new Error(
      `model ${modelId} produced non-finite depth (${bad} of ${output.length} values are NaN or infinite)`,
    );
  }
  if (maxDepth !== null && (min < 0 || max > maxDepth * 1.01)) {
    throw new Error(
      `model ${modelId}: depth range [${min.toFixed(3)}, ${max.toFixed(3)}] is outside [0, ${maxDepth}] m: not a metric (sigmoid × max_depth) export?`,
    );
  }
  return resizer.planes(output, 1, w, h, width, height);
}

export class DepthAnythingAdapter {
  private checked = new WeakSet<OrtSession>();
  private proof: MetricProof | null = null;

  constructor(
    private readonly manifest: ModelManifest,
    private readonly modelPath: string,
    private readonly pool: SessionPool,
    private readonly device: Device = 'auto',
    /** AdapterContext.resize: the resize graphs on `device` by default. */
    private readonly resize: ResizeMethod | ImageResizer = 'graph',
    /** The model folder's config.json (evidence that the export is metric); null: none. */
    private readonly configPath: string | null = null,
  ) {
    if (manifest.task !== 'depth' || !manifest.preprocessing) {
      throw new Error(`model ${manifest.id} is a ${manifest.task} model, not a depth model`);
    }
  }

  /** The loaded session, checked once against the contract, with its tensor names. */
  private async open(): Promise<{
    session: OrtSession;
    provider: string;
    inputName: string;
    outputName: string;
  }> {
    const m = this.manifest;
    const contract = m.contracts[0]!;
    const { session, provider } = await this.pool.get(m.id, this.modelPath, this.device);
    if (!this.checked.has(session)) {
      const report = checkContract(contract, describeSession(session));
      if (!report.ok)
        throw new Error(`model ${m.id} (${this.modelPath}): ${report.problems.join('; ')}`);
      this.checked.add(session);
    }
    const outputName = contract.outputs[0]!.name ?? session.outputNames[0]!;
    this.proof ??= proveMetricDepth(m, this.modelPath, this.configPath, outputName);
    return {
      session,
      provider,
      inputName: contract.inputs[0]!.name ?? session.inputNames[0]!,
      outputName,
    };
  }

  /** Images one call may take: 1 when the loaded graph fixes its batch dimension. */
  async maxBatch(limit: number): Promise<number> {
    const { session, inputName } = await this.open();
    const input = describeSession(session).inputs.find((t) => t.name === inputName);
    const batch = input?.shape?.[0];
    // A symbolic (or -1) dimension takes any batch.
    return typeof batch === 'number' && batch > 0 ? Math.min(limit, batch) : limit;
  }

  async run(image: RgbImage): Promise<DepthResult> {
    const [r] = await this.runBatch([image]);
    if (r instanceof Error) throw r;
    return r!;
  }

  /**
   * Several images in one model call per network input size (images of one camera share it):
   * on a GPU the batch keeps the device busy. One result per image, in order; an image whose
   * pre- or post-processing fails gets its error, the others their depth.
   */
  async runBatch(images: RgbImage[]): Promise<Array<DepthResult | Error>> {
    const m = this.manifest;
    const { session, provider, inputName, outputName } = await this.open();
    const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
    // The proven head's scale (equal to params.maxDepth when the manifest has one).
    const maxDepth = this.proof?.maxDepth ?? null;
    const resizer = resizerFor({ pool: this.pool, device: this.device, resize: this.resize });
    const results: Array<DepthResult | Error> = [];
    const pres: Array<{ data: Float32Array; width: number; height: number; ms: number } | null> =
      [];
    for (const [i, image] of images.entries()) {
      const t0 = performance.now();
      try {
        const pre = await preprocessDepthAnything(image, m.preprocessing!, resizer);
        pres.push({ ...pre, ms: performance.now() - t0 });
      } catch (err) {
        pres.push(null);
        results[i] = err as Error;
      }
    }
    const groups = new Map<string, number[]>();
    for (const [i, pre] of pres.entries()) {
      if (!pre) continue;
      const key = `${pre.width}x${pre.height}`;
      const members = groups.get(key);
      if (members) members.push(i);
      else groups.set(key, [i]);
    }
    for (const members of groups.values()) {
      const first = pres[members[0]!]!;
      const plane = 3 * first.width * first.height;
      const data = new Float32Array(members.length * plane);
      members.forEach((i, k) => data.set(pres[i]!.data, k * plane));
      const input = new ort.Tensor('float32', data, [members.length, 3, first.height, first.width]);
      const t1 = performance.now();
      let tensor: Ort.Tensor | undefined;
      try {
        try {
          tensor = (await session.run({ [inputName]: input }))[outputName];
        } catch (err) {
          throw await runFailure(this.pool, m.id, m.contracts[0]!.file, { session, provider }, err);
        }
        if (!tensor || tensor.type !== 'float32')
          throw new Error(`model ${m.id}: output ${outputName} missing or not float32`);
        const lead = tensor.dims.slice(0, -2).reduce((a, b) => a * b, 1);
        if (tensor.dims.length < 3 || lead !== members.length)
          throw new Error(
            `model ${m.id}: depth output has shape [${tensor.dims.join(',')}], expected [${members.length},h,w]`,
          );
      } catch (err) {
        for (const i of members) results[i] = err as Error;
        continue;
      }
      const inferMs = (performance.now() - t1) / members.length;
      const [h, w] = tensor.dims.slice(-2) as [number, number];
      const out = tensor.data as Float32Array;
      for (const [k, i] of members.entries()) {
        const image = images[i]!;
        const t2 = performance.now();
        try {
          const depth = await postprocessDepth(
            m.id,
            out.subarray(k * h * w, (k + 1) * h * w),
            [1, h, w],
            image.width,
            image.height,
            maxDepth,
            resizer,
          );
          results[i] = {
            depth,
            width: image.width,
            height: image.height,
            units: 'metres',
            network: { width: first.width, height: first.height },
            provider,
            timings: { preMs: pres[i]!.ms, inferMs, postMs: performance.now() - t2 },
          };
        } catch (err) {
          results[i] = err as Error;
        }
      }
    }
    return results;
  }
}

/**
 * The uniform entry: a Depth Anything V2 metric adapter for an installed model. The graph is opened
 * through openGraph first, so a missing, truncated or mismatched file is reported with the model id.
 */
export function createDepthAnything(ctx: AdapterContext): {
  run(image: ImageInput): Promise<DepthResult>;
} {
  requireModel(ctx.manifest, 'depth', ['model']);
  if (ctx.manifest.contracts[0]!.outputs.some((t) => t.name === 'predicted_normal')) {
    throw new ModelAdapterError(ctx.manifest.id, 'is a Metric3D export, not Depth Anything');
  }
  const adapter = new DepthAnythingAdapter(
    ctx.manifest,
    ctx.store.graphPath(ctx.manifest, 'model'),
    ctx.pool,
    ctx.device ?? 'auto',
    ctx.resize ?? 'graph',
    ctx.store.filePath(ctx.manifest, 'config.json'),
  );
  return {
    run: async (image) => {
      checkImage(ctx.manifest.id, image);
      await openGraph(ctx, 'model');
      try {
        return await adapter.run(image);
      } catch (err) {
        if (err instanceof ModelAdapterError) throw err;
        const msg = (err as Error).message;
        throw new ModelAdapterError(
          ctx.manifest.id,
          msg.replace(`model ${ctx.manifest.id}`, '').replace(/^[:\s]+/, ''),
        );
      }
    },
  };
}
