// Perception adapters end to end on the CPU (pre + inference + post) for a 640×480 RGB image, each
// with its tiny generated model (native-models/testing/adapter-models.ts): the networks are trivial,
// so "infer" is NOT a real network's time — this measures our pre/post-processing and the plumbing.
// Each with the JS resampler and with the resize graphs; and the resampler before/after a change.
//   node bin/run-ts.mjs bench/models-bench.ts [--runs 10] [--rounds 3] [--baseline <git ref>] [--spin]
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
import { GraphResizer, type ResizeMethod } from '../native-models/adapters/resize-graph';
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
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;
const W = 640;
const H = 480;
const rgb = new Uint8Array(W * H * 3);
for (let p = 0; p < W * H; p++) rgb.set([p % 251, (p >> 3) % 253, (p >> 7) % 255], p * 3);
const image = { data: rgb, width: W, height: H };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

interface Samples {
  pre: number[];
  infer: number[];
  post: number[];
  total: number[];
}

/** RUNS timed runs after 2 warm-up runs (session creation, caches). */
async function measure(run: (i: number) => Promise<AdapterTimings>): Promise<Samples> {
  const s: Samples = { pre: [], infer: [], post: [], total: [] };
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const t = await run(i);
    const wall = performance.now() - t0;
    if (i < 2) continue;
    s.pre.push(t.preMs);
    s.infer.push(t.inferMs);
    s.post.push(t.postMs);
    s.total.push(wall);
  }
  return s;
}

function summary(s: Samples) {
  return {
    preMs: round(median(s.pre)),
    inferTinyMs: round(median(s.infer)),
    postMs: round(median(s.post)),
    endToEndMs: round(median(s.total)),
  };
}

/** Append one round's samples to the ones kept per method and adapter. */
function keep(into: Record<string, Samples>, round: Record<string, Samples>): void {
  for (const [key, s] of Object.entries(round)) {
    const t = (into[key] ??= { pre: [], infer: [], post: [], total: [] });
    t.pre.push(...s.pre);
    t.infer.push(...s.infer);
    t.post.push(...s.post);
    t.total.push(...s.total);
  }
}

const summarise = (all: Record<string, Record<string, Samples>>) =>
  Object.fromEntries(
    Object.entries(all).map(([method, byKey]) => [
      method,
      Object.fromEntries(Object.entries(byKey).map(([k, s]) => [k, summary(s)])),
    ]),
  );

// --spin: ORT's own default (threads spin between runs) instead of the pool's quiet threads.
const SPIN = args.includes('--spin');
const pool = new SessionPool(SPIN ? { sessionOptions: { extra: {} } } : {});
const results: Record<string, unknown> = {};

