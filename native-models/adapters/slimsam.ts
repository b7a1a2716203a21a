// Masks from boxes with SlimSAM in the HF/transformers.js SAM format (Xenova/slimsam-77-uniform,
// revision "boxes": main has no input_boxes — transformers.js PR #563 / #1141), onnx-models.md §3b:
//   vision_encoder pixel_values f32 [1,3,1024,1024] (long side to 1024 as int(side·s + 0.5),
//           bilinear, /255, ImageNet mean/std, zero pad bottom/right after normalisation) →
//           image_embeddings, image_positional_embeddings [1,256,64,64];
//   prompt_encoder_mask_decoder both embeddings, input_boxes f32 [1,nb,4] (x0,y0,x1,y1 in the
//           resized frame: × newW/W, × newH/H), input_points/input_labels only where the export
//           declares them (then empty: [1,nb,0,2] / [1,nb,0], the box-only layout of the
//           transformers.js SAM2 notes — [verify] on the hosted file; a reviewer's clicks refining
//           one box: [1,1,N,2] in the resized frame, labels 1 on the object / 0 not, as HF's
//           SamProcessor passes input_points with input_boxes) → iou_scores [1,nb,3],
//           pred_masks [1,nb,3,256,256] low-resolution logits.
// Post (HF post_process_masks): bilinear 256² → 1024², crop to the resized newH × newW, bilinear to
// H × W (torch bilinear, align_corners=False), > 0; the mask with the best iou_score is kept.
import { longestSideSize, chwPadded, resizerFor, IMAGENET_MEAN, IMAGENET_STD } from './image-prep';
import { EmbeddingCache, imageKey, thresholdMask } from './masks';
import { jsResizer, type ImageResizer } from './resize-graph';
import { checkClicks, type BoxMask, type SegmentOptions, type SegmentResult } from './sam';
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
  type ImageInput,
  type OrtTensor,
} from './runtime';

interface Embeddings {
  image: Float32Array;
  positional: Float32Array;
}

/** The encoder input: long side to 1024, bilinear, ImageNet mean/std, zero pad to 1024². */
export async function slimSamInput(
  image: ImageInput,
  channels: 3 | 4,
  resizer: ImageResizer = jsResizer,
): Promise<Float32Array> {
  const size = longestSideSize(image.width, image.height, 1024);
  return chwPadded(
    image.data,
    image.width,
    image.height,
    channels,
    size.width,
    size.height,
    1024,
    1024,
    'bilinear',
    { scale: 1 / 255, mean: IMAGENET_MEAN, std: IMAGENET_STD },
    0,
    resizer,
  );
}

