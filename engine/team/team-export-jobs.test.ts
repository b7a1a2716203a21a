// The jobs of a served team project's exports (jobs.get, jobs.cancel, jobs.list through
// TeamExportJobs), run first over the export fixture's desktop project (the layer on SQLite): the
// job the dialog polls matches the `job` events, a cancel stops the export with no files and no
// record left, and a finished job is not changed by a late cancel. Then on the fixture's
// PostgreSQL copy, across server restarts: a finished export's job and result answer from the next
// server process, and an export whose server died (a `sqw serve` child killed mid-export, or the
// row such a process leaves) is marked failed, saying so.
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../contract/entities';
import type { ProjectStore } from '../../db/project-store';
import { EventBus } from '../event-bus';
import { desktopExportProject } from '../export/export-project';
import { buildExportFixture } from '../export/test-fixture';
import { tempDir } from '../test/helpers';
import { TeamExportJobs } from './team-export-jobs';
import { JobStore } from '../../db/store/job-store';
import { openPostgresProject, sqliteHandle } from '../../db/store/connect';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { TEMP_MARKER, tempFolderName } from '../export/temp-folders';
import { createTeamEngine, type TeamEngine } from './team-engine';
import { copiedExportProject } from './testing/export-project';

describe('team export jobs', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: ProjectStore;
  let jobs: TeamExportJobs;
  const events = new EventBus();
  const seen: Job[] = [];

  beforeAll(async () => {
    dir = tempDir('sqw-team-export-jobs-');
    store = (await buildExportFixture(dir.path)).store;
    jobs = new TeamExportJobs(
      desktopExportProject(store),
      new JobStore(sqliteHandle(store.db), 'sqlite'),
    );
    events.subscribe((e) => e.type === 'job' && seen.push(e.job));
  }, 30_000);
  afterAll(() => {
    store?.close();
    dir?.remove();
  });

  it('gives the finished job as its last event said, with counts, and leaves it on a late cancel', async () => {
    const { jobId } = await jobs.start(
      { format: 'qa-jsonl', outDir: join(dir.path, 'qa') },
      events,
      'p',
    );
    await jobs.idle();
    const job = await jobs.job(jobId);
    expect(job).toEqual(seen.filter((j) => j.id === jobId).at(-1));
    expect(job).toMatchObject({ kind: 'export', status: 'done' });
    expect(job.total).toBeGreaterThan(0);
    expect(job.done).toBe(job.total);
    expect(job.message).toMatch(/^qa-jsonl: \d+ records/);
    expect((await jobs.result(jobId))?.records).toBeGreaterThan(0);
    expect(await jobs.cancel(jobId)).toEqual(job);
    expect((await jobs.jobs()).map((j) => j.id)).toContain(jobId);
  });

  it('cancels a running export: the job ends cancelled, no result, no folder, no record', async () => {
    const before = (await jobs.list()).length;
    const outDir = join(dir.path, 'cancelled');
    const { jobId } = await jobs.start({ format: 'llava', outDir }, events, 'p');
    expect((await jobs.cancel(jobId)).status).toBe('running');
    await jobs.idle();
    const job = await jobs.job(jobId);
    expect(job).toMatchObject({ status: 'cancelled', message: 'cancelled by the user' });
    expect(seen.filter((j) => j.id === jobId).at(-1)).toEqual(job);
    expect(await jobs.result(jobId)).toBeNull();
    expect(existsSync(join(outDir, 'llava.jsonl'))).toBe(false);
    expect(await jobs.list()).toHaveLength(before);
    // Newest first, as the jobs panel lists them.
    expect((await jobs.jobs())[0]!.id).toBe(jobId);
  });

  it('names an unknown job', async () => {
    await expect(jobs.job('export-nope')).rejects.toThrow(/job not found: export-nope/);
    await expect(jobs.cancel('export-nope')).rejects.toThrow(/job not found/);
    await expect(jobs.result('export-nope')).rejects.toThrow(/job not found/);
  });
});

const postgres = usePostgresCluster();

/** The unfinished export folders in `parent` (none while it does not exist). */
function partials(parent: string): string[] {
  return existsSync(parent) ? readdirSync(parent).filter((n) => n.includes('.partial-')) : [];
}
const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');

