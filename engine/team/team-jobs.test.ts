// A team project's pipeline runs on the jobs page of `sqw serve --database`, over real HTTP on a
// throwaway PostgreSQL cluster: a run queued for the workers is listed with its per-stage counts;
// an admin pauses it and no worker claims its images until resumed; a run with one image whose
// stage fails and one whose job fails lists both failures, and retrying them runs those images
// again to done; viewers and reviewers are refused.
import { CatalogStore } from '../../db/store/catalog-store';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { imagesWithObjects } from '../../db/store/testing/project-rows';
import { NO_MODELS } from '../pipeline/testing/run-job';
import type { RunningServer } from '../server/http-server';
import { tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';
import type { TeamEngine } from './team-engine';
import { serveTeam } from './testing/served-team';
import { sharedKey } from './team-project';
import { demoProject } from './testing/team-fixture';
import { runWorker } from './worker';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('pipeline runs on the jobs page of a team project', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let blobs: string;
  let images: number;
  let team: TeamEngine;
  let server: RunningServer;
  let queue: ImageQueue;
  const tokens = { ada: '', bob: '', vera: '' };

  async function rpc(token: string, method: string, input: Record<string, unknown> = {}) {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/rpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ method, input: { projectId: team.project.id, ...input } }),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  async function ok(token: string, method: string, input: Record<string, unknown> = {}) {
    const res = await rpc(token, method, input);
    if (!res.body.ok)
      throw new Error(`${method}: ${res.body.error.code}: ${res.body.error.message}`);
    return res.body.result;
  }
  const imageIds = async () => await new CatalogStore(team.project.db.db).imageIds();
  const work = (signal?: AbortSignal) =>
    runWorker({
      url,
      blobs: new FolderBlobStore(blobs),
      poolSize: 2,
      modelsDir: NO_MODELS,
      exitWhenIdle: !signal,
      signal,
    });

  beforeAll(async () => {
    dir = tempDir();
    images = await demoProject(dir.path, 1);
    url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'blobs');
    await copyProject(join(dir.path, 'project'), url, { blobs });
    // Made here first: a job that fails is failed at once (no retries), so the test is short.
    queue = await ImageQueue.open(url, { supervise: false, retryLimit: 0, poolSize: 2 });
    const served = await serveTeam(
      { database: url, blobs },
      { ada: 'admin', bob: 'reviewer', vera: 'viewer' },
    );
    ({ team, server } = served);
    Object.assign(tokens, served.tokens);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await team?.close();
    await queue?.close();
    dir?.remove();
  });

  it('pauses a run: no worker claims its images until it is resumed, then it finishes', async () => {
    const ids = await imageIds();
    expect(ids).toHaveLength(images);
    await queue.enqueue('run-paused', ids, ['graph', 'qa'], '1');
    const [listed] = (await ok(tokens.vera, 'jobs.list')).filter((j: any) => j.id === 'run-paused');
    expect(listed).toMatchObject({ kind: 'pipeline', status: 'queued', total: images, done: 0 });

    for (const token of [tokens.vera, tokens.bob]) {
      const refused = await rpc(token, 'jobs.pause', { jobId: 'run-paused' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    const paused = await ok(tokens.ada, 'jobs.pause', { jobId: 'run-paused' });
    expect(paused).toMatchObject({ status: 'paused', done: 0 });
    expect(paused.message).toContain(`${images} images wait`);

    // A worker polls the queue several times over and finds nothing it may take.
    const stop = new AbortController();
    const idle = work(stop.signal);
    await new Promise((r) => setTimeout(r, 1500));
    stop.abort();
    expect((await idle).jobs).toBe(0);
    expect(await ok(tokens.vera, 'jobs.get', { jobId: 'run-paused' })).toMatchObject({
      status: 'paused',
      done: 0,
    });
    expect((await rpc(tokens.bob, 'jobs.resume', { jobId: 'run-paused' })).status).toBe(403);
    // Resuming twice: the second says there is nothing paused.
    expect(await ok(tokens.ada, 'jobs.resume', { jobId: 'run-paused' })).toMatchObject({
      status: 'queued',
    });
    const again = await rpc(tokens.ada, 'jobs.resume', { jobId: 'run-paused' });
    expect(again.body.error.message).toBe('run run-paused is not paused');

    expect((await work()).jobs).toBe(images);
    const done = await ok(tokens.vera, 'jobs.get', { jobId: 'run-paused' });
    expect(done).toMatchObject({ status: 'done', total: images, done: images, failed: 0 });
    // Two of the four demo frames have boxes: their graph and QA are done, the others' skipped.
    expect(done.progress.stages).toEqual([
      { stage: 'graph', done: 2, skipped: images - 2, failed: 0 },
      { stage: 'qa', done: 2, skipped: images - 2, failed: 0 },
    ]);
  }, 20_000);

  it('lists a failed stage and a failed job with their reasons; retryFailed runs them to done', async () => {
    const rows = await imagesWithObjects(team.project.db.db);
    expect(rows).toHaveLength(2);
    const [broken, missing] = rows.map((r) => ({
      ...r,
      file: join(blobs, sharedKey(r.depth_blob!)),
      saved: join(dir.path, `saved-${r.id}`),
    })) as [any, any];
    // One image's depth cannot be decoded (its graph stage fails), the other's is gone (its job
    // fails: a shared folder that cannot be read is the machine's, not the image's).
    copyFileSync(broken.file, broken.saved);
    copyFileSync(missing.file, missing.saved);
    writeFileSync(broken.file, Buffer.from('not a png'));
    rmSync(missing.file);

    const ids = await imageIds();
    await queue.enqueue('run-failing', ids, ['graph', 'qa'], '1');
    expect((await work()).failed).toBe(1);
    const failing = await ok(tokens.vera, 'jobs.get', { jobId: 'run-failing' });
    expect(failing).toMatchObject({ status: 'done', done: images, failed: 2 });
    expect(failing.progress.stages.find((s: any) => s.stage === 'graph')).toMatchObject({
      failed: 1,
    });
    const errors = await ok(tokens.vera, 'jobs.errors', { jobId: 'run-failing' });
    expect(errors.total).toBe(2);
    expect(errors.items.map((e: any) => [e.imageId, e.image, e.stage])).toEqual(
      [
        [broken.id, broken.rel_path, 'graph'],
        [missing.id, missing.rel_path, 'job'],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    const byImage = new Map(errors.items.map((e: any) => [e.imageId, e.reason]));
    expect(byImage.get(missing.id)).toMatch(/ENOENT/);
    expect(byImage.get(broken.id)).not.toBe('');
    // Paged as the desktop pages them.
    expect(
      (await ok(tokens.vera, 'jobs.errors', { jobId: 'run-failing', offset: 1, limit: 1 })).items,
    ).toEqual([errors.items[1]]);

    for (const token of [tokens.vera, tokens.bob])
      expect((await rpc(token, 'jobs.retryFailed', { jobId: 'run-failing' })).status).toBe(403);
    writeFileSync(broken.file, readFileSync(broken.saved));
    writeFileSync(missing.file, readFileSync(missing.saved));
    const retried = await ok(tokens.ada, 'jobs.retryFailed', { jobId: 'run-failing' });
    expect(retried).toMatchObject({ status: 'running', done: images - 2, failed: 0 });

    const report = await work();
    expect(report).toMatchObject({ jobs: 2, failed: 0 });
    expect(await ok(tokens.vera, 'jobs.get', { jobId: 'run-failing' })).toMatchObject({
      status: 'done',
      done: images,
      failed: 0,
      progress: {
        stages: [
          { stage: 'graph', done: 2, skipped: images - 2, failed: 0 },
          { stage: 'qa', done: 2, skipped: images - 2, failed: 0 },
        ],
      },
    });
    expect(await ok(tokens.vera, 'jobs.errors', { jobId: 'run-failing' })).toEqual({
      total: 0,
      items: [],
    });
    const none = await rpc(tokens.ada, 'jobs.retryFailed', { jobId: 'run-failing' });
    expect(none.body.error.message).toBe('job run-failing has no failed images to retry');
  }, 20_000);

  it('cancels a queued run: its images are not run', async () => {
    await queue.enqueue('run-cancelled', await imageIds(), ['qa'], '1');
    expect((await rpc(tokens.bob, 'jobs.cancel', { jobId: 'run-cancelled' })).status).toBe(403);
    expect(await ok(tokens.ada, 'jobs.cancel', { jobId: 'run-cancelled' })).toMatchObject({
      status: 'cancelled',
      done: 0,
    });
    expect((await work()).jobs).toBe(0);
    const list = await ok(tokens.vera, 'jobs.list');
    expect(list.map((j: any) => [j.id, j.status])).toEqual([
      ['run-cancelled', 'cancelled'],
      ['run-failing', 'done'],
      ['run-paused', 'done'],
    ]);
  }, 20_000);
});
