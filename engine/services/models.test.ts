// models.* through the engine's dispatcher (input and output validated against the contract),
// against a temp models folder ($SQW_MODELS_DIR).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir as modelsTemp, writeFile } from '../../native-models/testing/fixtures';
import { depthAnythingMetricModel } from '../../native-models/testing/test-models';
import { createEngine, type Engine } from '../engine';

describe('models API', () => {
  let engine: Engine;
  let projectId: string;
  const projectDir = modelsTemp('sqw-models-api-project-');
  const before = process.env.SQW_MODELS_DIR;
  const modelsDir = modelsTemp('sqw-models-api-');

  beforeAll(async () => {
    process.env.SQW_MODELS_DIR = modelsDir;
    engine = await createEngine({ transport: 'http', projectFolders: [projectDir] });
    projectId = engine.projects.list()[0]!.id;
  });
  afterAll(async () => {
    await engine.close();
    rmSync(projectDir, { recursive: true, force: true });
    rmSync(modelsDir, { recursive: true, force: true });
    if (before === undefined) delete process.env.SQW_MODELS_DIR;
    else process.env.SQW_MODELS_DIR = before;
  });

  // The same shape as the HTTP helper: status 200 with the result, or the mapped error.
  const s = {
    async rpc(method: string, input: unknown = {}) {
      const r = await engine.dispatch(method, input);
      if (r.ok) return { status: 200, body: { result: r.result as any } };
      const status =
        r.error.code === 'not-found' ? 404 : r.error.code === 'invalid-input' ? 400 : 500;
      return { status, body: { error: r.error } as any };
    },
  };
  const id = 'depth-anything-v2-metric-indoor-small';
  const info = async (modelId: string) => {
    const r = await s.rpc('models.list');
    expect(r.status).toBe(200);
    expect(r.body.result.modelsDir).toBe(modelsDir);
    return r.body.result.models.find((m: { id: string }) => m.id === modelId);
  };

  it('lists the catalogue with nothing installed', async () => {
    const m = await info(id);
    expect(m).toMatchObject({
      task: 'depth',
      installed: false,
      downloadable: false,
      verification: null,
      provider: null,
      lastError: null,
      bytesOnDisk: 0,
    });
    expect(m.files.map((f: { path: string }) => f.path)).toEqual([
      'onnx/model.onnx',
      'preprocessor_config.json',
      // Evidence that the export is metric (native-models/depth-metric.ts).
      'config.json',
    ]);
    expect(m.pinned).toBe(false);
  });

  it('imports, verifies (provider recorded), and removes a model', async () => {
    const src = join(projectDir, 'export-folder');
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingMetricModel());
    writeFile(join(src, 'preprocessor_config.json'), '{}');
    const imp = await s.rpc('models.import', { id, path: src });
    expect(imp.status).toBe(200);
    expect(imp.body.result.model).toMatchObject({ installed: true, installedHow: 'import' });

    const v = await s.rpc('models.verify', { id, device: 'cpu', timeoutS: 60 });
    expect(v.status).toBe(200);
    expect(v.body.result.verification).toMatchObject({ ok: true, device: 'cpu' });
    expect(v.body.result.verification.graphs[0]).toMatchObject({ provider: 'cpu', problems: [] });
    const listed = await info(id);
    expect(listed).toMatchObject({ provider: 'cpu', lastError: null });
    expect(listed.verification.ok).toBe(true);
    expect(listed.bytesOnDisk).toBeGreaterThan(0);

    const rm = await s.rpc('models.remove', { id });
    expect(rm.body.result.removed).toBe(true);
    expect(existsSync(join(modelsDir, id))).toBe(false);
    expect((await info(id)).installed).toBe(false);
  }, 20_000);

  it('records a verify that finds the wrong inputs as the last error', async () => {
    const src = join(projectDir, 'wrong-inputs.onnx');
    writeFile(src, depthAnythingMetricModel({ inputName: 'image' }));
    expect((await s.rpc('models.import', { id, path: src })).status).toBe(200);
    const v = await s.rpc('models.verify', { id, device: 'cpu' });
    expect(v.body.result.verification.ok).toBe(false);
    expect(v.body.result.model.lastError).toMatchObject({ operation: 'verify' });
    expect(v.body.result.model.lastError.message).toMatch(
      /inputs do not match: expected \[pixel_values\], got \[image\]/,
    );
    await s.rpc('models.remove', { id });
  }, 20_000);

  it('a bad import path is a clear user error and is remembered', async () => {
    const r = await s.rpc('models.import', { id, path: join(modelsDir, 'nope') });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(r.body)).toMatch(
      /model depth-anything-v2-metric-indoor-small: .* does not exist/,
    );
    expect((await info(id)).lastError.operation).toBe('import');
  });

  it('unknown ids are not found', async () => {
    const r = await s.rpc('models.remove', { id: 'no-such-model' });
    expect(r.status).toBe(404);
  });

  it('runs a download as a project job; a model without URLs fails the job with the reason', async () => {
    const events: { type: string; job?: { id: string; status: string; message: string } }[] = [];
    const off = engine.events.subscribe((e) => events.push(e as never));
    const r = await s.rpc('models.download', { projectId: projectId, id: 'geocalib-fields' });
    expect(r.status).toBe(200);
    const { jobId } = r.body.result;
    await engine.jobs.settled(jobId);
    off();
    const job = (await s.rpc('jobs.get', { projectId: projectId, jobId })).body.result;
    expect(job).toMatchObject({ kind: 'model-download', status: 'failed' });
    expect(job.message).toMatch(/model geocalib-fields: no download URL for model\.onnx/);
    expect(events.some((e) => e.type === 'job' && e.job?.id === jobId)).toBe(true);
    expect((await info('geocalib-fields')).lastError.operation).toBe('download');
  });

  it('plans the photo set and starts no job when every needed task has a model', async () => {
    const plan = (await s.rpc('models.photoPlan')).body.result;
    expect(plan.missingModels.map((m: { id: string }) => m.id)).toEqual([
      'owlv2-base-patch16',
      'slimsam-77-uniform',
      'metric3d-vit-small',
    ]);
    expect(plan.missingModels[2]).toMatchObject({ licenses: ['cc0-1.0'], pinned: true });
    // Install records stand in for the three downloads (the download itself is tested against a
    // local server in native-models/get-models.test.ts).
    for (const m of ['grounding-dino-tiny', 'slimsam-77-uniform', 'metric3d-vit-small']) {
      writeFile(
        join(modelsDir, m, 'sqw-install.json'),
        JSON.stringify({
          id: m,
          installedAt: '2026-12-04T00:00:00Z',
          how: 'import',
          source: 't',
          files: [],
        }),
      );
    }
    const after = (await s.rpc('models.photoPlan')).body.result;
    expect(after.installed.map((i: { id: string }) => i.id)).toEqual([
      'grounding-dino-tiny',
      'slimsam-77-uniform',
      'metric3d-vit-small',
    ]);
    const r = await s.rpc('models.getForPhotos', { projectId });
    expect(r.body.result).toEqual({ jobId: null, ids: [] });
    for (const m of ['grounding-dino-tiny', 'slimsam-77-uniform', 'metric3d-vit-small']) {
      rmSync(join(modelsDir, m), { recursive: true, force: true });
    }
  });
});
