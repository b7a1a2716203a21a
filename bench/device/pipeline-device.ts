// The whole pipeline on the GPU machine (issue 6's GPU numbers): synthetic 640×480 frames with
// COCO boxes and no depth, Depth Anything V2 small with random weights at full size (written by
// bench/device/export_models.py) as the depth model on --device, the CPU stages (segment by depth
// clusters, lift, graph, QA) in the worker pool. One run per --threads value (inference threads,
// each with its own copy of the model). Reports images/s over the whole run and after the first
// image (model loading excluded), the inference lane's busy share, and ms per stage; run.sh samples
// GPU utilisation alongside. Bundled by bench/device/pack-pipeline.mjs to run with only node there.
//   node pipeline-device.mjs --depth-model FILE [--images 200] [--device webgpu] [--threads 1,2]
//       [--out FILE]
//   node pipeline-device.mjs --selftest      (the generated tiny depth model on the CPU, here)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectStore } from '../../db/project-store';
import { stageTimes } from '../../db/store/testing/desktop-rows';
import { importCocoFile } from '../../engine/annotations/coco-import';
import { EventBus } from '../../engine/event-bus';
import { importBatch } from '../../engine/import/index';
import { JobRunner, jobStore } from '../../engine/jobs/job-runner';
import { defaultPoolSize } from '../../engine/pipeline/cpu-pool';
import { startPipelineJob } from '../../engine/pipeline/pipeline-jobs';
import type { RunSummary } from '../../engine/pipeline/run';
import { ALL_STAGES } from '../../engine/pipeline/stages';
import { writeSyntheticBatch } from '../../engine/pipeline/testing/synthetic-batch';
import {
  installTinyDepthModel,
  installTinyModel,
  TINY_DEPTH_MODEL,
} from '../../engine/pipeline/testing/tiny-models';
import { findManifest } from '../../native-models/catalogue';
import { parseDevice } from '../../native-models/providers';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const SELFTEST = args.includes('--selftest');
const IMAGES = Number(opt('images') ?? (SELFTEST ? 12 : 200));
const DEVICE = parseDevice(opt('device') ?? (SELFTEST ? 'cpu' : 'webgpu'));
const THREADS = (opt('threads') ?? '1,2').split(',').map(Number);
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'sqw-pipeline-device-'));
  try {
    log(`${IMAGES} synthetic 640×480 frames`);
    const batch = await writeSyntheticBatch(join(work, 'batch'), {
      count: IMAGES,
      width: 640,
      height: 480,
    });
    const modelsDir = join(work, 'models');
    const given = opt('depth-model');
    if (given && !SELFTEST) {
      const file = findManifest(TINY_DEPTH_MODEL).contracts[0]!.file;
      installTinyModel(modelsDir, TINY_DEPTH_MODEL, { [file]: readFileSync(given) });
    } else if (SELFTEST) {
      installTinyDepthModel(modelsDir);
    } else {
      throw new Error('--depth-model FILE is needed (or --selftest)');
    }
    const results: Record<string, unknown> = {
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      node: process.version,
      images: IMAGES,
      device: DEVICE,
      depthModel: given ?? 'generated tiny model',
      cpuWorkers: defaultPoolSize(),
      runs: {},
    };
    for (const threads of THREADS) {
      const store = ProjectStore.openOrCreate(join(work, `project-${threads}`));
      try {
        await importBatch(store, { folder: batch.colorDir });
        await importCocoFile(store, batch.cocoFile);
        log(`run: ${threads} inference thread(s) on ${DEVICE}`);
        (results.runs as Record<string, unknown>)[`${threads} threads`] = await timedRun(
          store,
          modelsDir,
          threads,
        );
      } finally {
        store.close();
      }
      const out = opt('out');
      if (out) writeFileSync(out, JSON.stringify(results, null, 2));
    }
    console.log(JSON.stringify(results, null, 2));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One pipeline job over the project, as `sqw run` starts it, timed from its progress events. */
async function timedRun(store: ProjectStore, modelsDir: string, threads: number) {
  const events = new EventBus();
  const runner = new JobRunner(events);
  let firstAt: number | null = null;
  let firstDone = 0;
  events.subscribe((e) => {
    if (e.type === 'job' && firstAt === null && e.job.done > 0) {
      firstAt = performance.now();
      firstDone = e.job.done;
    }
  });
  const t0 = performance.now();
  const row = await startPipelineJob(
    runner,
    store,
    { stages: [...ALL_STAGES], onlyPending: false, seed: '1', device: DEVICE, labels: [] },
    { modelsDir, workers: defaultPoolSize(), inferenceThreads: threads, maxBatch: 1 },
  );
  await runner.settled(row.id);
  const end = performance.now();
  const jobs = jobStore(store);
  const job = (await jobs.get(row.id))!;
  const summary = (await jobs.result(row.id)) as RunSummary;
  if (job.status !== 'done') throw new Error(`run ended ${job.status}: ${job.message ?? ''}`);
  const stageRows = stageTimes(store.db, row.id).map((r) => ({
    stage: r.stage,
    ms: r.meanMs,
    n: r.n,
  }));
  const elapsed = summary.elapsedMs ?? end - t0;
  return {
    imagesPerSecond: round(IMAGES / ((end - t0) / 1000)),
    imagesPerSecondAfterFirst:
      firstAt !== null && end > firstAt
        ? round((IMAGES - firstDone) / ((end - firstAt) / 1000))
        : null,
    firstImageMs: firstAt !== null ? round(firstAt - t0) : null,
    inferenceBusyPct: summary.inferenceBusyMs
      ? round((summary.inferenceBusyMs / elapsed) * 100)
      : null,
    providers: summary.providers,
    notices: summary.notices,
    inferenceThreadCalls: summary.inferenceThreadCalls ?? null,
    depthDone: summary.stages.depth?.done ?? 0,
    qaDone: summary.stages.qa?.done ?? 0,
    meanStageMs: Object.fromEntries(stageRows.map((r) => [r.stage, round(r.ms)])),
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
