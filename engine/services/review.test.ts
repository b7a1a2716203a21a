// The review API over real HTTP on the SUN RGB-D corridor (sensor depth + hand-labelled boxes, graph
// and QA built): masks reach the client, decisions warn before they land, a moved box sends its
// reviewed QA back as 'changed', a stale edit from a second window is refused, undo/redo work, each
// reviewer's own.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';
import { corridorWithQa } from '../test/corridor-project';
import { desktopScene } from '../test/desktop-results';

let dir: ReturnType<typeof tempDir>;
let s: ServedEngine;
let imageId: number;

async function call(method: string, input: Record<string, unknown> = {}) {
  const res = await s.rpc(method, { projectId: s.projectId, ...input });
  if (!res.body.ok) throw new Error(`${method}: ${res.body.error.code}: ${res.body.error.message}`);
  return res.body.result;
}
async function fail(method: string, input: Record<string, unknown>) {
  const res = await s.rpc(method, { projectId: s.projectId, ...input });
  expect(res.body.ok).toBe(false);
  return res.body.error as { code: string; message: string };
}

beforeAll(async () => {
  dir = tempDir();
  const folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  imageId = await corridorWithQa(store);
  store.close();
  s = await serveEngine(folder);
});
afterAll(async () => {
  await s.close();
  dir.remove();
});

