// Queue overhead of team-mode workers: N images through the PostgreSQL queue (pg-boss) with the
// no-op stage, 1 → W `sqw worker` processes on a throwaway cluster on this machine. Times from the
// first stored result to the last (process start-up excluded) and sums the CPU the PostgreSQL
// server processes used meanwhile (/proc). Prints a Markdown table.
// Usage: node bin/run-ts.mjs bench/queue-bench.ts [--images 2000] [--workers 1,2,4] [--batch 16]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { ImageQueue } from '../db/queue/image-queue';
import { startTestCluster } from '../db/postgres/test-cluster';
import { openPostgresProject } from '../db/store/connect';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const IMAGES = Number(arg('images', '2000'));
const WORKERS = arg('workers', '1,2,4').split(',').map(Number);
const BATCH = arg('batch', '16');
const TICK = 100; // USER_HZ on Linux

/** CPU seconds of the cluster's server processes (postmaster and its children) so far. */
function serverCpuSeconds(postmasterPid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      if (Number(pid) === postmasterPid || ppid === postmasterPid)
        ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // process ended meanwhile
    }
  }
  return ticks / TICK;
}

async function seed(url: string, n: number): Promise<number[]> {
  const project = await openPostgresProject(url);
  const batch = await project.db
    .insertInto('batches')
    .values({
      source_folder: '/bench',
      depth_folder: null,
      depth_encoding: null,
      intrinsics_json: null,
      created_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: number[] = [];
  for (let i = 0; i < n; i += 500) {
    const rows = Array.from({ length: Math.min(500, n - i) }, (_, k) => ({
      batch_id: batch.id,
      source_path: `/bench/${i + k}.jpg`,
      rel_path: `${i + k}.jpg`,
      file_name: `${i + k}.jpg`,
      sha256: `sha-${i + k}`,
      bytes: 1,
      format: 'jpeg',
      width: 1,
      height: 1,
      fx: 1,
      fy: 1,
      cx: 0,
      cy: 0,
      intrinsics_source: 'given',
      exif_json: null,
      upright_blob: null,
      thumb_blob: `t/${i + k}.jpg`,
      depth_blob: null,
      depth_preview_blob: null,
      depth_json: null,
      created_at: new Date().toISOString(),
    }));
    const got = await project.db.insertInto('images').values(rows).returning('id').execute();
    ids.push(...got.map((r) => r.id));
  }
  await project.close();
  return ids;
}

async function runOnce(cluster: ReturnType<typeof startTestCluster>, workers: number) {
  const url = await cluster.createDatabase(`bench_w${workers}_${Date.now()}`);
  const ids = await seed(url, IMAGES);
  const queue = await ImageQueue.open(url, { leaseSeconds: 60, supervise: false });
  await queue.enqueue('bench', ids, ['noop']);
  await queue.close();
  const postmaster = Number(
    readFileSync(
      `${decodeURIComponent(new URL(cluster.url).searchParams.get('host')!)}/data/postmaster.pid`,
      'utf8',
    ).split('\n')[0],
  );
  const children = Array.from({ length: workers }, () =>
    spawn(
      process.execPath,
      [
        resolve(ROOT, 'bin/sqw.mjs'),
        'worker',
        '--database',
        url,
        '--blobs',
        '/tmp',
        '--batch',
        BATCH,
        '--exit-when-idle',
      ],
      { cwd: ROOT, stdio: 'ignore' },
    ),
  );
  const exited = Promise.all(children.map((c) => new Promise((r) => c.on('exit', r))));
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const count = async () =>
    (await db.query('SELECT COUNT(*)::int AS n FROM stage_runs')).rows[0].n as number;
  let first = 0;
  let t0 = 0;
  let cpu0 = 0;
  for (;;) {
    const n = await count();
    if (n > 0 && !t0) {
      t0 = performance.now();
      first = n;
      cpu0 = serverCpuSeconds(postmaster);
    }
    if (n >= IMAGES) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = serverCpuSeconds(postmaster) - cpu0;
  await db.end();
  await exited;
  const rate = (IMAGES - first) / seconds;
  return { workers, seconds, rate, serverCpu: cpu, serverShare: cpu / seconds };
}

async function main() {
  const cluster = startTestCluster();
  try {
    const rows = [];
    for (const w of WORKERS) {
      const r = await runOnce(cluster, w);
      rows.push(r);
      console.error(`${w} workers: ${r.rate.toFixed(0)} images/s`);
    }
    console.log(
      `Command: \`node bin/run-ts.mjs bench/queue-bench.ts --images ${IMAGES} --workers ${WORKERS.join(',')} --batch ${BATCH}\``,
    );
    console.log(
      `Machine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL from ${process.env.SQW_PG_BIN ?? 'Debian'}`,
    );
    console.log(`Date: ${new Date().toISOString()}\n`);
    console.log(
      '| worker processes | images/s (no-op stage) | seconds | PostgreSQL CPU s | PostgreSQL CPU, cores busy |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of rows)
      console.log(
        `| ${r.workers} | ${r.rate.toFixed(0)} | ${r.seconds.toFixed(1)} | ${r.serverCpu.toFixed(1)} | ${r.serverShare.toFixed(2)} |`,
      );
  } finally {
    cluster.stop();
  }
}

await main();
