// What the jobs page of a team project costs on a large queue: one run's summary (jobs.get) and
// every run's (jobs.list) over N queued images on a throwaway cluster, half of them completed,
// beside the per-run counts `sqw run` polls every second (ImageQueue.counts), measured in the same
// process on the same data: medians of --repeat calls and their ratio. Then the same N split into
// 10 runs. Prints Markdown.
// Usage: node bin/run-ts.mjs bench/run-control-bench.ts [--images 100000] [--repeat 7]
import { cpus, loadavg } from 'node:os';
import { startTestCluster } from '../db/postgres/test-cluster';
import { ImageQueue } from '../db/queue/image-queue';
import { openPostgresProject } from '../db/store/connect';
import { completeEvenImageJobs } from '../db/store/testing/bench-seed';
import { timedMedian } from './timed-median';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const IMAGES = Number(arg('images', '100000'));
const REPEAT = Number(arg('repeat', '7'));

const median = (fn: () => Promise<unknown>) => timedMedian(fn, REPEAT);

async function main() {
  const cluster = startTestCluster();
  try {
    const lines = [
      `# jobs page on a team queue: ${IMAGES} images`,
      '',
      `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )} at start; \`node bin/run-ts.mjs bench/run-control-bench.ts --images ${IMAGES} --repeat ${REPEAT}\``,
      '',
      '| runs | images per run | jobs.get (run summary) ms | jobs.list (all runs) ms | ImageQueue.counts(run) ms | get / counts |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const runCount of [1, 10]) {
      const url = await cluster.createDatabase();
      const project = await openPostgresProject(url, 2);
      const queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
      try {
        const per = IMAGES / runCount;
        for (let r = 0; r < runCount; r++)
          await queue.enqueue(
            `run-${r}`,
            Array.from({ length: per }, (_, i) => r * per + i + 1),
            ['noop'],
          );
        // Half of each run done, as a run in progress.
        await completeEvenImageJobs(project.db);
        const runs = queue.runs();
        const get = await median(() => runs.get('run-0'));
        const list = await median(() => runs.list());
        const counts = await median(() => queue.counts('run-0'));
        lines.push(
          `| ${runCount} | ${per} | ${get.toFixed(1)} | ${list.toFixed(1)} | ${counts.toFixed(1)} | ${(get / counts).toFixed(2)} |`,
        );
      } finally {
        await queue.close();
        await project.close();
      }
    }
    lines.push(
      '',
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at end`,
    );
    console.log(lines.join('\n'));
  } finally {
    cluster.stop();
  }
}

await main();
