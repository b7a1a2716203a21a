// Review decisions survive machine steps, end to end over the HTTP API on real frames:
// - issue 17 case 2: approve a QA about the door, delete the door, move the cabinet: the QA and its
//   decision are kept (orphaned, not exported), and undo/redo of every step works, restoring the
//   approval when the door comes back;
// - issue 16 case 1: relabel chair -> cabinet (per object and project-wide) reaches every exported
//   QA text, approvals that only got a new name stay approved, a rename that changes how an object
//   must be named sends its QA back to review, and a re-run keeps the new names.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';
import { deriveGraphAndQa } from '../test/desktop-results';
import { imageIdOf } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

let dir: ReturnType<typeof tempDir>;
let s: ServedEngine;
let corridor: number;
let living: number;

async function call(method: string, input: Record<string, unknown> = {}) {
  const res = await s.rpc(method, { projectId: s.projectId, ...input });
  if (!res.body.ok) throw new Error(`${method}: ${res.body.error.code}: ${res.body.error.message}`);
  return res.body.result;
}
const view = (imageId: number) => call('reviews.image', { imageId });
const qaById = async (imageId: number, id: number) =>
  ((await view(imageId)).qa as any[]).find((q) => q.id === id);
const settle = () => s.engine.rederive.idle();

let exportCount = 0;
/** Exports approved QA as qa-jsonl and returns its lines. */
async function exportQa(): Promise<any[]> {
  const outDir = join(dir.path, `qa-out-${++exportCount}`);
  // Every phrasing (rendered at export): the one the reviewer saw is among them, word for word.
  const { jobId } = await call('exports.start', {
    options: { format: 'qa-jsonl', outDir, phrasingsPerFact: 'all' },
  });
  await s.engine.jobs.settled(jobId);
  expect(await call('jobs.get', { jobId })).toMatchObject({ status: 'done' });
  return readFileSync(join(outDir, 'qa.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
const textOf = (r: any) =>
  [r.question, r.answer, ...(r.steps ?? []).map((x: any) => x.text)].join(' ');

beforeAll(async () => {
  dir = tempDir('sqw-decisions-');
  const folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: INTRINSICS,
  });
  await importBatch(store, {
    folder: `${SAMPLES}/redwood-livingroom/color`,
    depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
    depthEncoding: 'mm',
    intrinsics: INTRINSICS,
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  corridor = await imageIdOf(store, 'corridor.jpg');
  living = await imageIdOf(store, '00000.jpg');
  for (const id of [corridor, living]) {
    await deriveGraphAndQa(store, id);
  }
  store.close();
  s = await serveEngine(folder);
});
afterAll(async () => {
  await s.close();
  dir.remove();
});

describe('a machine step never deletes a review decision (issue 17 case 2)', () => {
  it('keeps an approved QA about a deleted object through re-derivations; undo/redo of every step works', async () => {
    const start = await view(corridor);
    const door = start.objects.find((o: any) => o.label === 'door');
    const cabinet = start.objects.find((o: any) => o.label === 'cabinet');
    const q = start.qa.find(
      (x: any) => x.subjects.includes(door.id) && x.naming === 'expression' && x.unit === 'm',
    );
    expect(q).toBeDefined();
    const approved = await call('reviews.decide', {
      qaId: q.id,
      decision: 'approve',
      confirmWarnings: true,
      reviewer: 'ann',
    });
    expect(approved.qa.status).toBe('approved');
    expect((await exportQa()).map((r) => r.question)).toContain(q.question);

    await call('objects.delete', {
      objectId: door.id,
      expectedVersion: door.version,
      reviewer: 'ann',
    });
    await settle();
    expect((await exportQa()).some((r) => r.subjects.includes(door.id))).toBe(false);

    // The repro: moving another object re-derives the image again.
    const [x0, y0, x1, y1] = cabinet.box;
    await call('objects.update', {
      objectId: cabinet.id,
      expectedVersion: cabinet.version,
      box: [x0 + 20, y0, x1 + 20, y1],
      reviewer: 'ann',
    });
    await settle();
    const decisions = await call('reviews.list', { qaId: q.id });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ decision: 'approve', reviewer: 'ann' });
    // Kept as orphaned: hidden from exports, and not decidable while the door is gone.
    expect((await qaById(corridor, q.id))?.status).toBe('orphaned');
    expect((await exportQa()).some((r) => r.subjects.includes(door.id))).toBe(false);
    const refused = await s.rpc('reviews.decide', {
      projectId: s.projectId,
      qaId: q.id,
      decision: 'approve',
      confirmWarnings: true,
      reviewer: 'bob',
    });
    expect(refused.body.error.message).toMatch(/its decision is kept/);

    // Undo every step, waiting for re-derivation: the door comes back with its approved QA.
    expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe('object.move');
    await settle();
    expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe('object.delete');
    await settle();
    expect((await qaById(corridor, q.id))?.status).toBe('approved');
    expect((await exportQa()).map((r) => r.question)).toContain(q.question);
    expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe('review.approve');
    expect((await qaById(corridor, q.id))?.status).toBe('proposed');

    // Redo every step.
    expect((await call('reviews.redo', { reviewer: 'ann' })).entry.command).toBe('review.approve');
    expect((await call('reviews.redo', { reviewer: 'ann' })).entry.command).toBe('object.delete');
    await settle();
    expect((await qaById(corridor, q.id))?.status).toBe('orphaned');
    expect((await call('reviews.redo', { reviewer: 'ann' })).entry.command).toBe('object.move');
    await settle();

    // Undo all three again without waiting for re-derivation in between (a fast reviewer): the
    // approval's undo lands in the held decision while the QA is still orphaned.
    for (const command of ['object.move', 'object.delete', 'review.approve'])
      expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe(command);
    await settle();
    const back = await view(corridor);
    expect(back.objects.map((o: any) => o.id)).toContain(door.id);
    expect(back.qa.find((x: any) => x.id === q.id)?.status).toBe('proposed');
    expect(back.history.canUndo).toBe(false);
    expect(await call('reviews.list', { qaId: q.id })).toHaveLength(1);
  });
});

describe('a relabel reaches every QA text (issue 16 case 1)', () => {
  const approveAll = async (imageId: number) => {
    for (const q of (await view(imageId)).qa as any[])
      if (q.status === 'proposed')
        await call('reviews.decide', {
          qaId: q.id,
          decision: 'approve',
          confirmWarnings: true,
          reviewer: 'ann',
        });
  };
  const statuses = async (imageId: number) =>
    new Map(((await view(imageId)).qa as any[]).map((q) => [q.id, q.status]));

  it('relabels chair -> cabinet: the exported text says cabinet and every approval stays', async () => {
    await approveAll(living);
    const before = await statuses(living);
    const chair = (await view(living)).objects.find((o: any) => o.label === 'chair');
    const about = (await exportQa()).filter(
      (r) => r.image_id === living && r.subjects.includes(chair.id) && r.naming === 'expression',
    );
    expect(about.length).toBeGreaterThan(0);
    expect(about.every((r) => /chair/.test(textOf(r)))).toBe(true);

    await call('objects.update', {
      objectId: chair.id,
      expectedVersion: chair.version,
      label: 'cabinet',
      reviewer: 'ann',
    });
    await settle();
    expect(await statuses(living)).toEqual(before);
    const after = (await exportQa()).filter(
      (r) => r.image_id === living && r.subjects.includes(chair.id) && r.naming === 'expression',
    );
    expect(after.length).toBe(about.length);
    for (const r of after) {
      expect(textOf(r)).not.toMatch(/chair/);
      expect(textOf(r)).toMatch(/cabinet/);
    }
    const stored = (await view(living)).qa.filter((q: any) => q.subjects.includes(chair.id));
    for (const q of stored) expect(`${q.question} ${q.answer}`).not.toMatch(/chair/);

    // A full re-run of the graph and QA stages keeps the new names (and the approvals).
    await deriveGraphAndQa(s.engine.projects.get(s.projectId), living);
    expect(await statuses(living)).toEqual(before);
    for (const r of await exportQa())
      if (r.subjects.includes(chair.id)) expect(textOf(r)).not.toMatch(/chair/);
  });

  it('renames a label project-wide: both images export the new name, approvals stay', async () => {
    await approveAll(corridor);
    const before = [await statuses(living), await statuses(corridor)];
    const renamed = await call('labels.rename', {
      from: 'cabinet',
      to: 'cupboard',
      reviewer: 'ann',
    });
    expect(renamed).toMatchObject({ changed: 2, merged: false });
    await settle();
    expect([await statuses(living), await statuses(corridor)]).toEqual(before);
    const lines = await exportQa();
    expect(lines.filter((r) => /cupboard/.test(textOf(r))).map((r) => r.image_id)).toEqual(
      expect.arrayContaining([living, corridor]),
    );
    for (const r of lines) expect(textOf(r)).not.toMatch(/cabinet/);

    // Undo puts the old name back into the text, with the approvals.
    await call('reviews.undo', { reviewer: 'ann' });
    await settle();
    expect([await statuses(living), await statuses(corridor)]).toEqual(before);
    expect((await exportQa()).some((r) => /cupboard/.test(textOf(r)))).toBe(false);
  });

  it('a rename that changes how an object must be named sends its approved QA back to review', async () => {
    const objects = (await view(living)).objects as any[];
    const cabinet = objects.find((o) => o.label === 'cabinet');
    const curtain = objects.find((o) => o.label === 'curtain');
    const before = ((await view(living)).qa as any[]).filter(
      (q) => q.subjects.includes(cabinet.id) && q.status === 'approved',
    );
    // Two cabinets now: "the cabinet" no longer picks one out.
    await call('objects.update', {
      objectId: curtain.id,
      expectedVersion: curtain.version,
      label: 'cabinet',
      reviewer: 'ann',
    });
    await settle();
    const now = new Map(((await view(living)).qa as any[]).map((q) => [q.id, q]));
    for (const q of before) {
      const after = now.get(q.id);
      if (q.naming === 'region') expect(after.status).toBe('approved');
      else expect(['changed', 'orphaned']).toContain(after.status);
    }
    expect(before.some((q) => q.naming === 'expression')).toBe(true);
    // Nothing exported names the image's objects by an expression that is no longer unique.
    for (const r of await exportQa())
      if (r.image_id === living && r.naming === 'expression')
        expect(textOf(r)).not.toMatch(/\bthe cabinet\b(?! (on|in|nearest|farthest))/);

    // Undo the relabel: the held approvals come back.
    await call('reviews.undo', { reviewer: 'ann' });
    await settle();
    const restored = new Map(((await view(living)).qa as any[]).map((q) => [q.id, q.status]));
    for (const q of before) expect(restored.get(q.id)).toBe('approved');
  });
});
