import { afterAll, describe, expect, it } from 'vitest';
import { decodeRle } from '../../spatial/geometry/mask-rle';
import { SessionPool } from '../session-pool';
import {
  samDecoderModel,
  samEncoderModel,
  slimSamDecoderModel,
  slimSamEncoderModel,
} from '../testing/adapter-models';
import { installedContext, removeTempDirs, solidImage } from '../testing/fixtures';
import { longestSideSize } from './image-prep';
import { resizeBilinearTorch, thresholdMask } from './masks';
import { createSam } from './sam';
import { createSlimSam } from './slimsam';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

describe('mask utilities', () => {
  it('upsamples like torch bilinear with align_corners=False', () => {
    const out = resizeBilinearTorch(Float32Array.of(0, 1, 2, 3), 2, 2, 2, 4, 4);
    expect([...out]).toEqual([
      0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3,
    ]);
    // Resizing the top-left region of a wider plane (the crop of the padded 1024² frame).
    const wide = Float32Array.of(0, 1, 99, 2, 3, 99);
    expect([...resizeBilinearTorch(wide, 3, 2, 2, 2, 2)]).toEqual([0, 1, 2, 3]);
    // Computing only a top-left window gives the same values as computing all and cropping.
    const src = Float32Array.from({ length: 9 }, (_, i) => i * i);
    const all = resizeBilinearTorch(src, 3, 3, 3, 8, 8);
    const win = resizeBilinearTorch(src, 3, 3, 3, 8, 8, 5, 6);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 5; x++) expect(win[y * 5 + x]).toBe(all[y * 8 + x]);
    }
  });

  it('thresholds strictly above the threshold and encodes COCO RLE at the given size', () => {
    const logits = Float32Array.of(-1, 0, 0.5, 2, 0, -3);
    const m = thresholdMask(logits, 3, 2, 0);
    expect(m.area).toBe(2);
    expect(m.bbox).toEqual([0, 0, 3, 2]);
    expect([...decodeRle(m.rle).mask]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('sizes the SAM input by ResizeLongestSide', () => {
    expect(longestSideSize(640, 480, 1024)).toEqual({ width: 1024, height: 768 });
    expect(longestSideSize(640, 427, 1024)).toEqual({ width: 1024, height: 683 });
    expect(longestSideSize(300, 1000, 1024)).toEqual({ width: 307, height: 1024 });
  });
});

describe('SAM (Meta encoder/decoder format)', () => {
  let memo: ReturnType<typeof installedContext> | undefined;
  const ctx = () =>
    (memo ??= installedContext(
      'sam-vit-b',
      {
        'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
        'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
      },
      pool,
    ));

  it('prompts with box corners (labels 2, 3) in the 1024 frame and thresholds > 0 at the original size', async () => {
    const sam = createSam(ctx());
    const image = solidImage(512, 256, [10, 20, 30]); // 1024 × 512: scale 2, exact in float32
    // Half-pixel edges put pixel centres exactly on the box edge: logit 0, which must be outside.
    const r = await sam.run(image, { boxes: [[100.5, 50.5, 300.5, 200.5]] });
    expect(r.provider).toBe('cpu');
    const m = r.masks[0]!;
    expect(m.score).toBeCloseTo(0.93, 5);
    expect(m.rle.size).toEqual([256, 512]);
    expect(m.bbox).toEqual([101, 51, 300, 200]);
    expect(m.area).toBe(199 * 149);
    const { mask } = decodeRle(m.rle);
    expect(mask[51 * 512 + 101]).toBe(1);
    expect(mask[50 * 512 + 101]).toBe(0);
    expect(mask[51 * 512 + 300]).toBe(0);
  });

  it('takes the single-mask output for a box (padding point), not the best-IoU multimask token', async () => {
    // Tokens 1–3 of the imitation are the box shrunk/grown; token 2 has the best IoU (0.97).
    const image = solidImage(512, 256, [10, 20, 30]);
    const box: [number, number, number, number] = [100.5, 50.5, 300.5, 200.5];
    const all = await createSam(ctx()).run(image, { boxes: [box] });
    const single = await createSam(
      installedContext(
        'sam-vit-b',
        {
          'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
          'sam_vit_b_01ec64.decoder.onnx': samDecoderModel({ singleMask: true }),
        },
        pool,
      ),
    ).run(image, { boxes: [box] });
    for (const r of [all, single]) {
      expect(r.masks[0]!.score).toBeCloseTo(0.93, 5);
      expect(r.masks[0]!.bbox).toEqual([101, 51, 300, 200]);
      expect(r.masks[0]!.area).toBe(199 * 149);
    }
  });

  it('caches the image embedding: a new box costs only the decoder', async () => {
    const sam = createSam(ctx());
    const image = solidImage(300, 200, [200, 20, 30]);
    const a = await sam.run(image, { boxes: [[10, 10, 100, 80]], imageKey: 'img-1' });
    const b = await sam.run(image, {
      boxes: [
        [50, 60, 250, 190],
        [0, 0, 300, 200],
      ],
      imageKey: 'img-1',
    });
    expect([a.cachedEmbedding, b.cachedEmbedding]).toEqual([false, true]);
    expect([sam.encoderRuns, sam.decoderRuns]).toEqual([1, 3]);
    // A box at the image size covers everything; 640-wide frame coordinates were undone per axis.
    expect(b.masks[1]!.area).toBe(300 * 200);
    expect(b.masks[0]!.bbox).toEqual([50, 60, 250, 190]);
    await sam.run(solidImage(300, 200, [1, 2, 3]), { boxes: [[10, 10, 20, 20]] });
    expect(sam.encoderRuns).toBe(2); // a different image (hashed key) is encoded again
  });
});

describe('SlimSAM (HF format, boxes revision)', () => {
  let memo: ReturnType<typeof installedContext> | undefined;
  const ctx = () =>
    (memo ??= installedContext(
      'slimsam-77-uniform',
      {
        'onnx/vision_encoder.onnx': slimSamEncoderModel(),
        'onnx/prompt_encoder_mask_decoder.onnx': slimSamDecoderModel(),
      },
      pool,
    ));

  it('scales input_boxes to the resized frame, picks the best-IoU mask and up-samples it to the original size', async () => {
    const slim = createSlimSam(ctx());
    const r = await slim.run(solidImage(640, 480, [120, 130, 140]), {
      boxes: [
        [100, 50, 300, 200],
        [400, 300, 600, 460],
      ],
    });
    expect(r.provider).toBe('cpu');
    expect(r.masks).toHaveLength(2);
    const [a, b] = r.masks as [(typeof r.masks)[0], (typeof r.masks)[0]];
    expect(a.score).toBeCloseTo(0.9, 5);
    expect(a.rle.size).toEqual([480, 640]);
    // The 256² logits are a signed distance to the box in the 1024 frame: after 256 → 1024 → crop
    // 1024 × 768 → 640 × 480 the mask is the box to within a pixel.
    for (const [m, box] of [
      [a, [100, 50, 300, 200]],
      [b, [400, 300, 600, 460]],
    ] as const) {
      m.bbox!.forEach((v, i) => expect(Math.abs(v - box[i]!)).toBeLessThanOrEqual(1));
      const area = (box[2] - box[0]) * (box[3] - box[1]);
      expect(Math.abs(m.area - area) / area).toBeLessThan(0.02);
    }
    // Second call on the same pixels reuses the embedding.
    const again = await slim.run(solidImage(640, 480, [120, 130, 140]), {
      boxes: [[0, 0, 10, 10]],
    });
    expect(again.cachedEmbedding).toBe(true);
    expect(slim.encoderRuns).toBe(1);
  });
});
