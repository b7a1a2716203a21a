// What reading 'processing' from the team queue costs the batch view: images.counts, the first
// page of images.list and the 'processing' filter over N images in 10 batches on a throwaway
// cluster, with every image queued in one run and half of them completed (N/2 live jobs), read
// with the stored status alone (as before the queue counted) and with the queue's live jobs
// (CatalogStore pipelineQueue), in the same process on the same data: medians of --repeat calls
// and ratios. With --baseline DIR (a checkout of another tree, e.g. `git archive main`), that
// tree's CatalogStore reads the same data too, the three taking turns call by call.
// Batch 1's images all have completed jobs, batch 2's are all queued.
// Prints Markdown.
// Usage: node bin/run-ts.mjs bench/queue-status-bench.ts [--images 100000] [--repeat 7]
//   [--baseline DIR]
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestCluster } from '../db/postgres/test-cluster';
import { ImageQueue } from '../db/queue/image-queue';
import { CatalogStore } from '../db/store/catalog-store';
import { openPostgresProject } from '../db/store/connect';
import { completeEvenImageJobs, seedTeamImages } from '../db/store/testing/bench-seed';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const IMAGES = Number(arg('images', '100000'));
const REPEAT = Number(arg('repeat', '7'));
const BASELINE = arg('baseline', '');
const BATCHES = 10;

interface Catalog {
  statusCounts: CatalogStore['statusCounts'];
  queryImages: CatalogStore['queryImages'];
}

/** An answer as JSON with its objects' keys sorted (counts come in the order they were read). */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

/** Medians (ms) of each call, the calls taking turns after one warm-up call each. */
async function alternatingMedians(calls: Array<() => Promise<unknown>>): Promise<number[]> {
  for (const call of calls) await call();
  const ms = calls.map(() => [] as number[]);
  for (let r = 0; r < REPEAT; r++)
    for (const [i, call] of calls.entries()) {
      const t0 = performance.now();
      await call();
      ms[i]!.push(performance.now() - t0);
    }
  return ms.map((m) => m.sort((a, b) => a - b)[Math.floor(m.length / 2)]!);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const cluster = startTestCluster();
  try {
    const url = await cluster.createDatabase();
    const project = await openPostgresProject(url, 2);
    const queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    try {
      const now = new Date().toISOString();
      await seedTeamImages(project.db, {
        images: IMAGES,
        batches: BATCHES,
        now,
        everyThirdNeedsReview: true,
        analyze: true,
      });
      const ids = await new CatalogStore(project.db).imageIds();
      await queue.enqueue('run', ids, ['noop']);
      // Half done, as a run in progress.
      await completeEvenImageJobs(project.db, { analyze: true });

      const stored = new CatalogStore(project.db);
      const withQueue = new CatalogStore(project.db, { pipelineQueue: true });
      const baseline: Catalog | undefined = BASELINE
        ? new (
            (await import(pathToFileURL(resolve(BASELINE, 'db/store/catalog-store.ts')).href)) as {
              CatalogStore: new (db: unknown, o: object) => Catalog;
            }
          ).CatalogStore(project.db, { pipelineQueue: true })
        : undefined;
      const page = { offset: 0, limit: 100 };
      const calls: Array<[string, (c: Catalog) => Promise<unknown>]> = [
        ['images.counts (project)', (c) => c.statusCounts({})],
        ['images.counts (batch 1, no live jobs)', (c) => c.statusCounts({ batchId: 1 })],
        ['images.counts (batch 2, all queued)', (c) => c.statusCounts({ batchId: 2 })],
        ['images.list first page (batch 1)', (c) => c.queryImages({ batchId: 1, ...page })],
        ['images.list first page (batch 2)', (c) => c.queryImages({ batchId: 2, ...page })],
        [
          "images.list status 'processing' (batch 1)",
          (c) => c.queryImages({ batchId: 1, status: 'processing', ...page }),
        ],
        [
          "images.list status 'processing' (batch 2)",
          (c) => c.queryImages({ batchId: 2, status: 'processing', ...page }),
        ],
        [
          "images.list status 'pending' (batch 2)",
          (c) => c.queryImages({ batchId: 2, status: 'pending', ...page }),
        ],
      ];
      const command = `node bin/run-ts.mjs bench/queue-status-bench.ts --images ${IMAGES} --repeat ${REPEAT}${BASELINE ? ` --baseline ${BASELINE}` : ''}`;
      const lines = [
        `# 'processing' from the team queue: ${IMAGES} images, ${IMAGES / 2} live jobs`,
        '',
        `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${load()} at start; \`${command}\``,
        '',
        baseline
          ? '| call | stored status ms | baseline with the queue ms | this with the queue ms | baseline / stored | this / stored | this / baseline |'
          : '| call | stored status ms | with the queue ms | ratio |',
        baseline
          ? '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'
          : '| --- | ---: | ---: | ---: |',
      ];
      for (const [name, call] of calls) {
        const trees = [stored, ...(baseline ? [baseline] : []), withQueue];
        const ms = await alternatingMedians(trees.map((c) => () => call(c)));
        const [a, b, c] = ms.map((m) => m.toFixed(1));
        const r = (x: number, y: number) => (x / y).toFixed(2);
        lines.push(
          baseline
            ? `| ${name} | ${a} | ${b} | ${c} | ${r(ms[1]!, ms[0]!)} | ${r(ms[2]!, ms[0]!)} | ${r(ms[2]!, ms[1]!)} |`
            : `| ${name} | ${a} | ${b} | ${r(ms[1]!, ms[0]!)} |`,
        );
      }
      const counts = await withQueue.statusCounts({});
      lines.push('', `counts with the queue: ${JSON.stringify(counts.byStatus)}`);
      if (baseline) {
        // The two trees must agree, or the timings compare different answers.
        for (const [name, call] of calls) {
          const [mine, theirs] = [await call(withQueue), await call(baseline)];
          if (canonical(mine) !== canonical(theirs))
            throw new Error(`${name}: this tree and the baseline answer differently`);
        }
        lines.push('', 'Both trees gave the same answers to every call.');
      }
      lines.push('', `load average ${load()} at end`);
      console.log(lines.join('\n'));
    } finally {
      await queue.close();
      await project.close();
    }
  } finally {
    cluster.stop();
  }
}

await main();
