import { afterAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../session-pool';
import { groundingDinoModel, owlv2Model } from '../testing/adapter-models';
import { installedContext, removeTempDirs, solidImage } from '../testing/fixtures';
import { bertTokenizer, clipTokenizer } from '../testing/tokenizers';
import { classWiseNms, cxcywhToXyxy, iou, type Detection } from './boxes';
import { createGroundingDino } from './grounding-dino';
import { shortestEdgeSize } from './image-prep';
import { createOwlv2, owlv2Input } from './owlv2';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

describe('class-wise NMS', () => {
  const d = (label: string, score: number, box: Detection['box']): Detection => ({
    label,
    score,
    box,
  });

  it('drops overlapping boxes of the same label only, keeping labels and scores', () => {
    const out = classWiseNms(
      [
        d('chair', 0.6, [0, 0, 10, 10]),
        d('chair', 0.9, [1, 1, 11, 11]), // IoU with the first 0.68
        d('table', 0.8, [1, 1, 11, 11]), // other label: kept
        d('chair', 0.5, [50, 50, 60, 60]), // far away: kept
      ],
      0.5,
    );
    expect(out).toEqual([
      d('chair', 0.9, [1, 1, 11, 11]),
      d('table', 0.8, [1, 1, 11, 11]),
      d('chair', 0.5, [50, 50, 60, 60]),
    ]);
    expect(iou([0, 0, 10, 10], [1, 1, 11, 11])).toBeCloseTo(81 / 119, 6);
    // A looser threshold keeps the overlapping pair; maxPerLabel caps each label.
    expect(
      classWiseNms([d('a', 0.6, [0, 0, 10, 10]), d('a', 0.9, [1, 1, 11, 11])], 0.7),
    ).toHaveLength(2);
    expect(
      classWiseNms([d('a', 0.6, [0, 0, 1, 1]), d('a', 0.9, [5, 5, 6, 6])], 0.5, 1).map(
        (x) => x.score,
      ),
    ).toEqual([0.9]);
  });

  it('converts normalised centre boxes to clipped pixel corners', () => {
    expect(cxcywhToXyxy(0.5, 0.5, 0.2, 0.4, 640, 480, 640, 480)).toEqual([256, 144, 384, 336]);
    const b = cxcywhToXyxy(0.05, 0.5, 0.2, 0.2, 100, 100, 100, 100);
    expect(b[0]).toBe(0); // clipped
    expect(b.slice(1).map((v) => Number(v.toFixed(9)))).toEqual([40, 15, 60]);
  });
});

describe('Grounding DINO', () => {
  const words = ['chair', 'table', 'lamp'];
  const tok = bertTokenizer(words); // ids: [CLS] 2, [SEP] 3, "." 5, chair 6, table 7, lamp 8
  const vocab = 6 + words.length;
  // table[id, q]: chair strong on queries 0 and 2 (a duplicate box), table on query 1 and on 3,
  // whose box overlaps query 0's (another label: NMS keeps it). Everything else −8 (score 0.0003).
  const table = new Float32Array(vocab * 900).fill(-8);
  const set = (id: number, q: number, v: number) => (table[id * 900 + q] = v);
  set(6, 0, 3); // chair, sigmoid 0.953
  set(6, 2, 2); // chair duplicate, 0.881
  set(7, 1, 1.5); // table, 0.818
  set(7, 3, 0); // table, 0.5
  const boxes = new Float32Array(900 * 4);
  boxes.set([0.25, 0.5, 0.2, 0.4], 0);
  boxes.set([0.75, 0.5, 0.3, 0.2], 4);
  boxes.set([0.26, 0.51, 0.2, 0.4], 8);
  boxes.set([0.25, 0.5, 0.2, 0.4], 12);
  let memo: ReturnType<typeof installedContext> | undefined;
  const ctx = () =>
    (memo ??= installedContext(
      'grounding-dino-tiny',
      { 'onnx/model.onnx': groundingDinoModel(table, boxes), ...tok },
      pool,
    ));

  it('sizes the input by the DETR rule (short side 800, long side ≤ 1333)', () => {
    expect(shortestEdgeSize(640, 480, 800, 1333)).toEqual({ width: 1066, height: 800 });
    expect(shortestEdgeSize(480, 640, 800, 1333)).toEqual({ width: 800, height: 1066 });
    expect(shortestEdgeSize(2000, 500, 800, 1333)).toEqual({ width: 1333, height: 333 });
    expect(shortestEdgeSize(800, 600, 600, 1333)).toEqual({ width: 800, height: 600 });
  });

  it('runs one pass per phrase, scales boxes to the original image, and applies class-wise NMS', async () => {
    const det = createGroundingDino(ctx());
    expect(det.encodePhrase(' Chair ').ids).toEqual([2, 6, 5, 3]);
    // An inner "." or "?" would split the prompt into phrases the export's one-phrase mask
    // scores wrongly: it becomes a space, and only the final "." (id 5) remains.
    expect(det.encodePhrase('Table. Lamp?').ids).toEqual([2, 7, 8, 5, 3]);
    expect(det.encodePhrase('chair?..').ids).toEqual([2, 6, 5, 3]);
    expect(() => det.encodePhrase(' ?. ')).toThrow(
      'model grounding-dino-tiny: empty detection phrase',
    );
    const r = await det.run(solidImage(640, 480, [90, 120, 30]), {
      phrases: ['chair', 'Table', 'lamp'],
    });
    expect(r.provider).toBe('cpu');
    expect(r.network).toEqual({ width: 1066, height: 800 });
    expect(r.detections.map((x) => [x.label, Number(x.score.toFixed(3))])).toEqual([
      ['chair', 0.953],
      ['table', 0.818],
      ['table', 0.5],
    ]);
    expect(r.detections[0]!.box.map((v) => Number(v.toFixed(3)))).toEqual([96, 144, 224, 336]);
    expect(r.detections[1]!.box.map((v) => Number(v.toFixed(3)))).toEqual([384, 192, 576, 288]);
    // The table box on query 3 sits on the chair: another label, so NMS keeps it.
    expect(r.detections[2]!.box.map((v) => Number(v.toFixed(3)))).toEqual([96, 144, 224, 336]);
    for (const k of ['preMs', 'inferMs', 'postMs'] as const) {
      expect(r.timings[k]).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps only scores above the box threshold', async () => {
    const r = await createGroundingDino(ctx()).run(solidImage(64, 48, [0, 0, 0]), {
      phrases: ['table'],
      boxThreshold: 0.6,
    });
    expect(r.detections.map((x) => x.score.toFixed(3))).toEqual(['0.818']);
  });
});

describe('OWLv2', () => {
  const words = ['chair', 'lamp'];
  const tok = clipTokenizer(words, 16);
  const json = JSON.parse(tok['tokenizer.json']) as { model: { vocab: Record<string, number> } };
  const vocabSize = Object.keys(json.model.vocab).length;
  const id = (t: string) => json.model.vocab[t]!;
  const P = 4;
  // logits[p, q] via table[token, p]: "chair" wins patch 0 (0.9) and 1 (0.7, overlapping: NMS),
  // "lamp" patch 2 (0.8); patch 3 stays below the threshold.
  const table = new Float32Array(vocabSize * P).fill(-6);
  table[id('chair</w>') * P + 0] = Math.log(0.9 / 0.1);
  table[id('chair</w>') * P + 1] = Math.log(0.7 / 0.3);
  table[id('lamp</w>') * P + 2] = Math.log(0.8 / 0.2);
  const boxes = Float32Array.from([
    0.25, 0.25, 0.2, 0.2, 0.26, 0.25, 0.2, 0.2, 0.5, 0.7, 0.2, 0.1, 0.9, 0.9, 0.2, 0.2,
  ]);
  let memo: ReturnType<typeof installedContext> | undefined;
  const ctx = () =>
    (memo ??= installedContext(
      'owlv2-base-patch16',
      { 'onnx/model.onnx': owlv2Model(table, boxes), ...tok },
      pool,
    ));

  it('pads to a black square at the bottom/right before resizing (Python convention)', async () => {
    const img = solidImage(40, 20, [255, 255, 255]);
    const { data, side } = await owlv2Input(img, 3, 40);
    expect(side).toBe(40);
    const norm = (v: number, c: number) =>
      (v / 255 - [0.48145466, 0.4578275, 0.40821073][c]!) /
      [0.26862954, 0.26130258, 0.27577711][c]!;
    // Row 5 is image (white), row 35 padding: black, 0 before normalisation (transformers ≥ 5).
    for (let c = 0; c < 3; c++) {
      expect(data[c * 1600 + 5 * 40 + 20]).toBeCloseTo(norm(255, c), 4);
      expect(data[c * 1600 + 35 * 40 + 20]).toBeCloseTo(norm(0, c), 4);
    }
  });

  it('scales boxes by the padded side, clips them to the image, keeps labels and scores', async () => {
    const r = await createOwlv2(ctx()).run(solidImage(800, 400, [10, 200, 90]), {
      labels: ['chair', 'lamp'],
    });
    expect(r.provider).toBe('cpu');
    expect(r.detections.map((d) => [d.label, Number(d.score.toFixed(3))])).toEqual([
      ['chair', 0.9],
      ['lamp', 0.8],
    ]);
    // Normalised to the 800 × 800 padded square, not stretched to 800 × 400.
    expect(r.detections[0]!.box.map((v) => Math.round(v * 1000) / 1000)).toEqual([
      120, 120, 280, 280,
    ]);
    // Patch 2: y 0.65..0.75 of 800 = 520..600, clipped to the 400-pixel-high image.
    expect(r.detections[1]!.box.map((v) => Math.round(v * 1000) / 1000)).toEqual([
      320, 400, 480, 400,
    ]);
  });

  it('pads queries of different lengths with the pad id and a zero mask', () => {
    const det = createOwlv2(ctx());
    const q = det.encodeQueries(['chair', 'a lamp']);
    expect(q.seq).toBe(4);
    expect(q.mask).toEqual([1, 1, 1, 0, 1, 1, 1, 1]);
  });
});
