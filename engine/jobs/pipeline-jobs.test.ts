// Pipeline jobs: pause and resume, retry of failed images, per-image errors, a scene filter that
// drops an image, and jobs left running by a dead process becoming resumable.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { JobItemRepository } from '../../db/repositories/job-items';
import { importCocoFile } from '../annotations/coco-import';
import { EventBus } from '../event-bus';
import { importBatch } from '../import/index';
import type { ModelStage, ModelStageResolver } from '../pipeline/model-stage';
import {
  resumePipelineJob,
  retryFailedPipelineJob,
  startPipelineJob,
} from '../pipeline/pipeline-jobs';
import type { RunSummary } from '../pipeline/run';
import { NO_MODELS, tempFolder } from '../pipeline/testing/run-job';
import { writeSyntheticBatch, type SyntheticBatch } from '../pipeline/testing/synthetic-batch';
import { JobRunner } from './job-runner';

const N = 16;
let dir: ReturnType<typeof tempFolder>;
let batch: SyntheticBatch;

beforeAll(async () => {
  dir = tempFolder();
  batch = await writeSyntheticBatch(join(dir.path, 'batch'), { count: N, width: 64, height: 48 });
});
afterAll(() => dir.remove());

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

function qaRowsPerKey(store: ProjectStore): number {
  const r = store.db
    .prepare('SELECT count(*) AS n, count(DISTINCT image_id || qa_key) AS k FROM qa_pairs')
    .get() as { n: number; k: number };
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
          runner.pause(store, e.job.id);
        }
      });
      const env = { modelsDir: NO_MODELS, workers: 0, resolver: slowFilter(20) };
      const job = startPipelineJob(runner, store, { ...params, stages: [...params.stages] }, env);
      await runner.settled(job.id);
      const items = new JobItemRepository(store.db);
      const atPause = items.counts(job.id);
      expect(store.jobs.get(job.id)!.status).toBe('paused');
      expect(atPause.done).toBeGreaterThanOrEqual(3);
      expect(atPause.pending).toBeGreaterThan(0);
      expect((store.jobs.result(job.id) as RunSummary).interrupted).toBe(true);
      expect(seen.some((s) => Array.isArray(s.stages))).toBe(true);

      resumePipelineJob(runner, store, job.id, env);
      await runner.settled(job.id);
      const row = store.jobs.get(job.id)!;
      expect(row).toMatchObject({ status: 'done', total: N, done: N });
      expect(items.counts(job.id)).toEqual({ pending: 0, done: N, skipped: 0, failed: 0 });
      expect(row.progress!.stages.map((s) => [s.stage, s.done])).toEqual([
        ['filter', N],
        ['graph', N],
        ['qa', N],
      ]);
      const summary = store.jobs.result(job.id) as RunSummary;
      expect(summary.stages.filter!.done).toBe(N);
      expect(summary.stages.qa!.done).toBe(N);
      // Every image once: one stage row per stage, QA by key without duplicates.
      const perStage = store.db
        .prepare(
          'SELECT stage, count(*) AS n FROM stage_runs WHERE job_id = ? GROUP BY stage ORDER BY stage',
        )
        .all(job.id);
      expect(perStage).toEqual([
        { stage: 'filter', n: N },
        { stage: 'graph', n: N },
        { stage: 'qa', n: N },
      ]);
      expect(qaRowsPerKey(store)).toBeGreaterThan(N);
      expect(() => resumePipelineJob(runner, store, job.id, env)).toThrow(
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
      const [drop, broken] = [batch.names[2]!, batch.names[5]!].map(
        (n) => store.images.findByName(n)[0]!,
      );
      const depthFile = join(store.folder, broken!.depthBlob!);
      const good = readFileSync(depthFile);
      copyFileSync(depthFile, `${depthFile}.bak`);
      writeFileSync(depthFile, 'not a png');
      const env = {
        modelsDir: NO_MODELS,
        workers: 0,
        resolver: slowFilter(0, new Set([drop!.id])),
      };
      const job = startPipelineJob(runner, store, { ...params, stages: [...params.stages] }, env);
      await runner.settled(job.id);
      const row = store.jobs.get(job.id)!;
      expect(row).toMatchObject({ status: 'done', done: N, failed: 1 });
      const summary = store.jobs.result(job.id) as RunSummary;
      expect(summary.stages.graph!.skipped).toEqual({
        'filtered out by the scene filter: outdoor scene': 1,
      });
      expect(summary.stages.graph!.failed).toEqual([
        { image: broken!.relPath, reason: expect.stringMatching(/^depth unreadable: /) },
      ]);
      expect(summary.stages.qa!.done).toBe(N - 2);
      const errors = new JobItemRepository(store.db).errors(job.id, 0, 10);
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
      expect(store.scene.graph(drop!.id)).toBeUndefined();

      writeFileSync(depthFile, good);
      retryFailedPipelineJob(runner, store, job.id, env);
      await runner.settled(job.id);
      expect(store.jobs.get(job.id)).toMatchObject({ status: 'done', failed: 0 });
      // The filtered image is settled too: its filter verdict is its result.
      expect(new JobItemRepository(store.db).counts(job.id)).toEqual({
        pending: 0,
        done: N,
        skipped: 0,
        failed: 0,
      });
      expect(store.annotations.qa(broken!.id).length).toBeGreaterThan(0);
      expect(() => retryFailedPipelineJob(runner, store, job.id, env)).toThrow(/no failed images/);
    } finally {
      store.close();
    }
  });

  it('jobs left running by a dead process become interrupted; a live owner keeps its job', () => {
    const store = ProjectStore.openOrCreate(join(dir.path, 'p-stale'));
    try {
      const dead = store.jobs.create({ id: 'dead', kind: 'pipeline', params: {} });
      store.jobs.update(dead.id, { status: 'running', ownerPid: 2 ** 22 + 12345 });
      const imp = store.jobs.create({ id: 'imp', kind: 'import', params: {} });
      store.jobs.update(imp.id, { status: 'running', ownerPid: null });
      const alive = store.jobs.create({ id: 'alive', kind: 'pipeline', params: {} });
      store.jobs.update(alive.id, { status: 'running', ownerPid: process.ppid });
      expect(store.jobs.markInterrupted()).toBe(2);
      expect(store.jobs.get('dead')).toMatchObject({
        status: 'interrupted',
        message: expect.stringMatching(/resume/),
      });
      expect(store.jobs.get('imp')!.status).toBe('failed');
      expect(store.jobs.get('alive')!.status).toBe('running');
      const runner = new JobRunner(new EventBus());
      expect(runner.cancel(store, 'dead').status).toBe('cancelled');
    } finally {
      store.close();
    }
  });
});
