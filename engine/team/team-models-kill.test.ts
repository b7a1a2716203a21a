// Two of four `sqw worker` processes killed while they run the model stages (detection, model
// masks, model depth with the tiny generated models, CPU) and then segment, lift, graph and QA: the
// run completes, every image's detected objects, masks, depth, graph and stage records equal the
// single-process run's, and nothing was stored twice (one set of detected objects per image, one
// record per image and stage, all from the one run), also by a fifth worker that finishes a job
// after its lease ran out and another worker stored the image.
//
// Detected objects' ids come from the block each image's job carries (reserved as the run was
// queued, db/store/object-id-blocks.ts), so a job retried after its worker was killed, or after its
// lease ran out, takes the same ids: the results equal the desktop's with the ids, and the QA keys
// that hash them, included; each image's QA is also what the QA stage gives for its stored graph.
import { CatalogStore } from '../../db/store/catalog-store';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { openPostgresProject } from '../../db/store/connect';
import {
  imageJobsByState,
  retriedImageJobs,
  stageRunCount,
  stageRunTotals,
} from '../../db/store/testing/team-rows';
import { ALL_STAGES } from '../pipeline/stages';
import { tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import { byRank, qaAgainstGraph } from './testing/results-by-rank';
import { desktopRun, storedResults } from './testing/team-fixture';
import { runWorker } from './worker';
import { colourOnlyProject, installWorkerModels, WORKER_LABELS } from './testing/worker-models';

const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');
const IMAGES = 10;

const postgres = usePostgresCluster();

function startWorker(
  url: string,
  blobs: string,
  models: string,
): { child: ChildProcess; done: Promise<string> } {
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
      '--models-dir',
      models,
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

type Results = Awaited<ReturnType<typeof storedResults>>;

describe.skipIf(postgres.skipReason)('team workers killed mid-run with the model stages', () => {
  let dir: ReturnType<typeof tempDir>;
  let models: string;
  let url: string;
  let blobs: string;
  let folder: string;
  let desktop: Results;

  beforeAll(async () => {
    dir = tempDir();
    models = mkdtempSync(join(tmpdir(), 'sqw-models-'));
    installWorkerModels(models);
    folder = await colourOnlyProject(dir.path, IMAGES);
    url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'blobs');
    await copyProject(folder, url, { blobs });
    const run = await desktopRun(folder, {
      stages: [...ALL_STAGES],
      labels: WORKER_LABELS,
      env: { modelsDir: models },
    });
    expect(run.status).toBe('done');
    desktop = run.results;
  }, 30_000);
  afterAll(() => {
    dir?.remove();
    if (models) rmSync(models, { recursive: true, force: true });
  });

  it('completes with the single-process results, each stored once', async () => {
    const queue = await ImageQueue.open(url, { supervise: false, leaseSeconds: 2, retryLimit: 5 });
    const project = await openPostgresProject(url, 2);
    const ids = await new CatalogStore(project.db).imageIds();
    expect(ids).toHaveLength(IMAGES);
    await queue.enqueue('run-kill', ids, [...ALL_STAGES], '1', WORKER_LABELS);
    await queue.close();

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const settled = (imageId?: number) => stageRunCount(db, { stage: 'qa', imageId });
    // A fifth worker, in this process, holds its first job's results past the job's lease: another
    // worker takes the job over and stores the image; the late attempt must then store nothing.
    let lateImage: number | null = null;
    const lateStored: number[] = [];
    const late = runWorker({
      url,
      blobs: new FolderBlobStore(blobs),
      batchSize: 1,
      exitWhenIdle: true,
      poolSize: 2,
      device: 'cpu',
      modelsDir: models,
      // Finds the expired lease within a second (the others look every 5 s).
      maintenanceSeconds: 1,
      beforeStore: async ([imageId]) => {
        if (lateImage !== null) return;
        lateImage = imageId!;
        const deadline = Date.now() + 20_000;
        while ((await settled(imageId)) === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
      },
      onJob: (imageId, stored) => {
        if (imageId === lateImage) lateStored.push(stored);
      },
    });
    const workers = Array.from({ length: 4 }, () => startWorker(url, blobs, models));
    try {
      const deadline = Date.now() + 20_000;
      while ((await settled()) < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(await settled()).toBeLessThan(IMAGES); // killed mid-run, not after
      workers[0]!.child.kill('SIGKILL');
      workers[1]!.child.kill('SIGKILL');
      for (const s of await Promise.all([workers[2]!.done, workers[3]!.done]))
        expect(s).toMatch(/^0: /);
      expect((await late).failed).toBe(0);
      // Nothing: stored already. (Twice when the late store landed while the job waited for its
      // retry: pg-boss completes only a job in hand, so the retry ran and stored nothing too.)
      expect(lateStored.length).toBeGreaterThan(0);
      expect(lateStored.every((n) => n === 0)).toBe(true);

      const jobs = await imageJobsByState(db);
      expect(jobs.map((j) => [j.state, j.n])).toEqual([['completed', IMAGES]]);
      // The late worker's job and those the killed workers held.
      expect(jobs[0]!.retried).toBeGreaterThan(1);
      // One record per (image, stage), all by this run, as many as the desktop's.
      const records = await stageRunTotals(db);
      expect(records).toEqual({ n: desktop.reduce((n, i) => n + i.stages.length, 0), runs: 1 });

      const team = await storedResults(project);
      // Not a vacuous comparison: every image has model depth, its two detected objects with model
      // masks (once: a second store would add two more), a graph and QA.
      for (const image of team) {
        expect(JSON.parse(image.depth[2]!)).toMatchObject({ source: 'model', width: 96 });
        expect(image.objects.map((o) => [o[1], o[4], o[6]])).toEqual([
          ['chair', 'model', 'model'],
          ['table', 'model', 'model'],
        ]);
        expect(image.graph?.graph).toBeTruthy();
        expect(image.qa.length).toBeGreaterThan(0);
      }
      expect(team.map(byRank)).toEqual(desktop.map(byRank));
      // Ids included: the retried jobs' detected objects took their blocks as the first attempt did.
      expect(team).toEqual(desktop);
      const retried = await retriedImageJobs(db);
      expect(retried.length).toBeGreaterThan(1);
      for (const { image, first } of retried) {
        const objectIds = team[ids.indexOf(image)]!.objects.map((o) => o[0]);
        expect(objectIds).toEqual([first, first + 1]);
      }
      // The model depth files the workers wrote are the desktop's, byte for byte.
      for (const image of team)
        for (const path of [image.depth[0]!, image.depth[1]!])
          expect(readFileSync(join(blobs, path.replace(/^blobs\//, '')))).toEqual(
            readFileSync(join(folder, path)),
          );

      const { stored, derived } = await qaAgainstGraph(project, blobs, ids);
      expect(stored.every((q) => q.length > 0)).toBe(true);
      expect(derived).toEqual(stored);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await late.catch(() => {});
      await db.end();
      await project.close();
    }
  }, 60_000);
});
