// Open-vocabulary detection with Grounding DINO tiny (onnx-community/grounding-dino-tiny-ONNX),
// contract from onnx-models.md §1a and transformers.js (grounding_dino modeling/processing):
//   inputs  pixel_values f32 [1,3,H,W], pixel_mask i64 [1,H,W] (all ones: one unpadded image),
//           input_ids / token_type_ids / attention_mask i64 [1,T];
//   outputs logits f32 [1,900,256] (pre-sigmoid token similarities), pred_boxes f32 [1,900,4]
//           (cx, cy, w, h normalised to the resized image).
// Pre: short side 800 / long side ≤ 1333 (DETR rule), bilinear, /255, ImageNet mean/std, no pad.
// The export scores multi-phrase prompts wrongly (its text-attention mask was traced with one
// phrase: mtbui2010/grounding-dino-tiny-fixedmask-ONNX, geoai.js#35), so each phrase runs in its own
// pass as "<phrase>." (lowercased, ending in a dot, as the transformers.js test requires).
// Post (post_process_grounded_object_detection): score = max sigmoid over the prompt's tokens; keep
// score > boxThreshold; boxes × [W, H] of the original image (aspect kept, no padding: exact);
// then class-wise NMS, which neither the export nor transformers.js does.
import type { Preprocessing } from '../manifest';
import { loadTokenizer, type TextTokenizer } from '../tokenizer';
import { classWiseNms, cxcywhToXyxy, sigmoid, type Detection } from './boxes';
import { chwPadded, resizerFor, IMAGENET_MEAN, IMAGENET_STD, shortestEdgeSize } from './image-prep';
import { jsResizer, type ImageResizer } from './resize-graph';
import {
  checkImage,
  f32,
  i64,
  ModelAdapterError,
  now,
  openGraph,
  readFloat,
  requireModel,
  type AdapterContext,
  type AdapterTimings,
  type ImageInput,
  type OrtTensor,
} from './runtime';

export interface DetectOptions {
  /** One detection pass per phrase, e.g. ["chair", "table"]. */
  phrases: string[];
  /** Default: manifest params.boxThreshold (0.25). */
  boxThreshold?: number;
  /** IoU above which a lower-scored box of the same label is dropped; default 0.5. */
  nmsIou?: number;
  /** At most this many boxes per label; default 100. */
  maxPerLabel?: number;
}

export interface DetectResult {
  detections: Detection[];
  provider: string;
  network: { width: number; height: number };
  timings: AdapterTimings;
}

/**
 * The network input: short side `size` (800) unless the long side would pass `maxSize` (1333),
 * bilinear, ImageNet mean/std, unpadded (one image: the pixel mask is all ones).
 */
export async function groundingDinoInput(
  image: ImageInput,
  channels: 3 | 4,
  prep?: Preprocessing | null,
  resizer: ImageResizer = jsResizer,
): Promise<{ data: Float32Array; width: number; height: number }> {
  const size = shortestEdgeSize(
    image.width,
    image.height,
    prep?.size ?? 800,
    prep?.maxSize ?? 1333,
  );
  const data = await chwPadded(
    image.data,
    image.width,
    image.height,
    channels,
    size.width,
    size.height,
    size.width,
    size.height,
    prep?.interpolation ?? 'bilinear',
    { scale: 1 / 255, mean: IMAGENET_MEAN, std: IMAGENET_STD },
    0,
    resizer,
  );
  return { data, ...size };
}

/** A phrase as one Grounding DINO phrase: lowercased, no "." or "?" inside, no trailing dot. */
export function sanitisePhrase(phrase: string): string {
  return phrase.toLowerCase().replace(/[.?]/g, ' ').replace(/\s+/g, ' ').trim();
}

