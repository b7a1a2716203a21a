// Resizing on the model's execution provider, so the input step can run where the model runs: on a
// GPU it leaves the CPU entirely, and on the CPU provider it is ORT's threaded C++ (640×480 →
// 686×518 bicubic: 6–41 ms against the exact JS resampler's 45; bench/MODELS-RESULTS.md). ONNX
// Resize (opset 18) with antialias = 1, half-pixel centres, exclude_outside = 1 and cubic a = −0.5
// is Pillow's ImagingResample in float (or torch's bilinear for SAM's mask logits): every input step
// runs in float, the 8-bit ones too. Pillow's 8-bit resample rounds and clips after each pass, so
// the graphs are ≤ 1 level from it bilinear and up to ~20 at sharp bicubic edges (the reference
// tests measure it); `resize: 'exact'` is the JS resampler, Pillow's 8-bit pipeline bit for bit.
// An integer graph with Pillow's coefficients was exact but 3–9× slower than Resize (it
// materialises every tap), so the speed is the default. Each graph is checked against the JS
// resampler's float pipeline (the same arithmetic) on its first use on a provider; a provider that
// disagrees (or a runtime without opset 18) gets the JS resampler, and the reason is kept.
import type * as Ort from 'onnxruntime-node';
import { buildModel, DataType, type NodeSpec } from '../onnx-builder';
import type { Device } from '../providers';
import type { PooledSession, SessionPool } from '../session-pool';
import { upsampleMaskLogits } from './masks';
import { chwToHwc, resizePlane, resizeToChw, type Filter, type RawPad } from './resample';
import { ort } from './runtime';

/** Channel-planar (CHW) or interleaved (HWC) network input. */
type Layout = 'chw' | 'hwc';

type ChwArgs = Parameters<typeof resizeToChw>;
type PlanesArgs = [
  src: Float32Array,
  count: number,
  width: number,
  height: number,
  outW: number,
  outH: number,
];
type MaskArgs = Parameters<typeof upsampleMaskLogits>;

/** How an adapter resizes: the two steps every vision adapter has. */
export interface ImageResizer {
  /** resizeToChw's contract: interleaved 8-bit RGB(A) → normalised float32 CHW RGB. */
  chw(...args: ChwArgs): Promise<Float32Array>;
  /** The same, interleaved (HWC): SAM's Meta-format encoder takes its image that way. */
  hwc(...args: ChwArgs): Promise<Float32Array>;
  /**
   * Bilinear resize of `count` float planes stored one after another (a depth map, or Metric3D's
   * normals and confidence, back to the image).
   */
  planes(...args: PlanesArgs): Promise<Float32Array>;
  /** upsampleMaskLogits' contract: SAM's low-resolution mask logits to the image (torch bilinear). */
  masks(...args: MaskArgs): Promise<Float32Array>;
}

/** resizePlane over `count` consecutive planes. */
function resizePlanes(...[src, count, width, height, outW, outH]: PlanesArgs): Float32Array {
  if (count === 1) return resizePlane(src, width, height, outW, outH);
  const out = new Float32Array(count * outW * outH);
  for (let c = 0; c < count; c++) {
    const plane = src.subarray(c * width * height, (c + 1) * width * height);
    out.set(resizePlane(plane, width, height, outW, outH), c * outW * outH);
  }
  return out;
}

/** The JS resampler (8-bit steps: Pillow's 8-bit resample bit for bit), on the calling thread. */
export const jsResizer: ImageResizer = {
  chw: async (...args) => resizeToChw(...args),
  hwc: async (...args) => chwToHwc(resizeToChw(...args), args[4], args[5]),
  planes: async (...args) => resizePlanes(...args),
  masks: async (...args) => upsampleMaskLogits(...args),
};

const i64 = (values: number[]) => BigInt64Array.from(values.map((v) => BigInt(v)));

/**
 * A Resize to the `sizes` input: PIL's resampler for a Filter (antialiased, exclude_outside, cubic
 * a = −0.5), or torch's F.interpolate(bilinear, align_corners=False) for 'torch-bilinear' (no
 * antialias when shrinking: SAM's mask post-processing).
 */
