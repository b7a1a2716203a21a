// Queue overhead of team-mode workers: N images through the PostgreSQL queue (pg-boss) with the
// no-op stage, 1 → W `sqw worker` processes on a throwaway cluster on this machine. The rate is
// taken from the stored results' own timestamps (first batch to last, process start-up excluded);
// the CPU the PostgreSQL server processes and the worker processes used over the same span comes
// from /proc, without the bench's own polling connection. With --baseline DIR (a `git archive`
// of another commit, node_modules linked), that tree's workers run alternately with this one's
// on the same cluster: medians of --repeat runs and their ratio. Prints Markdown.
// Usage: npm run bench:queue -- [--images 2000] [--workers 1,2,4] [--batch 16] [--repeat 1]
//        [--baseline /tmp/main-tree]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startTestCluster, type TestCluster } from '../db/postgres/test-cluster';
import { CatalogStore } from '../db/store/catalog-store';
import { seedTeamImages } from '../db/store/testing/bench-seed';
import {
  backendPid,
  dropDatabase,
  stageRunCount,
  stageRunSpan,
} from '../db/store/testing/team-rows';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const IMAGES = Number(arg('images', '2000'));
const WORKERS = arg('workers', '1,2,4').split(',').map(Number);
const BATCH = arg('batch', '16');
const REPEAT = Number(arg('repeat', '1'));
const BASELINE = arg('baseline', '');
const TICK = 100; // USER_HZ on Linux

interface Tree {
  name: string;
  dir: string;
}

/** utime, stime, cutime, cstime of a process, in seconds; 0 once it is gone. */
function cpuOf(pid: number): { own: number; reaped: number; ppid: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      own: (Number(f[11]) + Number(f[12])) / TICK,
      reaped: (Number(f[13]) + Number(f[14])) / TICK,
      ppid: Number(f[1]),
    };
  } catch {
    return { own: 0, reaped: 0, ppid: 0 };
  }
}

/**
 * CPU seconds of the cluster's server: the postmaster, its live children (backends, background
 * processes) and its reaped ones (backends that ended), less the bench's own backend.
 */
function serverCpuSeconds(postmaster: number, excluded: number): number {
  const pm = cpuOf(postmaster);
  let total = pm.own + pm.reaped;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === excluded) continue;
    const c = cpuOf(Number(p));
    if (c.ppid === postmaster) total += c.own;
  }
  return total;
}

/**
 * Migrates a fresh database with the tree's own layer (a baseline's schema is its own), then fills
 * it with `n` pending images in one batch; their ids, in id order.
 */
async function seed(tree: Tree, url: string, n: number): Promise<number[]> {
  const { openPostgresProject } = (await import(
    pathToFileURL(join(tree.dir, 'db/store/connect.ts')).href
  )) as typeof import('../db/store/connect');
  const project = await openPostgresProject(url);
  try {
    await seedTeamImages(project.db, { images: n, now: new Date().toISOString() });
    return await new CatalogStore(project.db).imageIds();
  } finally {
    await project.close();
  }
}

async function enqueue(tree: Tree, url: string, ids: number[]) {
  const { ImageQueue } = (await import(
    pathToFileURL(join(tree.dir, 'db/queue/image-queue.ts')).href
  )) as typeof import('../db/queue/image-queue');
  const queue = await ImageQueue.open(url, { leaseSeconds: 600, supervise: false });
  await queue.enqueue('bench', ids, ['noop']);
  await queue.close();
}

interface Run {
  tree: string;
  workers: number;
  rate: number;
  seconds: number;
  /** Results stored while the CPU was measured, and for how long. */
  measured: number;
  measuredSeconds: number;
  serverCpu: number;
  workerCpu: number;
  load: [number, number];
}

