// Importing from the UI of `sqw serve --database`, over real HTTP on a throwaway PostgreSQL
// cluster: an admin imports the Redwood frames with depth and COCO boxes from folders on the
// server's disk, every connected reviewer hears the job's progress, and the rows and shared files
// equal those `sqw import --database` writes into a second copy of the same project. Reviewers are
// refused; a missing folder or COCO file is refused with its name and nothing written; the job
// answers from the next server process, and one whose server died is marked failed.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ProjectStore } from '../../db/project-store';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { openPostgresProject, type ProjectDb } from '../../db/store/connect';
import { JobStore } from '../../db/store/job-store';
import { importTables } from '../../db/store/testing/project-rows';
import { main } from '../cli/main';
import { startHttpServer, type RunningServer } from '../server/http-server';
import { tempDir } from '../test/helpers';
import { createTeamEngine, type TeamEngine } from './team-engine';
import { serveTeam } from './testing/served-team';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const REDWOOD = `${SAMPLES}/redwood-livingroom`;
const COCO = `${SAMPLES}/annotations.coco.json`;
const postgres = usePostgresCluster();

/** Every file under `root` with its bytes, by path inside it (no temporary partials). */
function files(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return out;
}

/** What an import writes to the project's tables, without row times (ids included). */
async function importedRows(db: ProjectDb) {
  const strip = <T extends Record<string, unknown>>(rows: T[]) =>
    rows.map(({ created_at: _c, updated_at: _u, ...rest }) => rest);
  const t = await importTables(db.db);
  return {
    batches: strip(t.batches),
    images: strip(t.images),
    issues: strip(t.issues),
    objects: strip(t.objects),
  };
}

