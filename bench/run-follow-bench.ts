// How soon `sqw run --database` sees its run end: the time from the commit of the run's last
// stored result to the command's done line on stderr and to its exit, for this tree's command
// (follows the queue's notices) and a baseline tree's (`git archive main`: polls every second),
// alternating on one throwaway cluster. The bench plays the worker: it claims the run's jobs and
// stores them (no stage results, only the jobs' completion and its notice), after a random wait
// so the last store falls anywhere in a poll interval. Prints Markdown.
// Usage: node bin/run-ts.mjs bench/run-follow-bench.ts --baseline /tmp/main-tree [--images 50]
//        [--repeat 7]
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startTestCluster } from '../db/postgres/test-cluster';
import { ImageQueue } from '../db/queue/image-queue';
import { openPostgresProject, type ProjectDb } from '../db/store/connect';
import { seedTeamImages } from '../db/store/testing/bench-seed';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const IMAGES = Number(arg('images', '50'));
const REPEAT = Number(arg('repeat', '7'));
const BASELINE = arg('baseline', '');
const THIS = resolve(import.meta.dirname, '..');
if (!BASELINE) throw new Error('--baseline <folder of the tree to compare with> is required');

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Trial {
  toDoneLine: number;
  toExit: number;
}

/** One `sqw run --database` of `root`'s tree, its run stored by the bench. */
async function trial(
  root: string,
  url: string,
  queue: ImageQueue,
  project: ProjectDb,
): Promise<Trial> {
  const child = spawn(
    process.execPath,
    [resolve(root, 'bin/sqw.mjs'), 'run', '--database', url, '--stages', 'qa'],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let doneLineAt = 0;
  const doneLine = `progress ${IMAGES}/${IMAGES}:`;
  child.stderr.on('data', (d) => {
    stderr += d;
    if (!doneLineAt && stderr.includes(doneLine)) doneLineAt = performance.now();
  });
  const exit = new Promise<{ code: number | null; at: number }>((res) =>
    child.on('exit', (code) => res({ code, at: performance.now() })),
  );
  const runId = async () => {
    for (;;) {
      const m = /as run ([0-9a-f-]+)/.exec(stderr);
      if (m) return m[1]!;
      if (child.exitCode !== null) throw new Error(`sqw run ended early:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const id = await runId();
  // Anywhere in a poll interval of the baseline.
  await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
  const jobs = await queue.claim(IMAGES);
  if (jobs.length !== IMAGES || jobs.some((j) => j.data.runId !== id))
    throw new Error(`claimed ${jobs.length} jobs, not run ${id}'s ${IMAGES}`);
  // As a worker stores a batch at a time; the last store's commit is what the command must see.
  const half = Math.floor(IMAGES / 2);
  await queue.finish(jobs.slice(0, half), project.db, async () => undefined);
  await new Promise((r) => setTimeout(r, 200));
  await queue.finish(jobs.slice(half), project.db, async () => undefined);
  const lastStored = performance.now();
  const { code, at } = await exit;
  if (code !== 0 || !doneLineAt) throw new Error(`sqw run exited ${code}:\n${stderr}`);
  return { toDoneLine: doneLineAt - lastStored, toExit: at - lastStored };
}

async function main() {
  const cluster = startTestCluster();
  const loadAtStart = load();
  try {
    const url = await cluster.createDatabase();
    const project = await openPostgresProject(url, 2);
    const queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    try {
      const now = new Date().toISOString();
      await seedTeamImages(project.db, { images: IMAGES, now });
      const trees = [
        ['baseline (polls every 1 s)', BASELINE],
        ['this (follows notices)', THIS],
      ] as const;
      const results = new Map<string, Trial[]>(trees.map(([name]) => [name, []]));
      // Alternating, so both see the same load.
      for (let i = 0; i < REPEAT; i++)
        for (const [name, root] of trees)
          results.get(name)!.push(await trial(root, url, queue, project));
      const lines = [
        `# sqw run --database: from the last stored result to the end, ${IMAGES} images`,
        '',
        `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadAtStart} at start; \`node bin/run-ts.mjs bench/run-follow-bench.ts --baseline ${BASELINE} --images ${IMAGES} --repeat ${REPEAT}\``,
        '',
        '| tree | to the done line ms (median) | to exit ms (median) | to exit, each run ms |',
        '| --- | ---: | ---: | --- |',
      ];
      for (const [name] of trees) {
        const r = results.get(name)!;
        lines.push(
          `| ${name} | ${median(r.map((t) => t.toDoneLine)).toFixed(0)} | ${median(r.map((t) => t.toExit)).toFixed(0)} | ${r.map((t) => t.toExit.toFixed(0)).join(', ')} |`,
        );
      }
      const [base, mine] = trees.map(([name]) => results.get(name)!);
      lines.push(
        '',
        `ratio this/baseline: done line ${(median(mine!.map((t) => t.toDoneLine)) / median(base!.map((t) => t.toDoneLine))).toFixed(2)}, exit ${(median(mine!.map((t) => t.toExit)) / median(base!.map((t) => t.toExit))).toFixed(2)}`,
        '',
        `load average ${load()} at end`,
      );
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
