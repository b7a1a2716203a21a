// Re-derivation after an object edit, through the shared queue the review UI calls: QA whose facts
// did not change keep their decisions, changed ones go back to review as 'changed'.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import {
  moveObjectBoxDroppingMask,
  qaFactHashes,
  qaRow,
  reviewDecisionCount,
} from '../../db/store/testing/desktop-rows';
import { importCocoFile } from '../annotations/coco-import';
import { EventBus } from '../event-bus';
import { importBatch } from '../import/index';
import { desktopReview } from '../review/testing/desktop-review';
import { RederiveQueue } from './rederive';
import { runJob, tempFolder } from './testing/run-job';
import { imageNamed, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
let dir: ReturnType<typeof tempFolder>;
let store: ProjectStore;

beforeAll(async () => {
  dir = tempFolder();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  await runJob(store, { stages: ['segment', 'lift', 'graph', 'qa'] });
});
afterAll(() => {
  store.close();
  dir.remove();
});

type Row = { id: number; status: string; factHash: string };
const qaRows = (imageId: number): Row[] => qaFactHashes(store.db, imageId);

describe('re-derivation after an object edit', () => {
  it('keeps decisions on unchanged facts and marks changed ones', async () => {
    const image = await imageNamed(store, 'corridor.jpg');
    const before = qaRows(image.id);
    expect(before.length).toBeGreaterThan(20);
    for (const q of before)
      await layer(store).review.decideFact({
        qaId: q.id,
        decision: 'approve',
        reason: null,
        editedAnswer: null,
        reviewer: 'ana',
      });
    const events = new EventBus();
    const changedImages: number[] = [];
    const changedImageIds: Array<number | undefined> = [];
    events.subscribe((e) => {
      if (e.type !== 'images-changed') return;
      changedImages.push(e.batchId);
      // the 3D view of this image reloads on it (a box drawn in 2D shows without a page reload)
      changedImageIds.push(e.imageId);
    });
    const queue = new RederiveQueue(events);

    // Unedited: re-derivation changes nothing and keeps every decision.
    queue.enqueue(store, image.id);
    await queue.idle();
    expect(qaRows(image.id).map((q) => q.status)).toEqual(before.map(() => 'approved'));

    // The reviewer moves the cabinet's box (a mask is derived again from the new box).
    const cabinet = (await layer(store).browse.objects(image.id)).find(
      (o) => o.label === 'cabinet',
    )!;
    const [x0, y0, x1, y1] = cabinet.box;
    const w = x1 - x0;
    moveObjectBoxDroppingMask(store.db, cabinet.id, { x0: x0 + w * 0.3, x1: x1 - w * 0.1, y0, y1 });
    queue.enqueue(store, image.id);
    await queue.idle();

    const after = new Map(qaRows(image.id).map((q) => [q.id, q]));
    let kept = 0;
    let changed = 0;
    for (const q of before) {
      const now = after.get(q.id)!;
      if (now.factHash === q.factHash) {
        expect(now.status).toBe('approved');
        kept++;
      } else {
        expect(now.status).toBe('changed');
        changed++;
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(changed).toBeGreaterThan(0);
    expect(changedImages).toEqual([image.batchId, image.batchId]);
    expect(changedImageIds).toEqual([image.id, image.id]);
  });
});

describe('re-derivation and review commands together', () => {
  const events = new EventBus();
  const queue = new RederiveQueue(events);
  const review = () =>
    desktopReview(store, {
      onObjectsChanged: (ids) => ids.forEach((id) => queue.enqueue(store, id)),
    });
  const qa = (id: number) => qaRow(store.db, id);
  const decisions = (id: number) => reviewDecisionCount(store.db, id);

  it('keeps an approved QA whose object was deleted through later edits, and undo brings it back', async () => {
    const image = await imageNamed(store, 'corridor.jpg');
    const objects = await layer(store).browse.objectStates(image.id);
    const door = objects.find((o) => o.label === 'door')!;
    const cabinet = objects.find((o) => o.label === 'cabinet')!;
    const q = (await layer(store).browse.qaForImage(image.id)).find(
      (x) => x.status === 'approved' && (x.record?.subjects as number[]).includes(door.id),
    )!;
    expect(q).toBeDefined();
    const held = decisions(q.id);
    expect(held).toBeGreaterThan(0);
    const commands = review().objects;

    await commands.delete({ objectId: door.id, expectedVersion: door.version, actor: 'ana' });
    await queue.idle();
    const w = cabinet.box[2] - cabinet.box[0];
    await commands.update({
      objectId: cabinet.id,
      expectedVersion: cabinet.version,
      box: [cabinet.box[0] - w * 0.1, cabinet.box[1], cabinet.box[2] - w * 0.1, cabinet.box[3]],
      actor: 'ana',
    });
    await queue.idle();
    expect(qa(q.id)?.status).toBe('orphaned');
    expect(decisions(q.id)).toBe(held);
    // The image's generated QA records (every phrasing) by status, as an export reads them.
    const records = (await layer(store).browse.qaOfImages([image.id])).filter(
      (r) => r.record !== null,
    );
    const inStatus = (statuses: string[]) => records.filter((r) => statuses.includes(r.status));
    expect(inStatus(['approved', 'edited']).length).toBeGreaterThan(0);
    expect(
      inStatus(['approved', 'edited', 'proposed', 'changed', 'rejected']).some((r) =>
        (r.record as { subjects: number[] }).subjects.includes(door.id),
      ),
    ).toBe(false);

    expect((await review().undo('ana'))?.command).toBe('object.move');
    await queue.idle();
    expect((await review().undo('ana'))?.command).toBe('object.delete');
    await queue.idle();
    expect(qa(q.id)?.status).toBe('approved');
    expect(decisions(q.id)).toBe(held);
  });

  it('a relabel rewrites the stored text and record of every QA naming the object, keeping decisions', async () => {
    const image = await imageNamed(store, 'corridor.jpg');
    const partition = (await layer(store).browse.objectStates(image.id)).find(
      (o) => o.label === 'partition',
    )!;
    const rows = (await layer(store).browse.qaForImage(image.id)).filter(
      (x) => x.record?.naming === 'expression' && /partition/.test(x.question),
    );
    expect(rows.length).toBeGreaterThan(0);
    await review().objects.update({
      objectId: partition.id,
      expectedVersion: partition.version,
      label: 'glass wall',
      actor: 'ana',
    });
    await queue.idle();
    for (const before of rows) {
      const now = qa(before.id)!;
      expect(now.status).toBe(before.status);
      expect(`${now.question} ${now.answer} ${now.r}`).not.toMatch(/partition/);
      expect(now.question).toMatch(/glass wall/);
    }
  });
});
