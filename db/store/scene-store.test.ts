// One suite, two databases: objects, scene graphs, QA keeping, ambiguities, stage records and the
// derived image status behave the same on SQLite (desktop triggers) and PostgreSQL (the layer's);
// so do the model stages' outputs (ModelOutputStore).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GeneratedQa } from '../rules/qa-upsert-plan';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ModelOutputStore } from './model-output-store';
import { SceneStore } from './scene-store';
import { storeTargets, testBatch, testImage } from './test-targets';

function pair(key: string, answer = 'yes', factHash = `h-${key}`): GeneratedQa {
  return {
    key,
    family: 'left_predicate',
    kind: 'qualitative',
    question: `Is ${key} left?`,
    answer,
    value: answer === 'yes',
    factHash,
    record: { id: key, naming: 'plain', namingHash: 'n1' },
  };
}

describe.each(storeTargets())('scene store on $name', (target) => {
  let project: ProjectDb;
  let scene: SceneStore;
  let imageId: number;

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    scene = new SceneStore(project.db);
    const catalog = new CatalogStore(project.db);
    const batchId = await testBatch(catalog);
    imageId = await catalog.insertImage(
      testImage(batchId, 'a.jpg', {
        bytes: 10,
        width: 64,
        height: 48,
        intrinsics: { fx: 50, fy: 50, cx: 32, cy: 24, source: 'given' },
      }),
    );
  });
  afterEach(async () => {
    await project?.close();
  });

  const status = async () =>
    (
      await project.db
        .selectFrom('images')
        .select('status')
        .where('id', '=', imageId)
        .executeTakeFirstOrThrow()
    ).status;

  async function addObject(label: string, maskProvenance: string | null = null) {
    return (
      await project.db
        .insertInto('objects')
        .values({
          image_id: imageId,
          label,
          score: null,
          x0: 1,
          y0: 2,
          x1: 30,
          y1: 40,
          mask_rle: maskProvenance ? '{"size":[48,64],"counts":"x"}' : null,
          provenance: 'imported',
          created_at: 'now',
          mask_provenance: maskProvenance,
          external_id: null,
          updated_at: null,
          deleted_at: null,
          attributes_json: '["red"]',
          excluded: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  it('reads objects with masks and never replaces a reviewer mask', async () => {
    const chair = await addObject('chair');
    const table = await addObject('table', 'human');
    expect(await scene.setMask(chair, '{"m":1}', 'depth-cluster')).toBe(true);
    expect(await scene.setMask(table, '{"m":2}', 'depth-cluster')).toBe(false);
    const objects = await scene.objectsWithMasks(imageId);
    expect(objects.map((o) => [o.id, o.label, o.maskRle, o.maskProvenance])).toEqual([
      [chair, 'chair', '{"m":1}', 'depth-cluster'],
      [table, 'table', '{"size":[48,64],"counts":"x"}', 'human'],
    ]);
    expect(objects[0]).toMatchObject({ box: [1, 2, 30, 40], attributes: ['red'], excluded: null });
  });

  it('stores one scene graph per image, replaced by the next', async () => {
    await scene.saveGraph(imageId, { nodes: [1] }, ['a']);
    await scene.saveGraph(imageId, { nodes: [1, 2] }, ['b']);
    expect(await scene.graph(imageId)).toEqual({ graph: { nodes: [1, 2] }, notes: ['b'] });
    expect(await scene.graph(imageId + 1)).toBeUndefined();
  });

  it('keeps QA by key and decisions across regeneration; the image status follows', async () => {
    expect(await status()).toBe('pending');
    expect(await scene.upsertQa(imageId, [pair('a'), pair('b'), pair('c')])).toEqual({
      added: 3,
      unchanged: 0,
      changed: 0,
      removed: 0,
    });
    expect(await status()).toBe('needs-review');
    const [a, b] = await scene.qaPairs(imageId);
    // A reviewer approves a; b and c stay undecided.
    await project.db
      .insertInto('review_decisions')
      .values({
        qa_id: a!.id,
        decision: 'approve',
        reason: null,
        edited_answer: null,
        reviewer: 'ann',
        created_at: 'now',
      })
      .execute();
    await project.db
      .updateTable('qa_pairs')
      .set({ status: 'approved' })
      .where('id', '=', a!.id)
      .execute();
    expect(await status()).toBe('in-review');
    // Regenerated: a vanished (decided: kept orphaned), b's facts changed (undecided: rewritten),
    // c gone (undecided: deleted), d new.
    expect(await scene.upsertQa(imageId, [pair('b', 'no', 'h-b2'), pair('d')])).toEqual({
      added: 1,
      unchanged: 0,
      changed: 1,
      removed: 2,
    });
    const after = await scene.qaPairs(imageId);
    expect(after.map((q) => [q.key, q.status, q.answer])).toEqual([
      ['a', 'orphaned', 'yes'],
      ['b', 'proposed', 'no'],
      ['d', 'proposed', 'yes'],
    ]);
    expect(after[1]!.id).toBe(b!.id);
    expect(await status()).toBe('needs-review');
    // The same generation again changes nothing.
    expect(await scene.upsertQa(imageId, [pair('b', 'no', 'h-b2'), pair('d')])).toEqual({
      added: 0,
      unchanged: 2,
      changed: 0,
      removed: 0,
    });
  });

  it('derives failed from a stage record, and a direct status write does not stick', async () => {
    await scene.upsertQa(imageId, [pair('a')]);
    await scene.recordStages([
      {
        imageId,
        stage: 'graph',
        status: 'failed',
        reason: 'x',
        provenance: null,
        tookMs: 1,
        jobId: 'j1',
      },
    ]);
    expect(await status()).toBe('failed');
    await scene.recordStages([
      {
        imageId,
        stage: 'graph',
        status: 'done',
        reason: null,
        provenance: { n: 1 },
        tookMs: 2,
        jobId: 'j2',
      },
    ]);
    expect(await status()).toBe('needs-review');
    expect(await scene.stageRecords(imageId)).toEqual([
      {
        imageId,
        stage: 'graph',
        status: 'done',
        reason: null,
        provenance: { n: 1 },
        tookMs: 2,
        jobId: 'j2',
      },
    ]);
    await project.db
      .updateTable('images')
      .set({ status: 'approved' })
      .where('id', '=', imageId)
      .execute();
    expect(await status()).toBe('needs-review');
  });

  it('derives failed only from failed records: one deleted or a done one added clears or keeps it', async () => {
    await scene.upsertQa(imageId, [pair('a')]);
    const record = (stage: string, status: 'done' | 'failed') => ({
      imageId,
      stage,
      status,
      reason: null,
      provenance: null,
      tookMs: 1,
      jobId: 'j1',
    });
    await scene.recordStages([record('lift', 'failed')]);
    await scene.recordStages([record('graph', 'done')]);
    expect(await status()).toBe('failed');
    await project.db
      .deleteFrom('stage_runs')
      .where('image_id', '=', imageId)
      .where('stage', '=', 'lift')
      .execute();
    expect(await status()).toBe('needs-review');
    await scene.recordStages([record('graph', 'failed')]);
    expect(await status()).toBe('failed');
  });

  it('shows an image queued in a running job as processing', async () => {
    await project.db
      .insertInto('jobs')
      .values({
        id: 'job-1',
        kind: 'pipeline',
        status: 'running',
        params_json: '{}',
        result_json: null,
        message: null,
        created_at: 'now',
        updated_at: 'now',
        progress_json: null,
        owner_pid: null,
        lease_owner: null,
        lease_expires_at: Date.now() + 60_000,
      })
      .execute();
    await project.db
      .insertInto('job_items')
      .values({ job_id: 'job-1', image_id: imageId, stage: null, reason: null, updated_at: null })
      .execute();
    expect(await status()).toBe('processing');
    await project.db
      .updateTable('jobs')
      .set({ status: 'paused' })
      .where('id', '=', 'job-1')
      .execute();
    expect(await status()).toBe('pending');
  });

  it("summarises one run's records: counts per stage and status, skip reasons, failures", async () => {
    const record = (stage: string, status: 'done' | 'skipped' | 'failed', jobId: string) => ({
      imageId,
      stage,
      status,
      reason: status === 'done' ? null : `${stage} ${status}`,
      provenance: null,
      tookMs: 1,
      jobId,
    });
    await scene.recordStages([
      record('graph', 'skipped', 'run-1'),
      record('qa', 'skipped', 'run-1'),
      record('detect', 'failed', 'run-1'),
      record('filter', 'done', 'run-2'),
    ]);
    expect(await scene.runStageCounts('run-1')).toEqual([
      { stage: 'detect', status: 'failed', n: 1 },
      { stage: 'graph', status: 'skipped', n: 1 },
      { stage: 'qa', status: 'skipped', n: 1 },
    ]);
    expect(await scene.runSkipReasons('run-1')).toEqual([
      { stage: 'graph', reason: 'graph skipped', n: 1 },
      { stage: 'qa', reason: 'qa skipped', n: 1 },
    ]);
    expect(await scene.runSkipReasons('run-2')).toEqual([]);
    expect(await scene.runFailures('run-1', 'detect', 5)).toEqual([
      { image: expect.any(String), reason: 'detect failed' },
    ]);
  });

  it('replaces the ambiguous objects of an image', async () => {
    await scene.replaceAmbiguities(imageId, [
      { nodeId: 2, label: 'chair', group: [2, 3], reason: 'two chairs' },
    ]);
    await scene.replaceAmbiguities(imageId, [
      { nodeId: 3, label: 'chair', group: [2, 3], reason: 'same' },
    ]);
    expect(await scene.ambiguities(imageId)).toEqual([
      { nodeId: 3, label: 'chair', group: [2, 3], reason: 'same' },
    ]);
  });

  it("stores the model stages' outputs; object ids are reserved ahead on PostgreSQL only", async () => {
    const out = new ModelOutputStore(project.db);
    let ids: number[];
    if (target.name === 'postgres') {
      ids = await out.reserveObjectIds(2, 'postgres');
      expect(ids[1]).toBe(ids[0]! + 1);
      // Reserved ids are never handed out again, stored or not.
      expect((await out.reserveObjectIds(1, 'postgres'))[0]).toBe(ids[1]! + 1);
    } else {
      await expect(out.reserveObjectIds(2, 'sqlite')).rejects.toThrow(/only on PostgreSQL/);
      ids = [7, 9];
    }
    expect(await out.reserveObjectIds(0, target.name)).toEqual([]);
    await project.db.transaction().execute(async (trx) => {
      const store = new ModelOutputStore(trx);
      await store.addDetectedObjects(imageId, [
        { id: ids[0]!, label: 'chair', score: 0.9, box: [1, 2, 3, 4] },
        { id: ids[1]!, label: 'table', score: 0.75, box: [5, 6, 7.5, 8] },
      ]);
      await store.setModelDepth(imageId, {
        depth: 'blobs/depth/sha-a.model.png',
        preview: 'blobs/depth-preview/sha-a.model.png',
        info: { source: 'model', validRatio: 1 },
      });
      await store.setModelIntrinsics(imageId, { fx: 60.5, fy: 61, cx: 31.5, cy: 23.5 });
    });
    expect(
      (await scene.objectsWithMasks(imageId)).map((o) => [
        o.id,
        o.label,
        o.score,
        o.box,
        o.provenance,
      ]),
    ).toEqual([
      [ids[0], 'chair', 0.9, [1, 2, 3, 4], 'model'],
      [ids[1], 'table', 0.75, [5, 6, 7.5, 8], 'model'],
    ]);
    const image = (await new CatalogStore(project.db).image(imageId))!;
    expect(image).toMatchObject({
      depthBlob: 'blobs/depth/sha-a.model.png',
      depthPreviewBlob: 'blobs/depth-preview/sha-a.model.png',
      fx: 60.5,
      fy: 61,
      cx: 31.5,
      cy: 23.5,
      intrinsicsSource: 'model',
    });
    expect(JSON.parse(image.depthJson!)).toEqual({ source: 'model', validRatio: 1 });
  });
});