function resizeNode(
  input: string,
  output: string,
  filter: Filter | 'torch-bilinear',
  sizes = 'sizes',
): NodeSpec {
  const halfPixel = { kind: 'string', value: 'half_pixel' } as const;
  return {
    opType: 'Resize',
    inputs: [input, '', '', sizes],
    outputs: [output],
    attributes:
      filter === 'torch-bilinear'
        ? { mode: { kind: 'string', value: 'linear' }, coordinate_transformation_mode: halfPixel }
        : {
            mode: { kind: 'string', value: filter === 'bicubic' ? 'cubic' : 'linear' },
            cubic_coeff_a: { kind: 'float', value: -0.5 },
            coordinate_transformation_mode: halfPixel,
            exclude_outside: { kind: 'int', value: 1 },
            antialias: { kind: 'int', value: 1 },
          },
  };
}

/**
 * Pillow's resample in float: uint8 [1,h,w,channels] → (RGBA: the first three channels; a Slice
 * costs 2 ms at 640×480, so RGB has its own graph) → float → constant pad (`pads`: begins then
 * ends, in the graph's layout; `pad_value` raw) → Resize to `sizes` → (CHW) × scale + bias per
 * channel. CHW transposes the small input first. HWC resizes in place (ORT resizes NHWC when only
 * H and W change) and leaves the per-channel affine to the caller: at 1024×768 a Transpose of the
 * output back to HWC cost ~25 ms and a Mul + Add broadcast over the innermost 3 channels ~23 ms,
 * more than they saved.
 */
export function chwResizeGraph(
  filter: Filter,
  channels: 3 | 4,
  layout: Layout = 'chw',
): Uint8Array {
  const nodes: NodeSpec[] = [];
  if (channels === 4) {
    nodes.push({ opType: 'Slice', inputs: ['rgba', 'zero', 'three', 'axis3'], outputs: ['rgb'] });
  }
  nodes.push({
    opType: 'Cast',
    inputs: ['rgb'],
    outputs: [layout === 'chw' ? 'hwc' : 'image'],
    attributes: { to: { kind: 'int', value: DataType.FLOAT } },
  });
  if (layout === 'chw') {
    nodes.push({
      opType: 'Transpose',
      inputs: ['hwc'],
      outputs: ['image'],
      attributes: { perm: { kind: 'ints', value: [0, 3, 1, 2] } },
    });
  }
  nodes.push({ opType: 'Pad', inputs: ['image', 'pads', 'pad_value'], outputs: ['padded'] });
  if (layout === 'chw') {
    nodes.push(
      resizeNode('padded', 'resized', filter),
      { opType: 'Mul', inputs: ['resized', 'scale'], outputs: ['scaled'] },
      { opType: 'Add', inputs: ['scaled', 'bias'], outputs: ['pixel_values'] },
    );
  } else {
    nodes.push(resizeNode('padded', 'pixel_values', filter));
  }
  return buildModel({
    name: `sqw_resize_${layout}_${filter}_${channels}`,
    opset: 18,
    inputs: [
      {
        name: channels === 4 ? 'rgba' : 'rgb',
        elemType: DataType.UINT8,
        dims: [1, 'h', 'w', channels],
      },
      { name: 'sizes', elemType: DataType.INT64, dims: [4] },
      { name: 'pads', elemType: DataType.INT64, dims: [8] },
      { name: 'pad_value', elemType: DataType.FLOAT, dims: [] },
      ...(layout === 'chw'
        ? [
            { name: 'scale', elemType: DataType.FLOAT, dims: [1, 3, 1, 1] },
            { name: 'bias', elemType: DataType.FLOAT, dims: [1, 3, 1, 1] },
          ]
        : []),
    ],
    outputs: [
      {
        name: 'pixel_values',
        elemType: DataType.FLOAT,
        dims: layout === 'chw' ? [1, 3, 'oh', 'ow'] : [1, 'oh', 'ow', 3],
      },
    ],
    nodes,
    initializers:
      channels === 4
        ? [
            { name: 'zero', dims: [1], data: i64([0]) },
            { name: 'three', dims: [1], data: i64([3]) },
            { name: 'axis3', dims: [1], data: i64([3]) },
          ]
        : [],
  });
}

/** float [1,c,h,w] → bilinear (antialiased when shrinking) to `sizes`. */
export function planeResizeGraph(): Uint8Array {
  return buildModel({
    name: 'sqw_resize_plane_bilinear',
    opset: 18,
    inputs: [
      { name: 'planes', elemType: DataType.FLOAT, dims: [1, 'c', 'h', 'w'] },
      { name: 'sizes', elemType: DataType.INT64, dims: [4] },
    ],
    outputs: [{ name: 'resized', elemType: DataType.FLOAT, dims: [1, 'c', 'oh', 'ow'] }],
    nodes: [resizeNode('planes', 'resized', 'bilinear')],
  });
}

