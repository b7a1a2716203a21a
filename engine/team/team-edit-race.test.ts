// A pipeline worker and a reviewer's edit on the same image at the same moment (issue 21), made to
// interleave deterministically on a throwaway PostgreSQL cluster: the worker computes the image's
// graph and QA from its objects, a reviewer deletes one of them (and the server re-derives), and
// only then does the worker store. The stored graph and QA must follow the objects as they are
// after the edit, with the reviewer's decision kept. The other way round, a re-derivation computes
// again when a worker stores objects of the image meanwhile; and an edit waits for a worker's
// store in progress (which checks that its objects are current), while workers do not wait for
// each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { openPostgresProject } from '../../db/store/connect';
import { ModelOutputStore } from '../../db/store/model-output-store';
import { lockObjectEdits } from '../../db/store/object-edit-store';
import { SceneStore } from '../../db/store/scene-store';
import { waitingAdvisoryLocks } from '../../db/store/testing/team-rows';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { NO_MODELS } from '../pipeline/testing/run-job';
import { corridorWithQa } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { openTeamEdits, type TeamEdits } from '../test/team-edits';
import { FolderBlobStore } from './blob-store';
import { TeamRederive } from './team-rederive';
import { WORKER_STAGES } from './testing/team-fixture';
import { runWorker } from './worker';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('a worker storing an image a reviewer just edited', () => {
  let dir: ReturnType<typeof tempDir>;
  let t: TeamEdits<number>;

  beforeAll(async () => {
    dir = tempDir('sqw-team-race-');
    t = await openTeamEdits(dir.path, postgres.cluster(), corridorWithQa);
  }, 60_000);
  afterAll(async () => {
    await t?.team.close();
    dir?.remove();
  });

  /** The image's stored graph, QA (by stable key) and ambiguities, as the worker leaves them. */
  async function derived(imageId: number) {
    const project = await openPostgresProject(t.url, 1);
    try {
      const scene = new SceneStore(project.db);
      return {
        graph: (await scene.graph(imageId))!.graph as SceneGraph,
        qa: (await scene.qaPairs(imageId)).map((q) => [q.key, q.question, q.answer, q.status]),
        ambiguities: await scene.ambiguities(imageId),
        stages: (await scene.stageRecords(imageId)).map((r) => [r.stage, r.status, r.jobId]),
      };
    } finally {
      await project.close();
    }
  }

  it('stores graph and QA from the objects after the edit, keeping the decision', async () => {
    const corridor = t.built;
    const door = await t.objectNamed(corridor, 'door');
    const about = ((await t.view(corridor)).qa as any[]).find(
      (q) => q.subjects.includes(door.id) && q.status === 'proposed',
    );
    await t.call('reviews.decide', { qaId: about.id, decision: 'approve', reviewer: 'ann' });

    const queue = await ImageQueue.open(t.url, { supervise: false });
    try {
      await queue.enqueue('run-race', [corridor], WORKER_STAGES, '1');
    } finally {
      await queue.close();
    }
    // The edit lands between the worker's computing and its storing, and is re-derived at once.
    let edits = 0;
    const report = await runWorker({
      url: t.url,
      blobs: new FolderBlobStore(t.blobs),
      batchSize: 1,
      exitWhenIdle: true,
      poolSize: 2,
      modelsDir: NO_MODELS,
      device: 'cpu',
      beforeStore: async () => {
        if (edits++ > 0) return;
        await t.call('objects.delete', {
          objectId: door.id,
          expectedVersion: door.version,
          reviewer: 'ann',
        });
        await t.settle();
      },
    });
    expect(edits).toBeGreaterThan(0);
    expect(report).toMatchObject({ jobs: 1, failed: 0 });

    const after = await derived(corridor);
    // The run's records are stored; its graph has no node for the deleted door.
    expect(after.stages.filter((s) => s[2] === 'run-race').map((s) => s[0])).toEqual(
      expect.arrayContaining(['graph', 'qa']),
    );
    expect(after.graph.nodes.map((n) => n.id)).not.toContain(door.id);
    expect(after.graph.nodes.length).toBeGreaterThan(0);
    // The approval is held by its orphaned QA, not lost and not brought back by the worker.
    expect(((await t.view(corridor)).qa as any[]).find((q) => q.id === about.id)?.status).toBe(
      'orphaned',
    );
    expect(await t.call('reviews.list', { qaId: about.id })).toHaveLength(1);

    // What is stored is what a re-derivation from the current objects stores: nothing to change.
    t.team.project.rederive.enqueue(corridor);
    await t.settle();
    const again = await derived(corridor);
    expect(again.graph).toEqual(after.graph);
    expect(again.qa).toEqual(after.qa);
    expect(again.ambiguities).toEqual(after.ambiguities);
  }, 30_000);

  it('a re-derivation computes again when a worker stored objects of the image meanwhile', async () => {
    const corridor = t.built;
    const project = await openPostgresProject(t.url, 2);
    try {
      const partition = await t.objectNamed(corridor, 'partition');
      let crate = 0;
      const rederive = new TeamRederive(project, new FolderBlobStore(t.blobs), {
        // Between computing and storing: what a worker's detect stage stores, committed.
        beforeWrite: async () => {
          if (crate) return;
          crate = (await new ModelOutputStore(project.db).reserveObjectIds(1, 'postgres'))[0]!;
          await project.db
            .transaction()
            .execute((trx) =>
              new ModelOutputStore(trx).addDetectedObjects(corridor, [
                { id: crate, label: 'crate', score: 0.9, box: partition.box },
              ]),
            );
        },
      });
      rederive.enqueue(corridor);
      await rederive.idle();
      expect(crate).toBeGreaterThan(0);
      const after = await derived(corridor);
      expect(after.graph.nodes.find((n) => n.id === crate)?.label).toBe('crate');
      expect(after.qa.some((q) => String(q[1]).includes('crate'))).toBe(true);
    } finally {
      await project.close();
    }
  }, 30_000);

  it("an edit waits for a worker's store in progress; stores do not wait for each other", async () => {
    const corridor = t.built;
    const project = await openPostgresProject(t.url, 3);
    const waiting = () => waitingAdvisoryLocks(project.db);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    try {
      // A worker's store: the shared lock, held until released.
      const store = project.db.transaction().execute(async (trx) => {
        await lockObjectEdits(trx, 'postgres', 'shared');
        held();
        await released;
      });
      await holding;
      // Another worker's store takes it at once.
      await project.db.transaction().execute((trx) => lockObjectEdits(trx, 'postgres', 'shared'));
      const cabinet = await t.objectNamed(corridor, 'cabinet');
      let edited = false;
      const edit = t
        .call('objects.update', {
          objectId: cabinet.id,
          expectedVersion: cabinet.version,
          label: 'locker',
          reviewer: 'ann',
        })
        .then(() => (edited = true));
      while ((await waiting()) === 0) await new Promise((r) => setTimeout(r, 10));
      expect(edited).toBe(false);
      release();
      await store;
      await edit;
      expect(edited).toBe(true);
      await t.settle();
    } finally {
      release();
      await project.close();
    }
  }, 30_000);
});