async function runOnce(cluster: TestCluster, tree: Tree, workers: number): Promise<Run> {
  const name = `bench_${tree.name}_w${workers}_${Date.now()}`;
  const url = await cluster.createDatabase(name);
  await enqueue(tree, url, await seed(tree, url, IMAGES));
  const host = decodeURIComponent(new URL(cluster.url).searchParams.get('host')!);
  const postmaster = Number(readFileSync(`${host}/data/postmaster.pid`, 'utf8').split('\n')[0]);
  const children = Array.from({ length: workers }, () =>
    spawn(
      process.execPath,
      [
        join(tree.dir, 'bin/sqw.mjs'),
        'worker',
        '--database',
        url,
        '--blobs',
        '/tmp',
        '--batch',
        BATCH,
        '--exit-when-idle',
      ],
      { cwd: tree.dir, stdio: 'ignore' },
    ),
  );
  const exited = Promise.all(children.map((c) => new Promise((r) => c.on('exit', r))));
  // Last seen per worker: one that leaves (after the last result) keeps its count.
  const seen = children.map(() => 0);
  const workerCpu = () =>
    children.reduce((s, c, i) => s + (seen[i] = Math.max(seen[i]!, cpuOf(c.pid!).own)), 0);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const self = await backendPid(db);
  // Polled 4 times a second: an index-only count, its CPU left out of the server's.
  const count = () => stageRunCount(db);
  let start: { server: number; worker: number; n: number; t: number } | null = null;
  const loads: number[] = [];
  for (;;) {
    const n = await count();
    if (n > 0 && !start)
      start = {
        server: serverCpuSeconds(postmaster, self),
        worker: workerCpu(),
        n,
        t: performance.now(),
      };
    if (start) {
      loads.push(loadavg()[0]!);
      workerCpu();
    }
    if (n >= IMAGES) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const serverCpu = serverCpuSeconds(postmaster, self) - start!.server;
  const workerSeconds = workerCpu() - start!.worker;
  const measuredSeconds = (performance.now() - start!.t) / 1000;
  // The results' own timestamps: from the first stored batch to the last.
  const span = await stageRunSpan(db);
  await db.end();
  await exited;
  const pgAdmin = new pg.Client({ connectionString: cluster.url });
  await pgAdmin.connect();
  await dropDatabase(pgAdmin, name);
  await pgAdmin.end();
  const seconds = (Date.parse(span.last) - Date.parse(span.first)) / 1000;
  return {
    tree: tree.name,
    workers,
    seconds,
    rate: span.after_first / seconds,
    measured: IMAGES - start!.n,
    measuredSeconds,
    serverCpu,
    workerCpu: workerSeconds,
    load: [Math.min(...loads), Math.max(...loads)],
  };
}

const msPerImage = (r: Run, cpuSeconds: number) => (1000 * cpuSeconds) / r.measured;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main() {
  const trees: Tree[] = BASELINE
    ? [
        { name: 'baseline', dir: resolve(BASELINE) },
        { name: 'this', dir: ROOT },
      ]
    : [{ name: 'this', dir: ROOT }];
  const cluster = startTestCluster();
  const runs: Run[] = [];
  try {
    for (let rep = 0; rep < REPEAT; rep++)
      for (const w of WORKERS)
        for (const tree of trees) {
          const r = await runOnce(cluster, tree, w);
          runs.push(r);
          console.error(
            `${tree.name} ${w} workers: ${r.rate.toFixed(0)} images/s, load ${r.load[0].toFixed(1)}–${r.load[1].toFixed(1)}`,
          );
        }
  } finally {
    cluster.stop();
  }
  const flags = [
    `--images ${IMAGES}`,
    `--workers ${WORKERS.join(',')}`,
    `--batch ${BATCH}`,
    ...(REPEAT > 1 ? [`--repeat ${REPEAT}`] : []),
    ...(BASELINE ? [`--baseline ${BASELINE}`] : []),
  ].join(' ');
  console.log(`Command: \`npm run bench:queue -- ${flags}\``);
  console.log(
    `Machine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL from ${process.env.SQW_PG_BIN ?? 'Debian'}`,
  );
  console.log(`Date: ${new Date().toISOString()}\n`);
  console.log(
    '| tree | worker processes | images/s | seconds | PostgreSQL CPU s | PostgreSQL cores busy | PostgreSQL CPU ms/image | workers CPU s | workers cores busy | workers CPU ms/image | load average (1 min) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of runs)
    console.log(
      `| ${r.tree} | ${r.workers} | ${r.rate.toFixed(0)} | ${r.seconds.toFixed(1)} | ${r.serverCpu.toFixed(1)} | ${(r.serverCpu / r.measuredSeconds).toFixed(2)} | ${msPerImage(r, r.serverCpu).toFixed(2)} | ${r.workerCpu.toFixed(1)} | ${(r.workerCpu / r.measuredSeconds).toFixed(2)} | ${msPerImage(r, r.workerCpu).toFixed(2)} | ${r.load[0].toFixed(1)}–${r.load[1].toFixed(1)} |`,
    );
  if (!BASELINE) return;
  console.log(`\nMedians of ${REPEAT} runs each, in alternation:\n`);
  console.log(
    '| worker processes | baseline images/s | this images/s | ratio | baseline PostgreSQL ms/image | this PostgreSQL ms/image |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const w of WORKERS) {
    const of = (tree: string) => runs.filter((r) => r.tree === tree && r.workers === w);
    const rate = (tree: string) => median(of(tree).map((r) => r.rate));
    const cost = (tree: string) => median(of(tree).map((r) => msPerImage(r, r.serverCpu)));
    console.log(
      `| ${w} | ${rate('baseline').toFixed(0)} | ${rate('this').toFixed(0)} | ${(rate('this') / rate('baseline')).toFixed(2)} | ${cost('baseline').toFixed(2)} | ${cost('this').toFixed(2)} |`,
    );
  }
}

await main();