/** float [1,c,s,s] → bilinear to `frame_sizes` → crop to `crop` (h, w) → bilinear to `sizes`. */
export function maskUpsampleGraph(): Uint8Array {
  return buildModel({
    name: 'sqw_sam_mask_upsample',
    opset: 18,
    inputs: [
      { name: 'low_res', elemType: DataType.FLOAT, dims: [1, 'c', 's', 's'] },
      { name: 'frame_sizes', elemType: DataType.INT64, dims: [4] },
      { name: 'crop', elemType: DataType.INT64, dims: [2] },
      { name: 'sizes', elemType: DataType.INT64, dims: [4] },
    ],
    outputs: [{ name: 'logits', elemType: DataType.FLOAT, dims: [1, 'c', 'oh', 'ow'] }],
    nodes: [
      resizeNode('low_res', 'framed', 'torch-bilinear', 'frame_sizes'),
      { opType: 'Slice', inputs: ['framed', 'origin', 'crop', 'axes_hw'], outputs: ['cropped'] },
      resizeNode('cropped', 'logits', 'torch-bilinear'),
    ],
    initializers: [
      { name: 'origin', dims: [2], data: i64([0, 0]) },
      { name: 'axes_hw', dims: [2], data: i64([2, 3]) },
    ],
  });
}

/**
 * Largest difference, in 8-bit levels, a graph may have from the JS resampler's float pipeline
 * (the same arithmetic: float rounding only).
 */
const AGREE_LEVELS = 0.02;

/** A small noisy RGBA image (or its first bytes as RGB): every tap weight matters. */
function probeImage(width: number, height: number): Uint8Array {
  const px = new Uint8Array(width * height * 4);
  let s = 12345;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    px[i] = s >>> 24;
  }
  return px;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** An input step (one graph for 8-bit and float steps alike), or the planes and mask logits. */
type Step = `${Layout}-${Filter}-${3 | 4}` | 'plane' | 'mask';
const layoutOf = (step: Step): Layout => (step.startsWith('hwc') ? 'hwc' : 'chw');
const filterOf = (step: Step): Filter => (step.includes('-bicubic-') ? 'bicubic' : 'bilinear');
const channelsOf = (step: Step): 3 | 4 => (step.endsWith('-4') ? 4 : 3);

/**
 * Resizing through pooled ORT sessions on `device`, each step checked once against the JS
 * resampler's float pipeline and replaced by the JS resampler when the check or the load fails
 * (`fallbacks` says why). The graphs resize in float whatever the call's `precision`; a fallback
 * honours it (8-bit steps: Pillow's 8-bit resample, the exact and, in JS, the faster one).
 */
export class GraphResizer implements ImageResizer {
  private readonly ready = new Map<Step, Promise<boolean>>();
  private readonly sessions = new Map<Step, Promise<PooledSession>>();
  readonly fallbacks = new Map<Step, string>();
  readonly providers = new Map<Step, string>();
  /** Steps whose graph failed on the GPU provider and run on the CPU provider instead. */
  private readonly onCpu = new Set<Step>();

  constructor(
    private readonly pool: SessionPool,
    private readonly device: Device = 'auto',
  ) {}

  chw(...args: ChwArgs): Promise<Float32Array> {
    const [, , , channels, , , filter] = args;
    return this.viaGraph(
      `chw-${filter}-${channels}`,
      () => this.runResize('chw', ...args),
      () => resizeToChw(...args),
    );
  }

  hwc(...args: ChwArgs): Promise<Float32Array> {
    const [, , , channels, , , filter] = args;
    return this.viaGraph(
      `hwc-${filter}-${channels}`,
      () => this.runResize('hwc', ...args),
      () => jsResizer.hwc(...args),
    );
  }

  async planes(...args: PlanesArgs): Promise<Float32Array> {
    const [src, count, width, height, outW, outH] = args;
    if (width === outW && height === outH) return src.slice(0, count * width * height);
    return this.viaGraph(
      'plane',
      () => this.runPlanes(...args),
      () => resizePlanes(...args),
    );
  }

  masks(...args: MaskArgs): Promise<Float32Array> {
    return this.viaGraph(
      'mask',
      () => this.runMasks(...args),
      () => upsampleMaskLogits(...args),
    );
  }

