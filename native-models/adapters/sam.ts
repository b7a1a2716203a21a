// Masks from boxes with SAM in Meta's encoder/decoder ONNX format (X-AnyLabeling / samexporter
// sam_vit_b_01ec64.{encoder,decoder}.onnx), onnx-models.md §3a:
//   encoder (samexporter --use-preprocess) input_image f32 [H,W,3], RGB 0–255, already resized so
//           the long side is 1024 (ResizeLongestSide: each side int(side·1024/max + 0.5), PIL
//           bilinear); normalisation and padding to 1024² are inside the graph →
//           image_embeddings [1,256,64,64];
//   decoder image_embeddings, point_coords [1,N,2] in the resized frame (x·newW/W, y·newH/H),
//           point_labels [1,N]: a reviewer's clicks first (1 = on the object, 0 = not, as
//           SamPredictor orders them), then 2 = box top-left, 3 = box bottom-right, then a padding
//           point (0,0) labelled −1; mask_input [1,1,256,256] zeros, has_mask_input [0],
//           orig_im_size [H,W] float → masks [1,C,H,W] logits already at the original size,
//           iou_predictions [1,C], low_res_masks [1,C,256,256].
// Box prompts take the single-mask output (mask token 0), as Meta's ONNX example and
// X-AnyLabeling do: SAM is trained to give one unambiguous mask when the prompt has more than one
// point, and a box is two. The padding point makes num_points ≥ 3, so an export with
// return_single_mask (which picks token 0 when num_points > 2.5) returns it; an export returning
// all four tokens (C = 4) has it at index 0. The mask is thresholded at > 0 (mask_threshold 0.0).
// The image embedding is cached per image: a new box costs one decoder run.
import { longestSideSize, resizerFor } from './image-prep';
import { EmbeddingCache, imageKey, thresholdMask, type MaskResult } from './masks';
import type { BoxXYXY } from './boxes';
import {
  checkImage,
  f32,
  ModelAdapterError,
  now,
  openGraph,
  readFloat,
  requireModel,
  type AdapterContext,
  type AdapterTimings,
  type ImageInput,
} from './runtime';

/** A click in original-image pixels: on the object (positive) or not. */
export interface PromptClick {
  x: number;
  y: number;
  positive: boolean;
}

export interface SegmentOptions {
  boxes: BoxXYXY[];
  /** Clicks refining the box prompt (click-to-refine); given with exactly one box. */
  points?: readonly PromptClick[];
  /** Identifies the image for the embedding cache (e.g. its content hash); hashed when absent. */
  imageKey?: string;
}

export interface BoxMask extends MaskResult {
  box: BoxXYXY;
  /** The decoder's predicted IoU of the chosen mask. */
  score: number;
}

export interface SegmentResult {
  masks: BoxMask[];
  provider: string;
  /** Whether the image embedding came from the cache. */
  cachedEmbedding: boolean;
  timings: AdapterTimings;
}

