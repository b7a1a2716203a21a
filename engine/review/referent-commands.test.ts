// Resolving an ambiguous name on a real frame (SUN corridor, sensor depth): a second "cabinet" box
// over the cabinet makes the two indistinguishable, so QA about either is blocked from approval.
// Each action (exclude, attribute, pick the referent, merge) re-derives the image through the
// review queue's path, unblocks the QA, never drops a decision, and undoes cleanly.
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import type { QaReviewRow } from '../../db/store/rows';
import { importCocoFile } from '../annotations/coco-import';
import { EventBus } from '../event-bus';
import { importBatch } from '../import/index';
import { RederiveQueue } from '../pipeline/rederive';
import { tempDir } from '../test/helpers';
import { objectNames } from './referents';
import {
  desktopReview,
  type DesktopObjectEdits,
  type DesktopReview,
} from './testing/desktop-review';
import { imageIdOf, layer } from '../test/layer';
import { writeObjectState } from '../../db/store/object-edit-store';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

let dir: ReturnType<typeof tempDir>;
let store: ProjectStore;
let imageId: number;
let queue: RederiveQueue;
let referents: DesktopObjectEdits;
let review: DesktopReview;
/** The imported cabinet and the reviewer's second box over it. */
let cabinet: number;
let twin: number;

beforeEach(async () => {
  dir = tempDir();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  imageId = await imageIdOf(store, 'corridor.jpg');
  queue = new RederiveQueue(new EventBus());
  review = desktopReview(store, {
    onObjectsChanged: (ids) => ids.forEach((id) => queue.enqueue(store, id)),
  });
  cabinet = (await layer(store).browse.objectStates(imageId)).find(
    (o) => o.label === 'cabinet',
  )!.id;
  referents = review.objects;
  await referents.create({
    imageId,
    box: [370, 90, 500, 410],
    label: 'cabinet',
    actor: 'ann',
  });
  // The box was drawn through the review path: the image's graph and QA are derived for it.
  await queue.idle();
  twin = (await layer(store).browse.objectStates(imageId)).find(
    (o) => o.provenance === 'human',
  )!.id;
});
afterEach(async () => {
  await queue.idle();
  store.close();
  dir.remove();
});

const version = async (id: number) => (await layer(store).browse.objectState(id))!.version;
const nameOf = async (id: number) =>
  (await objectNames(store, imageId)).find((n) => n.objectId === id)?.expression;
const qa = async () => await layer(store).browse.qaForImage(imageId);
const about = async (id: number, rows?: QaReviewRow[]) =>
  (rows ?? (await qa())).filter((q) =>
    ((q.record?.subjects as number[] | undefined) ?? []).includes(id),
  );
const ambiguousIds = async () =>
  (await layer(store).scene.ambiguities(imageId)).map((a) => a.nodeId);

/** The first open QA about `id` alone, among the pairs about it (region naming works for any). */
const openAbout = async (id: number) =>
  (await about(id)).find(
    (q) => q.status === 'proposed' && (q.record?.subjects as number[]).length === 1,
  )!;

function approve(q: QaReviewRow) {
  return review.decide({ qaId: q.id, decision: 'approve', confirmWarnings: true, actor: 'ann' });
}

/** Rejects a QA about `id` (allowed while blocked) so the test can follow a human decision. */
async function rejectOneAbout(id: number): Promise<number> {
  const q = await openAbout(id);
  const out = await review.decide({
    qaId: q.id,
    decision: 'reject',
    reason: 'wrong object',
    confirmWarnings: true,
    actor: 'ann',
  });
  expect(out.applied).toBe(true);
  return q.id;
}

describe('an ambiguous name blocks approval', () => {
  it('refuses approval (even confirmed) with the reason; bulk approval leaves those out', async () => {
    expect(await ambiguousIds()).toEqual(expect.arrayContaining([cabinet, twin]));
    expect(await nameOf(cabinet)).toBeNull();
    const q = await openAbout(cabinet);
    const out = await approve(q);
    expect(out.applied).toBe(false);
    expect(out.blocked).toMatch(new RegExp(`cabinet #(${cabinet}|${twin}) has no unique name`));
    expect((await layer(store).browse.qaReview(q.id))!.status).toBe('proposed');
    const edited = await review.decide({
      qaId: q.id,
      decision: 'edit',
      editedAnswer: 'x',
      confirmWarnings: true,
      actor: 'ann',
    });
    expect(edited.blocked).not.toBeNull();

    const family = q.family;
    const bulk = await review.bulk({
      family,
      imageId,
      decision: 'approve',
      confirmWarnings: true,
      actor: 'ann',
    });
    expect((await layer(store).browse.qaReview(q.id))!.status).toBe('proposed');
    const open = (await qa()).filter((x) => x.family === family && x.status === 'approved');
    // One card per fact; the bulk decision covers every phrasing of each approved fact.
    expect(bulk.applied).toBe(open.reduce((n, x) => n + (x.phrasings ?? 1), 0));
    for (const x of open) expect(await about(cabinet, [x])).toHaveLength(0);
  });
});

