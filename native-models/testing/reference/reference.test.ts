// Our adapters against the reference implementations (transformers 5.17 PIL-backend processors,
// torch models, reference post-processing) on tiny random-weight exports of each family: the
// fixtures make_reference.py wrote (native-models/README.md "Reference fixtures"). Each family is
// checked twice, through both of our resizers: our pre-processing against the processor's
// pixel_values, and the adapter end to end on the fixture ONNX (Grounding DINO's detections on the
// exact path only: see there). The exact path (resize: 'exact', the JS resampler: Pillow's 8-bit
// resample bit for bit) is held to float noise; the default resize graphs (ONNX Resize, Pillow's
// arithmetic in float) to their measured, deliberate difference: Pillow rounds and clips after
// each pass, the graphs do not.
import { afterAll, describe, expect, it } from 'vitest';
import type { CocoRle } from '../../../spatial/geometry/mask-rle';
import type { BoxXYXY } from '../../adapters/boxes';
import { clipPixels, createClipSceneFilter } from '../../adapters/clip';
import { createDepthAnything, preprocessDepthAnything } from '../../adapters/depth-anything';
import { createGroundingDino, groundingDinoInput } from '../../adapters/grounding-dino';
import { CLIP_STD, IMAGENET_STD, resizerFor } from '../../adapters/image-prep';
import { createOwlv2, owlv2Input } from '../../adapters/owlv2';
import { graphResizer, jsResizer, type ImageResizer } from '../../adapters/resize-graph';
import type { AdapterContext, ImageInput } from '../../adapters/runtime';
import { createSlimSam, slimSamInput } from '../../adapters/slimsam';
import { SessionPool } from '../../session-pool';
import { loadTokenizer } from '../../tokenizer';
import { installedContext, removeTempDirs } from '../fixtures';
import {
  compareSample,
  expected,
  kitImage,
  maskIou,
  matchDetections,
  modelFiles,
  type PixelValues,
  type RefDetection,
  type SampleDiff,
} from './reference-data';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

const decoded = new Map<string, Promise<ImageInput>>();
const image = (name: string): Promise<ImageInput> => {
  if (!decoded.has(name)) decoded.set(name, kitImage(name));
  return decoded.get(name)!;
};
/** Our two resizers: every pre-processing check runs through each. */
const graphs = graphResizer(pool, 'cpu');
const resizers: [string, ImageResizer][] = [
  ['exact (JS resampler)', jsResizer],
  ['default (CPU resize graph)', graphs],
];
/** The contexts the end-to-end checks run through: the default (graphs) and resize: 'exact'. */
const bothPaths = (ctx: AdapterContext): [string, AdapterContext][] => [
  ['exact', { ...ctx, resize: 'exact' }],
  ['default', ctx],
];

afterAll(() => {
  // "CPU resize graph" above was the graphs, not the JS resampler they fall back to.
  expect(Object.fromEntries(graphs.fallbacks)).toEqual({});
  expect([...graphs.providers.keys()]).toEqual(
    expect.arrayContaining(['chw-bicubic-3', 'chw-bilinear-3']),
  );
});

/**
 * Our pixel_values against the processor's. The exact path is the same 8-bit resample (Pillow's,
 * bit for bit), so only the normalisation's float32 rounding remains (measured ≤ 8.7e-7
 * normalised, 5e-5 of a level). The graphs keep floats between the passes where Pillow rounds and
 * clips to 0–255 after each (a deliberate difference, for speed: native-models/README.md).
 * Bilinear: at most one level (two roundings of ≤ 0.5). Bicubic: Pillow also clips the overshoot
 * at sharp edges, so a few pixels differ by up to ~20 levels (measured 12.5 for CLIP, 19.8 for
 * the depth input), 0.7–3.0 % of the sample more than one level; the statistics move by ≤ 0.0031
 * normalised.
 */