export class GroundingDinoDetector {
  private readonly tokenizer: TextTokenizer;
  /** The all-ones pixel mask of the last network size: photos of one camera share it (3.7 ms). */
  private mask: { width: number; height: number; tensor: OrtTensor } | null = null;

  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'detection', ['model']);
    const inputs = ctx.manifest.contracts[0]!.inputs.map((t) => t.name);
    if (!inputs.includes('pixel_mask')) {
      throw new ModelAdapterError(
        ctx.manifest.id,
        'is not a Grounding DINO export (no pixel_mask)',
      );
    }
    this.tokenizer = loadTokenizer(ctx.manifest, ctx.store);
  }

  /**
   * Token ids of one phrase prompt: lowercased, trimmed, ending with ".". An inner "." or "?" is
   * replaced by a space: both are Grounding DINO's phrase separators (transformers'
   * generate_masks_with_special_tokens_and_transfer_map, X-AnyLabeling's [101,102,1012,1029]), so
   * "st. john's" would be two phrases, which the export's fixed one-phrase mask scores wrongly.
   */
  encodePhrase(phrase: string): { ids: number[]; typeIds: number[]; mask: number[] } {
    const clean = sanitisePhrase(phrase);
    if (!clean) throw new ModelAdapterError(this.ctx.manifest.id, 'empty detection phrase');
    const e = this.tokenizer.encode(`${clean}.`);
    return { ids: e.ids, typeIds: e.typeIds, mask: e.attentionMask };
  }

  async run(image: ImageInput, options: DetectOptions): Promise<DetectResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    if (options.phrases.length === 0) {
      throw new ModelAdapterError(m.id, 'no detection phrases given');
    }
    const boxThreshold =
      options.boxThreshold ??
      (typeof m.params.boxThreshold === 'number' ? m.params.boxThreshold : 0.25);
    const graph = await openGraph(this.ctx, 'model');

    const t0 = now();
    const { data: pixels, ...size } = await groundingDinoInput(
      image,
      channels,
      m.preprocessing,
      resizerFor(this.ctx),
    );
    const pixelValues = f32(pixels, [1, 3, size.height, size.width]);
    if (this.mask?.width !== size.width || this.mask.height !== size.height) {
      const ones = new BigInt64Array(size.width * size.height).fill(1n);
      this.mask = { ...size, tensor: i64(ones, [1, size.height, size.width]) };
    }
    const pixelMask = this.mask.tensor;
    let preMs = now() - t0;
    let inferMs = 0;
    let postMs = 0;

    const all: Detection[] = [];
    for (const phrase of options.phrases) {
      const t1 = now();
      const text = this.encodePhrase(phrase);
      const T = text.ids.length;
      const feeds = {
        pixel_values: pixelValues,
        pixel_mask: pixelMask,
        input_ids: i64(text.ids, [1, T]),
        token_type_ids: i64(text.typeIds, [1, T]),
        attention_mask: i64(text.mask, [1, T]),
      };
      const t2 = now();
      preMs += t2 - t1;
      const out = await graph.run(feeds);
      const t3 = now();
      inferMs += t3 - t2;
      const logits = readFloat(m.id, out, 'logits', 3, true);
      const boxes = readFloat(m.id, out, 'pred_boxes', 3);
      const [, queries, tokens] = logits.dims as [number, number, number];
      if (boxes.dims[1] !== queries || boxes.dims[2] !== 4) {
        throw new ModelAdapterError(
          m.id,
          `pred_boxes has shape [${boxes.dims.join(',')}], expected [1,${queries},4]`,
        );
      }
      const valid = Math.min(T, tokens);
      const label = phrase.trim().toLowerCase().replace(/\.+$/, '');
      for (let q = 0; q < queries; q++) {
        let best = -Infinity;
        for (let t = 0; t < valid; t++) best = Math.max(best, logits.data[q * tokens + t]!);
        const score = sigmoid(best);
        if (score <= boxThreshold) continue;
        const b = boxes.data.subarray(q * 4, q * 4 + 4);
        all.push({
          label,
          score,
          box: cxcywhToXyxy(
            b[0]!,
            b[1]!,
            b[2]!,
            b[3]!,
            image.width,
            image.height,
            image.width,
            image.height,
          ),
        });
      }
      postMs += now() - t3;
    }
    const t4 = now();
    const detections = classWiseNms(all, options.nmsIou ?? 0.5, options.maxPerLabel ?? 100);
    postMs += now() - t4;
    return {
      detections,
      provider: graph.provider,
      network: size,
      timings: { preMs, inferMs, postMs },
    };
  }
}

export function createGroundingDino(ctx: AdapterContext): GroundingDinoDetector {
  return new GroundingDinoDetector(ctx);
}
