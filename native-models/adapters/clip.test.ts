import { afterAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../session-pool';
import { clipTextModel, clipVisionModel } from '../testing/adapter-models';
import { installedContext, removeTempDirs, solidImage } from '../testing/fixtures';
import { clipTokenizer } from '../testing/tokenizers';
import { clipPixels, createClipSceneFilter } from './clip';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

const words = ['room', 'document', 'screenshot', 'street', 'this', 'is', 'photo', 'of'];
const tok = clipTokenizer(words);
const vocab = (JSON.parse(tok['tokenizer.json']) as { model: { vocab: Record<string, number> } })
  .model.vocab;
const size = Object.keys(vocab).length;
// Text: "room"/"street" point along axis 0, "document"/"screenshot" along axis 1; other tokens 0.
const table = new Float32Array(size * 512);
for (const [w, axis] of [
  ['room', 0],
  ['street', 0],
  ['document', 1],
  ['screenshot', 1],
] as const) {
  table[vocab[`${w}</w>`]! * 512 + axis] = 10;
}
// Vision: the red channel's mean → axis 0, the blue channel's → axis 1.
const w = new Float32Array(3 * 512);
w[0 * 512 + 0] = 1;
w[2 * 512 + 1] = 1;

function context(attentionMask: boolean) {
  return installedContext(
    'clip-vit-base-patch32',
    {
      'onnx/text_model.onnx': clipTextModel(table, { attentionMask }),
      'onnx/vision_model.onnx': clipVisionModel(w),
      ...tok,
    },
    pool,
  );
}

describe('CLIP scene filter', () => {
  it('resizes the short side to 224 and centre-crops', async () => {
    // 448 × 224, left half red, right half blue: the crop keeps the middle 224 columns.
    const img = solidImage(448, 224, [255, 0, 0]);
    for (let y = 0; y < 224; y++) {
      for (let x = 224; x < 448; x++) img.data.set([0, 0, 255], (y * 448 + x) * 3);
    }
    const px = await clipPixels(img, 3, 224);
    expect(px.length).toBe(3 * 224 * 224);
    const red = (v: number) => (v / 255 - 0.48145466) / 0.26862954;
    expect(px[10 * 224 + 5]).toBeCloseTo(red(255), 4); // column 117 of the original: red
    expect(px[10 * 224 + 220]).toBeCloseTo(red(0), 4); // column 332: blue
  });

  it('keeps scene photos, drops negatives, with softmax over 100 · cosine', async () => {
    const filter = createClipSceneFilter(context(false));
    const opts = { positive: ['room'], negative: ['document'] };
    const scene = await filter.run(solidImage(64, 48, [255, 0, 0]), opts);
    expect(scene.keep).toBe(true);
    expect(scene.top).toMatchObject({ label: 'room', positive: true });
    expect(scene.provider).toBe('cpu');

    const doc = await filter.run(solidImage(64, 48, [0, 0, 255]), opts);
    expect(doc.keep).toBe(false);
    expect(doc.top.label).toBe('document');
    // Image embedding ∝ (mean R, mean B) after CLIP normalisation; text embeddings are e0 and e1.
    const r = (0 / 255 - 0.48145466) / 0.26862954;
    const b = (255 / 255 - 0.40821073) / 0.27577711;
    const n = Math.hypot(r, b);
    const expected = 1 / (1 + Math.exp(100 * (b / n) - 100 * (r / n)));
    expect(doc.score).toBeCloseTo(expected, 6);
    expect(doc.labels.reduce((s, l) => s + l.probability, 0)).toBeCloseTo(1, 6);
  });

  it('caches text embeddings per label, so an edited list only embeds the new labels', async () => {
    const filter = createClipSceneFilter(context(true)); // an export that declares attention_mask
    await filter.run(solidImage(32, 32, [255, 0, 0]), {
      positive: ['room'],
      negative: ['document'],
    });
    expect(filter.cachedTexts).toBe(2);
    const r = await filter.run(solidImage(32, 32, [255, 0, 0]), {
      positive: ['room', 'street'],
      negative: ['document', 'screenshot'],
      threshold: 0.99,
    });
    expect(filter.cachedTexts).toBe(4);
    // Two positive labels share the mass equally (identical embeddings).
    expect(r.labels[0]!.probability).toBeCloseTo(r.labels[1]!.probability, 9);
    expect(r.keep).toBe(true);
  });
});
