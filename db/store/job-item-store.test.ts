// One suite, two databases: a job's image queue (job_items) — queueing every image or only those
// with unfinished stages, paging the pending ones, settling them, counting, listing the failures
// and putting them back — behaves the same on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { JobItemStore } from './job-item-store';
import { JobStore } from './job-store';
import { SceneStore } from './scene-store';
import { storeTargets, testBatch, testImage } from './test-targets';

for (const target of storeTargets()) {
  describe.skipIf(target.skipReason)(`job item store on ${target.name}`, () => {
    let project: ProjectDb;
    let items: JobItemStore;
    let images: number[];

    const job = async (id: string) =>
      new JobStore(project.db, project.dialect).createRunning(
        { id, kind: 'pipeline', params: {} },
        { owner: 'test', expiresAt: Date.now() + 60_000 },
      );

    beforeEach(async () => {
      project = await target.open();
      items = new JobItemStore(project.db, project.dialect);
      const catalog = new CatalogStore(project.db);
      const batch = await testBatch(catalog);
      images = [];
      for (const name of ['a', 'b', 'c', 'd', 'e'])
        images.push(await catalog.insertImage(testImage(batch, `${name}.jpg`)));
    });
    afterEach(() => project?.close());

    it('queues every image once, pages the pending ones, settles and counts them', async () => {
      await job('j1');
      expect(await items.enqueueImages('j1')).toBe(5);
      expect(await items.enqueueImages('j1')).toBe(0); // already queued: nothing twice
      expect(await items.pendingPage('j1', 0, 2)).toEqual(images.slice(0, 2));
      expect(await items.pendingPage('j1', images[1]!, 10)).toEqual(images.slice(2));
      await items.finish('j1', images[0]!, 'done');
      await items.finish('j1', images[1]!, 'skipped');
      await items.finish('j1', images[2]!, 'failed', { stage: 'graph', reason: 'no depth' });
      await items.finish('j1', images[3]!, 'failed');
      expect(await items.counts('j1')).toEqual({ pending: 1, done: 1, skipped: 1, failed: 2 });
      expect(await items.pendingPage('j1', 0, 10)).toEqual([images[4]]);
      expect(await items.counts('other')).toEqual({ pending: 0, done: 0, skipped: 0, failed: 0 });

      expect(await items.errors('j1', 0, 1)).toEqual({
        total: 2,
        items: [{ imageId: images[2], image: 'c.jpg', stage: 'graph', reason: 'no depth' }],
      });
      expect((await items.errors('j1', 1, 10)).items).toEqual([
        { imageId: images[3], image: 'd.jpg', stage: 'unknown', reason: '' },
      ]);

      expect(await items.requeueFailed('j1')).toBe(2);
      expect(await items.counts('j1')).toEqual({ pending: 3, done: 1, skipped: 1, failed: 0 });
      expect(await items.errors('j1', 0, 10)).toEqual({ total: 0, items: [] });
      const attempts = await project.db
        .selectFrom('job_items')
        .select(['image_id', 'attempts', 'stage'])
        .where('job_id', '=', 'j1')
        .orderBy('image_id')
        .execute();
      expect(attempts.map((r) => [r.attempts, r.stage])).toEqual([
        [1, null],
        [1, null],
        [1, null], // its failure's stage is cleared with the requeue
        [1, null],
        [0, null],
      ]);
    });

    it('with onlyPendingFor, queues only images with a stage not finished', async () => {
      await job('j2');
      const scene = new SceneStore(project.db);
      const rec = (
        imageId: number,
        stage: string,
        status: 'done' | 'skipped',
        reason = null as string | null,
      ) => ({
        imageId,
        stage,
        status,
        reason,
        provenance: null,
        tookMs: null,
        jobId: null,
      });
      await scene.recordStages([
        rec(images[0]!, 'graph', 'done'),
        rec(images[0]!, 'qa', 'done'), // a: both finished
        rec(images[1]!, 'graph', 'done'), // b: qa never ran
        rec(images[2]!, 'graph', 'skipped', 'filtered out'),
        rec(images[2]!, 'qa', 'skipped', 'filtered out'), // c: skipped for good
        rec(images[3]!, 'graph', 'skipped', 'no depth'),
        rec(images[3]!, 'qa', 'done'), // d: a skip that may change
      ]);
      const n = await items.enqueueImages('j2', {
        onlyPendingFor: ['graph', 'qa'],
        finishedSkips: ['filtered out'],
      });
      expect(n).toBe(3);
      expect(await items.pendingPage('j2', 0, 10)).toEqual([images[1], images[3], images[4]]);
    });

    it('reserves object-id blocks only in the desktop queue', async () => {
      await job('j3');
      if (project.dialect === 'postgres') {
        await expect(items.enqueueImages('j3', { reserveObjectIds: true })).rejects.toThrow(
          /reserveObjectIdBlocks/,
        );
        return;
      }
      await items.enqueueImages('j3', { reserveObjectIds: true });
      const firsts = await Promise.all(images.map((id) => items.firstObjectId('j3', id)));
      expect(firsts.every((f) => f !== null)).toBe(true);
      expect(await items.firstObjectId('j3', 999_999)).toBeNull();
    });
  });
}