// Each adapter with the JS resampler ('exact') and with the resize graphs on the CPU provider
// ('graph', the default).
let resize: ResizeMethod = 'graph';
const ctxFor = (id: string, files: Record<string, Uint8Array | string>) => ({
  ...installedContext(id, files, pool),
  resize,
});
// Methods alternate over ROUNDS rounds, so a noisy stretch of the machine hits both.
const byMethod: Record<string, Record<string, Samples>> = { exact: {}, graph: {} };
for (let r = 0; r < ROUNDS; r++)
  for (const method of ['exact', 'graph'] as const) {
    resize = method;
    const results: Record<string, Samples> = {};

    // CLIP scene filter (text embeddings cached after the warm-up).
    {
      const tok = clipTokenizer(['room', 'document', 'photo', 'this', 'is', 'of', 'a']);
      const vocab = Object.keys(JSON.parse(tok['tokenizer.json']).model.vocab).length;
      const ctx = ctxFor('clip-vit-base-patch32', {
        'onnx/text_model.onnx': clipTextModel(new Float32Array(vocab * 512).fill(0.01)),
        'onnx/vision_model.onnx': clipVisionModel(new Float32Array(3 * 512).fill(0.02)),
        ...tok,
      });
      const clip = createClipSceneFilter(ctx);
      results.clip = await measure(async () => (await clip.run(image)).timings);
    }

    // Grounding DINO, 3 phrases (3 passes), network 1066×800.
    {
      const tok = bertTokenizer(['chair', 'table', 'lamp']);
      const table = new Float32Array(9 * 900).map((_, i) => ((i * 7919) % 200) / 10 - 12);
      const boxes = new Float32Array(900 * 4).map((_, i) => (i % 4 < 2 ? 0.5 : 0.1));
      const ctx = ctxFor('grounding-dino-tiny', {
        'onnx/model.onnx': groundingDinoModel(table, boxes),
        ...tok,
      });
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
      const ctx = ctxFor('owlv2-base-patch16', {
        'onnx/model.onnx': owlv2Model(table, boxes),
        ...tok,
      });
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
    // SAM (Meta format) and SlimSAM (HF format): a new image with 3 boxes, a new box on a cached one.
    const segmenters = {
      sam: createSam(
        ctxFor('sam-vit-b', {
          'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
          'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
        }),
      ),
      slimSam: createSlimSam(
        ctxFor('slimsam-77-uniform', {
          'onnx/vision_encoder.onnx': slimSamEncoderModel(),
          'onnx/prompt_encoder_mask_decoder.onnx': slimSamDecoderModel(),
        }),
      ),
    };
    for (const [name, seg] of Object.entries(segmenters)) {
      results[`${name}NewImage3Boxes`] = await measure(
        async (i) => (await seg.run(image, { boxes: boxes3, imageKey: `img-${i}` })).timings,
      );
      results[`${name}CachedImage1Box`] = await measure(
        async () => (await seg.run(image, { boxes: [boxes3[0]!], imageKey: 'same' })).timings,
      );
    }

    // Depth Anything V2 metric and Metric3D v2 (depth + normals), both resized back to 640×480.
    {
      const ctx = ctxFor('depth-anything-v2-metric-indoor-small', {
        'onnx/model.onnx': depthAnythingMetricModel(),
      });
      const da = createDepthAnything(ctx);
      results.depthAnything = await measure(async () => (await da.run(image)).timings);
    }
    {
      const ctx = ctxFor('metric3d-vit-small', { 'onnx/model.onnx': metric3dModel() });
      const m3d = createMetric3d(ctx);
      results.metric3dWithNormals = await measure(async () => (await m3d.run(image)).timings);
    }

    // GeoCalib: constant fields at 416×320, then the least-squares fit (focal free).
    {
      const plane = 416 * 320;
      const up = new Float32Array(2 * plane);
      for (let k = 0; k < plane; k++) up[plane + k] = -1;
      const ctx = ctxFor('geocalib-fields', {
        'model.onnx': geocalibModel({
          width: 416,
          height: 320,
          up,
          latitude: new Float32Array(plane),
        }),
      });
      const geo = createGeoCalib(ctx);
      results.geocalibFit = await measure(
        async () => (await calibrate(image, { geocalib: geo })).timings,
      );
    }
    keep(byMethod[method]!, results);
  }
results.adapters640x480 = summarise(byMethod);

// A 12-megapixel-class photo (1920×1440 here, to spare the CPU): the JS resampler, libvips
// shrinking and the resize graphs, for the adapters whose input is smaller than it.
{
  const BW = 1920;
  const BH = 1440;
  const big = new Uint8Array(BW * BH * 3);
  for (let p = 0; p < BW * BH; p++) big.set([p % 251, (p >> 3) % 253, (p >> 7) % 255], p * 3);
  const bigImage = { data: big, width: BW, height: BH };
  const large: Record<string, Record<string, Samples>> = { exact: {}, libvips: {}, graph: {} };
  for (let r = 0; r < ROUNDS; r++)
    for (const method of ['exact', 'libvips', 'graph'] as const) {
      resize = method;
      const results: Record<string, Samples> = {};
      const da = createDepthAnything(
        ctxFor('depth-anything-v2-metric-indoor-small', {
          'onnx/model.onnx': depthAnythingMetricModel(),
        }),
      );
      results.depthAnything = await measure(async () => (await da.run(bigImage)).timings);
      const sam = createSam(
        ctxFor('sam-vit-b', {
          'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
          'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
        }),
      );
      results.samNewImage1Box = await measure(
        async (i) =>
          (
            await sam.run(bigImage, {
              boxes: [[100, 100, 900, 700]],
              imageKey: `big-${method}-${r}-${i}`,
            })
          ).timings,
      );
      keep(large[method]!, results);
    }
  results.input1920x1440 = summarise(large);
}
await pool.release();
removeTempDirs();

// The two resize steps of Depth Anything alone: the JS resampler before this change (read with
// `git show`), the JS resampler now, and the resize graphs on the CPU provider.
const BASELINE = (() => {
  const i = args.indexOf('--baseline');
  return i >= 0 ? args[i + 1]! : '0caa0a2';
})();
async function resampleComparison() {
  let baseline: typeof import('../native-models/adapters/resample') | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'sqw-resample-'));
  try {
    const src = execFileSync('git', ['show', `${BASELINE}:native-models/adapters/resample.ts`], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'resample-baseline.mts'), src);
    baseline = await import(pathToFileURL(join(dir, 'resample-baseline.mts')).href);
  } catch {
    baseline = null;
  }
  const graphPool = new SessionPool();
  const graph = new GraphResizer(graphPool, 'cpu');
  const norm = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const depth = new Float32Array(686 * 518).map((_, i) => i % 97);
  const time = async (f: () => unknown) => {
    const xs: number[] = [];
    for (let r = 0; r < RUNS + 2; r++) {
      const t = performance.now();
      await f();
      if (r >= 2) xs.push(performance.now() - t);
    }
    return round(median(xs));
  };
  const out: Record<string, unknown> = { baseline: baseline ? BASELINE : null };
  for (const [w, h] of [
    [640, 480],
    [1920, 1440],
  ] as const) {
    const img = new Uint8Array(w * h * 3).map((_, i) => (i * 31) % 256);
    out[`${w}x${h}`] = {
      bicubicTo686x518: {
        baseline: baseline
          ? await time(() => baseline!.resizeToChw(img, w, h, 3, 686, 518, 'bicubic', norm))
          : null,
        js: await time(() => resizeToChw(img, w, h, 3, 686, 518, 'bicubic', norm)),
        graph: await time(() => graph.chw(img, w, h, 3, 686, 518, 'bicubic', norm)),
      },
      depthBackFrom686x518: {
        baseline: baseline ? await time(() => baseline!.resizePlane(depth, 686, 518, w, h)) : null,
        js: await time(() => resizePlane(depth, 686, 518, w, h)),
        graph: await time(() => graph.planes(depth, 1, 686, 518, w, h)),
      },
    };
  }
  out.graphFallbacks = Object.fromEntries(graph.fallbacks);
  await graphPool.release();
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
      threadsSpin: SPIN,
      medians: results,
    },
    null,
    2,
  ),
);
