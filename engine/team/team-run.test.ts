// `sqw run` on a team project: the images are queued for the workers, the queue's progress is
// shown until the run is done; Ctrl-C stops watching and leaves the jobs queued.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { NO_MODELS } from '../pipeline/testing/run-job';
import { runSqw, tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import { demoProject } from './testing/team-fixture';
import { runWorker } from './worker';

const ROOT = resolve(import.meta.dirname, '../..');
const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('sqw run on a team project', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let images: number;

  beforeAll(async () => {
    dir = tempDir();
    images = await demoProject(dir.path, 1);
    url = await postgres.cluster().createDatabase();
    await copyProject(join(dir.path, 'project'), url, { blobs: join(dir.path, 'blobs') });
  }, 30_000);
  afterAll(() => dir?.remove());

  it('queues the images and shows progress until the workers are done', async () => {
    const stop = new AbortController();
    const worker = runWorker({
      url,
      blobs: new FolderBlobStore(join(dir.path, 'blobs')),
      signal: stop.signal,
      poolSize: 2,
      modelsDir: NO_MODELS,
    });
    try {
      const run = await runSqw(['run', '--database', url, '--labels', 'chair, lamp']);
      expect(run.stderr).toContain(
        'team project: workers run filter, detect, segment, depth, calibrate, lift, graph, qa; filter, detect, segment, depth, calibrate with the models installed where each worker runs (sqw worker --device, --models-dir)',
      );
      expect(run.stderr).toMatch(new RegExp(`queued ${images} images as run `));
      expect(run.stderr).toContain(
        `progress ${images}/${images}: 0 queued, 0 running, ${images} done, 0 failed`,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(`^run [0-9a-f-]+: ${images} images done, 0 failed$`, 'm'),
      );
      // Two of the four demo frames have boxes: their QA is done, the others' skipped.
      expect(run.stdout).toContain('qa: 2 done, 2 skipped');
      // This worker has no models installed: its model stages say so, as a desktop run does.
      expect(run.stdout).toContain(`depth: ${images} skipped`);
      // The run's detection labels go with its jobs, to whichever worker takes them.
      const runId = /^run ([0-9a-f-]+):/m.exec(run.stdout)![1]!;
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const { rows } = await db.query(
          `SELECT DISTINCT data->'labels' AS labels FROM pgboss.job WHERE data->>'runId' = $1`,
          [runId],
        );
        expect(rows).toEqual([{ labels: ['chair', 'lamp'] }]);
      } finally {
        await db.end();
      }
    } finally {
      stop.abort();
      expect((await worker).failed).toBe(0);
    }
  }, 30_000);

  it("refuses desktop-only flags and the workers' device for a team project", async () => {
    const device = await runSqw(['run', '--database', url, '--device', 'cuda']);
    expect(device.code).toBe(2);
    expect(device.stderr).toContain(
      '--device is set per worker on a team project: sqw worker --device',
    );
    const resume = await runSqw(['run', '--project', url, '--resume']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('--resume is for a desktop run');
  }, 20_000);

  it('stops watching on Ctrl-C and leaves the jobs queued', async () => {
    const child = spawn(
      process.execPath,
      [resolve(ROOT, 'bin/sqw.mjs'), 'run', '--database', url, '--stages', 'qa', '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const queue = await ImageQueue.open(url, { supervise: false });
    try {
      // Queued once the queue holds this run's jobs beside the first test's completed ones.
      const deadline = Date.now() + 15_000;
      while ((await queue.counts()).waiting < images && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      expect(await exit).toBe(130);
      const result = JSON.parse(stdout);
      expect(result).toMatchObject({ status: 'watching-stopped', images, stages: ['qa'] });
      expect(await queue.counts(result.runId)).toEqual({
        waiting: images,
        active: 0,
        completed: 0,
        failed: 0,
      });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await queue.close();
    }
  }, 30_000);
});
