// The import path end to end through the real HTTP + WebSocket server: start a job, watch its
// events, read the result, list images, fetch their blobs.
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineEvent } from '../../contract/api';
import { serveEngine, tempDir, type ServedEngine } from './helpers';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

describe('import over the HTTP API', () => {
  let dir: ReturnType<typeof tempDir>;
  let s: ServedEngine;
  beforeEach(async () => {
    dir = tempDir();
    s = await serveEngine(dir.path);
  });
  afterEach(async () => {
    await s.close();
    dir.remove();
  });

  async function importAndWait(
    input: Record<string, unknown>,
  ): Promise<{ events: EngineEvent[]; jobId: string }> {
    const ws = new WebSocket(`ws://127.0.0.1:${s.server.port}/api/events?token=${s.server.token}`);
    const events: EngineEvent[] = [];
    await new Promise((r) => ws.on('open', r));
    const finished = new Promise<void>((r) =>
      ws.on('message', (data) => {
        const e = JSON.parse(String(data)) as EngineEvent;
        events.push(e);
        if (e.type === 'job' && ['done', 'failed', 'cancelled'].includes(e.job.status)) r();
      }),
    );
    const start = await s.rpc('imports.start', { projectId: s.projectId, ...input });
    expect(start.body.ok).toBe(true);
    await finished;
    ws.close();
    return { events, jobId: start.body.result.jobId };
  }

  it('imports the Redwood frames with depth, reports progress, and serves their blobs', async () => {
    const { events, jobId } = await importAndWait({
      folder: `${SAMPLES}/redwood-livingroom/color`,
      depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
      depthEncoding: 'mm',
      intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
    });
    const jobEvents = events.filter((e) => e.type === 'job');
    expect(jobEvents[0]!.job.status).toBe('running');
    expect(jobEvents.at(-1)!.job).toMatchObject({ status: 'done', total: 3, done: 3 });
    expect(events.some((e) => e.type === 'images-changed')).toBe(true);

    const result = (await s.rpc('imports.result', { projectId: s.projectId, jobId })).body.result;
    expect(result).toMatchObject({ imported: 3, withDepth: 3, duplicates: 0 });

    const list = (await s.rpc('images.list', { projectId: s.projectId })).body.result;
    expect(list.total).toBe(3);
    const image = (await s.rpc('images.get', { projectId: s.projectId, imageId: list.items[0].id }))
      .body.result;
    expect(image).toMatchObject({
      width: 640,
      height: 480,
      intrinsics: { fx: 525, fy: 525, source: 'given' },
    });
    expect(image.depth.validRatio).toBeGreaterThan(0.5);

    for (const kind of ['image', 'thumb', 'depth-preview']) {
      const res = await fetch(
        `${s.base}/blob/${s.projectId}/${image.id}/${kind}?token=${s.server.token}`,
      );
      expect(res.status, kind).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\//);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }

    const batches = (await s.rpc('batches.list', { projectId: s.projectId })).body.result;
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ imageCount: 3, withDepth: 3, depthEncoding: 'mm' });
  });

  it('re-importing the same folder adds nothing twice', async () => {
    const input = {
      folder: `${SAMPLES}/sun-corridor/color`,
      depthFolder: `${SAMPLES}/sun-corridor/depth`,
      depthEncoding: 'sun',
    };
    await importAndWait(input);
    const { jobId } = await importAndWait(input);
    const second = (await s.rpc('imports.result', { projectId: s.projectId, jobId })).body.result;
    expect(second).toMatchObject({ imported: 0, duplicates: 1 });
    expect((await s.rpc('images.list', { projectId: s.projectId })).body.result.total).toBe(1);
  });

  it('imports boxes with the images, runs the pipeline as a job, and serves graphs and QA', async () => {
    const { jobId } = await importAndWait({
      folder: `${SAMPLES}/sun-corridor/color`,
      depthFolder: `${SAMPLES}/sun-corridor/depth`,
      depthEncoding: 'sun',
      annotations: `${SAMPLES}/annotations.coco.json`,
    });
    const imported = (await s.rpc('imports.result', { projectId: s.projectId, jobId })).body.result;
    expect(imported.annotations).toMatchObject({ imagesMatched: 1, objectsAdded: 3 });

    const ws = new WebSocket(`ws://127.0.0.1:${s.server.port}/api/events?token=${s.server.token}`);
    await new Promise((r) => ws.on('open', r));
    const finished = new Promise<EngineEvent>((r) =>
      ws.on('message', (data) => {
        const e = JSON.parse(String(data)) as EngineEvent;
        if (e.type === 'job' && e.job.kind === 'pipeline' && e.job.status === 'done') r(e);
      }),
    );
    const start = await s.rpc('pipeline.start', { projectId: s.projectId });
    expect(start.body.ok).toBe(true);
    await finished;
    ws.close();
    const summary = (
      await s.rpc('pipeline.result', { projectId: s.projectId, jobId: start.body.result.jobId })
    ).body.result;
    expect(summary.stages.graph.done).toBe(1);
    expect(summary.stages.qa.done).toBe(1);

    const imageId = (await s.rpc('images.list', { projectId: s.projectId })).body.result.items[0]
      .id;
    const scene = (await s.rpc('scene.get', { projectId: s.projectId, imageId })).body.result;
    expect(scene.frame.aligned).toBe(true);
    expect(scene.nodes.map((n: { label: string }) => n.label).sort()).toEqual([
      'cabinet',
      'door',
      'partition',
    ]);
    const objects = (await s.rpc('objects.list', { projectId: s.projectId, imageId })).body.result;
    expect(
      objects.every((o: { maskProvenance: string }) => o.maskProvenance === 'depth-cluster'),
    ).toBe(true);
    const qa = (await s.rpc('qa.list', { projectId: s.projectId, imageId })).body.result;
    expect(qa.length).toBeGreaterThan(10);
    const distance = qa.find((q: { family: string }) => q.family === 'direct_distance');
    expect(distance).toMatchObject({ kind: 'quantitative', unit: 'm', status: 'proposed' });
    expect(distance.subjects).toHaveLength(2);
    expect(typeof distance.value).toBe('number');

    const decision = await s.rpc('reviews.record', {
      projectId: s.projectId,
      qaId: distance.id,
      decision: 'approve',
      reviewer: 'ana',
    });
    expect(decision.body.result).toMatchObject({ decision: 'approve', reviewer: 'ana' });
    const after = (await s.rpc('qa.list', { projectId: s.projectId, imageId })).body.result;
    expect(after.find((q: { id: number }) => q.id === distance.id).status).toBe('approved');
  });

  it('a missing folder ends the job as failed with the reason', async () => {
    const { events, jobId } = await importAndWait({ folder: `${dir.path}/does-not-exist` });
    const last = events.filter((e) => e.type === 'job').at(-1)!;
    expect(last.job.status).toBe('failed');
    expect(last.job.message).toMatch(/does-not-exist/);
    expect((await s.rpc('jobs.get', { projectId: s.projectId, jobId })).body.result.status).toBe(
      'failed',
    );
  });
});