  /**
   * The step's graph when it is usable, else the JS resampler. A run that fails (a GPU lost
   * mid-run) is redone by the JS resampler, and the step is loaded and checked again next time:
   * on the next provider if the pool found this one gone.
   */
  private async viaGraph(
    step: Step,
    graph: () => Promise<Float32Array>,
    js: () => Float32Array | Promise<Float32Array>,
  ): Promise<Float32Array> {
    if (!(await this.usable(step))) return js();
    try {
      return await graph();
    } catch (err) {
      const provider = this.providers.get(step) ?? 'cpu';
      const failed = await this.sessions.get(step)?.catch(() => undefined);
      process.emitWarning(
        `resize ${step}: failed to run on ${provider} (${(err as Error).message.split('\n')[0]}); ` +
          'the JS resampler did this one',
        'SqwResizeFallback',
      );
      this.sessions.delete(step);
      this.ready.delete(step);
      if ((await this.pool.checkAfterFailure(provider, failed?.session)) !== null) {
        // The provider is gone: every step on it reloads, not only the one that noticed.
        for (const [other, on] of this.providers) {
          if (on !== provider) continue;
          this.sessions.delete(other);
          this.ready.delete(other);
        }
      }
      return js();
    }
  }

  private async runResize(
    layout: Layout,
    ...[src, width, height, channels, outW, outH, filter, norm, pad]: ChwArgs
  ): Promise<Float32Array> {
    const { session } = await this.session(`${layout}-${filter}-${channels}`);
    const chw = layout === 'chw';
    const T = ort().Tensor;
    const padW = Math.max(0, (pad?.width ?? width) - width);
    const padH = Math.max(0, (pad?.height ?? height) - height);
    const scale = Float32Array.from([0, 1, 2], (c) => norm.scale / norm.std[c]!);
    const bias = Float32Array.from([0, 1, 2], (c) => -norm.mean[c]! / norm.std[c]!);
    const pixels =
      src.length === width * height * channels ? src : src.subarray(0, width * height * channels);
    const feeds: Record<string, Ort.Tensor> = {
      [channels === 4 ? 'rgba' : 'rgb']: new T('uint8', pixels, [1, height, width, channels]),
      sizes: new T('int64', i64(chw ? [1, 3, outH, outW] : [1, outH, outW, 3]), [4]),
      pads: new T(
        'int64',
        i64(chw ? [0, 0, 0, 0, 0, 0, padH, padW] : [0, 0, 0, 0, 0, padH, padW, 0]),
        [8],
      ),
      pad_value: new T('float32', Float32Array.of(pad?.value ?? 0), []),
    };
    if (chw) {
      feeds.scale = new T('float32', scale, [1, 3, 1, 1]);
      feeds.bias = new T('float32', bias, [1, 3, 1, 1]);
    }
    const out = (await session.run(feeds)).pixel_values!.data as Float32Array;
    // HWC: the affine here, and only when it is not the identity (SAM's encoder takes 0–255).
    if (!chw && scale.some((v, c) => v !== 1 || bias[c] !== 0)) {
      for (let i = 0; i < out.length; i += 3) {
        out[i] = out[i]! * scale[0]! + bias[0]!;
        out[i + 1] = out[i + 1]! * scale[1]! + bias[1]!;
        out[i + 2] = out[i + 2]! * scale[2]! + bias[2]!;
      }
    }
    return out;
  }

  private async runPlanes(
    ...[src, count, width, height, outW, outH]: PlanesArgs
  ): Promise<Float32Array> {
    const { session } = await this.session('plane');
    const T = ort().Tensor;
    const out = await session.run({
      planes: new T('float32', src.subarray(0, count * width * height), [1, count, height, width]),
      sizes: new T('int64', i64([1, count, outH, outW]), [4]),
    });
    return out.resized!.data as Float32Array;
  }

  private async runMasks(
    ...[lowRes, count, side, frame, cropW, cropH, outW, outH]: MaskArgs
  ): Promise<Float32Array> {
    const { session } = await this.session('mask');
    const T = ort().Tensor;
    const out = await session.run({
      low_res: new T('float32', lowRes.subarray(0, count * side * side), [1, count, side, side]),
      frame_sizes: new T('int64', i64([1, count, frame, frame]), [4]),
      crop: new T('int64', i64([cropH, cropW]), [2]),
      sizes: new T('int64', i64([1, count, outH, outW]), [4]),
    });
    return out.logits!.data as Float32Array;
  }

  /** The step's session, its graph built once (a failed load is caught by `usable` for good). */
  private session(step: Step): Promise<PooledSession> {
    let p = this.sessions.get(step);
    if (!p) {
      const graph =
        step === 'plane'
          ? planeResizeGraph()
          : step === 'mask'
            ? maskUpsampleGraph()
            : chwResizeGraph(filterOf(step), channelsOf(step), layoutOf(step));
      p = this.pool.getGraph(
        `sqw-resize-${step}`,
        graph,
        this.onCpu.has(step) ? 'cpu' : this.device,
      );
      this.sessions.set(step, p);
    }
    return p;
  }

