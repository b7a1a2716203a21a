// Pipeline benchmark (CPU, small models):
//  A. N synthetic 320x240 frames with sensor depth and 3 COCO boxes each: all stages (model stages
//     without a model say so; segment/lift/graph/qa do the work), CPU stages inline (workers 0) and
//     in the worker pool; images/s, orchestration overhead = wall time vs the sum of stage times.
//  B. M frames without depth: the depth stage runs the Depth Anything adapter on a generated model
//     (CPU) in the inference lane, then the CPU stages; images/s and the lane's busy share.
//  C. A 100k-image project (image rows cloned from one frame, no boxes, so every stage is a quick
//     skip): the run streams 100k job items page by page; peak RSS vs a 1k-image run of the same.
//   node bin/run-ts.mjs bench/pipeline-bench.ts [--images 1000] [--model-images 100] [--huge 100000]
//       [--runs 3] [--only a,b,c] [--no-write]
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ProjectStore } from '../db/project-store';
import { stageTimes } from '../db/store/testing/desktop-rows';
import { importCocoFile } from '../engine/annotations/coco-import';
import { importBatch } from '../engine/import/index';
import { CatalogStore } from '../db/store/catalog-store';
import { sqliteHandle } from '../db/store/connect';
import { defaultPoolSize } from '../engine/pipeline/cpu-pool';
import type { RunSummary } from '../engine/pipeline/run';
import { runJob } from '../engine/pipeline/testing/run-job';
import { writeSyntheticBatch } from '../engine/pipeline/testing/synthetic-batch';
import { installTinyDepthModel } from '../engine/pipeline/testing/tiny-models';

