// The Node half of the GPU-machine measurement (bench/device/run.sh runs it after
// bench/device/export_models.py). For the random-weight full-size exports in --models:
//  1. each ONNX file at batch 1 with the inputs shapes.json gives, on each --device: session
//     creation, median run time, the provider that loaded it;
//  2. the resize graphs on the device: agreement with the JS resampler and time, for Depth Anything's
//     two steps (640×480 → 686×518 bicubic, the depth map back);
//  3. the Depth Anything adapter end to end (pre + infer + post) on the depth export, with the resize
//     graphs and with the JS resampler.
// Here it runs on the CPU with a generated model (`--selftest`), which is how it is tested.
//  4. with --in-flight N, N threads each running a session of each plain export at once: images/s
//     against one thread (sessions in one thread take turns: onnxruntime-node runs synchronously).
//   node bin/run-ts.mjs bench/device-bench.ts --models DIR [--device webgpu,cpu] [--runs 20]
//       [--match REGEX] [--in-flight N] [--out FILE] [--selftest]
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { DepthAnythingAdapter } from '../native-models/adapters/depth-anything';
import { resizePlane, resizeToChw } from '../native-models/adapters/resample';
import { GraphResizer, type ResizeMethod } from '../native-models/adapters/resize-graph';
import { findManifest } from '../native-models/catalogue';
import type { Device } from '../native-models/providers';
import { SessionPool } from '../native-models/session-pool';
import { ModelStore } from '../native-models/store';
import { depthAnythingMetricModel } from '../native-models/testing/test-models';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const SELFTEST = args.includes('--selftest');
const RUNS = Number(opt('runs') ?? 20);
const DEVICES = (opt('device') ?? (SELFTEST ? 'cpu' : 'webgpu,cpu')).split(',') as Device[];
/** Only the files whose name matches (e.g. the plain exports on the slow CPU provider). */
const MATCH = new RegExp(opt('match') ?? '');
/** Also run this many sessions of each plain export at once (the device notes' lever). */
const IN_FLIGHT = Number(opt('in-flight') ?? 1);
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

interface InputSpec {
  dtype: 'float32' | 'int64';
  shape: number[];
}
/** shapes.json: file name → input name → dtype and shape (written by export_models.py). */
type Shapes = Record<string, Record<string, InputSpec>>;

/** The models folder: given, or (self-test) a generated Depth Anything with its shapes. */
function modelsFolder(): { dir: string; shapes: Shapes; cleanup: () => void } {
  const given = opt('models');
  if (given && !SELFTEST) {
    return {
      dir: given,
      shapes: JSON.parse(readFileSync(join(given, 'shapes.json'), 'utf8')) as Shapes,
      cleanup: () => undefined,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sqw-device-bench-'));
  writeFileSync(join(dir, 'depth_anything_v2_small.onnx'), depthAnythingMetricModel());
  const shapes: Shapes = {
    'depth_anything_v2_small.onnx': { pixel_values: { dtype: 'float32', shape: [1, 3, 518, 686] } },
  };
  writeFileSync(join(dir, 'shapes.json'), JSON.stringify(shapes));
  return { dir, shapes, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function feedsFor(spec: Record<string, InputSpec>): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {};
  for (const [name, { dtype, shape }] of Object.entries(spec)) {
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[name] =
      dtype === 'int64'
        ? new ort.Tensor(
            'int64',
            BigInt64Array.from({ length: n }, (_, i) => BigInt(1 + (i % 7))),
            shape,
          )
        : new ort.Tensor(
            'float32',
            Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 255) / 255 - 0.5),
            shape,
          );
  }
  return feeds;
}

/** Session creation and batch-1 run times of one file on one device. */
async function timeFile(file: string, spec: Record<string, InputSpec>, device: Device) {
  const pool = new SessionPool();
  try {
    const t0 = performance.now();
    const { session, provider, report } = await pool.get(basename(file), file, device);
    const createMs = performance.now() - t0;
    const feeds = feedsFor(spec);
    for (let i = 0; i < 3; i++) await session.run(feeds);
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await session.run(feeds);
      ms.push(performance.now() - t);
    }
    const failed = report.attempts.filter((a) => !a.ok).map((a) => `${a.provider}: ${a.error}`);
    return {
      provider,
      createMs: round(createMs),
      medianMs: round(median(ms)),
      minMs: round(Math.min(...ms)),
      failed,
    };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  } finally {
    await pool.release();
  }
}