  /** Load and check a step once: true when its graph agrees with the JS resampler. */
  private usable(step: Step): Promise<boolean> {
    let p = this.ready.get(step);
    if (!p) {
      p = this.checked(step).then(async (problem) => {
        if (!problem) return true;
        if (this.device === 'cpu' || this.onCpu.has(step)) return this.fallBack(step, problem);
        // A GPU provider that cannot run the graph (WebGPU has no antialiased Resize): ORT's
        // threaded CPU Resize is still ~2x faster than the JS resampler (bench/MODELS-RESULTS.md).
        this.onCpu.add(step);
        this.sessions.delete(step);
        const again = await this.checked(step);
        if (again) return this.fallBack(step, `${problem}; on cpu: ${again}`);
        process.emitWarning(`resize ${step}: on the CPU provider: ${problem}`, 'SqwResizeFallback');
        return true;
      });
      this.ready.set(step, p);
    }
    return p;
  }

  /** null when the step's graph loads and agrees with the JS resampler, else why not. */
  private checked(step: Step): Promise<string | null> {
    return this.check(step).catch(
      (err: unknown) => `could not load: ${(err as Error).message.split('\n')[0]}`,
    );
  }

  /** Use the JS resampler for `step` from now on, and say so once: never a silent slowdown. */
  private fallBack(step: Step, reason: string): false {
    this.fallbacks.set(step, reason);
    process.emitWarning(`resize ${step}: using the JS resampler: ${reason}`, 'SqwResizeFallback');
    return false;
  }

  /**
   * null when the graph agrees with the JS resampler's float pipeline up and down, padded or not;
   * else why not.
   */
  private async check(step: Step): Promise<string | null> {
    const { provider } = await this.session(step);
    this.providers.set(step, provider);
    const cases: [number, number, number, number, RawPad | undefined][] = [
      [23, 17, 41, 29, undefined],
      [23, 17, 9, 7, undefined],
      [23, 17, 30, 30, { width: 23, height: 23, value: 128 }],
    ];
    let worst = 0;
    for (const [w, h, ow, oh, pad] of cases) {
      if (step === 'mask') {
        // 2 planes of 8² → 32² → crop w × 24 → out: up and down, as SAM's 256 → 1024 → image.
        const px = Float32Array.from(probeImage(8, 8).subarray(0, 128), (v) => v - 128);
        const got = await this.runMasks(px, 2, 8, 32, Math.min(w, 32), 24, ow, oh);
        worst = Math.max(
          worst,
          maxDiff(got, upsampleMaskLogits(px, 2, 8, 32, Math.min(w, 32), 24, ow, oh)),
        );
        continue;
      }
      if (step === 'plane') {
        const px = Float32Array.from(probeImage(w, h).subarray(0, 2 * w * h));
        const got = await this.runPlanes(px, 2, w, h, ow, oh);
        worst = Math.max(worst, maxDiff(got, resizePlanes(px, 2, w, h, ow, oh)));
        continue;
      }
      const filter = filterOf(step);
      const channels = channelsOf(step);
      const px = probeImage(w, h).subarray(0, w * h * channels);
      const norm = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
      const layout = layoutOf(step);
      const args = [px, w, h, channels, ow, oh, filter, norm, pad, 'float'] as const;
      const got = await this.runResize(layout, ...args);
      const chw = resizeToChw(...args);
      const want = layout === 'chw' ? chw : chwToHwc(chw, ow, oh);
      worst = Math.max(worst, maxDiff(got, want));
    }
    return worst <= AGREE_LEVELS
      ? null
      : `Resize on ${provider} differs from the reference resampler by ${worst.toFixed(3)} levels`;
  }
}

export type ResizeMethod = 'graph' | 'exact' | 'libvips';

const graphResizers = new WeakMap<SessionPool, Map<Device, GraphResizer>>();

/** The pool's graph resizer for `device`, shared by every adapter on that pool. */
export function graphResizer(pool: SessionPool, device: Device = 'auto'): GraphResizer {
  let byDevice = graphResizers.get(pool);
  if (!byDevice) graphResizers.set(pool, (byDevice = new Map()));
  let r = byDevice.get(device);
  if (!r) byDevice.set(device, (r = new GraphResizer(pool, device)));
  return r;
}