const args = process.argv.slice(2);
function flag(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number >= 0`);
  return Math.floor(v);
}
const IMAGES = flag('images', 1000);
const MODEL_IMAGES = flag('model-images', 100);
const HUGE = flag('huge', 100_000);
const RUNS = Math.max(1, flag('runs', 3));
const WRITE = !args.includes('--no-write');
const onlyAt = args.indexOf('--only');
/** Phases to run (a, b, c); a partial run never overwrites the results file. */
const PHASES = new Set((onlyAt >= 0 ? (args[onlyAt + 1] ?? '') : 'a,b,c').split(','));
const WORK = resolve('bench/.work/pipeline');
/**
 * B's configurations, alternated within each round: label, models in the owning thread, max batch,
 * how the adapter resizes (SQW_RESIZE: the resize graphs by default, or the JS resampler).
 */
/** label, models in the owning thread, most images per call, resizing, inference threads. */
const B_CONFIGS: Array<[string, boolean, number, 'graph' | 'exact', number]> = [
  ['models in the owning thread', true, 4, 'graph', 1],
  ['inference worker, one image per call', false, 1, 'graph', 1],
  ['inference worker, up to 4 images per call', false, 4, 'graph', 1],
  ['inference worker, up to 4 per call, JS resampler', false, 4, 'exact', 1],
  ['two inference threads, one image per call', false, 1, 'graph', 2],
];
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** Peak RSS while `fn` runs, sampled every 50 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(t);
  }
}

function stageSum(
  store: ProjectStore,
  jobId: string,
): { total: number; by: Record<string, number> } {
  const rows = stageTimes(store.db, jobId).map((r) => ({ stage: r.stage, ms: r.totalMs }));
  const by = Object.fromEntries(rows.map((r) => [r.stage, r.ms]));
  return { total: rows.reduce((a, r) => a + r.ms, 0), by };
}

interface Measured {
  label: string;
  workers: number;
  seconds: number;
  imagesPerSecond: number;
  stageMs: number;
  overheadPct: number;
  peakMiB: number;
  inferenceBusyPct: number | null;
  /** Mean images per depth-model call (batched stages only). */
  meanBatch: number | null;
  by: Record<string, number>;
}

async function measure(
  label: string,
  store: ProjectStore,
  images: number,
  workers: number,
  env: {
    modelsDir?: string;
    inferenceInThread?: boolean;
    maxBatch?: number;
    inferenceThreads?: number;
  } = {},
  /** Threads doing stage work besides the CPU workers (the inference worker in B). */
  extraThreads = 0,
): Promise<Measured> {
  const t0 = performance.now();
  const { value, peakMiB } = await withPeakRss(() => runJob(store, {}, { workers, ...env }));
  const seconds = (performance.now() - t0) / 1000;
  const summary: RunSummary = value.summary;
  if (value.job.status !== 'done') throw new Error(`${label}: job ended ${value.job.status}`);
  const sum = stageSum(store, value.job.id);
  const wallMs = summary.elapsedMs ?? seconds * 1000;
  // Serial (inline) runs: everything not inside a stage is orchestration. Pooled runs overlap the
  // stages with the owning thread's writes, so the same ratio is reported per worker.
  const capacity = wallMs * (Math.max(1, workers) + extraThreads);
  return {
    label,
    workers,
    seconds,
    imagesPerSecond: images / seconds,
    stageMs: sum.total,
    overheadPct: ((capacity - sum.total) / capacity) * 100,
    peakMiB,
    inferenceBusyPct: summary.inferenceBusyMs ? (summary.inferenceBusyMs / wallMs) * 100 : null,
    meanBatch: summary.batches?.depth?.length
      ? summary.batches.depth.reduce((a, b) => a + b, 0) / summary.batches.depth.length
      : null,
    by: sum.by,
  };
}

async function main(): Promise<void> {
  const noModels = join(WORK, 'no-models');
  mkdirSync(noModels, { recursive: true });
  const poolSize = defaultPoolSize();
  const results: Measured[] = [];

  // C first, in a fresh process: RSS never shrinks, so A and B would hide what C needs.
  // C. 100k image rows: streaming and memory
  let huge: { small: Measured; big: Measured } | null = null;
  if (HUGE > 0 && PHASES.has('c')) {
    console.error(`C: cloning ${HUGE} image rows…`);
    const sc = ProjectStore.openOrCreate(join(WORK, 'project-c'));
    const one = ProjectStore.openOrCreate(join(WORK, 'project-c1'));
    const seedBatch = await writeSyntheticBatch(join(WORK, 'batch-c'), {
      count: 1,
      width: 320,
      height: 240,
    });
    for (const s of [sc, one])
      await importBatch(s, {
        folder: seedBatch.colorDir,
        depthFolder: seedBatch.depthDir,
        intrinsics: seedBatch.intrinsics,
      });
    const clone = async (s: ProjectStore, n: number) => {
      const src = (await new CatalogStore(sqliteHandle(s.db)).image(1))!;
      await sqliteHandle(s.db)
        .transaction()
        .execute(async (trx) => {
          const catalog = new CatalogStore(trx);
          for (let i = 1; i < n; i++)
            await catalog.insertImage({
              batchId: src.batchId,
              sourcePath: src.sourcePath,
              relPath: `clone/${i}.png`,
              fileName: `${i}.png`,
              sha256: randomBytes(32).toString('hex'),
              bytes: src.bytes,
              format: src.format,
              width: src.width,
              height: src.height,
              orientation: src.orientation,
              exif: null,
              intrinsics: {
                fx: src.fx,
                fy: src.fy,
                cx: src.cx,
                cy: src.cy,
                source: src.intrinsicsSource,
              },
              uprightBlob: src.uprightBlob,
              thumbBlob: src.thumbBlob,
              depthBlob: src.depthBlob,
              depthPreviewBlob: src.depthPreviewBlob,
              depth: src.depthJson ? (JSON.parse(src.depthJson) as Record<string, unknown>) : null,
            });
        });
    };
    await clone(one, 1000);
    await clone(sc, HUGE);
    const small = await measure('C 1k rows', one, 1000, poolSize, { modelsDir: noModels });
    const big = await measure(`C ${HUGE} rows`, sc, HUGE, poolSize, { modelsDir: noModels });
    console.error(
      `  1k: peak ${small.peakMiB.toFixed(0)} MiB; ${HUGE}: peak ${big.peakMiB.toFixed(0)} MiB, ${big.imagesPerSecond.toFixed(0)} img/s`,
    );
    huge = { small, big };
    sc.close();
    one.close();
  }

  // A. sensor depth + boxes
  if (PHASES.has('a')) {
    console.error(`A: generating and importing ${IMAGES} frames…`);
    const batch = await writeSyntheticBatch(join(WORK, 'batch'), {
      count: IMAGES,
      width: 320,
      height: 240,
    });
    const store = ProjectStore.openOrCreate(join(WORK, 'project-a'));
    await importBatch(store, {
      folder: batch.colorDir,
      depthFolder: batch.depthDir,
      intrinsics: batch.intrinsics,
    });
    await importCocoFile(store, batch.cocoFile);
    for (let r = 0; r < RUNS; r++) {
      for (const workers of [0, poolSize]) {
        const m = await measure(`A ${IMAGES} frames`, store, IMAGES, workers, {
          modelsDir: noModels,
        });
        console.error(
          `  run ${r + 1} workers ${workers}: ${m.imagesPerSecond.toFixed(1)} img/s, overhead ${m.overheadPct.toFixed(1)}%, peak ${m.peakMiB.toFixed(0)} MiB`,
        );
        results.push(m);
      }
    }
    store.close();
  }

  // B. depth model in the inference lane
  const modelRuns: Measured[] = [];
  if (MODEL_IMAGES > 0 && PHASES.has('b')) {
    console.error(`B: ${MODEL_IMAGES} frames without depth, tiny Depth Anything on CPU…`);
    const models = join(WORK, 'models');
    installTinyDepthModel(models);
    const mb = await writeSyntheticBatch(join(WORK, 'batch-b'), {
      count: MODEL_IMAGES,
      width: 320,
      height: 240,
      seed: 11,
    });
    const sb = ProjectStore.openOrCreate(join(WORK, 'project-b'));
    await importBatch(sb, { folder: mb.colorDir, intrinsics: mb.intrinsics });
    await importCocoFile(sb, mb.cocoFile);
    for (let r = 0; r < RUNS; r++) {
      for (const [label, inThread, maxBatch, resize, threads] of B_CONFIGS) {
        process.env.SQW_RESIZE = resize; // read when the run's models are resolved
        const m = await measure(
          label,
          sb,
          MODEL_IMAGES,
          poolSize,
          { modelsDir: models, inferenceInThread: inThread, maxBatch, inferenceThreads: threads },
          threads,
        );
        console.error(
          `  run ${r + 1} ${m.label}: ${m.imagesPerSecond.toFixed(1)} img/s, lane busy ${m.inferenceBusyPct?.toFixed(0)}%, ${m.meanBatch?.toFixed(2) ?? '-'} images per depth call`,
        );
        modelRuns.push(m);
      }
    }
    sb.close();
  }

  const report = renderReport(results, modelRuns, huge, poolSize);
  if (WRITE && PHASES.size === 3) writeFileSync(resolve('bench/PIPELINE-RESULTS.md'), report);
  console.log(report);
  rmSync(WORK, { recursive: true, force: true });
}

function renderReport(
  a: Measured[],
  b: Measured[],
  c: { small: Measured; big: Measured } | null,
  poolSize: number,
): string {
  const row = (label: string, ms: Measured[]) => {
    const by = ms[0]!.by;
    return `| ${label} | ${median(ms.map((m) => m.imagesPerSecond)).toFixed(1)} | ${median(ms.map((m) => m.overheadPct)).toFixed(1)} % | ${median(ms.map((m) => m.peakMiB)).toFixed(0)} | ${Object.entries(
      by,
    )
      .map(([k, v]) => `${k} ${(v / ms[0]!.imagesPerSecond / ms[0]!.seconds).toFixed(1)}`)
      .join(', ')} |`;
  };
  const inline = a.filter((m) => m.workers === 0);
  const pooled = a.filter((m) => m.workers !== 0);
  const lines = [
    '# Pipeline benchmark',
    '',
    `Command: \`node bin/run-ts.mjs bench/pipeline-bench.ts --images ${IMAGES} --model-images ${MODEL_IMAGES} --huge ${HUGE} --runs ${RUNS}\``,
    '',
    `Machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}. ` +
      `Load average at the end: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(
          ', ',
        )} (other users of the machine make absolute numbers noisy; compare rows of one run).`,
    `Date: ${new Date().toISOString()}. CPU only; no GPU machine was used in this session (no GPU numbers).`,
    '',
    `Worker pool: ${poolSize} thread(s) (cores − 1, at most 4). Medians of ${RUNS} runs.`,
    '',
  ];
  if (a.length) {
    lines.push(
      '## A. Sensor depth + COCO boxes, all stages',
      '',
      `${IMAGES} synthetic 320×240 frames (floor, wall, 3 boxes), sensor depth (mm PNG), given intrinsics. Model stages have no model (said once, skipped); segment (depth clusters), lift, graph and QA do the work. Timed: the pipeline job only (import excluded).`,
      '',
      'Orchestration overhead = (wall time × workers − Σ stage times) / (wall time × workers). Stage times are what each stage records in stage_runs.took_ms (decode of the depth map is recorded on lift). Inline (0 workers) it is everything the run does outside the stages: paging, reading objects, the per-image transaction (graph, masks, QA upsert, stage rows, job item), progress.',
      '',
      '| run | images/s | overhead | peak RSS MiB | mean ms per image by stage |',
      '| --- | --- | --- | --- | --- |',
      row(`inline (0 workers)`, inline),
      row(`pool (${poolSize} worker${poolSize === 1 ? '' : 's'})`, pooled),
      '',
    );
  }
  if (b.length) {
    lines.push(
      '## B. Depth model in the inference lane',
      '',
      `${MODEL_IMAGES} synthetic 320×240 frames without depth, each run three times per round (models in the owning thread; the inference worker with one image per model call; the inference worker with up to 4 images per call, which the depth model's export allows; overhead counts the CPU workers + 1 thread for models); the depth stage runs the Depth Anything V2 adapter (518-px DPT preprocessing, bicubic) on a generated model with the real export's input/output names (CPU provider), writes the model depth PNG, then the CPU stages run.`,
      '',
      '| run | images/s | overhead | peak RSS MiB | inference lane busy | images per depth call |',
      '| --- | --- | --- | --- | --- | --- |',
      ...B_CONFIGS.map(([label]) => {
        const ms = b.filter((m) => m.label === label);
        return `| pool (${poolSize}) + ${label} | ${median(ms.map((m) => m.imagesPerSecond)).toFixed(1)} | ${median(ms.map((m) => m.overheadPct)).toFixed(1)} % | ${median(ms.map((m) => m.peakMiB)).toFixed(0)} | ${median(ms.map((m) => m.inferenceBusyPct ?? 0)).toFixed(0)} % of wall time | ${median(ms.map((m) => m.meanBatch ?? 1)).toFixed(2)} |`;
      }),
      '',
    );
  }
  if (c) {
    lines.push(
      '## C. Memory on a 100k-image project',
      '',
      `Image rows cloned from one imported frame (no boxes): every stage is a quick skip, so this measures what grows with the project: the job queue (job_items), paging, per-image stage rows and progress. The CPU stages' working set is bounded by the window of images in flight (pool × 2 + 2), measured in A.`,
      '',
      '| project | images/s | peak RSS MiB |',
      '| --- | --- | --- |',
      `| 1,000 images | ${c.small.imagesPerSecond.toFixed(0)} | ${c.small.peakMiB.toFixed(0)} |`,
      `| ${HUGE.toLocaleString('en')} images | ${c.big.imagesPerSecond.toFixed(0)} | ${c.big.peakMiB.toFixed(0)} |`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

await main();
