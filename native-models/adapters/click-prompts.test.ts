// Click-to-refine: positive/negative clicks with a box prompt, for SlimSAM exports that take clicks
// (a tiny decoder whose clicks add/cut known discs) and the boxes-only reference export.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRle } from '../../spatial/geometry/mask-rle';
import { SessionPool } from '../session-pool';
import {
  CLICK_RADIUS_1024,
  slimSamClickDecoderModel,
  slimSamEncoderModel,
} from '../testing/adapter-models';
import { installedContext, removeTempDirs, solidImage } from '../testing/fixtures';
import { kitImage, modelFiles } from '../testing/reference/reference-data';
import { createSlimSam } from './slimsam';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

describe('SlimSAM click prompts', () => {
  const ctx = () =>
    installedContext(
      'slimsam-77-uniform',
      {
        'onnx/vision_encoder.onnx': slimSamEncoderModel(),
        'onnx/prompt_encoder_mask_decoder.onnx': slimSamClickDecoderModel(),
      },
      pool,
    );

  it('feeds clicks with the box in the resized frame: a negative click cuts, a positive one adds', async () => {
    const slim = createSlimSam(ctx());
    expect(await slim.acceptsPoints()).toBe(true);
    const r = await slim.run(solidImage(640, 480, [120, 130, 140]), {
      boxes: [[100, 50, 300, 200]],
      points: [
        { x: 150, y: 100, positive: false },
        { x: 420, y: 300, positive: true },
      ],
    });
    expect(r.masks).toHaveLength(1);
    const { mask } = decodeRle(r.masks[0]!.rle);
    const at = (x: number, y: number) => mask[y * 640 + x];
    // 640 × 480 → 1024 × 768: the discs have radius 80 / 1.6 = 50 original pixels.
    const radius = CLICK_RADIUS_1024 / 1.6;
    expect(at(150, 100)).toBe(0); // the negative click's centre
    expect(at(150 + radius - 6, 100)).toBe(0);
    expect(at(280, 180)).toBe(1); // the box away from the cut
    expect(at(110, 190)).toBe(1);
    expect(at(420, 300)).toBe(1); // the positive click outside the box
    expect(at(420 + radius - 6, 300)).toBe(1);
    expect(at(420 + radius + 6, 300)).toBe(0);
    expect(at(420, 300 - radius - 6)).toBe(0);
    // The cut disc inside the box: about π·50² pixels fewer than the box.
    const box = 200 * 150;
    const area = r.masks[0]!.area;
    const disc = Math.PI * radius * radius;
    expect(area).toBeGreaterThan(box - disc + disc * 0.9); // lost ~disc, gained ~disc
    expect(area).toBeLessThan(box + 0.1 * disc);
  });

  it('refuses clicks without exactly one box, and clicks outside the image', async () => {
    const slim = createSlimSam(ctx());
    const img = solidImage(64, 48, [1, 2, 3]);
    await expect(
      slim.run(img, {
        boxes: [
          [0, 0, 10, 10],
          [20, 20, 30, 30],
        ],
        points: [{ x: 5, y: 5, positive: true }],
      }),
    ).rejects.toThrow(/clicks refine one box; 2 given/);
    await expect(
      slim.run(img, { boxes: [[0, 0, 10, 10]], points: [{ x: 65, y: 5, positive: true }] }),
    ).rejects.toThrow(/outside the image/);
  });

  it('the boxes-only reference export says it cannot take clicks, and still segments from the box', async () => {
    const slim = createSlimSam(installedContext('slimsam-77-uniform', modelFiles('slimsam'), pool));
    expect(await slim.acceptsPoints()).toBe(false);
    const image = await kitImage('corridor.png');
    await expect(
      slim.run(image, {
        boxes: [[100, 120, 300, 400]],
        points: [{ x: 200, y: 200, positive: true }],
      }),
    ).rejects.toThrow(/takes boxes only/);
    const boxOnly = await slim.run(image, { boxes: [[100, 120, 300, 400]] });
    expect(boxOnly.masks[0]!.area).toBeGreaterThan(0);
  });
});
