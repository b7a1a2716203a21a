// Re-derivation after an object edit, through the shared queue the review UI calls: QA whose facts
// did not change keep their decisions, changed ones go back to review as 'changed'.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { EventBus } from '../event-bus';
import { importBatch } from '../import/index';
import { RederiveQueue } from './rederive';
import { runJob, tempFolder } from './testing/run-job';

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
const qaRows = (imageId: number) =>
  store.db
    .prepare(
      'SELECT id, status, fact_hash AS factHash FROM qa_pairs WHERE image_id = ? ORDER BY id',
    )
    .all(imageId) as Row[];

describe('re-derivation after an object edit', () => {
  it('keeps decisions on unchanged facts and marks changed ones', async () => {
    const image = store.images.findByName('corridor.jpg')[0]!;
    const before = qaRows(image.id);
    expect(before.length).toBeGreaterThan(20);
    for (const q of before)
      store.annotations.recordDecision({
        qaId: q.id,
        decision: 'approve',
        reason: null,
        editedAnswer: null,
        reviewer: 'ana',
      });
    const events = new EventBus();
    const changedImages: number[] = [];
    events.subscribe((e) => {
      if (e.type === 'images-changed') changedImages.push(e.batchId);
    });
    const queue = new RederiveQueue(events);

    // Unedited: re-derivation changes nothing and keeps every decision.
    queue.enqueue(store, image.id);
    await queue.idle();
    expect(qaRows(image.id).map((q) => q.status)).toEqual(before.map(() => 'approved'));

    // The reviewer moves the cabinet's box (a mask is derived again from the new box).
    const cabinet = store.annotations.objects(image.id).find((o) => o.label === 'cabinet')!;
    const [x0, y0, x1, y1] = cabinet.box;
    const w = x1 - x0;
    store.db
      .prepare(
        'UPDATE objects SET x0 = ?, x1 = ?, y0 = ?, y1 = ?, mask_rle = NULL, mask_provenance = NULL WHERE id = ?',
      )
      .run(x0 + w * 0.3, x1 - w * 0.1, y0, y1, cabinet.id);
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
  });
});
