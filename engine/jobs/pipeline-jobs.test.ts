// Pipeline jobs: pause and resume, retry of failed images, per-image errors, a scene filter that
// drops an image, jobs left running by a dead process becoming resumable once their lease expires,
// and one pipeline run per project at a time across processes.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { sqliteHandle } from '../../db/store/connect';
import { JobItemStore } from '../../db/store/job-item-store';
import {
  leaveJobRunningUnderDeadLease,
  qaRowsAndKeys,
  stageRunsPerStage,
} from '../../db/store/testing/desktop-rows';
import { importCocoFile } from '../annotations/coco-import';
import { EventBus } from '../event-bus';
import { importBatch } from '../import/index';
import type { ModelStage, ModelStageResolver } from '../pipeline/model-stage';
import {
  jobStore,
  resumePipelineJob,
  retryFailedPipelineJob,
  startPipelineJob,
  waitForLease,
} from '../pipeline/pipeline-jobs';
import type { RunSummary } from '../pipeline/run';
import { NO_MODELS, tempFolder } from '../pipeline/testing/run-job';
import { writeSyntheticBatch, type SyntheticBatch } from '../pipeline/testing/synthetic-batch';
import { ProjectRegistry } from '../project-registry';
import { JobRunner } from './job-runner';
import { imageNamed, layer } from '../test/layer';

const N = 16;
const SQW = resolve(import.meta.dirname, '../../bin/sqw.mjs');
let dir: ReturnType<typeof tempFolder>;
let batch: SyntheticBatch;

beforeAll(async () => {
  dir = tempFolder();
  batch = await writeSyntheticBatch(join(dir.path, 'batch'), { count: N, width: 64, height: 48 });
});
afterAll(() => dir.remove());

/** A `sqw` command in its own process: another process on the same project. */
function sqw(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [SQW, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SQW_MODELS_DIR: NO_MODELS },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((res) => child.on('exit', (code) => res({ code, out, err })));
}

async function project(name: string): Promise<ProjectStore> {
  const store = ProjectStore.openOrCreate(join(dir.path, name));
  await importBatch(store, {
    folder: batch.colorDir,
    depthFolder: batch.depthDir,
    intrinsics: batch.intrinsics,
  });
  await importCocoFile(store, batch.cocoFile);
  return store;
}

/** A scene filter that takes `ms` per image (so a run can be paused mid-way) and drops `reject`. */
function slowFilter(ms: number, reject: Set<number> = new Set()): ModelStageResolver {
  const filter: ModelStage<'filter'> = {
    stage: 'filter',
    model: { modelId: 'test-filter', checksum: null, params: {} },
    async run({ imageId }) {
      await new Promise((r) => setTimeout(r, ms));
      const keep = !reject.has(imageId);
      return {
        provider: 'cpu',
        output: { keep, score: keep ? 0.9 : 0.1, reason: keep ? 'indoor' : 'outdoor scene' },
      };
    },
  };
  return async (stage) =>
    stage === 'filter' ? { stage: filter } : { missing: `stage ${stage}: none` };
}

const params = {
  stages: ['filter', 'graph', 'qa'] as const,
  onlyPending: false,
  seed: '1',
  device: 'cpu' as const,
};

const jobItems = (store: ProjectStore) => new JobItemStore(sqliteHandle(store.db), 'sqlite');

function qaRowsPerKey(store: ProjectStore): number {
  const r = qaRowsAndKeys(store.db);
  expect(r.n).toBe(r.k);
  return r.n;
}

