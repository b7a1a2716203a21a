// Review commands against a real project database: every edit is an audit entry with before/after,
// undo/redo restore exactly, each reviewer undoes only their own commands, the stacks survive closing
// and reopening the project, and an edit made against an old version is refused instead of
// overwriting the newer one.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { BrowseStore } from '../../db/store/browse-store';
import { sqliteHandle } from '../../db/store/connect';
import { ReviewStore } from '../../db/store/review-store';
import { recordOlderAuditEntry } from '../../db/store/testing/desktop-rows';
import { importBatch } from '../import/index';
import { tempDir } from '../test/helpers';
import { desktopReview } from './testing/desktop-review';
import { deriveStacks } from './undo-stack';
import { desktopScene } from '../test/desktop-results';
import { writeObjectState } from '../../db/store/object-edit-store';
import { imageIdOf, layer, objectsLabelled } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

let dir: ReturnType<typeof tempDir>;
let folder: string;
let store: ProjectStore;
let imageId: number;
let changed: number[];

// The label vocabulary and the audit log as the desktop reads them (engine/services/catalog.ts).
const vocabulary = () => new BrowseStore(sqliteHandle(store.db)).vocabulary();
const auditEntries = (q: { imageId?: number; limit: number }) =>
  new ReviewStore(sqliteHandle(store.db), 'sqlite').auditEntries(q);

// Object edits, undo and redo through the handlers both services share
// (engine/services/object-edits.ts, review-history.ts), which re-derive what they changed.
function commands() {
  const review = desktopReview(store, { onObjectsChanged: (ids) => changed.push(...ids) });
  return { review, objects: review.objects };
}

beforeAll(async () => {
  dir = tempDir();
  folder = join(dir.path, 'p');
  store = ProjectStore.openOrCreate(folder);
  await importBatch(store, { folder: `${SAMPLES}/sun-corridor/color` });
  imageId = await imageIdOf(store, 'corridor.jpg');
});
afterAll(() => {
  store.close();
  dir.remove();
});
beforeEach(() => {
  changed = [];
});

describe('undo stacks', () => {
  it('a new command clears redo; undo and redo move commands between the stacks', () => {
    const s = deriveStacks([
      { id: 1, op: 'do', refId: null },
      { id: 2, op: 'do', refId: null },
      { id: 3, op: 'undo', refId: 2 },
      { id: 4, op: 'undo', refId: 1 },
      { id: 5, op: 'redo', refId: 1 },
    ]);
    expect(s.undo).toEqual([{ commandId: 1, lastId: 5 }]);
    expect(s.redo).toEqual([{ commandId: 2, lastId: 3 }]);
    expect(
      deriveStacks([
        { id: 1, op: 'do', refId: null },
        { id: 2, op: 'undo', refId: 1 },
        { id: 3, op: 'do', refId: null },
      ]),
    ).toEqual({
      undo: [{ commandId: 3, lastId: 3 }],
      redo: [],
    });
  });
});

