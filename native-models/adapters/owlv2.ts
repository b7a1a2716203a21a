// Open-vocabulary detection with OWLv2 B/16 (Xenova/owlv2-base-patch16), onnx-models.md §1b:
//   inputs  input_ids / attention_mask i64 [Q, S] (CLIP BPE, one row per query, padded to the
//           longest, at most model_max_length = 16 tokens), pixel_values f32 [1,3,960,960];
//   outputs logits f32 [1,P,Q] (pre-sigmoid, P = (960/16)² = 3600), pred_boxes f32 [1,P,4]
//           (cx, cy, w, h normalised to the network input).
// Box convention — padded square, as the Python Owlv2ImageProcessor trains and evaluates it: the
// image goes at the top-left of a max(W,H) square filled with black (0 before normalisation: the
// scenic original and transformers ≥ 5, huggingface/transformers#41938; 4.x padded 0.5 grey, which
// cost 0.6 LVIS mAP), the square is resized to 960, so boxes × max(W,H) are original pixels and the
// aspect is never distorted. (transformers.js instead stretches to 960×960 and multiplies by
// [W,H,W,H]; that changes object shapes the model sees.) The resize is linear on floats as in the
// processor (scipy zoom, order 1), equal inside the image (testing/reference); the processor
// mirrors at the square's edges where we clamp (first/last row and column), and when shrinking it
// blurs with a Gaussian (σ = (factor − 1)/2) where we widen the triangle filter (PIL antialiasing).
// Post: score = max sigmoid over queries per patch, label = that query; keep score > threshold
// (0.1, the pipeline default); clip to the image; class-wise NMS (the export has none).
import { loadTokenizer, type TextTokenizer } from '../tokenizer';
import { classWiseNms, cxcywhToXyxy, sigmoid, type Detection } from './boxes';
import { CLIP_MEAN, CLIP_STD, resizerFor } from './image-prep';
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
} from './runtime';

export interface OwlDetectOptions {
  /** Text queries; each becomes a label. */
  labels: string[];
  /** Default 0.1. */
  threshold?: number;
  nmsIou?: number;
  maxPerLabel?: number;
}

export interface OwlDetectResult {
  detections: Detection[];
  provider: string;
  timings: AdapterTimings;
}

/** The padded-square network input: image top-left in a side × side black square, resized to `size`. */
export async function owlv2Input(
  image: ImageInput,
  channels: 3 | 4,
  size: number,
  resizer: ImageResizer = jsResizer,
): Promise<{ data: Float32Array; side: number }> {
  const side = Math.max(image.width, image.height);
  const data = await resizer.chw(
    image.data,
    image.width,
    image.height,
    channels,
    size,
    size,
    'bilinear',
    { scale: 1 / 255, mean: CLIP_MEAN, std: CLIP_STD },
    { width: side, height: side, value: 0 }, // black, before normalisation
    'float', // the processor pads and resizes the rescaled float image
  );
  return { data, side };
}

export class Owlv2Detector {
  private readonly tokenizer: TextTokenizer;

  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'detection', ['model']);
    const inputs = ctx.manifest.contracts[0]!.inputs.map((t) => t.name);
    if (inputs.includes('pixel_mask')) {
      throw new ModelAdapterError(ctx.manifest.id, 'is a Grounding DINO export, not OWLv2');
    }
    this.tokenizer = loadTokenizer(ctx.manifest, ctx.store);
  }

  /** [Q, S] ids and mask, padded with the tokenizer's pad id to the longest query. */
  encodeQueries(labels: string[]): { ids: number[]; mask: number[]; seq: number } {
    const max = this.tokenizer.maxLength ?? 16;
    const rows = labels.map((l) => {
      const e = this.tokenizer.encode(l.trim());
      if (e.ids.length > max) {
        // Keep the end-of-text token: the text model pools at it.
        return {
          ids: [...e.ids.slice(0, max - 1), e.ids.at(-1)!],
          mask: new Array<number>(max).fill(1),
        };
      }
      return { ids: e.ids, mask: e.attentionMask };
    });
    const seq = Math.max(...rows.map((r) => r.ids.length));
    const ids: number[] = [];
    const mask: number[] = [];
    for (const r of rows) {
      ids.push(...r.ids, ...new Array<number>(seq - r.ids.length).fill(this.tokenizer.padId));
      mask.push(...r.mask, ...new Array<number>(seq - r.mask.length).fill(0));
    }
    return { ids, mask, seq };
  }

  async run(image: ImageInput, options: OwlDetectOptions): Promise<OwlDetectResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    const labels = options.labels.map((l) => l.trim()).filter(Boolean);
    if (labels.length === 0) throw new ModelAdapterError(m.id, 'no detection labels given');
    const graph = await openGraph(this.ctx, 'model');
    const dims = graph.contract.inputs.find((t) => t.name === 'pixel_values')?.shape ?? [];
    const size = typeof dims[3] === 'number' ? dims[3] : (m.preprocessing?.size ?? 960);

    const t0 = now();
    const { data, side } = await owlv2Input(image, channels, size, resizerFor(this.ctx));
    const text = this.encodeQueries(labels);
    const feeds = {
      input_ids: i64(text.ids, [labels.length, text.seq]),
      attention_mask: i64(text.mask, [labels.length, text.seq]),
      pixel_values: f32(data, [1, 3, size, size]),
    };
    const t1 = now();
    const out = await graph.run(feeds);
    const t2 = now();
    const logits = readFloat(m.id, out, 'logits', 3, true);
    const boxes = readFloat(m.id, out, 'pred_boxes', 3);
    const [, patches, queries] = logits.dims as [number, number, number];
    if (queries !== labels.length || boxes.dims[1] !== patches) {
      throw new ModelAdapterError(
        m.id,
        `logits [${logits.dims.join(',')}] / pred_boxes [${boxes.dims.join(',')}] do not match ${labels.length} queries`,
      );
    }
    const threshold = options.threshold ?? 0.1;
    const found: Detection[] = [];
    for (let p = 0; p < patches; p++) {
      let best = -Infinity;
      let q = 0;
      for (let k = 0; k < queries; k++) {
        const v = logits.data[p * queries + k]!;
        if (v > best) {
          best = v;
          q = k;
        }
      }
      const score = sigmoid(best);
      if (score <= threshold) continue;
      const b = boxes.data.subarray(p * 4, p * 4 + 4);
      found.push({
        label: labels[q]!,
        score,
        box: cxcywhToXyxy(b[0]!, b[1]!, b[2]!, b[3]!, side, side, image.width, image.height),
      });
    }
    const detections = classWiseNms(found, options.nmsIou ?? 0.5, options.maxPerLabel ?? 100);
    const t3 = now();
    return {
      detections,
      provider: graph.provider,
      timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 },
    };
  }
}

export function createOwlv2(ctx: AdapterContext): Owlv2Detector {
  return new Owlv2Detector(ctx);
}
