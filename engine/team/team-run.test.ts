// `sqw run` on a team project: the images are queued for the workers, the queue's progress is
// shown until the run is done, followed from the queue's notices (a worker's stored results show
// and end the run long before the slow re-read would), even when the listening connection drops;
// Ctrl-C stops watching and leaves the jobs queued; no listening connection is left behind.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { openPostgresProject } from '../../db/store/connect';
import {
  queueListenerPids,
  runJobLabels,
  terminateBackend,
} from '../../db/store/testing/team-rows';
import type { Output } from '../cli/output';
import { runOnTeamProject } from '../cli/commands/team-run';
import { NO_MODELS } from '../pipeline/testing/run-job';
import { runSqw, tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import { demoProject } from './testing/team-fixture';
import { runWorker } from './worker';

const ROOT = resolve(import.meta.dirname, '../..');
const postgres = usePostgresCluster();

/** Far longer than any wait below: what ends a run within them is a notice, not this re-read. */
const SLOW_REREAD_MS = 60_000;

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves 'ended' when `command` does within `ms`, else 'still following'. */
async function endsWithin(command: Promise<unknown>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((r) => (timer = setTimeout(() => r('still following'), ms)));
  try {
    return await Promise.race([command.then(() => 'ended'), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `sqw run --database` in this process, drawing on a terminal whose lines are kept. */
function runHere(url: string) {
  const drawn: string[] = [];
  const info: string[] = [];
  const results: unknown[] = [];
  const out: Output = {
    json: false,
    result: (_human, machine) => results.push(machine),
    info: (text) => info.push(text),
    progress: () => undefined,
    endProgress: () => undefined,
  };
  const stderr = {
    isTTY: true,
    write(text: string) {
      for (const line of text.split('\r')) {
        const l = line.replace('\x1b[K', '').trim();
        if (l) drawn.push(l);
      }
      return true;
    },
  };
  const command = runOnTeamProject(
    { url, stages: ['qa'], seed: 'notices', rereadMs: SLOW_REREAD_MS, stderr },
    out,
  );
  const runId = () => /as run ([0-9a-f-]+)/.exec(info.join('\n'))?.[1];
  return { command, drawn, results, runId };
}

/** This database's queue listeners (sqw run's, sqw serve's) as PostgreSQL lists them. */
async function listeners(url: string): Promise<number[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await queueListenerPids(db);
  } finally {
    await db.end();
  }
}

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
        expect(await runJobLabels(db, runId)).toEqual([{ labels: ['chair', 'lamp'] }]);
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

  it("follows a worker's stored results from the queue's notices, not a timed re-read", async () => {
    const exitCode = process.exitCode;
    const run = runHere(url);
    const stop = new AbortController();
    let worker: ReturnType<typeof runWorker> | null = null;
    try {
      // The first read, before any worker: everything after it can only be heard.
      await until('the first progress line', () =>
        run.drawn.includes(`0/${images}: ${images} queued, 0 running, 0 done, 0 failed`),
      );
      expect(await listeners(url)).toHaveLength(1);
      let lastStored = 0;
      worker = runWorker({
        url,
        blobs: new FolderBlobStore(join(dir.path, 'blobs')),
        signal: stop.signal,
        poolSize: 2,
        batchSize: 1,
        modelsDir: NO_MODELS,
        onJob: () => (lastStored = Date.now()),
      });
      expect(await endsWithin(run.command, 20_000)).toBe('ended');
      const afterLastStored = Date.now() - lastStored;
      // Within a redraw interval and a read of the last result, not SLOW_REREAD_MS.
      expect(afterLastStored).toBeLessThan(5000);
      expect(run.drawn.at(-1)).toBe(
        `${images}/${images}: 0 queued, 0 running, ${images} done, 0 failed`,
      );
      // Progress only goes forward.
      const done = run.drawn.map((l) => Number(/^(\d+)\//.exec(l)![1]));
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(run.results).toEqual([
        expect.objectContaining({ status: 'done', images, completed: images, failed: 0 }),
      ]);
      expect(process.exitCode).toBe(exitCode);
      // Its listening connection ended with it.
      await until('the listener to end', async () => (await listeners(url)).length === 0, 5000);
    } finally {
      stop.abort();
      if (worker) expect((await worker).failed).toBe(0);
    }
  }, 40_000);

  it('sees the end of a run whose notices were lost while its listener reconnected', async () => {
    const errors: string[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(' '));
    // Opened first: two first opens of a database's queue at once can deadlock in pg-boss.
    const queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    const project = await openPostgresProject(url, 1);
    const run = runHere(url);
    try {
      await until('the first progress line', () =>
        run.drawn.includes(`0/${images}: ${images} queued, 0 running, 0 done, 0 failed`),
      );
      const [pid] = await listeners(url);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await terminateBackend(admin, pid!);
      } finally {
        await admin.end();
      }
      await until('the listener to drop', async () => (await listeners(url)).length === 0);
      // The whole run is claimed and stored while no one listens (it listens again 1 s after).
      const jobs = await queue.claim(images);
      expect(jobs.map((j) => j.data.runId)).toEqual(Array(images).fill(run.runId()));
      await queue.finish(jobs, project.db, async () => undefined);
      expect(await listeners(url)).toEqual([]);
      // Heard of nothing, it reads the counts on listening again and sees the run done.
      expect(await endsWithin(run.command, 10_000)).toBe('ended');
      expect(run.drawn.at(-1)).toBe(
        `${images}/${images}: 0 queued, 0 running, ${images} done, 0 failed`,
      );
      expect(run.results).toEqual([expect.objectContaining({ status: 'done', completed: images })]);
      expect(errors.join('\n')).toContain('listening again');
      await until('the listener to end', async () => (await listeners(url)).length === 0, 5000);
    } finally {
      console.error = log;
      await queue.close();
      await project.close();
    }
  }, 40_000);

  it('ends when an operator cancels the run, told by its notice', async () => {
    // Opened first: two first opens of a database's queue at once can deadlock in pg-boss.
    const queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    const run = runHere(url);
    try {
      await until('the first progress line', () =>
        run.drawn.includes(`0/${images}: ${images} queued, 0 running, 0 done, 0 failed`),
      );
      expect(await queue.runs().cancel(run.runId()!)).toBe(images);
      expect(await endsWithin(run.command, 10_000)).toBe('ended');
      // As a poll saw a cancelled run: nothing waiting or running, nothing done.
      expect(run.drawn.at(-1)).toBe(`0/${images}: 0 queued, 0 running, 0 done, 0 failed`);
      expect(run.results).toEqual([
        expect.objectContaining({ status: 'done', completed: 0, failed: 0 }),
      ]);
    } finally {
      await queue.close();
    }
  }, 30_000);

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
      // Its listening connection ended with it.
      await until('the listener to end', async () => (await listeners(url)).length === 0, 5000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await queue.close();
    }
  }, 30_000);
});