describe('object commands', () => {
  it('draws, moves, relabels and deletes with audit entries, and undoes/redoes each exactly', async () => {
    const { review, objects } = commands();
    const created = await objects.create({
      imageId,
      box: [10, 20, 110, 220],
      label: ' chair ',
      actor: 'ann',
    });
    expect(created).toMatchObject({
      actor: 'ann',
      command: 'object.create',
      op: 'do',
      imageIds: [imageId],
    });
    const id = (await layer(store).browse.objects(imageId)).find((o) => o.label === 'chair')!.id;
    expect(changed).toEqual([imageId]);
    let state = (await layer(store).browse.objectState(id))!;
    expect(state).toMatchObject({ provenance: 'human', box: [10, 20, 110, 220], deleted: false });

    // A stored mask is dropped by a move (it no longer fits), and comes back on undo.
    await desktopScene(store).setMask(id, '{"size":[480,640],"counts":"abc"}', 'depth-cluster');
    state = (await layer(store).browse.objectState(id))!;
    const move = await objects.update({
      objectId: id,
      expectedVersion: state.version,
      box: [30, 40, 130, 240],
      actor: 'ann',
    });
    expect(move.command).toBe('object.move');
    expect(move.before).toMatchObject({
      objects: [{ box: [10, 20, 110, 220], maskRle: expect.any(String) }],
    });
    expect(move.after).toMatchObject({ objects: [{ box: [30, 40, 130, 240], maskRle: null }] });

    const relabel = await objects.update({
      objectId: id,
      expectedVersion: (await layer(store).browse.objectState(id))!.version,
      label: 'armchair',
      actor: 'bob',
    });
    expect(relabel.command).toBe('object.relabel');

    const del = await objects.delete({
      objectId: id,
      expectedVersion: (await layer(store).browse.objectState(id))!.version,
      actor: 'bob',
    });
    expect(del.command).toBe('object.delete');
    expect((await layer(store).browse.objects(imageId)).some((o) => o.id === id)).toBe(false);

    expect(await review.undo('bob')).toMatchObject({ op: 'undo', refId: del.id });
    expect(await layer(store).browse.objectState(id)).toMatchObject({
      deleted: false,
      label: 'armchair',
    });
    expect(await review.undo('bob')).toMatchObject({ refId: relabel.id });
    expect(await review.undo('bob')).toBeNull(); // the move is ann's: bob's undo never reverts it
    expect(await review.undo('ann')).toMatchObject({ refId: move.id });
    expect(await layer(store).browse.objectState(id)).toMatchObject({
      label: 'chair',
      box: [10, 20, 110, 220],
      maskRle: '{"size":[480,640],"counts":"abc"}',
      maskProvenance: 'depth-cluster',
    });
    expect(await review.redo('ann')).toMatchObject({ op: 'redo', refId: move.id });
    expect(await layer(store).browse.objectState(id)).toMatchObject({
      box: [30, 40, 130, 240],
      maskRle: null,
    });
    expect(await review.history('ann')).toMatchObject({
      canUndo: true,
      canRedo: false,
      nextUndo: { id: move.id },
      nextRedo: null,
    });
    expect(await review.history('bob')).toMatchObject({
      canUndo: false,
      canRedo: true,
      nextUndo: null,
      nextRedo: { id: relabel.id },
    });
  });

  it('refuses a stale edit with a clear reason and keeps the newer one', async () => {
    const { objects } = commands();
    await objects.create({ imageId, box: [200, 200, 300, 300], label: 'lamp', actor: 'ann' });
    const lamp = (await objectsLabelled(store, 'lamp'))[0]!;
    // Window A and window B both loaded version v.
    const v = lamp.version;
    await objects.update({
      objectId: lamp.id,
      expectedVersion: v,
      box: [210, 200, 310, 300],
      actor: 'A',
    });
    await expect(
      objects.update({ objectId: lamp.id, expectedVersion: v, label: 'floor lamp', actor: 'B' }),
    ).rejects.toThrow(
      /changed in another window \(you edited version \d+, it is now at version \d+\)/,
    );
    expect(await layer(store).browse.objectState(lamp.id)).toMatchObject({
      label: 'lamp',
      box: [210, 200, 310, 300],
    });
  });

  it('refuses an undo when another window changed the object since', async () => {
    const { review, objects } = commands();
    await objects.create({ imageId, box: [5, 5, 50, 50], label: 'cup', actor: 'A' });
    const cup = (await objectsLabelled(store, 'cup'))[0]!;
    // Another window (another handler set, same database) edits the cup after A's command.
    const other = commands();
    await other.objects.update({
      objectId: cup.id,
      expectedVersion: cup.version,
      label: 'mug',
      actor: 'B',
    });
    await other.review.undo('B'); // B undoes its own relabel: top of the shared stack
    expect((await layer(store).browse.objectState(cup.id))!.label).toBe('cup');
    await other.objects.update({
      objectId: cup.id,
      expectedVersion: (await layer(store).browse.objectState(cup.id))!.version,
      box: [6, 6, 60, 60],
      actor: 'B',
    });
    // Direct write outside the command log (e.g. a second engine) makes the top command stale.
    const now = (await layer(store).browse.objectState(cup.id))!;
    await writeObjectState(layer(store).db, { ...now, label: 'bowl' }, now.version);
    await expect(review.undo('A')).rejects.toThrow(
      /cannot undo: object #\d+ \(bowl\) was changed since by B \(object\.move\); it stays as they left it; reload/,
    );
    expect((await layer(store).browse.objectState(cup.id))!.label).toBe('bowl');
  });

  it('rejects bad boxes and labels with a reason and writes nothing', async () => {
    const { objects } = commands();
    const before = await layer(store).review.auditCount();
    await expect(
      objects.create({ imageId, box: [700, 10, 800, 20], label: 'x', actor: 'a' }),
    ).rejects.toThrow(/inside the 640x480 image/);
    await expect(
      objects.create({ imageId, box: [1, 1, 50, 50], label: '   ', actor: 'a' }),
    ).rejects.toThrow(/label is empty/);
    await expect(
      objects.create({ imageId, box: [1, 1, 50, 50], label: 'x'.repeat(65), actor: 'a' }),
    ).rejects.toThrow(/longer than 64/);
    await expect(
      objects.create({ imageId, box: [1, 1, Number.NaN, 50], label: 'x', actor: 'a' }),
    ).rejects.toThrow(/non-finite/);
    await expect(
      objects.create({ imageId: 9999, box: [1, 1, 50, 50], label: 'x', actor: 'a' }),
    ).rejects.toThrow(/image not found/);
    expect(await layer(store).review.auditCount()).toBe(before);
  });

  it('renames and merges labels across the project as one undoable command', async () => {
    const { review, objects } = commands();
    await objects.create({ imageId, box: [1, 1, 40, 40], label: 'sofa', actor: 'a' });
    await objects.create({ imageId, box: [41, 1, 80, 40], label: 'sofa', actor: 'a' });
    await objects.create({ imageId, box: [81, 1, 120, 40], label: 'couch', actor: 'a' });
    const rename = await objects.renameLabel({ from: 'sofa', to: 'settee', actor: 'a' });
    expect(rename.command).toBe('label.rename');
    expect(await vocabulary()).toContainEqual({ label: 'settee', count: 2 });
    const merge = await objects.mergeLabels({
      from: ['couch', 'settee'],
      into: 'sofa',
      actor: 'a',
    });
    expect(merge.command).toBe('label.merge');
    expect(await vocabulary()).toContainEqual({ label: 'sofa', count: 3 });
    await review.undo('a');
    expect(await vocabulary()).toEqual(
      expect.arrayContaining([
        { label: 'settee', count: 2 },
        { label: 'couch', count: 1 },
      ]),
    );
    await expect(
      objects.renameLabel({ from: 'nothing-here', to: 'x', actor: 'a' }),
    ).rejects.toThrow(/no object is labelled/);
  });

  it('undo and redo are per reviewer: bob never reverts alice; her undo over his later change is refused, naming him', async () => {
    const { review, objects } = commands();
    const { browse } = layer(store);
    await objects.create({ imageId, box: [400, 10, 450, 60], label: 'vase', actor: 'alice' });
    const bobCreate = await objects.create({
      imageId,
      box: [400, 100, 450, 160],
      label: 'clock',
      actor: 'bob',
    });
    const vase = (await objectsLabelled(store, 'vase'))[0]!;
    const clock = (await objectsLabelled(store, 'clock'))[0]!;
    const relabel = await objects.update({
      objectId: vase.id,
      expectedVersion: vase.version,
      label: 'urn',
      actor: 'alice',
    });
    // Alice's relabel is the newest command, but bob's undo reverts bob's own last one.
    expect(await review.undo('bob')).toMatchObject({
      actor: 'bob',
      op: 'undo',
      refId: bobCreate.id,
    });
    expect((await browse.objectState(clock.id))!.deleted).toBe(true);
    expect((await browse.objectState(vase.id))!.label).toBe('urn');
    expect((await review.history('alice')).nextUndo).toMatchObject({ id: relabel.id });
    // A new command of alice's leaves bob's redo alone.
    await objects.create({ imageId, box: [460, 10, 500, 60], label: 'bowl', actor: 'alice' });
    expect(await review.redo('bob')).toMatchObject({ op: 'redo', refId: bobCreate.id });
    expect((await browse.objectState(clock.id))!.deleted).toBe(false);
    await review.undo('alice'); // her bowl

    // Bob moves the urn alice relabelled: her undo would overwrite his work, so it is refused.
    const urn = (await browse.objectState(vase.id))!;
    await objects.update({
      objectId: urn.id,
      expectedVersion: urn.version,
      box: [405, 15, 455, 65],
      actor: 'bob',
    });
    const entries = await layer(store).review.auditCount();
    await expect(review.undo('alice')).rejects.toThrow(
      /^cannot undo: object #\d+ \(urn\) was changed since by bob \(object\.move\); it stays as they left it; reload/,
    );
    expect(await browse.objectState(vase.id)).toMatchObject({
      label: 'urn',
      box: [405, 15, 455, 65],
    });
    expect(await layer(store).review.auditCount()).toBe(entries);
    // Once bob has undone his move, alice's undo applies.
    await review.undo('bob');
    expect(await review.undo('alice')).toMatchObject({ refId: relabel.id });
    expect((await browse.objectState(vase.id))!.label).toBe('vase');
  });

  it('undoes and redoes an object edit the former synchronous review log wrote (existing projects)', async () => {
    const { review, objects } = commands();
    await objects.create({ imageId, box: [300, 300, 340, 340], label: 'stool', actor: 'old' });
    const id = (await objectsLabelled(store, 'stool'))[0]!.id;
    // A relabel as engine/review/review-log.ts wrote it before this layer served the desktop: the
    // row at its next version, and an audit entry with the rows as read and as written.
    const before = (await layer(store).browse.objectState(id))!;
    await writeObjectState(layer(store).db, { ...before, label: 'ottoman' }, before.version);
    const after = (await layer(store).browse.objectState(id))!;
    recordOlderAuditEntry(store.db, {
      actor: 'old',
      command: 'object.relabel',
      target: `object:${id}`,
      before: { objects: [before], qa: [] },
      after: { objects: [after], qa: [] },
      createdAt: new Date().toISOString(),
      imageIds: [imageId],
    });
    changed = [];
    expect(await review.undo('old')).toMatchObject({ command: 'object.relabel', op: 'undo' });
    expect((await layer(store).browse.objectState(id))!.label).toBe('stool');
    expect(changed).toEqual([imageId]);
    expect(await review.redo('old')).toMatchObject({ command: 'object.relabel', op: 'redo' });
    expect((await layer(store).browse.objectState(id))!.label).toBe('ottoman');
    // One history: the new path's create is next under it.
    await review.undo('old');
    expect(await review.undo('old')).toMatchObject({ command: 'object.create', op: 'undo' });
    expect((await layer(store).browse.objectState(id))!.deleted).toBe(true);
  });

  it('keeps the audit log and the undo/redo stacks across a restart', async () => {
    const { review } = commands();
    const before = await review.history('a');
    const entries = await auditEntries({ limit: 1000 });
    store.close();
    store = ProjectStore.open(folder);
    const after = commands().review;
    expect(await after.history('a')).toEqual(before);
    expect(await auditEntries({ limit: 1000 })).toEqual(entries);
    expect(await auditEntries({ imageId, limit: 3 })).toHaveLength(3);
    // And undo still works on the reopened project.
    expect(await after.undo('a')).toMatchObject({ op: 'undo', refId: before.nextUndo!.id });
  });
});