describe('exclude an object from QA', () => {
  it('removes its QA (decisions held as orphaned), unblocks the other; undo brings both back', async () => {
    const rejected = await rejectOneAbout(twin);
    await referents.exclude({
      objectId: twin,
      expectedVersion: await version(twin),
      reason: 'unsure',
      actor: 'ann',
    });
    await queue.idle();

    expect(await ambiguousIds()).not.toContain(cabinet);
    expect(await nameOf(cabinet)).toBe('the cabinet');
    expect(await nameOf(twin)).toBeNull();
    // Nothing about the excluded object is left to review or export; the human decision is held.
    expect((await about(twin)).filter((q) => q.status !== 'orphaned')).toHaveLength(0);
    expect((await layer(store).browse.qaReview(rejected))!.status).toBe('orphaned');
    expect(await layer(store).review.reviews(rejected)).toHaveLength(1);
    // QA about the cabinet now name it, and approval goes through.
    expect((await about(cabinet)).some((q) => q.question.includes('the cabinet'))).toBe(true);
    expect((await approve(await openAbout(cabinet))).applied).toBe(true);

    expect((await review.undo('ann'))?.command).toBe('review.approve');
    expect((await review.undo('ann'))?.command).toBe('object.exclude');
    await queue.idle();
    expect((await layer(store).browse.objectState(twin))!.excluded).toBeNull();
    expect(await ambiguousIds()).toEqual(expect.arrayContaining([cabinet, twin]));
    expect((await layer(store).browse.qaReview(rejected))!.status).toBe('rejected');
  });

  it('puts an excluded object back with reason null, and refuses a stale version', async () => {
    await referents.exclude({
      objectId: twin,
      expectedVersion: await version(twin),
      reason: 'background',
      actor: 'ann',
    });
    await expect(
      referents.exclude({
        objectId: twin,
        expectedVersion: (await version(twin)) - 1,
        reason: null,
        actor: 'ann',
      }),
    ).rejects.toThrow(/changed in another window/);
    const entry = await referents.exclude({
      objectId: twin,
      expectedVersion: await version(twin),
      reason: null,
      actor: 'ann',
    });
    expect(entry.command).toBe('object.include');
    await queue.idle();
    expect(await ambiguousIds()).toContain(twin);
  });
});

describe('a distinguishing attribute', () => {
  it('names the object in the QA text; undo removes it', async () => {
    await referents.setAttributes({
      objectId: cabinet,
      expectedVersion: await version(cabinet),
      attributes: ['Grey'],
      actor: 'ann',
    });
    await queue.idle();
    expect((await layer(store).browse.objectState(cabinet))!.attributes).toEqual(['grey']);
    expect(await nameOf(cabinet)).toBe('the grey cabinet');
    expect(await ambiguousIds()).not.toContain(cabinet);
    expect((await about(cabinet)).some((q) => q.question.includes('the grey cabinet'))).toBe(true);
    expect((await approve(await openAbout(cabinet))).applied).toBe(true);

    await review.undo('ann');
    await review.undo('ann');
    await queue.idle();
    expect((await layer(store).browse.objectState(cabinet))!.attributes).toEqual([]);
    expect(await nameOf(cabinet)).toBeNull();
  });

  it('puts a position after the noun and keeps QA on that axis from giving it away', async () => {
    await referents.setAttributes({
      objectId: twin,
      expectedVersion: await version(twin),
      attributes: ['on the right'],
      actor: 'ann',
    });
    await queue.idle();
    expect(await nameOf(twin)).toBe('the cabinet on the right');
    const named = (await about(twin)).filter((q) =>
      q.question.includes('the cabinet on the right'),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((q) => q.family === 'left_right')).toHaveLength(0);
  });

  it('refuses markup, the label itself and more than three', async () => {
    const at = async (attributes: string[]) =>
      referents.setAttributes({
        objectId: twin,
        expectedVersion: await version(twin),
        attributes,
        actor: 'ann',
      });
    await expect(at(['<b>'])).rejects.toThrow(/cannot contain/);
    await expect(at(['cabinet'])).rejects.toThrow(/already part of the label/);
    await expect(at(['a', 'b', 'c', 'd'])).rejects.toThrow(/at most 3/);
  });
});