describe.skipIf(postgres.skipReason)('imports from the UI of a team project', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let blobs: string;
  let team: TeamEngine;
  let server: RunningServer;
  const tokens = { ada: '', bob: '' };
  /** The same frames imported by `sqw import --database` into a second copy of the project. */
  let cli: { url: string; blobs: string };

  /**
   * One call on its own connection: this process also runs the imports, and while it is busy a
   * kept-alive connection can pass the server's idle timeout just as fetch reuses it (ECONNRESET).
   */
  function rpc(token: string, method: string, input: Record<string, unknown> = {}) {
    const body = JSON.stringify({ method, input: { projectId: team.project.id, ...input } });
    return new Promise<{ status: number; body: any }>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/rpc',
          method: 'POST',
          agent: false,
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
          );
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }
  async function ok(token: string, method: string, input: Record<string, unknown> = {}) {
    const res = await rpc(token, method, input);
    if (!res.body.ok)
      throw new Error(`${method}: ${res.body.error.code}: ${res.body.error.message}`);
    return res.body.result;
  }
  /** The request the import panel sends for the Redwood frames; `..` in the path on purpose. */
  const redwood = {
    folder: `${REDWOOD}/depth/../color`,
    depthFolder: `${REDWOOD}/depth`,
    depthEncoding: 'mm',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
    annotations: COCO,
  };
  /** An empty desktop project copied to a fresh database with an empty shared folder. */
  async function emptyTeamProject(name: string): Promise<{ url: string; blobs: string }> {
    const db = await postgres.cluster().createDatabase();
    const shared = join(dir.path, `${name}-blobs`);
    await copyProject(join(dir.path, 'empty'), db, { blobs: shared });
    mkdirSync(shared, { recursive: true });
    return { url: db, blobs: shared };
  }

  beforeAll(async () => {
    dir = tempDir('sqw-team-import-jobs-');
    ProjectStore.openOrCreate(join(dir.path, 'empty'), 'living rooms').close();
    ({ url, blobs } = await emptyTeamProject('served'));
    // The reference: `sqw import --database` (in this process) into a second copy.
    cli = await emptyTeamProject('cli');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await main([
        'import',
        `${REDWOOD}/color`,
        ...['--depth', redwood.depthFolder, '--depth-encoding', 'mm'],
        ...['--intrinsics', '525,525,319.5,239.5', '--annotations', COCO],
        ...['--database', cli.url, '--blobs', cli.blobs, '--json'],
      ]);
      expect(code).toBe(0);
    } finally {
      stdout.mockRestore();
    }
    const served = await serveTeam({ database: url, blobs }, { ada: 'admin', bob: 'reviewer' });
    ({ team, server } = served);
    Object.assign(tokens, served.tokens);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await team?.close();
    dir?.remove();
  });

  it('refuses a missing folder or COCO file by name, and a reviewer, writing nothing', async () => {
    const missing = join(dir.path, 'no-such-folder');
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ folder: missing }, /import folder not found: .*no-such-folder/],
      [{ ...redwood, depthFolder: missing }, /depth folder not found: .*no-such-folder/],
      [{ ...redwood, folder: COCO }, /import folder is not a folder: .*annotations\.coco\.json/],
      [{ ...redwood, annotations: `${missing}/boxes.json` }, /cannot read annotations .*boxes/],
    ];
    for (const [input, message] of refusals) {
      const res = await rpc(tokens.ada, 'imports.start', input);
      expect(res.body.error, JSON.stringify(input)).toMatchObject({ code: 'invalid-input' });
      expect(res.body.error.message).toMatch(message);
    }
    const refused = await rpc(tokens.bob, 'imports.start', redwood);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');

    expect(await ok(tokens.bob, 'jobs.list')).toEqual([]);
    expect(await ok(tokens.bob, 'batches.list')).toEqual([]);
    expect(readdirSync(blobs)).toEqual([]);
  });

  it('imports with depth and boxes, tells every reviewer, and writes what `sqw import --database` writes', async () => {
    // Two reviewers watching: each hears the job from start to end and the new images.
    const sockets = [tokens.bob, tokens.ada].map(
      (token) => new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${token}`),
    );
    const heard: any[][] = sockets.map(() => []);
    const ended = sockets.map(
      (ws, i) =>
        new Promise<void>((done) =>
          ws.on('message', (data) => {
            const e = JSON.parse(String(data));
            heard[i]!.push(e);
            if (e.type === 'job' && e.job.status !== 'running') done();
          }),
        ),
    );
    await Promise.all(sockets.map((ws) => new Promise((r) => ws.once('open', r))));
    const { jobId } = await ok(tokens.ada, 'imports.start', redwood);
    expect(jobId).toMatch(/^import-/);
    await Promise.all(ended);
    for (const ws of sockets) ws.close();

    for (const events of heard) {
      const jobs = events.filter((e) => e.type === 'job' && e.job.id === jobId);
      expect(jobs[0]!.job).toMatchObject({ kind: 'import', status: 'running', done: 0 });
      // One event per file as it is committed, in order, naming it.
      expect(jobs.slice(1, -1).map((e) => [e.job.done, e.job.total, e.current])).toEqual([
        [1, 3, '00000.jpg'],
        [2, 3, '00001.jpg'],
        [3, 3, '00002.jpg'],
      ]);
      expect(jobs.at(-1)!.job).toMatchObject({
        status: 'done',
        done: 3,
        total: 3,
        failed: 0,
        skipped: 0,
        message: '3 imported, 0 duplicates, 0 skipped',
      });
      expect(events.filter((e) => e.type === 'images-changed')).toEqual([
        { type: 'images-changed', projectId: team.project.id, batchId: expect.any(Number) },
      ]);
    }
    const job = await ok(tokens.bob, 'jobs.get', { jobId });
    expect(job).toEqual(heard[0]!.filter((e) => e.type === 'job').at(-1).job);
    const result = await ok(tokens.bob, 'imports.result', { jobId });
    expect(result).toMatchObject({ imported: 3, withDepth: 3, duplicates: 0, skipped: 0 });
    expect(result.annotations.objectsAdded).toBeGreaterThan(0);
    // The request's `..` is resolved, as the desktop's importer does.
    const [batch] = await ok(tokens.bob, 'batches.list');
    expect(batch).toMatchObject({ imageCount: 3, withDepth: 3, depthEncoding: 'mm' });
    expect(batch.sourceFolder).toBe(`${REDWOOD}/color`);

    const byCli = await openPostgresProject(cli.url, 1);
    try {
      const served = await importedRows(team.project.db);
      expect(served.images).toHaveLength(3);
      expect(served.objects).toHaveLength(result.annotations.objectsAdded);
      expect(served).toEqual(await importedRows(byCli));
    } finally {
      await byCli.close();
    }
    const shared = files(blobs);
    expect([...shared.keys()].filter((k) => k.startsWith('sources/'))).toHaveLength(3);
    expect(shared).toEqual(files(cli.blobs));
  });

  it('answers for an import from the next server process, and fails one whose server died', async () => {
    const [finished] = await ok(tokens.ada, 'jobs.list');
    // A job row as a server killed mid-import leaves it: running, its lease run out.
    const db = await openPostgresProject(url, 1);
    try {
      await new JobStore(db.db, db.dialect).createRunning(
        { id: 'import-killed', kind: 'import', params: { folder: '/data/frames' } },
        { owner: 'a-server-that-died', expiresAt: Date.now() - 1 },
      );
    } finally {
      await db.close();
    }
    await server.close();
    await team.close();
    team = await createTeamEngine({ database: url, blobs });
    server = await startHttpServer({
      engine: team,
      staticRoot: join(tmpdir(), 'sqw-no-ui'),
      accounts: team.project.accounts,
    });
    expect(await ok(tokens.bob, 'jobs.get', { jobId: finished.id })).toEqual(finished);
    expect((await ok(tokens.bob, 'imports.result', { jobId: finished.id })).imported).toBe(3);
    const killed = await ok(tokens.bob, 'jobs.get', { jobId: 'import-killed' });
    expect(killed).toMatchObject({ kind: 'import', status: 'failed' });
    expect(killed.message).toBe(
      'interrupted: the server stopped while this import ran; the images it had imported stay in their batch, and importing /data/frames again adds the rest (those are duplicates)',
    );
    expect((await ok(tokens.bob, 'jobs.list')).map((j: any) => j.id)).toEqual([
      'import-killed',
      finished.id,
    ]);
    expect((await rpc(tokens.bob, 'jobs.get', { jobId: 'import-nope' })).body.error).toEqual({
      code: 'not-found',
      message: 'job not found: import-nope',
    });
  });

  it('cancels an import between files: what it committed stays, its boxes are not imported', async () => {
    const call = async (method: string, input: Record<string, unknown>) => {
      const res = (await team.dispatch(method, { projectId: team.project.id, ...input })) as any;
      if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`);
      return res.result;
    };
    // Cancelled before its first file is read (its folder check is still on the disk): jobs.cancel
    // itself asks the queue first, so the import is cancelled here without that wait.
    const { jobId } = await call('imports.start', redwood);
    expect((await team.project.importJobs.cancel(jobId)).status).toBe('running');
    await team.project.importJobs.idle();
    expect(await call('jobs.get', { jobId })).toMatchObject({
      status: 'cancelled',
      done: 0,
      message: '0 imported, 0 duplicates, 0 skipped',
    });
    const result = await call('imports.result', { jobId });
    expect(result).toMatchObject({ imported: 0, duplicates: 0 });
    expect(result.annotations).toBeUndefined();
    expect((await call('images.counts', {})).total).toBe(3);
  });
});