describe.skipIf(postgres.skipReason)('team export jobs across server restarts (PostgreSQL)', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let blobs: string;
  let team: TeamEngine | undefined;
  const serve = async () => {
    await team?.close();
    team = await createTeamEngine({ database: url, blobs });
    return team;
  };
  const call = async (method: string, input: Record<string, unknown> = {}) => {
    const res = (await team!.dispatch(method, { projectId: team!.project.id, ...input })) as any;
    if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`);
    return res.result;
  };

  beforeAll(async () => {
    dir = tempDir('sqw-team-export-restart-');
    ({ url, blobs } = await copiedExportProject(dir.path, () =>
      postgres.cluster().createDatabase(),
    ));
  }, 60_000);
  afterAll(async () => {
    await team?.close();
    dir?.remove();
  });

  it("answers jobs.get, jobs.list and exports.result for an earlier server process's export", async () => {
    await serve();
    const { jobId } = await call('exports.start', {
      options: { format: 'qa-jsonl', outDir: join(dir.path, 'qa') },
    });
    await team!.project.exportJobs.idle();
    const job = await call('jobs.get', { jobId });
    const result = await call('exports.result', { jobId });
    expect(job).toMatchObject({ kind: 'export', status: 'done' });
    expect(job.done).toBe(job.total);
    expect(result.records).toBeGreaterThan(0);

    await serve(); // a new server process on the same database
    expect(await call('jobs.get', { jobId })).toEqual(job);
    expect(await call('exports.result', { jobId })).toEqual(result);
    expect(await call('jobs.list')).toEqual([job]);
    // A late cancel leaves a finished job as it is.
    expect(await call('jobs.cancel', { jobId })).toEqual(job);
  });

  it('marks an export whose server died failed, saying so, and leaves a live one alone', async () => {
    // What a server killed mid-export leaves: the job running under a lease nobody renews, and
    // the unfinished folder beside the output with the export's marker, untouched since.
    const outDir = join(dir.path, 'died', 'llava');
    const partial = join(dir.path, 'died', tempFolderName(outDir, 'partial', 'deadbeef'));
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, TEMP_MARKER), '{"tool":"sqw export","kind":"partial"}\n');
    writeFileSync(join(partial, 'llava.jsonl'), '{"half": "written"\n');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(join(partial, TEMP_MARKER), old, old);
    const db = await openPostgresProject(url);
    const jobs = new JobStore(db.db, db.dialect);
    const options = { format: 'llava', outDir };
    try {
      await jobs.createRunning(
        { id: 'export-died', kind: 'export', params: options },
        { owner: 'killed-server', expiresAt: Date.now() - 1 },
      );
      await jobs.createRunning(
        { id: 'export-live', kind: 'export', params: options },
        { owner: 'other-server', expiresAt: Date.now() + 60_000 },
      );
    } finally {
      await db.close();
    }

    await serve();
    const died = await call('jobs.get', { jobId: 'export-died' });
    expect(died).toMatchObject({ status: 'failed' });
    expect(died.message).toBe(
      `interrupted: the server stopped while this export ran; nothing was written to ${outDir}, and the unfinished folder it left in ${join(dir.path, 'died')} is removed by the next export there`,
    );
    expect(await call('exports.result', { jobId: 'export-died' })).toBeNull();
    // Another server process still renews its lease: not ours to fail, nor to cancel.
    expect(await call('jobs.get', { jobId: 'export-live' })).toMatchObject({ status: 'running' });
    expect(await call('jobs.cancel', { jobId: 'export-live' })).toMatchObject({
      status: 'running',
    });
    expect((await call('jobs.list')).map((j: any) => j.id)).toEqual(
      expect.arrayContaining(['export-died', 'export-live']),
    );

    // The next export there removes the unfinished folder, as on the desktop.
    const { jobId } = await call('exports.start', { options });
    await team!.project.exportJobs.idle();
    expect(await call('jobs.get', { jobId })).toMatchObject({ status: 'done' });
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(join(outDir, 'llava.jsonl'))).toBe(true);
  });

  it('marks the export of a `sqw serve` process killed mid-export failed, in the next server', async () => {
    // Every colour source a named pipe with no writer: the export blocks on its first image.
    const sources = join(blobs, 'sources');
    const names = readdirSync(sources);
    renameSync(sources, `${sources}-aside`);
    mkdirSync(sources);
    for (const name of names) execFileSync('mkfifo', [join(sources, name)]);
    const child = spawn(
      process.execPath,
      [SQW, 'serve', '--database', url, '--blobs', blobs, '--json'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SQW_JOB_LEASE_MS: '400' },
      },
    );
    const outDir = join(dir.path, 'killed', 'llava');
    let jobId: string;
    try {
      const first = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout! }).once('line', res);
        child.once('exit', (code) => rej(new Error(`sqw serve exited ${code}`)));
      });
      const { port, token } = JSON.parse(first) as { port: number; token: string };
      const rpc = async (method: string, input: Record<string, unknown>) => {
        const r = await fetch(`http://127.0.0.1:${port}/api/rpc`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          body: JSON.stringify({ method, input }),
        });
        return ((await r.json()) as any).result;
      };
      const [{ id: projectId }] = await rpc('projects.list', {});
      ({ jobId } = await rpc('exports.start', { projectId, options: { format: 'llava', outDir } }));
      expect(await rpc('jobs.get', { projectId, jobId })).toMatchObject({ status: 'running' });
      // Killed once the export has made and marked its unfinished folder.
      const parent = dirname(outDir);
      const marked = () => partials(parent).some((p) => existsSync(join(parent, p, TEMP_MARKER)));
      for (let i = 0; i < 200 && !marked(); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      rmSync(sources, { recursive: true });
      renameSync(`${sources}-aside`, sources);
    }
    const partial = partials(dirname(outDir));
    expect(partial).toHaveLength(1);
    expect(existsSync(join(dirname(outDir), partial[0]!, TEMP_MARKER))).toBe(true);

    await new Promise((r) => setTimeout(r, 500)); // its lease runs out
    await serve();
    const job = await call('jobs.get', { jobId: jobId! });
    expect(job.status).toBe('failed');
    expect(job.message).toMatch(
      /^interrupted: the server stopped while this export ran; nothing was written to /,
    );
    expect(await call('exports.result', { jobId: jobId! })).toBeNull();
    expect(existsSync(outDir)).toBe(false);
    expect((await call('exports.list')).map((e: any) => e.outDir)).not.toContain(outDir);
  }, 30_000);

  it('fails a job once the lease of the process running it runs out', async () => {
    const db = await openPostgresProject(url);
    try {
      await new JobStore(db.db, db.dialect).createRunning(
        { id: 'export-stalled', kind: 'export', params: { format: 'coco', outDir: '/x/y' } },
        { owner: 'stalled-server', expiresAt: Date.now() + 300 },
      );
    } finally {
      await db.close();
    }
    expect(await call('jobs.get', { jobId: 'export-stalled' })).toMatchObject({
      status: 'running',
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(await call('jobs.get', { jobId: 'export-stalled' })).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^interrupted: the server stopped while this export ran/),
    });
  });
});