describe('pick the referent a phrase means', () => {
  it('needs every other group member accounted for, then names the meant one in one undo step', async () => {
    await expect(
      referents.pick({
        objectId: cabinet,
        expectedVersion: await version(cabinet),
        others: [],
        actor: 'ann',
      }),
    ).rejects.toThrow(new RegExp(`#${twin}`));
    const entry = await referents.pick({
      objectId: cabinet,
      expectedVersion: await version(cabinet),
      others: [{ objectId: twin, expectedVersion: await version(twin), exclude: 'background' }],
      actor: 'ann',
    });
    expect(entry.command).toBe('referent.pick');
    await queue.idle();
    expect(await nameOf(cabinet)).toBe('the cabinet');
    expect((await layer(store).browse.objectState(twin))!.excluded).toBe('background');

    await review.undo('ann');
    await queue.idle();
    expect((await layer(store).browse.objectState(twin))!.excluded).toBeNull();
    expect(await nameOf(cabinet)).toBeNull();
  });

  it('can give the others an attribute instead', async () => {
    await referents.pick({
      objectId: cabinet,
      expectedVersion: await version(cabinet),
      attribute: 'wooden',
      others: [{ objectId: twin, expectedVersion: await version(twin), attribute: 'metal' }],
      actor: 'ann',
    });
    await queue.idle();
    expect(await nameOf(cabinet)).toBe('the wooden cabinet');
    expect(await nameOf(twin)).toBe('the metal cabinet');
  });
});

describe('merge two objects that are one', () => {
  it('unions the boxes, deletes the other (its decisions held), undo restores both', async () => {
    const rejected = await rejectOneAbout(twin);
    const keptBox = (await layer(store).browse.objectState(cabinet))!.box;
    await referents.merge({
      kept: { objectId: cabinet, expectedVersion: await version(cabinet) },
      merged: { objectId: twin, expectedVersion: await version(twin) },
      actor: 'ann',
    });
    await queue.idle();
    const kept = (await layer(store).browse.objectState(cabinet))!;
    expect(kept.box).toEqual([
      Math.min(keptBox[0], 370),
      Math.min(keptBox[1], 90),
      Math.max(keptBox[2], 500),
      Math.max(keptBox[3], 410),
    ]);
    expect((await layer(store).browse.objectState(twin))!.deleted).toBe(true);
    expect(await nameOf(cabinet)).toBe('the cabinet');
    expect((await layer(store).browse.qaReview(rejected))!.status).toBe('orphaned');

    expect((await review.undo('ann'))?.command).toBe('object.merge');
    await queue.idle();
    expect((await layer(store).browse.objectState(twin))!.deleted).toBe(false);
    expect((await layer(store).browse.objectState(cabinet))!.box).toEqual(keptBox);
    expect((await layer(store).browse.qaReview(rejected))!.status).toBe('rejected');
  });

  it('unions two given masks', async () => {
    const { browse, db } = layer(store);
    const w = 640;
    const h = 480;
    const rle = (x0: number, x1: number) => {
      // Column-major runs: columns x0..x1-1 fully set.
      const counts = [x0 * h, (x1 - x0) * h, (w - x1) * h];
      return JSON.stringify({ size: [h, w], counts });
    };
    for (const [id, mask] of [
      [cabinet, rle(10, 20)],
      [twin, rle(15, 30)],
    ] as const) {
      const s = (await browse.objectState(id))!;
      await writeObjectState(db, { ...s, maskRle: mask, maskProvenance: 'human' }, s.version);
    }
    await referents.merge({
      kept: { objectId: cabinet, expectedVersion: await version(cabinet) },
      merged: { objectId: twin, expectedVersion: await version(twin) },
      actor: 'ann',
    });
    const kept = (await browse.objectState(cabinet))!;
    expect(kept.maskProvenance).toBe('human');
    expect(JSON.parse(kept.maskRle!).counts).toEqual([10 * h, 20 * h, (w - 30) * h]);
  });
});

describe('split one object that is two, by box', () => {
  it('keeps the first box, adds an object with the second; undo takes it away again', async () => {
    const door = (await layer(store).browse.objectStates(imageId)).find((o) => o.label === 'door')!;
    const rejected = await rejectOneAbout(door.id);
    const [x0, y0, x1, y1] = door.box;
    const mid = Math.round((x0 + x1) / 2);
    const entry = await referents.split({
      objectId: door.id,
      expectedVersion: door.version,
      boxes: [
        [x0, y0, mid, y1],
        [mid, y0, x1, y1],
      ],
      actor: 'ann',
    });
    expect(entry.command).toBe('object.split');
    await queue.idle();
    const doors = (await layer(store).browse.objectStates(imageId)).filter(
      (o) => o.label === 'door',
    );
    expect(doors.map((o) => o.box)).toEqual([
      [x0, y0, mid, y1],
      [mid, y0, x1, y1],
    ]);
    // Both masks were derived again from depth for the new boxes.
    for (const o of doors) expect(o.maskProvenance).toBe('depth-cluster');
    expect(await layer(store).review.reviews(rejected)).toHaveLength(1);

    expect((await review.undo('ann'))?.command).toBe('object.split');
    await queue.idle();
    const after = (await layer(store).browse.objectStates(imageId)).filter(
      (o) => o.label === 'door',
    );
    expect(after.map((o) => o.id)).toEqual([door.id]);
    expect(after[0]!.box).toEqual(door.box);
    expect((await layer(store).browse.qaReview(rejected))!.status).toBe('rejected');
  });
});
