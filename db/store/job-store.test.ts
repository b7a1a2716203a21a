// One suite, two databases: the jobs a served team project keeps in its `jobs` table (its
// exports) — a job is written only by the process holding its lease, and a job whose lease ran out
// is marked failed with its own message — behave the same on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectDb } from './connect';
import { JobStore } from './job-store';
import { storeTargets } from './test-targets';

for (const target of storeTargets()) {
  describe.skipIf(target.skipReason)(`job store on ${target.name}`, () => {
    let project: ProjectDb;
    let jobs: JobStore;
    beforeEach(async () => {
      project = await target.open();
      jobs = new JobStore(project.db, project.dialect);
    });
    afterEach(() => project?.close());

    const start = async (id: string, owner: string, expiresAt: number) => {
      const job = await jobs.createRunning(
        { id, kind: 'export', params: { outDir: `/out/${id}` } },
        { owner, expiresAt },
      );
      expect(job).toMatchObject({ id, kind: 'export', status: 'running', done: 0, total: 0 });
    };

    it('writes progress and the end only for the lease holder, and keeps the result', async () => {
      const far = Date.now() + 60_000;
      await start('a', 'me', far);
      expect(await jobs.progress('a', 'someone-else', { done: 1, total: 3 })).toBe(false);
      expect(await jobs.progress('a', 'me', { done: 2, total: 3 })).toBe(true);
      expect(await jobs.get('a')).toMatchObject({ done: 2, total: 3, status: 'running' });
      const detail = {
        stages: [{ stage: 'qa', done: 2, skipped: 0, failed: 1 }],
        current: 'b.jpg',
        etaSeconds: 4.5,
        imagesPerSecond: 0.5,
        providers: { depth: 'cpu' },
        notices: [],
      };
      expect(
        await jobs.writeProgress('a', 'me', { total: 3, done: 2, failed: 1, skipped: 0, detail }),
      ).toMatchObject({ done: 2, failed: 1, skipped: 0, progress: detail });
      expect(await jobs.writeProgress('a', 'someone-else', { total: 3, done: 3 })).toBeUndefined();
      expect(await jobs.renewLease('a', { owner: 'someone-else', expiresAt: far })).toBe(false);
      expect(await jobs.renewLease('a', { owner: 'me', expiresAt: far + 1 })).toBe(true);
      expect(
        await jobs.release('a', 'someone-else', { status: 'done', message: 'x', result: { n: 1 } }),
      ).toBeUndefined();
      const done = await jobs.release('a', 'me', {
        status: 'done',
        message: 'llava: 3 records',
        done: 3,
        total: 3,
        result: { records: 3 },
      });
      expect(done).toMatchObject({ status: 'done', message: 'llava: 3 records', done: 3 });
      expect(await jobs.get('a')).toEqual(done);
      expect(await jobs.result('a')).toEqual({ records: 3 });
      // Released: nobody writes it again.
      expect(await jobs.progress('a', 'me', { done: 0, total: 3 })).toBe(false);
      expect(await jobs.release('a', 'me', { status: 'failed', message: 'late' })).toBeUndefined();
      expect(await jobs.get('a', 'pipeline')).toBeUndefined();
      expect(await jobs.get('nope')).toBeUndefined();
      expect(await jobs.result('nope')).toBeNull();
    });

    it("keeps an import's skipped and failed files with its counts, the others as they were", async () => {
      await start('i', 'me', Date.now() + 60_000);
      expect(await jobs.progress('i', 'me', { done: 2, total: 4, skipped: 1 })).toBe(true);
      expect(await jobs.get('i')).toMatchObject({ done: 2, total: 4, skipped: 1, failed: 0 });
      const end = await jobs.release('i', 'me', {
        status: 'done',
        message: '2 imported, 1 duplicates, 1 skipped',
        done: 4,
        failed: 1,
        skipped: 2,
      });
      expect(end).toMatchObject({ done: 4, total: 4, failed: 1, skipped: 2 });
    });

    it('marks jobs under a lease that ran out failed, saying so, and leaves live ones', async () => {
      const now = Date.now();
      await start('dead', 'gone', now - 1);
      await start('live', 'alive', now + 60_000);
      await jobs.createRunning(
        { id: 'run', kind: 'pipeline', params: {} },
        { owner: 'gone', expiresAt: now - 1 },
      );
      const marked = await jobs.markInterrupted(
        'export',
        (p) => `interrupted while writing ${(p as { outDir: string }).outDir}`,
        now,
      );
      expect(marked.map((m) => [m.job.id, m.job.status, m.job.message, m.params])).toEqual([
        ['dead', 'failed', 'interrupted while writing /out/dead', { outDir: '/out/dead' }],
      ]);
      expect(await jobs.get('dead')).toEqual(marked[0]!.job);
      expect((await jobs.get('live'))!.status).toBe('running');
      // Another kind is not this caller's to mark.
      expect((await jobs.get('run'))!.status).toBe('running');
      // The dead process's late end does not overwrite what was said.
      expect(await jobs.release('dead', 'gone', { status: 'done', message: 'ok' })).toBeUndefined();
      expect(await jobs.markInterrupted('export', () => 'again', now)).toEqual([]);
      expect((await jobs.list('export')).map((j) => j.id).sort()).toEqual(['dead', 'live']);
    });

    it("on a desktop open, makes a dead process's pipeline jobs resumable and fails its others", async () => {
      const now = Date.now();
      const job = (id: string, kind: string, owner: string, expiresAt: number) =>
        jobs.createRunning({ id, kind, params: {} }, { owner, expiresAt });
      await job('dead', 'pipeline', 'gone', now - 1);
      await job('alive', 'pipeline', 'beside', now + 60_000);
      await job('imp', 'import', 'gone', now - 1);
      // Queued and never leased (the process died before claiming it); paused and finished ones.
      await job('queued', 'pipeline', 'gone', now - 1);
      await job('paused', 'pipeline', 'gone', now - 1);
      await job('done', 'export', 'gone', now - 1);
      const set = (id: string, status: string) =>
        project.db
          .updateTable('jobs')
          .set({ status, lease_owner: null, lease_expires_at: null })
          .where('id', '=', id)
          .execute();
      await set('queued', 'queued');
      await set('paused', 'paused');
      await set('done', 'done');

      expect(await jobs.markAbandoned(now)).toBe(3);
      expect(await jobs.get('dead')).toMatchObject({
        status: 'interrupted',
        message: expect.stringMatching(/resume to continue/),
        updatedAt: new Date(now).toISOString(),
      });
      expect(await jobs.lease('dead')).toBeNull();
      expect((await jobs.get('queued'))!.status).toBe('interrupted');
      expect(await jobs.get('imp')).toMatchObject({
        status: 'failed',
        message: 'interrupted: the engine stopped while this job ran',
      });
      // A lease still renewed belongs to a live process (a `sqw run` beside the app).
      expect((await jobs.get('alive'))!.status).toBe('running');
      expect(await jobs.lease('alive')).toEqual({ owner: 'beside', expiresAt: now + 60_000 });
      expect((await jobs.get('paused'))!.status).toBe('paused');
      expect((await jobs.get('done'))!.status).toBe('done');
      // Nothing is marked twice; the marked job can be resumed (claimed) again.
      expect(await jobs.markAbandoned(now)).toBe(0);
      expect(await jobs.claim('dead', { owner: 'me', expiresAt: now + 60_000 })).toBe(true);
    });

    it('cancels a paused job, but not a running or finished one', async () => {
      const far = Date.now() + 60_000;
      await start('p', 'me', far);
      await jobs.release('p', 'me', { status: 'paused', message: 'paused by the user' });
      await start('r', 'me', far);
      expect(await jobs.cancelStopped('r', 'cancelled by the user')).toBeUndefined();
      expect((await jobs.get('r'))!.status).toBe('running');
      expect(await jobs.cancelStopped('p', 'cancelled by the user')).toMatchObject({
        id: 'p',
        status: 'cancelled',
        message: 'cancelled by the user',
      });
      expect(await jobs.cancelStopped('p', 'again')).toBeUndefined();
      expect((await jobs.get('p'))!.message).toBe('cancelled by the user');
    });

    it('claims a job to resume only when it is stopped or its lease ran out', async () => {
      const now = Date.now();
      await start('p', 'first', now + 60_000);
      expect(await jobs.liveJob('export', now)).toMatchObject({ id: 'p' });
      expect(await jobs.lease('p')).toEqual({ owner: 'first', expiresAt: now + 60_000 });
      // Running under a live lease: not taken.
      expect(await jobs.claim('p', { owner: 'second', expiresAt: now + 90_000 })).toBe(false);
      await jobs.release('p', 'first', { status: 'paused', message: null });
      expect(await jobs.lease('p')).toBeNull();
      expect(await jobs.liveJob('export', now)).toBeUndefined();
      expect(await jobs.latest('export', ['paused', 'interrupted'])).toMatchObject({ id: 'p' });
      expect(await jobs.claim('p', { owner: 'second', expiresAt: now + 90_000 })).toBe(true);
      expect(await jobs.get('p')).toMatchObject({ status: 'running', message: null });
      expect(await jobs.lease('p')).toEqual({ owner: 'second', expiresAt: now + 90_000 });
      // A finished job is claimed again only when asked (a retry of its failed items).
      await jobs.release('p', 'second', { status: 'done', message: 'ok' });
      expect(await jobs.claim('p', { owner: 'third', expiresAt: now + 1 })).toBe(false);
      expect(await jobs.claim('p', { owner: 'third', expiresAt: now + 1 }, true)).toBe(true);
      // Its process gone (the lease ran out unrenewed): taken over.
      await new Promise((r) => setTimeout(r, 5));
      expect(await jobs.claim('p', { owner: 'fourth', expiresAt: now + 60_000 })).toBe(true);
      await jobs.setTotal('p', 42);
      expect(await jobs.get('p')).toMatchObject({ total: 42 });
      // A paused run's summary stays when its resumed run ends without one.
      await jobs.release('p', 'fourth', { status: 'paused', message: null, result: { n: 1 } });
      expect(await jobs.claim('p', { owner: 'fifth', expiresAt: now + 60_000 })).toBe(true);
      const failed = await jobs.release('p', 'fifth', {
        status: 'failed',
        message: 'disk full',
        failed: 2,
        skipped: 1,
      });
      expect(failed).toMatchObject({ status: 'failed', failed: 2, skipped: 1, total: 42 });
      expect(await jobs.result('p')).toEqual({ n: 1 });
      expect(await jobs.params('p')).toEqual({ outDir: '/out/p' });
      expect(await jobs.params('nope')).toBeNull();
      await jobs.createRunning(
        { id: 'q', kind: 'pipeline', params: {} },
        { owner: 'x', expiresAt: now + 60_000 },
      );
      expect((await jobs.list(null)).map((j) => j.id).sort()).toEqual(['p', 'q']);
    });
  });
}
