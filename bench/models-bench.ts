// Perception adapters end to end on the CPU (pre + inference + post) for a 640×480 RGB image, each
// with its tiny generated model (native-models/testing/adapter-models.ts): the networks are trivial,
// so "infer" is NOT a real network's time — this measures our pre/post-processing and the plumbing.
// Also the resampler before/after this change (the committed 2d4300b version read with `git show`).
//   node bin/run-ts.mjs bench/models-bench.ts [--runs 10]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  calibrate,
  createClipSceneFilter,
  createDepthAnything,
  createGeoCalib,
  createGroundingDino,
  createMetric3d,
  createOwlv2,
  createSam,
  createSlimSam,
  type AdapterTimings,
} from '../native-models/adapters/index';
import { resizePlane, resizeToChw } from '../native-models/adapters/resample';
import { SessionPool } from '../native-models/session-pool';
import {
  clipTextModel,
  clipVisionModel,
  geocalibModel,
  groundingDinoModel,
  metric3dModel,
  owlv2Model,
  samDecoderModel,
  samEncoderModel,
  slimSamDecoderModel,
  slimSamEncoderModel,
} from '../native-models/testing/adapter-models';
import { installedContext, removeTempDirs } from '../native-models/testing/fixtures';
import { depthAnythingMetricModel } from '../native-models/testing/test-models';
import { bertTokenizer, clipTokenizer } from '../native-models/testing/tokenizers';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = at >= 0 ? Number(args[at + 1]) : 10;
const W = 640;
const H = 480;
const rgb = new Uint8Array(W * H * 3);
for (let p = 0; p < W * H; p++) rgb.set([p % 251, (p >> 3) % 253, (p >> 7) % 255], p * 3);
const image = { data: rgb, width: W, height: H };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function measure(run: (i: number) => Promise<AdapterTimings>) {
  const pre: number[] = [];
  const infer: number[] = [];
  const post: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const t = await run(i);
    const wall = performance.now() - t0;
    if (i < 2) continue; // warm-up (session creation, caches)
    pre.push(t.preMs);
    infer.push(t.inferMs);
    post.push(t.postMs);
    total.push(wall);
  }
  const p = median(pre);
  const q = median(post);
  return {
    preMs: round(p),
    inferTinyMs: round(median(infer)),
    postMs: round(q),
    endToEndMs: round(median(total)),
  };
}

const pool = new SessionPool();
const results: Record<string, unknown> = {};

// CLIP scene filter (text embeddings cached after the warm-up).
{
  const tok = clipTokenizer(['room', 'document', 'photo', 'this', 'is', 'of', 'a']);
  const vocab = Object.keys(JSON.parse(tok['tokenizer.json']).model.vocab).length;
  const ctx = installedContext(
    'clip-vit-base-patch32',
    {
      'onnx/text_model.onnx': clipTextModel(new Float32Array(vocab * 512).fill(0.01)),
      'onnx/vision_model.onnx': clipVisionModel(new Float32Array(3 * 512).fill(0.02)),
      ...tok,
    },
    pool,
  );
  const clip = createClipSceneFilter(ctx);
  results.clip = await measure(async () => (await clip.run(image)).timings);
}

// Grounding DINO, 3 phrases (3 passes), network 1066×800.
{
  const tok = bertTokenizer(['chair', 'table', 'lamp']);
  const table = new Float32Array(9 * 900).map((_, i) => ((i * 7919) % 200) / 10 - 12);
  const boxes = new Float32Array(900 * 4).map((_, i) => (i % 4 < 2 ? 0.5 : 0.1));
  const ctx = installedContext(
    'grounding-dino-tiny',
    { 'onnx/model.onnx': groundingDinoModel(table, boxes), ...tok },
    pool,
  );
  const det = createGroundingDino(ctx);
  results.groundingDino3Phrases = await measure(
    async () => (await det.run(image, { phrases: ['chair', 'table', 'lamp'] })).timings,
  );
}

// OWLv2, 3 queries, 3600 patches (B/16 at 960), padded square.
{
  const tok = clipTokenizer(['chair', 'table', 'lamp'], 16);
  const vocab = Object.keys(JSON.parse(tok['tokenizer.json']).model.vocab).length;
  const table = new Float32Array(vocab * 3600).map((_, i) => ((i * 104729) % 100) / 10 - 8);
  const boxes = new Float32Array(3600 * 4).map((_, i) => (i % 4 < 2 ? 0.5 : 0.05));
  const ctx = installedContext(
    'owlv2-base-patch16',
    { 'onnx/model.onnx': owlv2Model(table, boxes), ...tok },
    pool,
  );
  const owl = createOwlv2(ctx);
  results.owlv2 = await measure(
    async () => (await owl.run(image, { labels: ['chair', 'table', 'lamp'] })).timings,
  );
}

