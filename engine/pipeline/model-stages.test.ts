// Model stages through the ModelStage seam: the real Depth Anything adapter on a generated model
// (CPU), provenance per image, skip rules, and a model that fails on one image.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { CATALOGUE, findManifest } from '../../native-models/catalogue';
import { depthErrorPresetForModel } from '../../spatial/depth-error';
import { SessionPool } from '../../native-models/session-pool';
import { graphResizer } from '../../native-models/adapters/resize-graph';
import { fakeGpu } from '../../native-models/testing/fake-gpu';
import { ModelStore } from '../../native-models/store';
import type { ModelStage, ModelStageResolver } from './model-stage';
import { ADAPTERS, DEPTH_MAX_BATCH } from './model-resolver';
import { runJob, tempFolder } from './testing/run-job';
import { writeSyntheticBatch, type SyntheticBatch } from './testing/synthetic-batch';
import { installTinyDepthModel, TINY_DEPTH_MODEL } from './testing/tiny-models';
import { deriveGraphAndQa, desktopScene } from '../test/desktop-results';
import { imageIdOf, imageNamed, layer } from '../test/layer';

let dir: ReturnType<typeof tempFolder>;
let batch: SyntheticBatch;
const models = mkdtempSync(join(tmpdir(), 'sqw-models-'));
let checksum: string;

async function project(name: string, withDepth: boolean): Promise<ProjectStore> {
  const store = ProjectStore.openOrCreate(join(dir.path, name));
  await importBatch(store, {
    folder: batch.colorDir,
    depthFolder: withDepth ? batch.depthDir : undefined,
    intrinsics: withDepth ? batch.intrinsics : undefined,
  });
  await importCocoFile(store, batch.cocoFile);
  return store;
}

beforeAll(async () => {
  dir = tempFolder();
  batch = await writeSyntheticBatch(join(dir.path, 'batch'), { count: 4, width: 96, height: 72 });
  checksum = installTinyDepthModel(models).sha256;
});
afterAll(() => dir.remove());