/**
 * One inference thread: onnxruntime-node runs a session synchronously on its thread's event loop
 * (a 76 ms run let a 1 ms timer tick once: bench/MODELS-RESULTS.md), so sessions "in flight" in
 * one thread take turns. Each of these loads its own session, says ready, runs on "go" and sends
 * its run times. CommonJS evaluated in the worker: require finds onnxruntime-node as this bundle does.
 */
const IN_FLIGHT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require('onnxruntime-node');
(async () => {
  const { file, device, runs, inputs } = workerData;
  const session = await ort.InferenceSession.create(file, {
    executionProviders: [device],
    extra: { session: { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } },
  });
  const feeds = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
  await session.run(feeds);
  parentPort.postMessage({ ready: true });
  parentPort.once('message', async () => {
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      ms.push(performance.now() - t0);
    }
    await session.release();
    parentPort.postMessage({ ms });
  });
})().catch((e) => parentPort.postMessage({ error: String((e && e.message) || e).split('\\n')[0] }));
`;

/** `n` threads, each with its own session of `file`, running RUNS times from the same start. */
async function imagesPerSecond(
  file: string,
  spec: Record<string, InputSpec>,
  device: Device,
  n: number,
): Promise<{ imagesPerSecond: number; medianMs: number }> {
  const inputs = Object.fromEntries(
    Object.entries(feedsFor(spec)).map(([k, t]) => [
      k,
      { dtype: t.type, data: t.data, dims: t.dims },
    ]),
  );
  const workers = Array.from(
    { length: n },
    () =>
      new Worker(IN_FLIGHT_WORKER, {
        eval: true,
        workerData: { file, device, runs: RUNS, inputs },
      }),
  );
  const next = (w: Worker) =>
    new Promise<{ ready?: boolean; ms?: number[]; error?: string }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  try {
    const ready = await Promise.all(workers.map(next));
    const failed = ready.find((r) => r.error);
    if (failed) throw new Error(failed.error);
    const t0 = performance.now();
    const done = Promise.all(workers.map(next));
    for (const w of workers) w.postMessage('go');
    const runs = await done;
    const failedRun = runs.find((r) => r.error);
    if (failedRun) throw new Error(failedRun.error);
    const wall = (performance.now() - t0) / 1000;
    return {
      imagesPerSecond: round((n * RUNS) / wall),
      medianMs: round(median(runs.flatMap((r) => r.ms ?? []))),
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** N inference threads (a session each) against one: images/s each way, same inputs. */
async function timeInFlight(
  file: string,
  spec: Record<string, InputSpec>,
  device: Device,
  n: number,
) {
  try {
    const one = await imagesPerSecond(file, spec, device, 1);
    const many = await imagesPerSecond(file, spec, device, n);
    return {
      threads: n,
      imagesPerSecondOne: one.imagesPerSecond,
      imagesPerSecondAll: many.imagesPerSecond,
      medianRunMsOne: one.medianMs,
      medianRunMsAll: many.medianMs,
    };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  }
}

/** The resize graphs on `device` against the JS resampler, on Depth Anything's two steps. */
async function timeResize(device: Device) {
  const pool = new SessionPool();
  const graph = new GraphResizer(pool, device);
  const W = 640;
  const H = 480;
  const rgb = new Uint8Array(W * H * 3).map((_, i) => (i * 31 + (i >> 9)) % 256);
  const norm = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const depth = new Float32Array(686 * 518).map((_, i) => (i % 997) / 50);
  const time = async (f: () => Promise<unknown> | unknown) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const t = performance.now();
      await f();
      if (i >= 3) ms.push(performance.now() - t);
    }
    return round(median(ms));
  };
  try {
    const got = await graph.chw(rgb, W, H, 3, 686, 518, 'bicubic', norm);
    const want = resizeToChw(rgb, W, H, 3, 686, 518, 'bicubic', norm);
    let diff = 0;
    for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    const timings = {
      maxDiffNormalised: diff,
      chw640To686Ms: {
        graph: await time(() => graph.chw(rgb, W, H, 3, 686, 518, 'bicubic', norm)),
        js: await time(() => resizeToChw(rgb, W, H, 3, 686, 518, 'bicubic', norm)),
      },
      depthBackMs: {
        graph: await time(() => graph.planes(depth, 1, 686, 518, W, H)),
        js: await time(() => resizePlane(depth, 686, 518, W, H)),
      },
    };
    return {
      providers: Object.fromEntries(graph.providers),
      fallbacks: Object.fromEntries(graph.fallbacks),
      ...timings,
    };
  } finally {
    await pool.release();
  }
}

/** The Depth Anything adapter end to end on `file`, installed as the catalogue's indoor model. */
async function timeDepthAdapter(file: string, device: Device, resize: ResizeMethod) {
  const manifest = findManifest('depth-anything-v2-metric-indoor-small');
  const dir = mkdtempSync(join(tmpdir(), 'sqw-device-models-'));
  const store = new ModelStore(dir);
  const path = store.graphPath(manifest);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, readFileSync(file));
  const pool = new SessionPool();
  try {
    const adapter = new DepthAnythingAdapter(manifest, path, pool, device, resize);
    const image = {
      data: new Uint8Array(640 * 480 * 3).map((_, i) => (i * 13 + (i >> 10)) % 256),
      width: 640,
      height: 480,
    };
    const t: { pre: number[]; infer: number[]; post: number[]; total: number[] } = {
      pre: [],
      infer: [],
      post: [],
      total: [],
    };
    let provider = '';
    for (let i = 0; i < RUNS + 3; i++) {
      const t0 = performance.now();
      const r = await adapter.run(image);
      const total = performance.now() - t0;
      provider = r.provider;
      if (i < 3) continue;
      t.pre.push(r.timings.preMs);
      t.infer.push(r.timings.inferMs);
      t.post.push(r.timings.postMs);
      t.total.push(total);
    }
    return {
      provider,
      preMs: round(median(t.pre)),
      inferMs: round(median(t.infer)),
      postMs: round(median(t.post)),
      endToEndMs: round(median(t.total)),
      prePostShareOfInfer: round((median(t.pre) + median(t.post)) / median(t.infer)),
    };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  } finally {
    await pool.release();
    rmSync(dir, { recursive: true, force: true });
  }
}

// No top-level await: the GPU machine runs this as a CommonJS bundle (bench/device/pack-bench.mjs).
async function main(): Promise<void> {
  const { dir, shapes, cleanup } = modelsFolder();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    node: process.version,
    runs: RUNS,
    devices: DEVICES,
    files: {},
    resize: {},
    depthAdapter: {},
    inFlight: {},
  };
  const out = opt('out');
  const save = () => out && writeFileSync(out, JSON.stringify(results, null, 2));
  const files = readdirSync(dir).filter((f) => f.endsWith('.onnx') && shapes[f] && MATCH.test(f));
  for (const device of DEVICES) {
    for (const f of files) {
      log(`${device} ${f}`);
      (results.files as Record<string, unknown>)[`${device} ${f}`] = await timeFile(
        join(dir, f),
        shapes[f]!,
        device,
      );
      save();
    }
    if (IN_FLIGHT > 1) {
      for (const f of files.filter((name) => !name.includes('.opt') && !name.includes('.fp16'))) {
        log(`${device} ${f}: ${IN_FLIGHT} sessions in flight`);
        (results.inFlight as Record<string, unknown>)[`${device} ${f}`] = await timeInFlight(
          join(dir, f),
          shapes[f]!,
          device,
          IN_FLIGHT,
        );
        save();
      }
    }
    log(`${device} resize graphs`);
    (results.resize as Record<string, unknown>)[device] = await timeResize(device);
    save();
    const depth = files.find((f) => f.startsWith('depth_anything') && !f.includes('.fp16'));
    if (depth) {
      for (const resize of ['graph', 'exact'] as const) {
        log(`${device} Depth Anything adapter, ${resize} resize`);
        (results.depthAdapter as Record<string, unknown>)[`${device} ${resize}`] =
          await timeDepthAdapter(join(dir, depth), device, resize);
        save();
      }
    }
  }
  cleanup();
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
