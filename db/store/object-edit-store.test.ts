// One suite, two databases: reviewer edits of objects and their undo/redo behave the same on SQLite
// and PostgreSQL (the team service's object edits run on these).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectState } from './rows';
import { BrowseStore } from './browse-store';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ObjectEditStore, type ObjectEditSpec } from './object-edit-store';
import { ReviewConflictError, ReviewStore } from './review-store';
import { storeTargets, testBatch, testImage } from './test-targets';
import { UndoStore } from './undo-store';

describe.each(storeTargets())('object edits on $name', (target) => {
  let project: ProjectDb;
  let edits: ObjectEditStore;
  let undo: UndoStore;
  let review: ReviewStore;
  let imageId: number;
  let chair: number;
  let table: number;

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    edits = new ObjectEditStore(project.db, project.dialect);
    undo = new UndoStore(project.db, project.dialect);
    review = new ReviewStore(project.db, project.dialect);
    const catalog = new CatalogStore(project.db);
    const batch = await testBatch(catalog);
    imageId = await catalog.insertImage(testImage(batch, 'a.jpg'));
    const object = async (label: string, x0: number) =>
      (
        await project.db
          .insertInto('objects')
          .values({
            image_id: imageId,
            label,
            score: 0.9,
            x0,
            y0: 10,
            x1: x0 + 50,
            y1: 60,
            provenance: 'imported',
            mask_rle: '{"size":[480,640],"counts":"x"}',
            mask_provenance: 'depth-cluster',
            created_at: new Date().toISOString(),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    chair = await object('chair', 10);
    table = await object('table', 100);
    await project.db
      .insertInto('qa_pairs')
      .values({
        image_id: imageId,
        family: 'left_predicate',
        question: 'Is the chair left of the table?',
        answer: 'yes',
        status: 'proposed',
        created_at: new Date().toISOString(),
        record_json: JSON.stringify({ subjects: [chair, table] }),
      })
      .execute();
  });
  afterEach(async () => {
    await project?.close();
  });

  /**
   * Undoes `actor`'s newest command or redoes their newest undo: enough for these linear
   * histories (engine/review/undo-stack.ts picks from any history; db/ sits below the engine).
   */
  const step = (actor: string, op: 'undo' | 'redo') =>
    undo.step(actor, op, (h) => {
      const last = h.at(-1)!;
      if (op === 'undo') {
        const done = [...h].reverse().find((e) => e.op === 'do')!;
        return { commandId: done.id, lastId: last.op === 'redo' ? last.id : done.id };
      }
      return { commandId: last.refId!, lastId: last.id };
    });
  /** Relabels `id` as read inside the edit's transaction. */
  const relabel =
    (id: number, label: string) =>
    async (reads: Parameters<Parameters<ObjectEditStore['execute']>[1]>[0]) => {
      const before = (await reads.object(id))!;
      return {
        command: 'object.relabel',
        target: `object:${id}`,
        before: { objects: [before] },
        after: { objects: [{ ...before, label }] },
      } satisfies ObjectEditSpec;
    };
  const state = async (id: number) => {
    const row = await project.db
      .selectFrom('objects')
      .select(['label', 'version', 'deleted_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row;
  };

  it('writes the edit at the version it read, with one audit entry; undo and redo write it back', async () => {
    const entry = await edits.execute('ann', relabel(chair, 'stool'));
    expect(entry).toMatchObject({ actor: 'ann', command: 'object.relabel', op: 'do' });
    expect(entry.imageIds).toEqual([imageId]);
    const after = (entry.after as { objects: ObjectState[] }).objects[0]!;
    expect(after).toMatchObject({ id: chair, label: 'stool', version: 2 });
    expect(await state(chair)).toMatchObject({ label: 'stool', version: 2 });

    // A re-derived machine mask in between does not block the undo.
    await project.db
      .updateTable('objects')
      .set({ mask_rle: '{"size":[480,640],"counts":"y"}' })
      .where('id', '=', chair)
      .execute();
    const back = await step('ann', 'undo');
    expect(back).toMatchObject({ op: 'undo', refId: entry.id, imageIds: [imageId] });
    expect(await state(chair)).toMatchObject({ label: 'chair', version: 3 });
    await step('ann', 'redo');
    expect(await state(chair)).toMatchObject({ label: 'stool', version: 4 });
  });

  it('refuses an edit made against an older version, or refused by its guard, writing nothing', async () => {
    const count = await review.auditCount();
    const stale = edits.execute('ann', async (reads) => {
      const spec = await relabel(chair, 'stool')(reads);
      return { ...spec, before: { objects: [{ ...spec.before.objects[0]!, version: 7 }] } };
    });
    await expect(stale).rejects.toBeInstanceOf(ReviewConflictError);
    const guarded = edits.execute('ann', relabel(chair, 'stool'), async (_reads, spec) => {
      expect(spec.after.objects[0]!.label).toBe('stool');
      throw new Error('held by bob');
    });
    await expect(guarded).rejects.toThrow('held by bob');
    expect(await state(chair)).toMatchObject({ label: 'chair', version: 1 });
    expect(await review.auditCount()).toBe(count);
  });

  it("refuses an undo over someone else's later edit of the object, naming them", async () => {
    await edits.execute('ann', relabel(chair, 'stool'));
    await edits.execute('bob', relabel(chair, 'bench'));
    await expect(step('ann', 'undo')).rejects.toThrow(
      /cannot undo: object #\d+ \(bench\) was changed since by bob \(object\.relabel\)/,
    );
    expect(await state(chair)).toMatchObject({ label: 'bench' });
  });

  it('adds a drawn object in the same transaction; undo deletes it softly', async () => {
    const entry = await edits.execute('ann', async (reads) => {
      const made = await reads.insertHumanObject({ imageId, label: 'lamp', box: [1, 2, 30, 40] });
      return {
        command: 'object.create',
        target: `object:${made.id}`,
        before: { objects: [{ ...made, deleted: true }] },
        after: { objects: [made] },
      };
    });
    const made = (entry.after as { objects: ObjectState[] }).objects[0]!;
    expect(made).toMatchObject({ label: 'lamp', provenance: 'human', box: [1, 2, 30, 40] });
    const browse = new BrowseStore(project.db);
    expect(await browse.objectState(made.id)).toEqual(made);
    await step('ann', 'undo');
    expect((await state(made.id)).deleted_at).not.toBeNull();
    // Deleted, it is still read by id (the mask refiner refuses it by its flag), not listed.
    expect(await browse.objectState(made.id)).toMatchObject({ id: made.id, deleted: true });
    expect((await browse.objectStates(imageId)).map((o) => o.id)).not.toContain(made.id);
    expect(await browse.objectState(made.id + 1000)).toBeUndefined();
  });

  it("reads an object's batch and the families of the QA naming it", async () => {
    await edits.execute('ann', async (reads) => {
      const objects = [(await reads.object(chair))!, (await reads.object(table))!];
      const places = await reads.places(objects);
      expect(places.map((s) => s.families)).toEqual([['left_predicate'], ['left_predicate']]);
      expect(await reads.withLabels(['chair', 'table', 'sofa'])).toHaveLength(2);
      expect(await reads.labelInUse('sofa')).toBe(false);
      return relabel(chair, 'stool')(reads);
    });
  });
});