describe('model stages', () => {
  it('runs the depth model where no sensor depth exists and records its provenance', async () => {
    const store = await project('p-model', false);
    try {
      const { job, summary } = await runJob(
        store,
        { stages: ['depth', 'calibrate', 'segment', 'lift', 'graph', 'qa'] },
        { modelsDir: models, workers: 1 },
      );
      expect(job.status).toBe('done');
      expect(summary.providers).toEqual({ depth: 'cpu' });
      expect(summary.stages.depth).toMatchObject({ done: 4, failed: [] });
      // The generated export has a symbolic batch dimension: images waiting for the lane share
      // calls (how many share one depends on timing), each image exactly once.
      const calls = summary.batches!.depth!;
      expect(calls.reduce((a, b) => a + b, 0)).toBe(4);
      expect(Math.max(...calls)).toBeLessThanOrEqual(4);
      expect(summary.notices).toEqual([
        expect.stringMatching(/^stage segment: no segmentation model installed/),
        expect.stringMatching(/^stage calibrate: no calibration model installed/),
      ]);
      // No intrinsics given and no EXIF: the default field of view is not "known".
      expect(summary.stages.calibrate!.skipped).toEqual({ 'no model installed': 4 });
      const image = await imageNamed(store, batch.names[0]!);
      // The model's range-noise preset is stored with its depth, as an imported sensor's is.
      expect(JSON.parse(image.depthJson!)).toMatchObject({
        source: 'model',
        width: 96,
        height: 72,
        noisePreset: 'depth-anything-metric-indoor',
      });
      const runs = await desktopScene(store).stageRecords(image.id);
      const depth = runs.find((r) => r.stage === 'depth')!;
      expect(depth).toMatchObject({ status: 'done', jobId: job.id });
      expect(depth.provenance).toMatchObject({
        model: TINY_DEPTH_MODEL,
        checksum,
        provider: 'cpu',
        params: { maxDepth: 20, device: 'cpu' },
        noisePreset: 'depth-anything-metric-indoor',
      });
      expect(depth.tookMs).toBeGreaterThan(0);
      // ... and the graph built in the same job, and one built later from the stored depth, use it.
      const graph = runs.find((r) => r.stage === 'graph')!;
      expect(graph.status).toBe('done');
      expect(graph.provenance).toMatchObject({ depthError: 'depth-anything-metric-indoor' });
      expect(await deriveGraphAndQa(store, image.id)).toMatchObject({ status: 'done' });
      const later = (await desktopScene(store).stageRecords(image.id)).find(
        (r) => r.stage === 'graph',
      )!;
      expect(later.provenance).toMatchObject({ depthError: 'depth-anything-metric-indoor' });
      expect((await layer(store).scene.qaPairs(image.id)).length).toBeGreaterThan(0);

      // Re-running: model depth from an earlier job is replaced, never duplicated.
      const again = await runJob(store, { stages: ['depth'] }, { modelsDir: models });
      expect(again.summary.stages.depth!.done).toBe(4);
    } finally {
      store.close();
    }
  });

  it('two inference threads share the calls and store the same depth as one thread', async () => {
    const one = await project('p-threads-1', false);
    const two = await project('p-threads-2', false);
    try {
      const env = { modelsDir: models, workers: 1, maxBatch: 1 };
      const a = await runJob(one, { stages: ['depth'] }, env);
      const b = await runJob(two, { stages: ['depth'] }, { ...env, inferenceThreads: 2 });
      expect(b.summary.stages.depth).toMatchObject({ done: 4, failed: [] });
      expect(b.summary.providers).toEqual({ depth: 'cpu' });
      expect(a.summary.inferenceThreadCalls).toBeUndefined();
      const calls = b.summary.inferenceThreadCalls!;
      expect(calls).toHaveLength(2);
      expect(calls[0]! + calls[1]!).toBe(4);
      const depthOf = async (store: ProjectStore, name: string) =>
        JSON.parse((await imageNamed(store, name)).depthJson!) as Record<string, unknown>;
      for (const name of batch.names) {
        expect(await depthOf(two, name)).toEqual(await depthOf(one, name));
      }
    } finally {
      one.close();
      two.close();
    }
  });

  it('says once that a model cannot load on the device asked for, and goes on', async () => {
    const store = await project('p-cuda', false);
    try {
      const { job, summary } = await runJob(
        store,
        { stages: ['depth', 'graph'], device: 'cuda' },
        { modelsDir: models },
      );
      expect(job.status).toBe('done');
      expect(summary.notices).toEqual([
        expect.stringMatching(
          new RegExp(`^stage depth: model ${TINY_DEPTH_MODEL} could not load: .*cuda.*; skipped$`),
        ),
      ]);
      expect(summary.stages.depth).toMatchObject({ done: 0, failed: [] });
      expect(summary.stages.depth!.skipped).toEqual({
        [`model ${TINY_DEPTH_MODEL} could not load`]: 4,
      });
      expect(summary.stages.graph!.skipped).toEqual({
        'no depth: import sensor depth or install a depth model': 4,
      });
    } finally {
      store.close();
    }
  });

  it('skips the depth model for sensor depth and calibration for given intrinsics', async () => {
    const store = await project('p-sensor', true);
    try {
      const { summary } = await runJob(
        store,
        { stages: ['detect', 'depth', 'calibrate', 'graph', 'qa'] },
        { modelsDir: models },
      );
      expect(summary.stages.depth).toMatchObject({
        done: 0,
        skipped: { 'sensor depth present': 4 },
      });
      expect(summary.stages.calibrate!.skipped).toEqual({ 'known intrinsics': 4 });
      expect(summary.stages.detect!.skipped).toEqual({ 'imported boxes present': 4 });
      expect(summary.stages.qa!.done).toBe(4);
      // The model was loaded (and its provider reported) before the first image, then not needed.
      expect(summary.providers).toEqual({ depth: 'cpu' });
    } finally {
      store.close();
    }
  });

  it('a detector plugs in through ModelStage; its failure on one image does not stop the batch', async () => {
    const store = ProjectStore.openOrCreate(join(dir.path, 'p-detect'));
    await importBatch(store, {
      folder: batch.colorDir,
      depthFolder: batch.depthDir,
      intrinsics: batch.intrinsics,
    });
    try {
      const bad = await imageIdOf(store, batch.names[1]!);
      const detector: ModelStage<'detect'> = {
        stage: 'detect',
        model: { modelId: 'fake-detector', checksum: 'abc', params: { threshold: 0.3 } },
        async run({ imageId, image }) {
          if (imageId === bad) throw new Error('out of memory on this one');
          const w = image.width;
          const h = image.height;
          return {
            provider: 'cpu',
            output: {
              objects: [
                { label: 'chair', score: 0.9, box: [w * 0.3, h * 0.5, w * 0.5, h * 0.9] },
                { label: 'table', score: 0.8, box: [w * 0.55, h * 0.55, w * 0.8, h * 0.95] },
              ],
            },
          };
        },
      };
      const resolver: ModelStageResolver = async (stage) =>
        stage === 'detect' ? { stage: detector } : { missing: `stage ${stage}: none` };
      const { job, summary } = await runJob(
        store,
        { stages: ['detect', 'graph', 'qa'] },
        { resolver },
      );
      expect(job.status).toBe('done');
      expect(summary.stages.detect).toMatchObject({
        done: 3,
        failed: [{ image: batch.names[1], reason: 'fake-detector: out of memory on this one' }],
      });
      expect(summary.stages.graph!.skipped).toEqual({ 'detect failed': 1 });
      expect(summary.stages.graph!.done + summary.stages.graph!.failed.length).toBe(3);
      expect(await layer(store).browse.objects(bad)).toEqual([]);
      const good = await imageIdOf(store, batch.names[0]!);
      expect((await layer(store).browse.objects(good)).map((o) => [o.label, o.provenance])).toEqual(
        [
          ['chair', 'model'],
          ['table', 'model'],
        ],
      );
      // A second run does not detect again where objects exist: no duplicates.
      const again = await runJob(store, { stages: ['detect'] }, { resolver });
      expect(again.summary.stages.detect!.skipped).toEqual({ 'objects present': 3 });
      expect(await layer(store).browse.objects(good)).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});

describe('depth batch size', () => {
  /** A pool that loads on the CPU but reports another provider, as a GPU machine would. */
  class ReportingPool extends SessionPool {
    constructor(private readonly reported: string) {
      super();
    }
    override async get(modelId: string, file: string) {
      return { ...(await super.get(modelId, file, 'cpu')), provider: this.reported };
    }
  }

  async function warmBatch(provider: string, asked: number | null): Promise<number | undefined> {
    const manifest = findManifest(TINY_DEPTH_MODEL);
    const store = new ModelStore(models);
    const pool = new ReportingPool(provider);
    const entry = ADAPTERS.find((a) => a.stage === 'depth' && a.matches(manifest))!;
    const stage = entry.create({
      manifest,
      modelPath: store.graphPath(manifest),
      store,
      pool,
      device: 'auto',
      identity: { modelId: manifest.id, checksum, params: {} },
      labels: [],
      maxBatch: asked,
      resize: 'exact',
    });
    try {
      expect(await stage.warmUp!()).toBe(provider);
      return stage.maxBatch;
    } finally {
      await pool.release();
    }
  }

  it('defaults to 4 on the CPU and 1 on WebGPU; an asked-for batch is kept on both', async () => {
    expect(await warmBatch('cpu', null)).toBe(DEPTH_MAX_BATCH);
    expect(await warmBatch('webgpu', null)).toBe(1);
    expect(await warmBatch('webgpu', 3)).toBe(3);
    expect(await warmBatch('cpu', 1)).toBe(1);
  });
});

describe('a GPU lost mid-run', () => {
  it("fails that image's stage only; later images run on the CPU, and the run says so", async () => {
    const store = await project('p-gpu-lost', false);
    const gpu = await fakeGpu();
    const pool = new SessionPool({ ort: gpu.ort, platform: 'linux', arch: 'x64' });
    const manifest = findManifest(TINY_DEPTH_MODEL);
    const modelStore = new ModelStore(models);
    const entry = ADAPTERS.find((a) => a.stage === 'depth' && a.matches(manifest))!;
    const depth = entry.create({
      manifest,
      modelPath: modelStore.graphPath(manifest),
      store: modelStore,
      pool,
      device: 'auto',
      identity: { modelId: manifest.id, checksum, params: {} },
      labels: [],
      maxBatch: null,
      resize: 'graph',
    });
    let calls = 0;
    // The GPU goes away as the second image starts: its resize graphs and the model both fail.
    const losing = new Proxy(depth, {
      get(target, key) {
        if (key !== 'run') return Reflect.get(target, key, target) as unknown;
        return (input: Parameters<typeof target.run>[0]) => {
          if (++calls === 2) gpu.lose();
          return target.run(input);
        };
      },
    });
    const resolver: ModelStageResolver = async (stage) =>
      stage === 'depth' ? { stage: losing } : { missing: `stage ${stage}: none` };
    try {
      const { job, summary } = await runJob(store, { stages: ['depth', 'graph'] }, { resolver });
      expect(job.status).toBe('done');
      expect(summary.stages.depth).toMatchObject({
        done: 3,
        failed: [
          {
            image: batch.names[1],
            reason: expect.stringMatching(
              new RegExp(
                `^${TINY_DEPTH_MODEL}: onnx/model\\.onnx failed to run on webgpu: \\[WebGPU\\] Device was lost.*; ` +
                  'webgpu no longer works \\(Failed to get a WebGPU adapter.*\\): later images load the model again$',
              ),
            ),
          },
        ],
      });
      expect(summary.providers?.depth).toBe('cpu');
      expect(summary.notices).toContain('stage depth: now on cpu (was webgpu)');
      const results = desktopScene(store);
      const providers: Array<[string, unknown]> = [];
      for (const name of batch.names) {
        const image = await imageNamed(store, name);
        const run = (await results.stageRecords(image.id)).find((r) => r.stage === 'depth')!;
        providers.push([run.status, run.provenance?.provider ?? null]);
      }
      expect(providers).toEqual([
        ['done', 'webgpu'],
        ['failed', null],
        ['done', 'cpu'],
        ['done', 'cpu'],
      ]);
      // The resize graphs came back too, checked again on the CPU, not left on the JS resampler.
      expect([...graphResizer(pool, 'auto').providers]).toEqual([
        ['chw-bicubic-3', 'cpu'],
        ['plane', 'cpu'],
      ]);
      // What the GPU computed before it went is kept.
      const first = await imageNamed(store, batch.names[0]!);
      expect(JSON.parse(first.depthJson!)).toMatchObject({ source: 'model' });
    } finally {
      await pool.release();
      store.close();
    }
  });
});

describe('range-noise presets of depth models', () => {
  it('every catalogue depth model gets its family figure, or none where no figure applies', () => {
    const depthModels = CATALOGUE.filter((m) => m.task === 'depth').map((m) => m.id);
    expect(depthModels.length).toBeGreaterThan(2);
    const presets = Object.fromEntries(depthModels.map((id) => [id, depthErrorPresetForModel(id)]));
    for (const id of depthModels) {
      const expected = id.startsWith('metric3d-')
        ? 'metric3d-v2'
        : id.startsWith('depth-anything-v2-metric-indoor-')
          ? 'depth-anything-metric-indoor'
          : null;
      expect(presets[id], id).toBe(expected);
    }
    expect(presets['metric3d-vit-small']).toBe('metric3d-v2');
    // An outdoor model's noise is not the indoor figure: estimated from its map instead.
    expect(presets['depth-anything-v2-metric-outdoor-small']).toBeNull();
  });
});
