// Review RPC latency with many reviewers at once (issue 21, team mode): a real `sqw serve --accounts`
// process on loopback, N reviewer accounts (one token each) deciding QA concurrently over HTTP
// (`reviews.decide`, reject/approve alternating so every call writes), each reviewer on its own
// share of the queue, no think time. Prints p50/p90/p99/max per run and the decisions per second;
// bench/TEAM-REVIEW-RESULTS.md records them. (bench/review-rpc-bench.ts times the image view's
// read RPCs through the dispatcher; this one times concurrent writes over the wire.)
//
//   node bin/run-ts.mjs bench/review-team-bench.ts [--reviewers 20] [--decisions 40]
//       [--database sqlite|team-sqlite|postgres] [--also-single]
//
// The database is pluggable: DATABASES maps a name to how a project holding the fixture is made
// and what `sqw serve` is given for it: `sqlite` serves the project folder (`--project`);
// `postgres` copies that folder to a throwaway PostgreSQL cluster (db/postgres/test-cluster.ts,
// `sqw project copy`'s code) and serves it with `--database … --blobs …`; `team-sqlite` serves the
// folder through the same team service as `postgres` (`--database <folder>`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { copyProject } from '../db/copy/project-copy';
import { startTestCluster } from '../db/postgres/test-cluster';
import { ProjectStore } from '../db/project-store';
import { CatalogStore } from '../db/store/catalog-store';
import { openPostgresProject, sqliteHandle } from '../db/store/connect';
import { AccountStore } from '../db/store/access-store';
import { addAccount } from '../engine/access/account-tokens';
import { importCocoFile } from '../engine/annotations/coco-import';
import { importBatch } from '../engine/import/index';
import { rederiveImage } from '../engine/pipeline/rederive-image';
import { FolderBlobStore } from '../engine/team/blob-store';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLES = join(ROOT, 'samples/demo-batch');

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const REVIEWERS = Number(opt('reviewers', '20'));
const DECISIONS = Number(opt('decisions', '40'));
const DATABASE = opt('database', 'sqlite');

interface BenchProject {
  /** What `sqw serve` is told to open. */
  serveArgs: string[];
  /** Tokens of `count` reviewer accounts named reviewer-1 … reviewer-N. */
  tokens: string[];
  cleanup(): void;
}

interface BenchDatabase {
  setUp(reviewers: number): Promise<BenchProject>;
}

/** The SUN RGB-D corridor with its COCO objects, graph and QA, in a new project folder. */
async function fixtureFolder(): Promise<{ dir: string; folder: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sqw-team-bench-'));
  const folder = join(dir, 'p');
  const store = ProjectStore.openOrCreate(folder);
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  const imageId = (await new CatalogStore(sqliteHandle(store.db)).imagesNamed('corridor.jpg'))[0]!
    .id;
  // Graph and QA as a re-derivation stores them (seed '1' on a fresh project).
  await rederiveImage(
    { db: sqliteHandle(store.db), dialect: 'sqlite' },
    new FolderBlobStore(store.blobsDir),
    imageId,
  );
  store.close();
  return { dir, folder };
}

