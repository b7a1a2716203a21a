// Scene filter with CLIP ViT-B/32 (Xenova/clip-vit-base-patch32, separate text and vision exports:
// onnx-models.md §5). Zero-shot: each label becomes "This is a photo of {label}." (the transformers.js
// zero-shot-image-classification template), both embeddings are L2-normalised, logits =
// 100 · cosine (logit_scale ln 100, clamped there in training: open_clip#104), softmax over all
// labels. The image is kept when the positive labels' probabilities sum to at least `threshold`.
//   text   input_ids i64 [1,S] (+ attention_mask where the export declares it) → text_embeds [1,512]
//   vision pixel_values f32 [1,3,224,224] → image_embeds [1,512]
// Pre: short side to 224 (long side int(224·long/short)), bicubic, centre crop 224 (top/left
// floored), /255, CLIP mean/std. Text embeddings are cached per label text, so editing a label list
// only embeds the new labels.
import { loadTokenizer, type TextTokenizer } from '../tokenizer';
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

/** Default lists: scene photos in; product shots, screenshots, documents out. */
export const DEFAULT_SCENE_LABELS = {
  positive: ['an indoor room', 'an outdoor street scene', 'a scene with several objects'],
  negative: [
    'a product shot on a plain background',
    'a screenshot of a computer screen',
    'a scanned document with text',
  ],
};

export interface SceneFilterOptions {
  positive?: string[];
  negative?: string[];
  /** Keep when the positive labels' total probability reaches this; default 0.5. */
  threshold?: number;
  /** "{}" is replaced by the label; default "This is a photo of {}.". */
  template?: string;
}

export interface SceneFilterResult {
  keep: boolean;
  /** Total probability of the positive labels. */
  score: number;
  /** The most probable label, e.g. for the reason shown when an image is dropped. */
  top: { label: string; probability: number; positive: boolean };
  labels: { label: string; probability: number; positive: boolean }[];
  provider: string;
  timings: AdapterTimings;
}

function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  if (!(n > 0)) return v;
  return v.map((x) => x / n);
}

/** CLIP's image tensor: resize the short side to `size`, centre-crop size × size. */
export async function clipPixels(
  image: ImageInput,
  channels: 3 | 4,
  size = 224,
  resizer: ImageResizer = jsResizer,
): Promise<Float32Array> {
  const short = Math.min(image.width, image.height);
  const rw = image.width <= image.height ? size : Math.trunc((size * image.width) / short);
  const rh = image.height < image.width ? size : Math.trunc((size * image.height) / short);
  const full = await resizer.chw(
    image.data,
    image.width,
    image.height,
    channels,
    rw,
    rh,
    'bicubic',
    {
      scale: 1 / 255,
      mean: CLIP_MEAN,
      std: CLIP_STD,
    },
  );
  if (rw === size && rh === size) return full;
  const top = Math.floor((rh - size) / 2);
  const left = Math.floor((rw - size) / 2);
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      const from = c * rw * rh + (top + y) * rw + left;
      out.set(full.subarray(from, from + size), c * size * size + y * size);
    }
  }
  return out;
}

export class ClipSceneFilter {
  private readonly tokenizer: TextTokenizer;
  private readonly textCache = new Map<string, Float32Array>();

  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'scene-filter', ['text', 'vision']);
    this.tokenizer = loadTokenizer(ctx.manifest, ctx.store);
  }

  /** Number of label texts whose embedding is cached. */
  get cachedTexts(): number {
    return this.textCache.size;
  }

  private async textEmbedding(text: string): Promise<Float32Array> {
    const hit = this.textCache.get(text);
    if (hit) return hit;
    const m = this.ctx.manifest;
    const graph = await openGraph(this.ctx, 'text');
    const max =
      this.tokenizer.maxLength ??
      (typeof m.params.contextLength === 'number' ? m.params.contextLength : 77);
    const e = this.tokenizer.encode(text);
    if (e.ids.length > max) {
      throw new ModelAdapterError(m.id, `label "${text}" is ${e.ids.length} tokens, over ${max}`);
    }
    const feeds: Record<string, ReturnType<typeof i64>> = {
      input_ids: i64(e.ids, [1, e.ids.length]),
    };
    if (graph.has('attention_mask')) feeds.attention_mask = i64(e.attentionMask, [1, e.ids.length]);
    const out = await graph.run(feeds);
    const emb = readFloat(m.id, out, 'text_embeds', 2);
    const v = l2normalise(emb.data.slice(0, emb.dims[1]));
    this.textCache.set(text, v);
    return v;
  }

  async run(image: ImageInput, options: SceneFilterOptions = {}): Promise<SceneFilterResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    const positive = (options.positive ?? DEFAULT_SCENE_LABELS.positive).filter((l) => l.trim());
    const negative = (options.negative ?? DEFAULT_SCENE_LABELS.negative).filter((l) => l.trim());
    if (positive.length === 0 || negative.length === 0) {
      throw new ModelAdapterError(
        m.id,
        'the scene filter needs at least one positive and one negative label',
      );
    }
    const template = options.template ?? 'This is a photo of {}.';
    const scale = typeof m.params.logitScale === 'number' ? m.params.logitScale : 100;

    const t0 = now();
    const labels = [
      ...positive.map((label) => ({ label, positive: true })),
      ...negative.map((label) => ({ label, positive: false })),
    ];
    const texts: Float32Array[] = [];
    for (const l of labels) texts.push(await this.textEmbedding(template.replace('{}', l.label)));
    const vision = await openGraph(this.ctx, 'vision');
    const pixels = await clipPixels(image, channels, 224, resizerFor(this.ctx));
    const t1 = now();
    const out = await vision.run({ pixel_values: f32(pixels, [1, 3, 224, 224]) });
    const t2 = now();
    const img = readFloat(m.id, out, 'image_embeds', 2);
    const v = l2normalise(img.data.slice(0, img.dims[1]));
    if (texts.some((t) => t.length !== v.length)) {
      throw new ModelAdapterError(
        m.id,
        `text and image embeddings differ in size (${texts[0]!.length} vs ${v.length})`,
      );
    }
    const logits = texts.map((t) => scale * t.reduce((s, x, i) => s + x * v[i]!, 0));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const probs = labels.map((l, i) => ({ ...l, probability: exps[i]! / total }));
    const score = probs.filter((p) => p.positive).reduce((s, p) => s + p.probability, 0);
    const top = probs.reduce((a, b) => (b.probability > a.probability ? b : a));
    const t3 = now();
    return {
      keep: score >= (options.threshold ?? 0.5),
      score,
      top,
      labels: probs,
      provider: vision.provider,
      timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 },
    };
  }
}

export function createClipSceneFilter(ctx: AdapterContext): ClipSceneFilter {
  return new ClipSceneFilter(ctx);
}
