// Distributed workers as a team runs them: separate `sqw worker` processes on one PostgreSQL
// queue, two of them killed mid-run; every image is still done, and stored exactly once.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import {
  imageJobsByState,
  stageRunCount,
  stageRunsPerImage,
} from '../../db/store/testing/team-rows';
import { tempDir } from '../test/helpers';
import { teamProject } from './testing/image-rows';

const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');
const IMAGES = 240;
const sqw = async (args: string[]) =>
  (await promisify(execFile)(process.execPath, [SQW, ...args], { cwd: ROOT })).stdout;

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
      '4',
      '--simulate-ms',
      '40',
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

describe.skipIf(postgres.skipReason)('sqw worker on a PostgreSQL queue', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  beforeAll(async () => {
    dir = tempDir();
    url = await postgres.cluster().createDatabase();
  });
  afterAll(() => dir.remove());

  it('two of four workers killed mid-run: every image done, each result stored once', async () => {
    const ids = await teamProject(url, IMAGES);
    // A short lease so the killed workers' claims come back within the test.
    const queued = JSON.parse(
      await sqw([
        'queue',
        'enqueue',
        '--database',
        url,
        '--lease-seconds',
        '2',
        '--retries',
        '5',
        '--json',
      ]),
    );
    expect(queued).toMatchObject({ images: IMAGES, stages: ['noop'] });

    const workers = Array.from({ length: 4 }, () => startWorker(url, dir.path));
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const stored = () => stageRunCount(db);
      const deadline = Date.now() + 60_000;
      while ((await stored()) < IMAGES / 4 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const atKill = await stored();
      expect(atKill).toBeLessThan(IMAGES); // killed mid-run, not after
      workers[0]!.child.kill('SIGKILL');
      workers[1]!.child.kill('SIGKILL');

      const survivors = await Promise.all([workers[2]!.done, workers[3]!.done]);
      for (const s of survivors) expect(s).toMatch(/^0: /);

      const rows = await stageRunsPerImage(db, 'noop');
      expect(rows.map((r) => r.image_id)).toEqual(ids);
      expect(rows.every((r) => r.n === 1 && r.status === 'done')).toBe(true);

      const jobs = await imageJobsByState(db);
      expect(jobs.map((j) => [j.state, j.n])).toEqual([['completed', IMAGES]]);
      // The killed workers held claimed jobs: those came back by lease expiry and were redone.
      expect(jobs[0]!.retried).toBeGreaterThan(0);
      expect(JSON.parse(await sqw(['queue', 'status', '--database', url, '--json']))).toEqual({
        waiting: 0,
        active: 0,
        completed: IMAGES,
        failed: 0,
      });
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await db.end();
    }
  }, 120_000);
});