describe('pipeline jobs', () => {
  it('pauses after the images in flight and resumes where it stopped', async () => {
    const store = await project('p-pause');
    try {
      const events = new EventBus();
      const runner = new JobRunner(events);
      const seen: Array<{ status: string; done: number; stages?: unknown; eta?: number | null }> =
        [];
      let paused = false;
      events.subscribe((e) => {
        if (e.type !== 'job') return;
        seen.push({
          status: e.job.status,
          done: e.job.done,
          stages: e.job.progress?.stages,
          eta: e.job.progress?.etaSeconds,
        });
        if (!paused && e.job.done >= 3) {
          paused = true;
          void runner.pause(store, e.job.id);
        }
      });
      const env = { modelsDir: NO_MODELS, workers: 0, resolver: slowFilter(20) };
      const job = await startPipelineJob(
        runner,
        store,
        { ...params, stages: [...params.stages] },
        env,
      );
      await runner.settled(job.id);
      const items = jobItems(store);
      const atPause = await items.counts(job.id);
      expect((await jobStore(store).get(job.id))!.status).toBe('paused');
      expect(atPause.done).toBeGreaterThanOrEqual(3);
      expect(atPause.pending).toBeGreaterThan(0);
      expect(((await jobStore(store).result(job.id)) as RunSummary).interrupted).toBe(true);
      expect(seen.some((s) => Array.isArray(s.stages))).toBe(true);

      await resumePipelineJob(runner, store, job.id, env);
      await runner.settled(job.id);
      const row = (await jobStore(store).get(job.id))!;
      expect(row).toMatchObject({ status: 'done', total: N, done: N });
      expect(await items.counts(job.id)).toEqual({ pending: 0, done: N, skipped: 0, failed: 0 });
      expect(row.progress!.stages.map((s) => [s.stage, s.done])).toEqual([
        ['filter', N],
        ['graph', N],
        ['qa', N],
      ]);
      const summary = (await jobStore(store).result(job.id)) as RunSummary;
      expect(summary.stages.filter!.done).toBe(N);
      expect(summary.stages.qa!.done).toBe(N);
      // Every image once: one stage row per stage, QA by key without duplicates.
      const perStage = stageRunsPerStage(store.db, job.id);
      expect(perStage).toEqual([
        { stage: 'filter', n: N },
        { stage: 'graph', n: N },
        { stage: 'qa', n: N },
      ]);
      expect(qaRowsPerKey(store)).toBeGreaterThan(N);
      await expect(resumePipelineJob(runner, store, job.id, env)).rejects.toThrow(
        /is done; only paused or interrupted/,
      );
    } finally {
      store.close();
    }
  });

  it('a filtered image skips its later stages; a broken image fails alone and can be retried', async () => {
    const store = await project('p-fail');
    try {
      const runner = new JobRunner(new EventBus());
      const drop = await imageNamed(store, batch.names[2]!);
      const broken = await imageNamed(store, batch.names[5]!);
      const depthFile = join(store.folder, broken!.depthBlob!);
      const good = readFileSync(depthFile);
      copyFileSync(depthFile, `${depthFile}.bak`);
      writeFileSync(depthFile, 'not a png');
      const env = {
        modelsDir: NO_MODELS,
        workers: 0,
        resolver: slowFilter(0, new Set([drop!.id])),
      };
      const job = await startPipelineJob(
        runner,
        store,
        { ...params, stages: [...params.stages] },
        env,
      );
      await runner.settled(job.id);
      const row = (await jobStore(store).get(job.id))!;
      expect(row).toMatchObject({ status: 'done', done: N, failed: 1 });
      const summary = (await jobStore(store).result(job.id)) as RunSummary;
      expect(summary.stages.graph!.skipped).toEqual({
        'filtered out by the scene filter: outdoor scene': 1,
      });
      expect(summary.stages.graph!.failed).toEqual([
        { image: broken!.relPath, reason: expect.stringMatching(/^depth unreadable: /) },
      ]);
      expect(summary.stages.qa!.done).toBe(N - 2);
      const errors = await jobItems(store).errors(job.id, 0, 10);
      expect(errors).toEqual({
        total: 1,
        items: [
          {
            imageId: broken!.id,
            image: broken!.relPath,
            stage: 'graph',
            reason: expect.stringMatching(/^depth unreadable/),
          },
        ],
      });
      expect(await layer(store).scene.graph(drop!.id)).toBeUndefined();

      writeFileSync(depthFile, good);
      await retryFailedPipelineJob(runner, store, job.id, env);
      await runner.settled(job.id);
      expect(await jobStore(store).get(job.id)).toMatchObject({ status: 'done', failed: 0 });
      // The filtered image is settled too: its filter verdict is its result.
      expect(await jobItems(store).counts(job.id)).toEqual({
        pending: 0,
        done: N,
        skipped: 0,
        failed: 0,
      });
      expect((await layer(store).scene.qaPairs(broken!.id)).length).toBeGreaterThan(0);
      await expect(retryFailedPipelineJob(runner, store, job.id, env)).rejects.toThrow(
        /no failed images/,
      );
    } finally {
      store.close();
    }
  });

  it('jobs left running under an expired lease become interrupted when the project opens; a renewed lease keeps its job', async () => {
    const folder = join(dir.path, 'p-stale');
    const store = ProjectStore.openOrCreate(folder);
    const now = Date.now();
    const jobs = jobStore(store);
    await jobs.createRunning(
      { id: 'dead', kind: 'pipeline', params: {} },
      { owner: 'gone', expiresAt: now - 1 },
    );
    await jobs.createRunning(
      { id: 'imp', kind: 'import', params: {} },
      { owner: 'gone', expiresAt: now - 1 },
    );
    await jobs.createRunning(
      { id: 'alive', kind: 'pipeline', params: {} },
      { owner: 'beside', expiresAt: now + 60_000 },
    );
    store.close();
    // The desktop opening the folder (the engine's registry) finds what the dead process left.
    const projects = new ProjectRegistry();
    try {
      const opened = await projects.open(folder);
      const reopened = jobStore(opened);
      expect(await reopened.get('dead')).toMatchObject({
        status: 'interrupted',
        message: expect.stringMatching(/resume/),
      });
      expect((await reopened.get('imp'))!.status).toBe('failed');
      expect((await reopened.get('alive'))!.status).toBe('running');
      const runner = new JobRunner(new EventBus());
      expect((await runner.cancel(opened, 'dead')).status).toBe('cancelled');
    } finally {
      projects.closeAll();
    }
  });

  it('a second run on the project is refused with the running job id; the first counts every image once', async () => {
    const store = await project('p-two');
    // Another process: its own connection and its own runner.
    const other = ProjectStore.open(store.folder);
    try {
      const a = new JobRunner(new EventBus(), { leaseMs: 400 });
      const b = new JobRunner(new EventBus(), { leaseMs: 400 });
      const env = { modelsDir: NO_MODELS, workers: 0, resolver: slowFilter(40) };
      const run = { ...params, stages: [...params.stages] };
      const first = await startPipelineJob(a, store, run, env);
      await expect(startPipelineJob(b, other, run, env)).rejects.toThrow(
        `another pipeline run is in progress on this project: job ${first.id} (`,
      );
      await expect(resumePipelineJob(b, other, first.id, env)).rejects.toThrow(
        `job ${first.id} is running in another process`,
      );
      // Its lease is renewed while it runs: it is alive, not resumable.
      expect(await waitForLease(other, first.id, 20)).toBe(false);
      await a.settled(first.id);
      expect(await jobStore(store).get(first.id)).toMatchObject({
        status: 'done',
        total: N,
        done: N,
      });
      const summary = (await jobStore(store).result(first.id)) as RunSummary;
      expect(summary.stages.filter!.done).toBe(N);
      expect(summary.stages.qa!.done).toBe(N);
      expect(await jobStore(store).list('pipeline')).toHaveLength(1);
      expect(await jobStore(store).lease(first.id)).toBeNull();

      // Once it has finished, the other process may run.
      const second = await startPipelineJob(b, other, run, env);
      await b.settled(second.id);
      expect(await jobStore(other).get(second.id)).toMatchObject({ status: 'done', done: N });
    } finally {
      other.close();
      store.close();
    }
  });

  it('a killed run is resumable once its lease expires, even when its PID now belongs to a live process', async () => {
    const store = await project('p-killed');
    const other = ProjectStore.open(store.folder);
    try {
      const env = { modelsDir: NO_MODELS, workers: 0, resolver: slowFilter(0) };
      const runner = new JobRunner(new EventBus(), { leaseMs: 300 });
      const job = await startPipelineJob(
        runner,
        store,
        { ...params, stages: [...params.stages] },
        env,
      );
      await runner.pause(store, job.id);
      await runner.settled(job.id);
      // What kill -9 leaves: the job 'running' under a lease nobody renews, and an owner PID that
      // the system has since given to another live process (here: our parent).
      leaveJobRunningUnderDeadLease(store.db, job.id, {
        expiresAt: Date.now() + 300,
        ownerPid: process.ppid,
      });
      const resumer = new JobRunner(new EventBus(), { leaseMs: 300 });
      expect(await jobStore(other).markAbandoned()).toBe(0);
      await expect(resumePipelineJob(resumer, other, job.id, env)).rejects.toThrow(
        /is running in another process .* resumable within 1 s of its last heartbeat/,
      );
      const waited = Date.now();
      expect(await waitForLease(other, job.id, 20)).toBe(true);
      expect(Date.now() - waited).toBeLessThan(2000);
      expect(await jobStore(other).markAbandoned()).toBe(1);
      await resumePipelineJob(resumer, other, job.id, env);
      await resumer.settled(job.id);
      expect(await jobStore(other).get(job.id)).toMatchObject({ status: 'done', done: N });
      expect(await jobItems(other).counts(job.id)).toEqual({
        pending: 0,
        done: N,
        skipped: 0,
        failed: 0,
      });
    } finally {
      other.close();
      store.close();
    }
  });

  it('`sqw run` marks a run whose process is gone interrupted when it opens the project, and names it', async () => {
    const store = await project('p-dead-cli');
    try {
      await jobStore(store).createRunning(
        { id: 'dead', kind: 'pipeline', params: { ...params, stages: [...params.stages] } },
        { owner: 'gone', expiresAt: Date.now() - 1 },
      );
      const run = await sqw([
        'run',
        '--project',
        store.folder,
        '--stages',
        'graph,qa',
        '--workers',
        '0',
      ]);
      expect(run.code, run.err).toBe(0);
      expect(run.out + run.err).toContain('note: run dead is interrupted with 0 images left');
      expect(await jobStore(store).get('dead')).toMatchObject({
        status: 'interrupted',
        message: expect.stringMatching(/resume/),
      });
    } finally {
      store.close();
    }
  }, 60_000);

  it('`sqw run` beside a running run exits naming it; `sqw run --resume` does not resume it twice', async () => {
    const store = await project('p-cli');
    try {
      const runner = new JobRunner(new EventBus(), { leaseMs: 1000 });
      const env = { modelsDir: NO_MODELS, workers: 0, resolver: slowFilter(1000) };
      const job = await startPipelineJob(
        runner,
        store,
        { ...params, stages: [...params.stages] },
        env,
      );
      const [started, resumed] = await Promise.all([
        sqw(['run', '--project', store.folder, '--stages', 'graph,qa', '--workers', '0']),
        sqw(['run', '--project', store.folder, '--resume', '--workers', '0']),
      ]);
      expect(started.code).toBe(1);
      expect(started.err).toContain(
        `sqw: another pipeline run is in progress on this project: job ${job.id} (`,
      );
      expect(resumed.code).toBe(1);
      expect(resumed.err).toContain(
        `sqw: run ${job.id} is running in another process; it is not resumed twice`,
      );
      expect((await jobStore(store).get(job.id))!.status).toBe('running');
      await runner.pause(store, job.id);
      await runner.settled(job.id);
      expect(await jobStore(store).list(null)).toHaveLength(1);
    } finally {
      store.close();
    }
  }, 60_000);
});
