// The exports API over real HTTP: an export runs as a job, its result and the project's record of
// it come back through the contract, and bad targets are refused before a job starts.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFirstHalf, buildExportFixture } from '../export/test-fixture';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';

let dir: ReturnType<typeof tempDir>;
let s: ServedEngine;

async function call(method: string, input: Record<string, unknown> = {}) {
  const res = await s.rpc(method, { projectId: s.projectId, ...input });
  if (!res.body.ok) throw new Error(`${method}: ${res.body.error.code}: ${res.body.error.message}`);
  return res.body.result;
}

beforeAll(async () => {
  dir = tempDir('sqw-exports-api-');
  const fx = await buildExportFixture(dir.path);
  fx.store.close();
  s = await serveEngine(join(dir.path, 'project'));
});
afterAll(async () => {
  await s.close();
  dir.remove();
});

describe('exports API', () => {
  it('starts an export job, returns its result and lists the recorded export', async () => {
    const outDir = join(dir.path, 'llava-out');
    const { jobId } = await call('exports.start', {
      options: { format: 'llava', outDir, include: ['proposed'] },
    });
    await s.engine.jobs.settled(jobId);
    const job = await call('jobs.get', { jobId });
    expect(job).toMatchObject({ kind: 'export', status: 'done' });
    const result = await call('exports.result', { jobId });
    expect(result).toMatchObject({ format: 'llava', outDir, images: 3 });
    expect(result.qa).toBeGreaterThan(0);
    expect(existsSync(join(outDir, 'llava.jsonl'))).toBe(true);
    const list = await call('exports.list');
    expect(list[0]).toMatchObject({ id: result.id, format: 'llava', checksum: result.checksum });
    expect(list[0].options).toMatchObject({ format: 'llava', include: ['proposed'] });
  });

  it('evaluates predictions against a bench export, with per-item evidence', async () => {
    const outDir = join(dir.path, 'bench-out');
    const { jobId } = await call('exports.start', {
      options: { format: 'spatialrgpt-bench', outDir, include: ['proposed'] },
    });
    await s.engine.jobs.settled(jobId);
    const benchPath = join(outDir, 'bench.json');
    const predictionsPath = join(dir.path, 'predictions.jsonl');
    const { total, answered } = answerFirstHalf(benchPath, predictionsPath);
    const report = await call('exports.evaluate', { benchPath, predictionsPath });
    expect(report.overall.n).toBe(total);
    expect(report.unparsed.length).toBe(total - answered);
    expect(report.items.filter((i: any) => i.correct).length).toBe(answered);
    const bad = await s.rpc('exports.evaluate', { benchPath: predictionsPath, predictionsPath });
    expect(bad.body.error.code).toBe('invalid-input');
  });

  it('refuses a non-empty folder and bad options before starting a job', async () => {
    const busy = join(dir.path, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'keep');
    const jobsBefore = (await call('jobs.list')).length;
    const res = await s.rpc('exports.start', {
      projectId: s.projectId,
      options: { format: 'coco', outDir: busy },
    });
    expect(res.body.ok).toBe(false);
    expect(res.body.error.message).toMatch(/not empty/);
    const bad = await s.rpc('exports.start', {
      projectId: s.projectId,
      options: { format: 'pdf', outDir: join(dir.path, 'x') },
    });
    expect(bad.body.error.code).toBe('invalid-input');
    const splits = await s.rpc('exports.start', {
      projectId: s.projectId,
      options: {
        format: 'hf',
        outDir: join(dir.path, 'y'),
        splits: { train: 0.5, validation: 0.1, test: 0.1 },
      },
    });
    expect(splits.body.error.message).toMatch(/add up to 1/);
    const noImages = await s.rpc('exports.start', {
      projectId: s.projectId,
      options: { format: 'hf', outDir: join(dir.path, 'z'), images: 'none' },
    });
    expect(noImages.body.error).toMatchObject({ code: 'invalid-input' });
    expect(noImages.body.error.message).toMatch(/hf format needs its images/);
    expect((await call('jobs.list')).length).toBe(jobsBefore);
  });
});