function expectPixels(resizer: ImageResizer, d: SampleDiff, filter: 'bilinear' | 'bicubic'): void {
  if (resizer === jsResizer) {
    expect(d.max).toBeLessThan(1e-5);
    expect(d.meanDiff).toBeLessThan(1e-5);
    expect(d.stdDiff).toBeLessThan(1e-5);
    return;
  }
  if (filter === 'bilinear') {
    expect(d.maxLevels).toBeLessThanOrEqual(1.01);
  } else {
    expect(d.maxLevels).toBeLessThan(21);
    expect(d.over(1)).toBeLessThan(0.04);
  }
  expect(d.meanDiff).toBeLessThan(0.005);
  expect(d.stdDiff).toBeLessThan(0.005);
}

describe('CLIP against transformers', () => {
  interface Clip {
    template: string;
    labels: string[];
    token_ids: number[][];
    images: {
      image: string;
      pixel_values: PixelValues;
      image_embeds: number[];
      probabilities: number[];
    }[];
  }
  const ref = expected<Clip>('clip');
  const ctx = installedContext('clip-vit-base-patch32', modelFiles('clip'), pool);

  it('tokenises the prompts to the same ids', () => {
    const tok = loadTokenizer(ctx.manifest, ctx.store);
    expect(ref.labels.map((l) => tok.encode(ref.template.replace('{}', l)).ids)).toEqual(
      ref.token_ids,
    );
  });

  /** Probabilities over the four labels in the reference's order, and the raw image embedding. */
  async function run(c: AdapterContext, name: string) {
    const out = await createClipSceneFilter(c).run(await image(name), {
      positive: ref.labels.slice(0, 2),
      negative: ref.labels.slice(2),
      template: ref.template,
    });
    const px = await clipPixels(await image(name), 3, 224, resizerFor(c));
    const { session } = await pool.get(
      c.manifest.id,
      c.store.graphPath(c.manifest, 'vision'),
      'cpu',
    );
    const { Tensor } = await import('onnxruntime-node');
    const fed = await session.run({ pixel_values: new Tensor('float32', px, [1, 3, 224, 224]) });
    return {
      probs: out.labels.map((l) => l.probability),
      embeds: fed.image_embeds!.data as Float32Array,
    };
  }
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

  for (const r of ref.images) {
    it.each(resizers)(
      `${r.image}: pixel_values (short side 224 bicubic, centre crop), %s`,
      async (_, resizer) => {
        const px = await clipPixels(await image(r.image), 3, 224, resizer);
        expectPixels(resizer, compareSample(px, r.pixel_values, 224, CLIP_STD), 'bicubic');
      },
    );

    it.each(bothPaths(ctx))(`${r.image}: probabilities and image_embeds, %s`, async (path, c) => {
      const ours = await run(c, r.image);
      if (path === 'exact') {
        // Float noise (measured ≤ 1.2e-6 embeds, ≤ 4.2e-7 probabilities; the reference rounds to
        // 6 decimals).
        expect(maxDiff(ours.embeds, r.image_embeds)).toBeLessThan(2e-5);
        expect(maxDiff(ours.probs, r.probabilities)).toBeLessThan(2e-6);
      } else {
        // The graphs' bicubic difference (the overshoot Pillow clips) moves the embedding by
        // ≤ 0.0045 of a scale of ~3 and the probabilities by ≤ 1.7e-4 (measured).
        expect(maxDiff(ours.embeds, r.image_embeds)).toBeLessThan(0.01);
        expect(maxDiff(ours.probs, r.probabilities)).toBeLessThan(5e-4);
      }
    });
  }
});

