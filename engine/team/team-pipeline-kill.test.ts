// Two of four `sqw worker` processes killed while they run the real stages: the run completes,
// the results equal the single-process run's, and no image's results were stored twice.
import { CatalogStore } from '../../db/store/catalog-store';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { openPostgresProject } from '../../db/store/connect';
import { imageJobsByState, stageRunCount, stageRunTotals } from '../../db/store/testing/team-rows';
import { NO_MODELS } from '../pipeline/testing/run-job';
import { tempDir } from '../test/helpers';
import { demoProject, desktopRun, storedResults, WORKER_STAGES } from './testing/team-fixture';

const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');

const postgres = usePostgresCluster();

function startWorker(url: string, blobs: string): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      SQW,
      'worker',
      '--database',
      url,
      '--blobs',
      blobs,
      '--batch',
      '2',
      // As the desktop run it is compared with: no models, whatever this machine has installed.
      '--models-dir',
      NO_MODELS,
      '--device',
      'cpu',
      '--exit-when-idle',
      '--json',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<string>((res) =>
    child.on('exit', (code, sig) => res(`${code ?? sig}: ${out}`)),
  );
  return { child, done };
}

describe.skipIf(postgres.skipReason)('team workers killed mid-run with the real stages', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let images: number;
  let desktop: Awaited<ReturnType<typeof storedResults>>;

  beforeAll(async () => {
    dir = tempDir();
    images = await demoProject(dir.path, 21);
    const folder = join(dir.path, 'project');
    url = await postgres.cluster().createDatabase();
    await copyProject(folder, url, { blobs: join(dir.path, 'blobs') });
    desktop = (await desktopRun(folder)).results;
  }, 30_000);
  afterAll(() => dir?.remove());

  it('completes with the single-process results, each stored once', async () => {
    const queue = await ImageQueue.open(url, { supervise: false, leaseSeconds: 2, retryLimit: 5 });
    const project = await openPostgresProject(url, 2);
    const ids = await new CatalogStore(project.db).imageIds();
    expect(ids).toHaveLength(images);
    await queue.enqueue('run-kill', ids, WORKER_STAGES, '1');
    await queue.close();

    const workers = Array.from({ length: 4 }, () => startWorker(url, join(dir.path, 'blobs')));
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const settled = () => stageRunCount(db, { stage: 'qa' });
      const deadline = Date.now() + 20_000;
      while ((await settled()) < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(await settled()).toBeLessThan(images); // killed mid-run, not after
      workers[0]!.child.kill('SIGKILL');
      workers[1]!.child.kill('SIGKILL');
      for (const s of await Promise.all([workers[2]!.done, workers[3]!.done]))
        expect(s).toMatch(/^0: /);

      const jobs = await imageJobsByState(db);
      expect(jobs.map((j) => [j.state, j.n])).toEqual([['completed', images]]);
      expect(jobs[0]!.retried).toBeGreaterThan(0);
      // One record per (image, stage) by key; every one written by this run, exactly the desktop's.
      const records = await stageRunTotals(db);
      expect(records).toEqual({ n: desktop.reduce((n, i) => n + i.stages.length, 0), runs: 1 });
      expect(await storedResults(project)).toEqual(desktop);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await db.end();
      await project.close();
    }
  }, 60_000);
});