describe('review API', () => {
  it('hands the canvas objects with decoded-ready masks, versions, QA with measurements', async () => {
    const view = await call('reviews.image', { imageId });
    expect(view.objects.length).toBe(3);
    for (const o of view.objects) {
      expect(o.version).toBeGreaterThan(0);
      expect(o.mask).toMatchObject({ size: [480, 640] });
    }
    expect(view.qa.length).toBeGreaterThan(10);
    const q = view.qa.find((x: any) => x.unit === 'm');
    expect(q.measurement).toMatchObject({ type: expect.any(String), spoken: expect.any(String) });
    expect(view.geometryPending).toBe(false);
    expect(view.history).toMatchObject({ canUndo: false, canRedo: false });
  });

  it('puts the measured numbers on every QA: azimuths for left/right (the corridor partition is seen right of the cabinet), lengths with endpoints', async () => {
    const view = await call('reviews.image', { imageId });
    const id = (label: string) => view.objects.find((o: any) => o.label === label).id as number;
    const [partition, cabinet] = [id('partition'), id('cabinet')];
    // In the image the partition's box (x 505-640) is right of the cabinet's (x 368-503).
    const lr = view.qa.filter(
      (q: any) =>
        q.family === 'left_right' && q.subjects.includes(partition) && q.subjects.includes(cabinet),
    );
    expect(lr.length).toBeGreaterThan(0);
    for (const q of lr) {
      const az = new Map<number, number>(
        q.evidence.azimuths.map((a: any) => [a.objectId, a.degrees]),
      );
      expect(az.get(partition)!).toBeGreaterThan(az.get(cabinet)!);
      // ...while its lateral offset is smaller (0.54 vs 0.74 m): the old rule said left_of.
      const lateral = new Map<number, number>(
        q.evidence.azimuths.map((a: any) => [a.objectId, a.lateral]),
      );
      expect(lateral.get(partition)!).toBeLessThan(lateral.get(cabinet)!);
      const [cmp] = q.evidence.comparisons;
      expect(cmp.stated).toBe(cmp.subject === partition ? 'right_of' : 'left_of');
    }
    const relations = await call('scene.relations', { imageId, objectIds: [partition, cabinet] });
    const stated = relations.find(
      (r: any) => r.subject === partition && r.object === cabinet && r.unit === 'deg',
    );
    expect(stated.predicate).toBe('right_of');
    // Every metric answer: value, unit and two endpoints whose distance is the value.
    const metric = view.qa.filter((q: any) => q.unit === 'm');
    expect(metric.length).toBeGreaterThan(0);
    for (const q of metric) {
      expect(q.evidence.lengths.length, q.family).toBeGreaterThan(0);
      // one length per quantity read (a path is two); a single measurement is the answer itself
      if (q.kind === 'quantitative') expect(q.evidence.lengths[0].value).toBeCloseTo(q.value, 6);
      for (const l of q.evidence.lengths) {
        const [a, b] = [l.from.world, l.to.world];
        expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeCloseTo(l.value, 3);
      }
    }
    // The whole-batch queue sends the labels of its images' objects for the chips.
    const queue = await call('qa.queue', { limit: 5 });
    expect(queue.objects).toEqual(
      expect.arrayContaining([{ imageId, id: partition, label: 'partition' }]),
    );
  });

  it('checks an edited numeric answer against the geometry before writing it', async () => {
    const view = await call('reviews.image', { imageId });
    const q = view.qa.find((x: any) => x.unit === 'm' && typeof x.value === 'number');
    const wrong = (q.value as number) * 3 + 1;
    const warned = await call('reviews.decide', {
      qaId: q.id,
      decision: 'edit',
      editedAnswer: `about ${wrong.toFixed(1)} meters`,
      reviewer: 'ann',
    });
    expect(warned.applied).toBe(false);
    expect(warned.warnings.map((w: any) => w.code)).toContain('answer-disagrees');
    expect(warned.qa.status).toBe(q.status); // nothing written
    const unreadable = await call('reviews.decide', {
      qaId: q.id,
      decision: 'edit',
      editedAnswer: 'quite far',
      reviewer: 'ann',
    });
    expect(unreadable.warnings.map((w: any) => w.code)).toContain('answer-unreadable');
    const right = await call('reviews.decide', {
      qaId: q.id,
      decision: 'edit',
      editedAnswer: `about ${(q.value as number).toFixed(2)} meters`,
      reviewer: 'ann',
    });
    expect(right.warnings.filter((w: any) => w.code.startsWith('answer'))).toEqual([]);
    if (!right.applied) expect(right.warnings.length).toBeGreaterThan(0);
    const forced = await call('reviews.decide', {
      qaId: q.id,
      decision: 'edit',
      editedAnswer: `about ${wrong.toFixed(1)} meters`,
      confirmWarnings: true,
      reviewer: 'ann',
    });
    expect(forced).toMatchObject({ applied: true, qa: { status: 'edited' } });
    expect(forced.qa.answer).toBe(`about ${wrong.toFixed(1)} meters`);
    const undone = await call('reviews.undo', { reviewer: 'ann' });
    expect(undone.entry).toMatchObject({ op: 'undo', command: 'review.edit' });
  });

  it('asks for a reason to reject and refuses a decision on a changed revision', async () => {
    const view = await call('reviews.image', { imageId });
    const q = view.qa[0];
    expect(
      (await fail('reviews.decide', { qaId: q.id, decision: 'reject', reviewer: 'a' })).message,
    ).toMatch(/needs a reason/);
    await call('reviews.decide', {
      qaId: q.id,
      decision: 'reject',
      reason: 'wrong <b>object</b>',
      reviewer: 'a',
    });
    const stale = await fail('reviews.decide', {
      qaId: q.id,
      decision: 'approve',
      expectedRevision: q.revision,
      confirmWarnings: true,
      reviewer: 'b',
    });
    expect(stale).toMatchObject({ code: 'invalid-input' });
    expect(stale.message).toMatch(/changed in another window/);
    const list = await call('reviews.list', { qaId: q.id });
    expect(list.at(-1)).toMatchObject({ decision: 'reject', reason: 'wrong <b>object</b>' });
  });

  it('moving a box re-derives graph and QA: its approved QA come back as changed, first in the queue', async () => {
    const view = await call('reviews.image', { imageId });
    const target = view.objects[0];
    const mine = view.qa.filter(
      (q: any) => q.subjects.includes(target.id) && q.status === 'proposed' && q.unit === 'm',
    );
    expect(mine.length).toBeGreaterThan(0);
    for (const q of mine)
      await call('reviews.decide', {
        qaId: q.id,
        decision: 'approve',
        confirmWarnings: true,
        reviewer: 'ann',
      });

    const [x0, y0, x1, y1] = target.box;
    const dx = Math.min(80, 639 - x1);
    const moved = await call('objects.update', {
      objectId: target.id,
      expectedVersion: target.version,
      box: [x0 + dx, y0, x1 + dx, y1],
      reviewer: 'ann',
    });
    expect(moved.object).toMatchObject({ box: [x0 + dx, y0, x1 + dx, y1], mask: null });
    // A second window still holding the old version: refused, and its edit is not silently lost.
    const stale = await fail('objects.update', {
      objectId: target.id,
      expectedVersion: target.version,
      label: 'second window',
      reviewer: 'bob',
    });
    expect(stale.code).toBe('invalid-input');
    expect(stale.message).toMatch(
      /changed in another window \(you edited version \d+, it is now at version \d+\); reload/,
    );

    await s.engine.rederive.idle();
    const after = await call('reviews.image', { imageId });
    expect(after.geometryPending).toBe(false);
    const movedNow = after.objects.find((o: any) => o.id === target.id);
    expect(movedNow.mask).not.toBeNull(); // derived again from depth for the new box
    expect(movedNow.maskProvenance).toBe('depth-cluster');
    const statuses = mine.map((q: any) => after.qa.find((x: any) => x.id === q.id)?.status);
    expect(statuses).toContain('changed');

    const queue = await call('qa.queue', { imageId });
    expect(queue.items[0].status).toBe('changed');
    expect(queue.families.length).toBeGreaterThan(1);

    // Undo restores the box; redo moves it again.
    const undo = await call('reviews.undo', { reviewer: 'ann' });
    expect(undo.entry).toMatchObject({ command: 'object.move', op: 'undo' });
    const back = (await call('reviews.image', { imageId })).objects.find(
      (o: any) => o.id === target.id,
    );
    expect(back.box).toEqual([x0, y0, x1, y1]);
    const redo = await call('reviews.redo', { reviewer: 'ann' });
    expect(redo.entry).toMatchObject({ command: 'object.move', op: 'redo' });
    expect(redo.history.canRedo).toBe(false);
    await s.engine.rederive.idle();

    const audit = await call('audit.list', { imageId, limit: 50 });
    expect(audit[0]).toMatchObject({ op: 'redo', actor: 'ann', command: 'object.move' });
    expect(audit.some((e: any) => e.command === 'review.approve' && e.actor === 'ann')).toBe(true);
  });

  it('warns before approving a QA whose referent is ambiguous or whose relation no longer holds', async () => {
    const store = s.engine.projects.get(s.projectId);
    const view = await call('reviews.image', { imageId });
    const pick = view.qa.find(
      (q: any) => q.status === 'proposed' && q.family === 'left_right' && q.subjects.length === 2,
    );
    expect(pick).toBeDefined();
    const [a, b] = pick.subjects as number[];
    // The QA engine reports `a` as ambiguous: approving warns and writes nothing.
    await desktopScene(store).replaceAmbiguities(imageId, [
      { nodeId: a!, label: 'door', group: [a!, b!], reason: 'no-distinguishing-expression' },
    ]);
    const amb = await call('reviews.decide', { qaId: pick.id, decision: 'approve', reviewer: 'r' });
    expect(amb.applied).toBe(false);
    expect(amb.warnings.map((w: any) => w.code)).toContain('ambiguous-referent');
    const listed = (await call('reviews.image', { imageId })).ambiguous;
    expect(listed[0]).toMatchObject({ nodeId: a, candidates: expect.any(Array) });
    await desktopScene(store).replaceAmbiguities(imageId, []);

    // Swap the two objects' places in the stored graph (geometry changed, QA not yet re-run):
    // the left/right relation is now reversed and approval warns.
    const stored = (await desktopScene(store).graph(imageId))!;
    const graph = structuredClone(stored.graph) as any;
    const na = graph.nodes.find((n: any) => n.id === a);
    const nb = graph.nodes.find((n: any) => n.id === b);
    for (const key of ['centroid', 'aabb', 'obb', 'bbox2d'])
      [na[key], nb[key]] = [nb[key], na[key]];
    graph.edges = graph.edges.map((e: any) => ({
      ...e,
      subject: e.subject === a ? b : e.subject === b ? a : e.subject,
      object: e.object === a ? b : e.object === b ? a : e.object,
    }));
    await desktopScene(store).saveGraph(imageId, graph, stored.notes);
    const contra = await call('reviews.decide', {
      qaId: pick.id,
      decision: 'approve',
      reviewer: 'r',
    });
    expect(contra.applied).toBe(false);
    expect(contra.warnings.map((w: any) => w.code)).toContain('contradicts-geometry');
    // Confirmed anyway: applied, and the warnings are returned with it.
    const forced = await call('reviews.decide', {
      qaId: pick.id,
      decision: 'approve',
      confirmWarnings: true,
      reviewer: 'r',
    });
    expect(forced).toMatchObject({ applied: true, qa: { status: 'approved' } });
    await desktopScene(store).saveGraph(imageId, stored.graph, stored.notes);
    await call('reviews.undo', { reviewer: 'r' });
  });

  it("each reviewer undoes their own decisions: bob's undo never reverts alice's approval", async () => {
    const view = await call('reviews.image', { imageId, reviewer: 'alice' });
    const [mine, his] = view.qa.filter((q: any) => q.status === 'proposed');
    const decide = (qaId: number, decision: string, reviewer: string) =>
      call('reviews.decide', { qaId, decision, reason: 'no', confirmWarnings: true, reviewer });
    await decide(his.id, 'reject', 'bob');
    const approved = await decide(mine.id, 'approve', 'alice');
    expect(approved.history).toMatchObject({
      canUndo: true,
      nextUndo: { target: `qa:${mine.id}` },
    });

    // Alice's approval is the newest command; bob's undo reverts bob's rejection instead.
    const undone = await call('reviews.undo', { reviewer: 'bob' });
    expect(undone.entry).toMatchObject({ actor: 'bob', op: 'undo', target: `qa:${his.id}` });
    const after = await call('reviews.image', { imageId, reviewer: 'alice' });
    expect(after.qa.find((q: any) => q.id === mine.id).status).toBe('approved');
    expect(after.qa.find((q: any) => q.id === his.id).status).toBe('proposed');
    expect(after.history.nextUndo).toMatchObject({ id: approved.entryId });
    expect(await call('reviews.history', { reviewer: 'bob' })).toMatchObject({
      canUndo: false,
      canRedo: true,
    });

    // Bob then rejects what alice approved: her undo would overwrite his decision, so it is refused.
    await decide(mine.id, 'reject', 'bob');
    const refused = await fail('reviews.undo', { reviewer: 'alice' });
    expect(refused.code).toBe('invalid-input');
    expect(refused.message).toBe(
      `cannot undo: QA #${mine.id} (now rejected) was changed since by bob (review.reject); it stays as they left it`,
    );
    const list = await call('reviews.list', { qaId: mine.id });
    expect(list.slice(-2).map((d: any) => [d.reviewer, d.decision])).toEqual([
      ['alice', 'approve'],
      ['bob', 'reject'],
    ]);
  });

  it('draws a box whose mask comes from depth, deletes it, and relabels from the vocabulary', async () => {
    const made = await call('objects.create', {
      imageId,
      box: [300, 200, 360, 300],
      label: 'box <i>',
      reviewer: 'a',
    });
    expect(made.object).toMatchObject({ provenance: 'human', label: 'box <i>' });
    await s.engine.rederive.idle();
    const seen = (await call('reviews.image', { imageId })).objects.find(
      (o: any) => o.id === made.object.id,
    );
    expect(seen.maskProvenance).toBe('depth-cluster');
    const vocab = await call('labels.vocabulary');
    expect(vocab.map((v: any) => v.label)).toContain('box <i>');
    const renamed = await call('labels.rename', { from: 'box <i>', to: 'crate', reviewer: 'a' });
    expect(renamed).toMatchObject({ changed: 1, merged: false });
    const del = await call('objects.delete', {
      objectId: made.object.id,
      expectedVersion: seen.version + 1,
      reviewer: 'a',
    });
    expect(del.object).toBeNull();
    expect(
      (
        await fail('objects.update', {
          objectId: 999999,
          expectedVersion: 1,
          label: 'x',
          reviewer: 'a',
        })
      ).code,
    ).toBe('not-found');
    expect(
      (await fail('objects.create', { imageId, box: [0, 0, 1, 1], label: 'x', reviewer: 'a' }))
        .message,
    ).toMatch(/at least 2 px/);
    await s.engine.rederive.idle();
  });
});