describe('OWLv2 against transformers', () => {
  interface Owl {
    labels: string[];
    input_ids: number[][];
    attention_mask: number[][];
    images: {
      image: string;
      size: [number, number];
      pixel_values: PixelValues;
      post_process_object_detection: RefDetection[];
    }[];
  }
  const ref = expected<Owl>('owlv2');
  const ctx = installedContext('owlv2-base-patch16', modelFiles('owlv2'), pool);

  it('encodes the queries to the same ids and mask', () => {
    const q = createOwlv2(ctx).encodeQueries(ref.labels);
    expect(q.ids).toEqual(ref.input_ids.flat());
    expect(q.mask).toEqual(ref.attention_mask.flat());
  });

  for (const r of ref.images) {
    const side = Math.max(...r.size);
    it(`${r.image}: pixel_values (black padded square, linear resize to 960)`, async () => {
      const { data } = await owlv2Input(await image(r.image), 3, 960);
      const d = compareSample(data, r.pixel_values, 960, CLIP_STD);
      // The padding (rows/columns past the image in the square) is black, 0 before normalisation
      // (transformers ≥ 5, huggingface/transformers#41938, the scenic original; 4.x padded 0.5 grey).
      const edge = Math.ceil((960 * Math.min(...r.size)) / side) + 1;
      expect(d.maxWhere((_c, y) => y > edge)).toBeLessThan(1e-5);
      // Inside, both resize floats linearly (scipy zoom order 1 / our triangle filter) and agree
      // to float32 rounding; the squares here are ≤ 960, so the processor's anti-aliasing Gaussian
      // (σ = (side/960 − 1)/2) is 0. The first and last rows and columns differ: scipy mirrors where we
      // clamp (measured up to 0.126 normalised, 8.6 levels).
      expect(d.maxWhere((_c, y, x) => y > 0 && x > 0 && y < 959 && x < 959)).toBeLessThan(1e-4);
      expect(d.max).toBeLessThan(0.15);
    });

    it(`${r.image}: detections as a set (padded-square boxes)`, async () => {
      const list = r.post_process_object_detection;
      // The fixture lists the top 200; compare above its last score (plus a margin for edge effects).
      const cut = list.at(-1)!.score + 0.01;
      const out = await createOwlv2(ctx).run(await image(r.image), {
        labels: ref.labels,
        threshold: cut - 0.05,
        nmsIou: 1, // NMS off: post_process_object_detection has none
        maxPerLabel: Infinity,
      });
      const size = { width: r.size[0], height: r.size[1] };
      // Saturated random weights: most boxes are degenerate (zero width or height) at the image's
      // edges, so a box agrees by IoU ≥ 0.99 or, degenerate, every corner within 0.5 px.
      const m = matchDetections(list, out.detections, ref.labels, cut, size, {
        iou: 0.99,
        px: 0.5,
        score: 0.01,
      });
      const onBorder = (b: BoxXYXY) =>
        b.some((v, i) => v <= 0.5 || v >= (i % 2 ? size.height : size.width) - 0.5);
      const missing = m.pairs.filter((p) => !p.ours);
      // Only patches that see row 0 / column 0 of the input (the edge rule above) may differ; with
      // logits of scale ~100 they do: measured 7 of 193 (corridor) and 5 of 197 (juneau).
      expect(missing.length).toBeLessThanOrEqual(0.05 * m.pairs.length);
      for (const p of missing) expect(onBorder(p.ref.box)).toBe(true);
      for (const d of m.extra) expect(onBorder(d.box)).toBe(true);
      expect(m.maxScoreDiff).toBeLessThan(0.01);
      expect(m.minIou).toBeGreaterThanOrEqual(0.99);
    });
  }
});

