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
  });
}