export class SlimSamSegmenter {
  private readonly cache = new EmbeddingCache<Embeddings>(4);
  encoderRuns = 0;
  decoderRuns = 0;

  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'segmentation', ['encoder', 'decoder']);
    const dec = ctx.manifest.contracts.find((c) => c.graph === 'decoder')!;
    if (!dec.inputs.some((t) => t.name === 'input_boxes')) {
      throw new ModelAdapterError(
        ctx.manifest.id,
        'decoder has no input_boxes: use the "boxes" revision of the export',
      );
    }
  }

  /** Whether the export's decoder takes clicks (input_points); some exports take boxes only. */
  async acceptsPoints(): Promise<boolean> {
    return (await openGraph(this.ctx, 'decoder')).has('input_points');
  }

  async run(image: ImageInput, options: SegmentOptions): Promise<SegmentResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    const clicks = checkClicks(m.id, options, image.width, image.height);
    const { width: W, height: H } = image;
    const size = longestSideSize(W, H, 1024);
    const threshold = typeof m.params.maskThreshold === 'number' ? m.params.maskThreshold : 0;
    for (const box of options.boxes) {
      if (!(box[2] > box[0] && box[3] > box[1])) {
        throw new ModelAdapterError(m.id, `box [${box.join(', ')}] is empty`);
      }
    }

    const t0 = now();
    const key = options.imageKey ?? imageKey(image.data, W, H);
    let encodeMs = 0;
    const before = this.cache.misses;
    const emb = await this.cache.get(key, async () => {
      const encoder = await openGraph(this.ctx, 'encoder');
      const pixels = await slimSamInput(image, channels, resizerFor(this.ctx));
      const e0 = now();
      const out = await encoder.run({ pixel_values: f32(pixels, [1, 3, 1024, 1024]) });
      encodeMs = now() - e0;
      this.encoderRuns++;
      return {
        image: readFloat(m.id, out, 'image_embeddings', 4).data.slice(),
        positional: readFloat(m.id, out, 'image_positional_embeddings', 4).data.slice(),
      };
    });
    const cachedEmbedding = this.cache.misses === before;
    const decoder = await openGraph(this.ctx, 'decoder');
    const nb = options.boxes.length;
    const sx = size.width / W;
    const sy = size.height / H;
    const boxes = new Float32Array(nb * 4);
    options.boxes.forEach((b, i) => boxes.set([b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy], i * 4));
    const feeds: Record<string, OrtTensor> = {
      image_embeddings: f32(emb.image, [1, 256, 64, 64]),
      image_positional_embeddings: f32(emb.positional, [1, 256, 64, 64]),
      input_boxes: f32(boxes, [1, nb, 4]),
    };
    if (clicks.length > 0) {
      if (!decoder.has('input_points') || !decoder.has('input_labels'))
        throw new ModelAdapterError(
          m.id,
          'this export takes boxes only (its decoder has no input_points): clicks cannot refine the mask',
        );
      const pts = new Float32Array(clicks.length * 2);
      clicks.forEach((c, i) => pts.set([c.x * sx, c.y * sy], i * 2));
      feeds.input_points = f32(pts, [1, 1, clicks.length, 2]);
      feeds.input_labels = i64(
        clicks.map((c) => (c.positive ? 1 : 0)),
        [1, 1, clicks.length],
      );
    } else {
      if (decoder.has('input_points')) feeds.input_points = f32(new Float32Array(0), [1, nb, 0, 2]);
      if (decoder.has('input_labels')) feeds.input_labels = i64([], [1, nb, 0]);
    }
    const t1 = now();
    const masks: BoxMask[] = [];
    if (nb === 0) {
      return {
        masks,
        provider: decoder.provider,
        cachedEmbedding,
        timings: { preMs: t1 - t0 - encodeMs, inferMs: encodeMs, postMs: 0 },
      };
    }
    const out = await decoder.run(feeds);
    const t2 = now();
    this.decoderRuns++;
    const iou = readFloat(m.id, out, 'iou_scores', 3);
    const pred = readFloat(m.id, out, 'pred_masks', 5);
    const [, pb, k, mh, mw] = pred.dims as [number, number, number, number, number];
    if (pb !== nb || mh !== 256 || mw !== 256) {
      throw new ModelAdapterError(
        m.id,
        `pred_masks has shape [${pred.dims.join(',')}], expected [1,${nb},3,256,256]`,
      );
    }
    // Each box's best mask (by iou_score), then all of them to the image in one resize call.
    const best = Array.from({ length: nb }, (_, i) => {
      let b = 0;
      for (let c = 1; c < k; c++) if (iou.data[i * k + c]! > iou.data[i * k + b]!) b = c;
      return b;
    });
    const planes = new Float32Array(nb * 65536);
    best.forEach((b, i) =>
      planes.set(pred.data.subarray((i * k + b) * 65536, (i * k + b + 1) * 65536), i * 65536),
    );
    const logits = await resizerFor(this.ctx).masks(
      planes,
      nb,
      256,
      1024,
      size.width,
      size.height,
      W,
      H,
    );
    for (let i = 0; i < nb; i++) {
      masks.push({
        box: options.boxes[i]!,
        score: iou.data[i * k + best[i]!]!,
        ...thresholdMask(logits.subarray(i * W * H, (i + 1) * W * H), W, H, threshold),
      });
    }
    const t3 = now();
    return {
      masks,
      provider: decoder.provider,
      cachedEmbedding,
      timings: { preMs: t1 - t0 - encodeMs, inferMs: encodeMs + (t2 - t1), postMs: t3 - t2 },
    };
  }

  clearCache(): void {
    this.cache.clear();
  }
}

export function createSlimSam(ctx: AdapterContext): SlimSamSegmenter {
  return new SlimSamSegmenter(ctx);
}