describe('Grounding DINO against transformers', () => {
  interface Phrase {
    ort: { pred_boxes?: { max_abs: number } };
    grounded_top: RefDetection[];
  }
  interface Gd {
    phrases: string[];
    token_ids: Record<string, number[]>;
    images: {
      image: string;
      size: [number, number];
      pixel_values: PixelValues;
      phrases: Record<string, Phrase>;
    }[];
  }
  const ref = expected<Gd>('gdino');
  const ctx = installedContext('grounding-dino-tiny', modelFiles('gdino'), pool);

  it('encodes "<phrase>." to the same ids', () => {
    const det = createGroundingDino(ctx);
    for (const p of ref.phrases) expect(det.encodePhrase(p).ids).toEqual(ref.token_ids[p]);
  });

  for (const r of ref.images) {
    it.each(resizers)(`${r.image}: pixel_values (short side 800, bilinear), %s`, async (_, rs) => {
      const px = await groundingDinoInput(await image(r.image), 3, ctx.manifest.preprocessing, rs);
      expect([1, 3, px.height, px.width]).toEqual(r.pixel_values.shape);
      const d = compareSample(px.data, r.pixel_values, px.width, IMAGENET_STD);
      expectPixels(rs, d, 'bilinear');
    });

    for (const phrase of ref.phrases) {
      const p = r.phrases[phrase]!;
      // The fixture ONNX disagrees with torch on the same input for a pair (pred_boxes up to 0.96
      // apart): random weights saturate the scores (top 200 all ≥ 0.997, ties at 1.0), and float
      // noise reorders the two-stage top-900 query selection. The reference is unstable there:
      // skipped (in this fixture: all but corridor / "door").
      const stable = (p.ort.pred_boxes?.max_abs ?? Infinity) < 1e-4;
      // On the exact path only: through the default graphs (input ≤ 0.96 level off) 183 of the
      // 198 reference boxes were not found, the saturated weights reselecting their queries on
      // any input difference; the graphs' effect on Grounding DINO needs real-weight fixtures.
      it.skipIf(!stable)(`${r.image} "${phrase}": detections as a set, exact`, async () => {
        const list = p.grounded_top.map((d) => ({ ...d, label: 0 }));
        const cut = list.at(-1)!.score + 1e-5;
        const out = await createGroundingDino({ ...ctx, resize: 'exact' }).run(
          await image(r.image),
          {
            phrases: [phrase],
            boxThreshold: cut - 0.001,
            nmsIou: 1, // NMS off: the reference post-processing has none
            maxPerLabel: Infinity,
          },
        );
        const m = matchDetections(
          list,
          out.detections,
          [phrase],
          cut,
          { width: r.size[0], height: r.size[1] },
          {
            iou: 0.99,
            px: 0.5,
            score: 1e-5, // float noise; the reference rounds scores to 6 decimals
          },
        );
        expect(m.pairs.filter((x) => !x.ours)).toEqual([]);
        expect(m.extra).toEqual([]);
        expect(m.minIou).toBeGreaterThanOrEqual(0.9999);
      });
    }
  }
});

describe('SlimSAM (box prompts) against transformers', () => {
  interface Sam {
    images: {
      image: string;
      size: [number, number];
      pixel_values: PixelValues;
      reshaped_input_size: [number, number];
      boxes: {
        box: BoxXYXY;
        iou_scores: number[];
        best: number;
        masks: CocoRle[];
        areas: number[];
      }[];
    }[];
  }
  const ref = expected<Sam>('slimsam');
  const ctx = installedContext('slimsam-77-uniform', modelFiles('slimsam'), pool);

  for (const r of ref.images) {
    it.each(resizers)(
      `${r.image}: pixel_values (long side 1024, bilinear, zero pad), %s`,
      async (_, resizer) => {
        const px = await slimSamInput(await image(r.image), 3, resizer);
        expectPixels(resizer, compareSample(px, r.pixel_values, 1024, IMAGENET_STD), 'bilinear');
      },
    );

    it.each(bothPaths(ctx))(
      `${r.image}: the best mask per box and its iou_score, %s`,
      async (_, c) => {
        // The random encoder's embeddings are ~1e-20, so the masks come from the prompt (box
        // scaling) and the post-processing (torch bilinear 256 → 1024 → crop → image, > 0), not
        // the resizer: measured IoU 1.0, equal areas, scores equal to the reference's 6 decimals.
        const out = await createSlimSam(c).run(await image(r.image), {
          boxes: r.boxes.map((b) => b.box),
        });
        expect(out.masks).toHaveLength(r.boxes.length);
        out.masks.forEach((m, i) => {
          const b = r.boxes[i]!;
          expect(Math.abs(m.score - b.iou_scores[b.best]!)).toBeLessThan(1e-5);
          expect(maskIou(m.rle, b.masks[b.best]!)).toBeGreaterThanOrEqual(0.99);
          expect(Math.abs(m.area - b.areas[b.best]!)).toBeLessThanOrEqual(0.01 * b.areas[b.best]!);
        });
      },
    );

    if (r.boxes.length > 1) {
      it(`${r.image}: one call with ${r.boxes.length} boxes equals one call per box`, async () => {
        // The adapter sends every box of an image in one decoder call ([1,nb,4]); the traced
        // graph must treat them independently (SAM's mask decoder folds point_batch into the
        // batch). Checked on this real transformers export, not on an imitation.
        const img = await image(r.image);
        const together = await createSlimSam(ctx).run(img, { boxes: r.boxes.map((b) => b.box) });
        for (const [i, b] of r.boxes.entries()) {
          const alone = await createSlimSam(ctx).run(img, { boxes: [b.box] });
          const [m, a] = [together.masks[i]!, alone.masks[0]!];
          expect(Math.abs(m.score - a.score)).toBeLessThan(1e-6);
          expect(m.rle).toEqual(a.rle);
        }
      });
    }
  }
});

