// Live pipeline progress on a served team project, over real HTTP and WebSocket on a throwaway
// PostgreSQL cluster: a reviewer on the server's event stream hears a run's progress while a
// worker (another connection, told through PostgreSQL NOTIFY) processes it, ending with the done
// counts, and hears each stored image; an image queued or held by a worker reads 'processing' in
// the images list, counts and filter, a paused one does not. After the server's queue listener
// loses its connection, what workers stored meanwhile (its notices missed) is told once it listens
// again.
import { CatalogStore } from '../../db/store/catalog-store';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EngineEvent } from '../../contract/api';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { cutOffQueueListeners } from '../../db/store/testing/team-rows';
import { NO_MODELS } from '../pipeline/testing/run-job';
import type { RunningServer } from '../server/http-server';
import { tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import type { TeamEngine } from './team-engine';
import { serveTeam } from './testing/served-team';
import { demoProject } from './testing/team-fixture';
import { runWorker, type WorkerOptions } from './worker';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('live pipeline progress on a team project', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let blobs: string;
  let team: TeamEngine;
  let server: RunningServer;
  let queue: ImageQueue;
  const tokens = { ada: '', bob: '' };

  async function ok(token: string, method: string, input: Record<string, unknown> = {}) {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/rpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ method, input: { projectId: team.project.id, ...input } }),
    });
    const body = (await res.json()) as any;
    if (!body.ok) throw new Error(`${method}: ${body.error.code}: ${body.error.message}`);
    return body.result;
  }
  const imageIds = async () => await new CatalogStore(team.project.db.db).imageIds();
  const work = (o: Partial<WorkerOptions> = {}) =>
    runWorker({
      url,
      blobs: new FolderBlobStore(blobs),
      poolSize: 2,
      modelsDir: NO_MODELS,
      exitWhenIdle: true,
      ...o,
    });
  async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000) {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async function listen(token: string) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${token}`);
    const events: EngineEvent[] = [];
    // Checked against the contract, as the renderer's client receives them.
    ws.on('message', (d) => events.push(EngineEvent.parse(JSON.parse(String(d)))));
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    return { ws, events };
  }

  beforeAll(async () => {
    dir = tempDir();
    await demoProject(dir.path, 1);
    url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'blobs');
    await copyProject(join(dir.path, 'project'), url, { blobs });
    queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    const served = await serveTeam({ database: url, blobs }, { ada: 'admin', bob: 'reviewer' });
    ({ team, server } = served);
    Object.assign(tokens, served.tokens);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await team?.close();
    await queue?.close();
    dir?.remove();
  });

  it("pushes a worker's progress to a reviewer as job events, ending with the done counts", async () => {
    const ids = await imageIds();
    const { ws, events } = await listen(tokens.bob);
    try {
      await queue.enqueue('run-live', ids, ['noop']);
      const runEvents = () =>
        events.flatMap((e) => (e.type === 'job' && e.job.id === 'run-live' ? [e] : []));
      // The enqueue alone is told: the run appears, queued, on the others' jobs pages.
      await until('the queued run', () => runEvents().length > 0);
      expect(runEvents()[0]!.job).toMatchObject({ status: 'queued', total: ids.length, done: 0 });

      // One image per claim, each taking longer than the event interval: several steps are told.
      const report = await work({ batchSize: 1, simulateMs: 300 });
      expect(report).toMatchObject({ jobs: ids.length, failed: 0 });
      await until('the done event', () => runEvents().at(-1)?.job.status === 'done');

      const heard = runEvents();
      const last = heard.at(-1)!;
      expect(last).toMatchObject({ projectId: team.project.id, current: null });
      expect(last.job).toMatchObject({
        kind: 'pipeline',
        status: 'done',
        total: ids.length,
        done: ids.length,
        failed: 0,
      });
      expect(last.job.progress?.stages).toEqual([
        { stage: 'noop', done: ids.length, skipped: 0, failed: 0 },
      ]);
      // The same Job jobs.get answers (the counts come from the queue either way).
      expect(last.job).toEqual(await ok(tokens.bob, 'jobs.get', { jobId: 'run-live' }));
      // Progress in between: the run running with some of its images done, in order.
      const dones = heard.map((e) => e.job.done);
      expect(dones).toEqual([...dones].sort((a, b) => a - b));
      expect(
        heard.some((e) => e.job.status === 'running' && e.job.done > 0 && e.job.done < ids.length),
      ).toBe(true);

      // Every stored image is told, with its batch, so open views of it reload.
      await until('every stored image', () =>
        ids.every((id) => events.some((e) => e.type === 'images-changed' && e.imageId === id)),
      );
      const batch = (await ok(tokens.bob, 'images.get', { imageId: ids[0] })).batchId;
      expect(events.find((e) => e.type === 'images-changed' && e.imageId === ids[0])).toMatchObject(
        { projectId: team.project.id, batchId: batch },
      );
    } finally {
      ws.close();
    }
  }, 15_000);

  it("reads an image queued or held by a worker as 'processing', a paused one not", async () => {
    const [held, other] = await imageIds();
    const status = async (imageId: number) =>
      (await ok(tokens.bob, 'images.get', { imageId })).status as string;
    const processing = async () =>
      (await ok(tokens.bob, 'images.counts')).byStatus.processing as number;
    const listed = async () =>
      (await ok(tokens.bob, 'images.list', { status: 'processing', offset: 0, limit: 50 })) as {
        total: number;
        items: Array<{ id: number; status: string }>;
      };
    const before = await status(held!);
    expect(before).not.toBe('processing');
    expect(await processing()).toBe(0);

    await queue.enqueue('run-held', [held!], ['noop']);
    // Waiting in a live run, as a desktop image queued in a running job.
    expect(await status(held!)).toBe('processing');
    expect(await status(other!)).toBe(before);
    expect(await processing()).toBe(1);
    expect(await listed()).toMatchObject({ total: 1, items: [{ id: held, status: 'processing' }] });
    // A paused run's waiting image is not processing, as a desktop image of a paused job.
    await ok(tokens.ada, 'jobs.pause', { jobId: 'run-held' });
    expect(await status(held!)).toBe(before);
    expect(await processing()).toBe(0);
    await ok(tokens.ada, 'jobs.resume', { jobId: 'run-held' });

    // A worker claims the image and waits, holding its job, until released.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding = false;
    const worker = work({
      batchSize: 1,
      beforeStore: async () => {
        holding = true;
        await released;
      },
    });
    try {
      await until('the worker to hold the job', () => holding);
      expect(await queue.counts('run-held')).toMatchObject({ waiting: 0, active: 1 });
      // Held by a worker, paused or not: a worker is processing it.
      await ok(tokens.ada, 'jobs.pause', { jobId: 'run-held' });
      expect(await status(held!)).toBe('processing');
      expect(await processing()).toBe(1);
      expect(await listed()).toMatchObject({
        total: 1,
        items: [{ id: held, status: 'processing' }],
      });
      expect(
        (await ok(tokens.bob, 'images.list', { status: before, offset: 0, limit: 50 })).items.map(
          (i: { id: number }) => i.id,
        ),
      ).not.toContain(held);
    } finally {
      release();
    }
    expect(await worker).toMatchObject({ jobs: 1, failed: 0 });
    // Stored: the image reads its own status again.
    expect(await status(held!)).toBe(before);
    expect(await processing()).toBe(0);
    expect((await listed()).total).toBe(0);
  }, 15_000);

  it('tells what workers stored while its listener was cut off, once it listens again', async () => {
    const ids = await imageIds();
    const { ws, events } = await listen(tokens.bob);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // The listener's "listening again" lines, expected here.
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      // Another stage than the earlier runs': this run changes none of their stage counts.
      await queue.enqueue('run-unheard', ids, ['checksum']);
      const runEvents = () =>
        events.flatMap((e) => (e.type === 'job' && e.job.id === 'run-unheard' ? [e] : []));
      await until('the queued run', () => runEvents().length > 0);

      // Cut off, and kept cut off until the whole run is stored (it tries again every second, and
      // each try is cut off within milliseconds): the worker's notices go unheard.
      const cutOff = () => cutOffQueueListeners(admin);
      expect(await cutOff()).toBe(1);
      let storing = true;
      const keepCutOff = (async () => {
        while (storing) {
          await cutOff();
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const heardBefore = events.length;
      try {
        expect(await work({ batchSize: 2 })).toMatchObject({ jobs: ids.length, failed: 0 });
      } finally {
        storing = false;
        await keepCutOff;
      }

      // Once listening again: the run's final state, as jobs.get reads it.
      await until('the done event', () => runEvents().at(-1)?.job.status === 'done');
      expect(runEvents().at(-1)!.job).toEqual(
        await ok(tokens.bob, 'jobs.get', { jobId: 'run-unheard' }),
      );
      // Each batch of the project changed, so open views reload what was stored meanwhile.
      const batches = new Set<number>();
      for (const id of ids)
        batches.add((await ok(tokens.bob, 'images.get', { imageId: id })).batchId);
      await until('the batches reloaded', () =>
        [...batches].every((batchId) =>
          events.some(
            (e, i) =>
              i >= heardBefore &&
              e.type === 'images-changed' &&
              e.batchId === batchId &&
              e.imageId === undefined,
          ),
        ),
      );
      // An earlier run is told again only as it is now, and only where it changed since it was
      // last told: run-live's stage counts did (run-held ran one of its images again, naming only
      // run-held), run-held's did not.
      const toldAgain = events.flatMap((e, i) =>
        i >= heardBefore && e.type === 'job' && e.job.id !== 'run-unheard' ? [e.job] : [],
      );
      for (const job of toldAgain)
        expect(job).toEqual(await ok(tokens.bob, 'jobs.get', { jobId: job.id }));
      expect(toldAgain.map((j) => j.id)).not.toContain('run-held');
      expect((await ok(tokens.bob, 'jobs.get', { jobId: 'run-held' })).status).toBe('done');
      expect(String(errors[0])).toContain('listening again');
    } finally {
      console.error = log;
      await admin.end();
      ws.close();
    }
  }, 20_000);
});