const DATABASES: Record<string, BenchDatabase> = {
  sqlite: {
    async setUp(reviewers) {
      const { dir, folder } = await fixtureFolder();
      const store = ProjectStore.open(folder);
      const accounts = new AccountStore(sqliteHandle(store.db));
      const tokens: string[] = [];
      for (let i = 0; i < reviewers; i++)
        tokens.push((await addAccount(accounts, `reviewer-${i + 1}`, 'reviewer')).token);
      await addAccount(accounts, 'bench-admin', 'admin');
      store.close();
      return {
        serveArgs: ['--project', folder],
        tokens,
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  // The team service and its async stores on the same SQLite file: the same work per decision as
  // `postgres` (no geometry checks, no evidence), so the two compare databases, not code paths.
  'team-sqlite': {
    async setUp(reviewers) {
      const project = await DATABASES.sqlite!.setUp(reviewers);
      const folder = project.serveArgs[1]!;
      return { ...project, serveArgs: ['--database', folder, '--blobs', join(folder, 'blobs')] };
    },
  },
  postgres: {
    async setUp(reviewers) {
      const { dir, folder } = await fixtureFolder();
      const cluster = startTestCluster();
      const url = await cluster.createDatabase();
      const blobs = join(dir, 'shared-blobs');
      await copyProject(folder, url, { blobs });
      const db = await openPostgresProject(url, 1);
      const accounts = new AccountStore(db.db);
      const tokens: string[] = [];
      for (let i = 0; i < reviewers; i++)
        tokens.push((await addAccount(accounts, `reviewer-${i + 1}`, 'reviewer')).token);
      await addAccount(accounts, 'bench-admin', 'admin');
      await db.close();
      return {
        serveArgs: ['--database', url, '--blobs', blobs],
        tokens,
        cleanup: () => {
          cluster.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
};

async function serve(serveArgs: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/sqw.mjs'), 'serve', ...serveArgs, '--accounts', '--json'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (code) => rej(new Error(`sqw serve exited ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

async function rpc<T>(port: number, token: string, method: string, input: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/api/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ method, input }),
  });
  const body = (await res.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error!.message}`);
  return body.result as T;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(port: number, projectId: string, tokens: string[], qaIds: number[]) {
  const latencies: number[] = [];
  let notApplied = 0;
  const t0 = performance.now();
  await Promise.all(
    tokens.map(async (token, r) => {
      // Each reviewer works through its own share of the queue, as claims would hand it out.
      const mine = qaIds.filter((_, i) => i % tokens.length === r);
      for (let k = 0; k < DECISIONS; k++) {
        const qaId = mine[k % mine.length]!;
        const decision = k % 2 === 0 ? 'reject' : 'approve';
        const t = performance.now();
        const out = await rpc<{ applied: boolean }>(port, token, 'reviews.decide', {
          projectId,
          qaId,
          decision,
          reason: decision === 'reject' ? 'bench' : undefined,
          confirmWarnings: true,
          reviewer: 'ignored: the server names the account',
        });
        latencies.push(performance.now() - t);
        if (!out.applied) notApplied++;
      }
    }),
  );
  const wallS = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    reviewers: tokens.length,
    calls: latencies.length,
    notApplied,
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1)!,
    perSecond: latencies.length / wallS,
  };
}

async function main() {
  const database = DATABASES[DATABASE];
  if (!database) throw new Error(`--database: one of ${Object.keys(DATABASES).join(', ')}`);
  const project = await database.setUp(REVIEWERS);
  const { child, port } = await serve(project.serveArgs);
  try {
    const projects = await rpc<Array<{ id: string }>>(
      port,
      project.tokens[0]!,
      'projects.list',
      {},
    );
    const projectId = projects[0]!.id;
    const queue = await rpc<{ items: Array<{ id: number }> }>(
      port,
      project.tokens[0]!,
      'qa.queue',
      {
        projectId,
        limit: 1000,
      },
    );
    const qaIds = queue.items.map((q) => q.id);
    // Warm-up: the server's first calls compile statements and load the graph.
    await measure(port, projectId, project.tokens.slice(0, 1), qaIds);
    const runs = [await measure(port, projectId, project.tokens, qaIds)];
    if (args.includes('--also-single'))
      runs.push(await measure(port, projectId, project.tokens.slice(0, 1), qaIds));
    console.log(
      `database ${DATABASE}; ${qaIds.length} QA facts; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    for (const r of runs)
      console.log(
        `${String(r.reviewers).padStart(2)} reviewer(s): ${r.calls} decisions, p50 ${r.p50.toFixed(1)} ms, p90 ${r.p90.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ${r.perSecond.toFixed(0)} decisions/s (${r.notApplied} not applied: blocked approvals)`,
      );
  } finally {
    child.kill('SIGTERM');
    project.cleanup();
  }
}

await main();