// SAM (Meta format): a new image each run (encoder + 3 boxes), then a new box on a cached image.
const boxes3: [number, number, number, number][] = [
  [50, 40, 300, 260],
  [320, 100, 600, 400],
  [10, 300, 200, 470],
];
{
  const ctx = installedContext(
    'sam-vit-b',
    {
      'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
      'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
    },
    pool,
  );
  const sam = createSam(ctx);
  results.samNewImage3Boxes = await measure(
    async (i) => (await sam.run(image, { boxes: boxes3, imageKey: `img-${i}` })).timings,
  );
  results.samCachedImage1Box = await measure(
    async () => (await sam.run(image, { boxes: [boxes3[0]!], imageKey: 'same' })).timings,
  );
}
{
  const ctx = installedContext(
    'slimsam-77-uniform',
    {
      'onnx/vision_encoder.onnx': slimSamEncoderModel(),
      'onnx/prompt_encoder_mask_decoder.onnx': slimSamDecoderModel(),
    },
    pool,
  );
  const slim = createSlimSam(ctx);
  results.slimSamNewImage3Boxes = await measure(
    async (i) => (await slim.run(image, { boxes: boxes3, imageKey: `img-${i}` })).timings,
  );
  results.slimSamCachedImage1Box = await measure(
    async () => (await slim.run(image, { boxes: [boxes3[0]!], imageKey: 'same' })).timings,
  );
}

// Depth Anything V2 metric and Metric3D v2 (depth + normals), both resized back to 640×480.
{
  const ctx = installedContext(
    'depth-anything-v2-metric-indoor-small',
    { 'onnx/model.onnx': depthAnythingMetricModel() },
    pool,
  );
  const da = createDepthAnything(ctx);
  results.depthAnything = await measure(async () => (await da.run(image)).timings);
}
{
  const ctx = installedContext('metric3d-vit-small', { 'onnx/model.onnx': metric3dModel() }, pool);
  const m3d = createMetric3d(ctx);
  results.metric3dWithNormals = await measure(async () => (await m3d.run(image)).timings);
}

// GeoCalib: constant fields at 416×320, then the least-squares fit (focal free).
{
  const plane = 416 * 320;
  const up = new Float32Array(2 * plane);
  for (let k = 0; k < plane; k++) up[plane + k] = -1;
  const ctx = installedContext(
    'geocalib-fields',
    {
      'model.onnx': geocalibModel({
        width: 416,
        height: 320,
        up,
        latitude: new Float32Array(plane),
      }),
    },
    pool,
  );
  const geo = createGeoCalib(ctx);
  results.geocalibFit = await measure(
    async () => (await calibrate(image, { geocalib: geo })).timings,
  );
}
// A 12-megapixel-class photo (1920×1440 here, to spare the shared CPU): exact JS resampling vs
// libvips shrinking (AdapterContext.fastResize) for the adapters whose input is smaller than it.
{
  const BW = 1920;
  const BH = 1440;
  const big = new Uint8Array(BW * BH * 3);
  for (let p = 0; p < BW * BH; p++) big.set([p % 251, (p >> 3) % 253, (p >> 7) % 255], p * 3);
  const bigImage = { data: big, width: BW, height: BH };
  const large: Record<string, unknown> = {};
  for (const fastResize of [false, true]) {
    const mode = fastResize ? 'fast' : 'exact';
    const da = createDepthAnything({
      ...installedContext(
        'depth-anything-v2-metric-indoor-small',
        { 'onnx/model.onnx': depthAnythingMetricModel() },
        pool,
      ),
      fastResize,
    });
    large[`depthAnything_${mode}`] = await measure(async () => (await da.run(bigImage)).timings);
    const sam = createSam({
      ...installedContext(
        'sam-vit-b',
        {
          'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
          'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
        },
        pool,
      ),
      fastResize,
    });
    large[`samNewImage1Box_${mode}`] = await measure(
      async (i) =>
        (await sam.run(bigImage, { boxes: [[100, 100, 900, 700]], imageKey: `big-${mode}-${i}` }))
          .timings,
    );
  }
  results.input1920x1440 = large;
}
await pool.release();
removeTempDirs();

// The resampler, committed version vs this one, on the DA-V2 input step and the depth output step.
async function resampleComparison() {
  let baseline: typeof import('../native-models/adapters/resample') | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'sqw-resample-'));
  try {
    const src = execFileSync('git', ['show', '2d4300b:native-models/adapters/resample.ts'], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'resample-baseline.mts'), src);
    baseline = await import(pathToFileURL(join(dir, 'resample-baseline.mts')).href);
  } catch {
    baseline = null;
  }
  const norm = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const depth = new Float32Array(686 * 518).map((_, i) => i % 97);
  const time = (f: () => unknown) => {
    const xs: number[] = [];
    for (let r = 0; r < RUNS + 2; r++) {
      const t = performance.now();
      f();
      if (r >= 2) xs.push(performance.now() - t);
    }
    return round(median(xs));
  };
  const out: Record<string, unknown> = {};
  for (const [w, h] of [
    [640, 480],
    [1920, 1440],
  ] as const) {
    const img = new Uint8Array(w * h * 3).map((_, i) => (i * 31) % 256);
    out[`${w}x${h}`] = {
      newBicubicTo686x518: time(() => resizeToChw(img, w, h, 3, 686, 518, 'bicubic', norm)),
      baselineBicubicTo686x518: baseline
        ? time(() => baseline!.resizeToChw(img, w, h, 3, 686, 518, 'bicubic', norm))
        : null,
      newDepthBackTo: time(() => resizePlane(depth, 686, 518, w, h)),
      baselineDepthBackTo: baseline
        ? time(() => baseline!.resizePlane(depth, 686, 518, w, h))
        : null,
    };
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}
results.resampleMs = await resampleComparison();

console.log(
  JSON.stringify(
    {
      input: `${W}x${H} RGB`,
      runs: RUNS,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadAverage1m: round(loadavg()[0]!),
      node: process.version,
      provider: 'cpu (onnxruntime-node, tiny generated models)',
      medians: results,
    },
    null,
    2,
  ),
);
