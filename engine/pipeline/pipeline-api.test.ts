// The sample batch end to end through the engine API (validated in and out by the dispatcher):
// import with COCO boxes -> pipeline.start -> QA for every image with a graph, progress events,
// per-image stage results with provenance, errors, and the jobs controls' refusals.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../contract/api';
import { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { createEngine, type Engine } from '../engine';
import { importBatch } from '../import/index';
import { NO_MODELS, tempFolder } from './testing/run-job';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };
let dir: ReturnType<typeof tempFolder>;
let engine: Engine;
let projectId: string;
const events: EngineEvent[] = [];
let savedModelsDir: string | undefined;

async function call<T = any>(method: string, input: Record<string, unknown>): Promise<T> {
  const r = await engine.dispatch(method, { projectId, ...input });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

beforeAll(async () => {
  savedModelsDir = process.env.SQW_MODELS_DIR;
  process.env.SQW_MODELS_DIR = NO_MODELS;
  dir = tempFolder();
  const folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  for (const [name, enc] of [
    ['redwood-livingroom', 'mm'],
    ['sun-corridor', 'sun'],
  ] as const)
    await importBatch(store, {
      folder: `${SAMPLES}/${name}/color`,
      depthFolder: `${SAMPLES}/${name}/depth`,
      depthEncoding: enc,
      intrinsics: INTRINSICS,
    });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  store.close();
  engine = await createEngine({ transport: 'http', projectFolders: [folder] });
  projectId = engine.projects.list()[0]!.id;
  engine.events.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await engine.close();
  dir.remove();
  if (savedModelsDir === undefined) delete process.env.SQW_MODELS_DIR;
  else process.env.SQW_MODELS_DIR = savedModelsDir;
});

describe('pipeline through the API', () => {
  it('runs the sample batch to QA for every image with a graph', async () => {
    const { jobId } = await call<{ jobId: string }>('pipeline.start', {
      stages: ['filter', 'detect', 'segment', 'depth', 'calibrate', 'lift', 'graph', 'qa'],
      device: 'cpu',
    });
    await engine.jobs.settled(jobId);
    const job = await call('jobs.get', { jobId });
    expect(job).toMatchObject({ kind: 'pipeline', status: 'done', total: 4, done: 4, failed: 0 });
    expect(job.progress.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'filter',
      'detect',
      'segment',
      'depth',
      'calibrate',
      'lift',
      'graph',
      'qa',
    ]);
    expect(job.progress.notices).toHaveLength(5); // no model for filter, detect, segment, depth, calibrate
    const summary = await call('pipeline.result', { jobId });
    expect(summary.stages.depth.skipped).toEqual({ 'sensor depth present': 4 });
    expect(summary.stages.calibrate.skipped).toEqual({ 'known intrinsics': 4 });
    expect(summary.stages.graph.done).toBe(2);

    const images = (await call('images.list', {})).items as Array<{ id: number; fileName: string }>;
    let withGraph = 0;
    for (const image of images) {
      const scene = await call('scene.get', { imageId: image.id });
      const qa = await call<unknown[]>('qa.list', { imageId: image.id });
      if (scene) {
        withGraph++;
        expect(qa.length, image.fileName).toBeGreaterThan(0);
      }
    }
    expect(withGraph).toBe(2);
    const corridor = images.find((i) => i.fileName === 'corridor.jpg')!;
    const stages = await call<Array<{ stage: string; status: string; provenance: any }>>(
      'pipeline.imageStages',
      { imageId: corridor.id },
    );
    expect(stages.find((s) => s.stage === 'graph')).toMatchObject({
      status: 'done',
      provenance: { engine: 'spatial/scene', gravitySource: 'floor-plane' },
    });
    expect(stages.find((s) => s.stage === 'depth')).toMatchObject({
      status: 'skipped',
      provenance: null,
    });
    expect(await call('jobs.errors', { jobId })).toEqual({ total: 0, items: [] });

    const jobEvents = events.filter(
      (e): e is Extract<EngineEvent, { type: 'job' }> => e.type === 'job' && e.job.id === jobId,
    );
    expect(jobEvents.at(-1)!.job.status).toBe('done');
    expect(jobEvents.some((e) => e.job.progress?.stages.some((s) => s.done > 0))).toBe(true);

    await expect(call('jobs.pause', { jobId })).rejects.toThrow(
      /invalid-input: job .* is done, not running/,
    );
    await expect(call('jobs.resume', { jobId })).rejects.toThrow(
      /invalid-input: .*only paused or interrupted/,
    );
    await expect(call('jobs.retryFailed', { jobId })).rejects.toThrow(/no failed images/);
    await expect(call('jobs.resume', { jobId: 'nope' })).rejects.toThrow(/not-found/);
  });
});