export class SamSegmenter {
  private readonly cache = new EmbeddingCache<Float32Array>(4);
  encoderRuns = 0;
  decoderRuns = 0;

  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'segmentation', ['encoder', 'decoder']);
    const dec = ctx.manifest.contracts.find((c) => c.graph === 'decoder')!;
    if (!dec.inputs.some((t) => t.name === 'orig_im_size')) {
      throw new ModelAdapterError(
        ctx.manifest.id,
        'is not a Meta-format SAM decoder (no orig_im_size)',
      );
    }
  }

  /** Meta's decoder always takes clicks besides the box. */
  async acceptsPoints(): Promise<boolean> {
    return true;
  }

  async run(image: ImageInput, options: SegmentOptions): Promise<SegmentResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    const clicks = checkClicks(m.id, options, image.width, image.height);
    const { width: W, height: H } = image;
    const size = longestSideSize(W, H, 1024);
    const threshold = typeof m.params.maskThreshold === 'number' ? m.params.maskThreshold : 0;

    const t0 = now();
    const key = options.imageKey ?? imageKey(image.data, W, H);
    let encodeMs = 0;
    const before = this.cache.misses;
    const embeddings = await this.cache.get(key, async () => {
      const encoder = await openGraph(this.ctx, 'encoder');
      // Meta's encoder takes the resized image interleaved, 0–255, and normalises inside.
      const hwc = await resizerFor(this.ctx).hwc(
        image.data,
        W,
        H,
        channels,
        size.width,
        size.height,
        'bilinear',
        { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
      );
      const p1 = now();
      const out = await encoder.run({ input_image: f32(hwc, [size.height, size.width, 3]) });
      encodeMs += now() - p1;
      this.encoderRuns++;
      return readFloat(m.id, out, 'image_embeddings', 4).data.slice();
    });
    const cachedEmbedding = this.cache.misses === before;
    const decoder = await openGraph(this.ctx, 'decoder');
    const provider = decoder.provider;
    const t1 = now();

    const sx = size.width / W;
    const sy = size.height / H;
    const masks: BoxMask[] = [];
    let inferMs = encodeMs;
    let postMs = 0;
    // Cache lookup (hashing the pixels when no key is given) counts as pre-processing.
    let preMs = t1 - t0 - encodeMs;
    for (const box of options.boxes) {
      const [x0, y0, x1, y1] = box;
      if (!(x1 > x0 && y1 > y0)) {
        throw new ModelAdapterError(m.id, `box [${box.join(', ')}] is empty`);
      }
      const d0 = now();
      // Clicks, the box's corners, then the padding point (header).
      const n = clicks.length + 3;
      const coords = new Float32Array(n * 2);
      const labels = new Float32Array(n);
      clicks.forEach((c, i) => {
        coords.set([c.x * sx, c.y * sy], i * 2);
        labels[i] = c.positive ? 1 : 0;
      });
      coords.set([x0 * sx, y0 * sy, x1 * sx, y1 * sy, 0, 0], clicks.length * 2);
      labels.set([2, 3, -1], clicks.length);
      const feeds = {
        image_embeddings: f32(embeddings, [1, 256, 64, 64]),
        point_coords: f32(coords, [1, n, 2]),
        point_labels: f32(labels, [1, n]),
        mask_input: f32(new Float32Array(256 * 256), [1, 1, 256, 256]),
        has_mask_input: f32(Float32Array.of(0), [1]),
        orig_im_size: f32(Float32Array.of(H, W), [2]),
      };
      const d1 = now();
      const out = await decoder.run(feeds);
      const d2 = now();
      this.decoderRuns++;
      const logits = readFloat(m.id, out, 'masks', 4);
      const iou = readFloat(m.id, out, 'iou_predictions', 2);
      const [, C, mh, mw] = logits.dims as [number, number, number, number];
      if (mh !== H || mw !== W) {
        throw new ModelAdapterError(
          m.id,
          `decoder masks are ${mw}×${mh}, expected the original ${W}×${H} (orig_im_size not honoured?)`,
        );
      }
      if (C !== 1 && C !== 4) {
        throw new ModelAdapterError(
          m.id,
          `decoder returned ${C} masks: expected 1 (single-mask export) or 4 (all mask tokens)`,
        );
      }
      // Token 0 either way: the single-mask output (see the header).
      const plane = logits.data.subarray(0, W * H);
      masks.push({ box, score: iou.data[0]!, ...thresholdMask(plane, W, H, threshold) });
      preMs += d1 - d0;
      inferMs += d2 - d1;
      postMs += now() - d2;
    }
    return { masks, provider, cachedEmbedding, timings: { preMs, inferMs, postMs } };
  }

  clearCache(): void {
    this.cache.clear();
  }
}

/** The clicks of a prompt, checked: inside the image, and with exactly one box. */
export function checkClicks(
  modelId: string,
  options: SegmentOptions,
  width: number,
  height: number,
): readonly PromptClick[] {
  const clicks = options.points ?? [];
  if (clicks.length === 0) return clicks;
  if (options.boxes.length !== 1)
    throw new ModelAdapterError(modelId, `clicks refine one box; ${options.boxes.length} given`);
  for (const c of clicks)
    if (!(c.x >= 0 && c.x <= width && c.y >= 0 && c.y <= height))
      throw new ModelAdapterError(modelId, `click (${c.x}, ${c.y}) is outside the image`);
  return clicks;
}

export function createSam(ctx: AdapterContext): SamSegmenter {
  return new SamSegmenter(ctx);
}