describe('Depth Anything V2 metric against transformers', () => {
  interface Depth {
    images: {
      image: string;
      size: [number, number];
      network_size: [number, number];
      pixel_values: PixelValues;
      ort: { error?: string };
      depth: {
        mean: number;
        median: number;
        min: number;
        max: number;
        grid_step: number;
        grid: number[][];
      };
    }[];
  }
  const ref = expected<Depth>('depth');
  const ctx = installedContext('depth-anything-v2-metric-indoor-small', modelFiles('depth'), pool);

  for (const r of ref.images) {
    it.each(resizers)(
      `${r.image}: pixel_values (keep aspect, multiple of 14, bicubic), %s`,
      async (_, resizer) => {
        const img = await image(r.image);
        const px = await preprocessDepthAnything(img, ctx.manifest.preprocessing!, resizer);
        expect([px.width, px.height]).toEqual(r.network_size);
        const d = compareSample(px.data, r.pixel_values, px.width, IMAGENET_STD);
        expectPixels(resizer, d, 'bicubic');
      },
    );

    // The export was traced at 686×518 with a fixed output size: on juneau's 854×518 input it
    // still returns 518×686 (the generator's own ORT check failed there), so that image is skipped.
    it.skipIf(Boolean(r.ort.error)).each(bothPaths(ctx))(
      `${r.image}: depth at the original size, %s`,
      async (_, c) => {
        const out = await createDepthAnything(c).run(await image(r.image));
        expect([out.width, out.height]).toEqual(r.size);
        // Every 8th pixel of every 8th row; metres. The random head gives sigmoid(≈0) · 20 = 10 m
        // everywhere (± 1e-5), so this holds units and the way back to the image, not its filter:
        // post_process_depth_estimation is bicubic, ours bilinear (deliberate: no overshoot).
        const step = r.depth.grid_step;
        let max = 0;
        r.depth.grid.forEach((row, y) =>
          row.forEach(
            (v, x) =>
              (max = Math.max(max, Math.abs(out.depth[y * step * out.width + x * step]! - v))),
          ),
        );
        expect(max).toBeLessThan(1e-4);
        const sorted = Float32Array.from(out.depth).sort();
        expect(Math.abs(sorted[sorted.length >> 1]! - r.depth.median)).toBeLessThan(1e-4);
        expect(sorted[0]).toBeGreaterThanOrEqual(r.depth.min - 1e-4);
        expect(sorted.at(-1)).toBeLessThanOrEqual(r.depth.max + 1e-4);
      },
    );
  }
});
