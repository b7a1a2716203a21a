// The ambiguity actions over the RPC boundary: inputs validated by the contract, each action an
// undoable command that re-derives the image, and the image view carrying what the card shows
// (the blocked reason per QA, the expression each object is exported under).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';
import { deriveGraphAndQa } from '../test/desktop-results';
import { imageIdOf, insertHumanObject } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
let dir: ReturnType<typeof tempDir>;
let s: ServedEngine;
let imageId: number;

async function call(method: string, input: Record<string, unknown> = {}) {
  const res = await s.rpc(method, { projectId: s.projectId, ...input });
  if (!res.body.ok) throw new Error(`${method}: ${JSON.stringify(res.body.error)}`);
  return res.body.result;
}
async function fail(method: string, input: Record<string, unknown>) {
  const res = await s.rpc(method, { projectId: s.projectId, ...input });
  expect(res.body.ok).toBe(false);
  return res.body.error as { code: string; message: string };
}

let exportCount = 0;
/** Exports approved QA as qa-jsonl (the default naming) and returns the questions. */
async function exportedQuestions(): Promise<string[]> {
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
    .map((l) => (JSON.parse(l) as { question: string }).question);
}

beforeAll(async () => {
  dir = tempDir();
  const folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  imageId = await imageIdOf(store, 'corridor.jpg');
  // A second box over the cabinet: two "cabinet"s nothing tells apart.
  await insertHumanObject(store, {
    imageId,
    label: 'cabinet',
    box: [370, 90, 500, 410],
  });
  await deriveGraphAndQa(store, imageId);
  store.close();
  s = await serveEngine(folder);
});
afterAll(async () => {
  await s.close();
  dir.remove();
});

describe('ambiguity actions over RPC', () => {
  it('shows the block on the QA, resolves it with an attribute, and undoes it', async () => {
    const view = await call('reviews.image', { imageId });
    const twin = view.objects.find((o: any) => o.provenance === 'human');
    expect(twin).toMatchObject({ attributes: [], excluded: null });
    expect(view.names.find((n: any) => n.objectId === twin.id).expression).toBeNull();
    const blocked = view.qa.find(
      (q: any) => q.status === 'proposed' && q.subjects.length === 1 && q.subjects[0] === twin.id,
    );
    expect(blocked.blocked).toMatch(/has no unique name.*add an attribute/);
    const refused = await call('reviews.decide', {
      qaId: blocked.id,
      decision: 'approve',
      confirmWarnings: true,
      reviewer: 'ann',
    });
    expect(refused).toMatchObject({ applied: false, blocked: blocked.blocked });

    const bad = await fail('objects.exclude', {
      objectId: twin.id,
      expectedVersion: twin.version,
      reason: 'boring',
      reviewer: 'ann',
    });
    expect(bad.code).toBe('invalid-input');
    const markup = await fail('objects.setAttributes', {
      objectId: twin.id,
      expectedVersion: twin.version,
      attributes: ['{x}'],
      reviewer: 'ann',
    });
    expect(markup.code).toBe('invalid-input');

    const set = await call('objects.setAttributes', {
      objectId: twin.id,
      expectedVersion: twin.version,
      attributes: ['on the right'],
      reviewer: 'ann',
    });
    expect(set.object.attributes).toEqual(['on the right']);
    expect(set.history.nextUndo.command).toBe('object.attributes');
    await s.engine.rederive.idle();
    const after = await call('reviews.image', { imageId });
    expect(after.names.find((n: any) => n.objectId === twin.id).expression).toBe(
      'the cabinet on the right',
    );
    // One card per fact: after re-derivation another phrasing of the same fact may stand for it.
    const card = after.qa.find((q: any) => q.factId === blocked.factId);
    expect(card.blocked).toBeNull();
    const approved = await call('reviews.decide', {
      qaId: card.id,
      decision: 'approve',
      reviewer: 'ann',
    });
    expect(approved.applied).toBe(true);

    await call('reviews.undo', { reviewer: 'ann' });
    const undo = await call('reviews.undo', { reviewer: 'ann' });
    expect(undo.entry).toMatchObject({ command: 'object.attributes', op: 'undo' });
    await s.engine.rederive.idle();
    const back = await call('reviews.image', { imageId });
    expect(back.objects.find((o: any) => o.id === twin.id).attributes).toEqual([]);
    expect(back.qa.find((q: any) => q.factId === blocked.factId).blocked).not.toBeNull();
  });

  it('excludes, picks the referent and merges through the API', async () => {
    const objs = (await call('reviews.image', { imageId })).objects;
    const twin = objs.find((o: any) => o.provenance === 'human');
    const cabinet = objs.find((o: any) => o.label === 'cabinet' && o.id !== twin.id);
    const ex = await call('objects.exclude', {
      objectId: twin.id,
      expectedVersion: twin.version,
      reason: 'background',
      reviewer: 'ann',
    });
    expect(ex.object.excluded).toBe('background');
    await call('reviews.undo', { reviewer: 'ann' });
    const now = (await call('reviews.image', { imageId })).objects;
    const v = (id: number) => now.find((o: any) => o.id === id).version;
    const pick = await call('objects.pickReferent', {
      objectId: cabinet.id,
      expectedVersion: v(cabinet.id),
      others: [{ objectId: twin.id, expectedVersion: v(twin.id), exclude: 'unsure' }],
      reviewer: 'ann',
    });
    expect(pick.history.nextUndo.command).toBe('referent.pick');
    await call('reviews.undo', { reviewer: 'ann' });
    const later = (await call('reviews.image', { imageId })).objects;
    const w = (id: number) => later.find((o: any) => o.id === id).version;
    const merged = await call('objects.merge', {
      kept: { objectId: cabinet.id, expectedVersion: w(cabinet.id) },
      merged: { objectId: twin.id, expectedVersion: w(twin.id) },
      reviewer: 'ann',
    });
    expect(merged.object.id).toBe(cabinet.id);
    await s.engine.rederive.idle();
    const view = await call('reviews.image', { imageId });
    expect(view.objects.some((o: any) => o.id === twin.id)).toBe(false);
    expect(view.names.find((n: any) => n.objectId === cabinet.id).expression).toBe('the cabinet');
    expect(view.ambiguous).toHaveLength(0);
  });

  it('an approved QA about an object leaves the export when the object is excluded, and returns on undo', async () => {
    const view = await call('reviews.image', { imageId });
    const cabinet = view.objects.find((o: any) => o.label === 'cabinet');
    await call('objects.setAttributes', {
      objectId: cabinet.id,
      expectedVersion: cabinet.version,
      attributes: ['grey'],
      reviewer: 'eve',
    });
    await s.engine.rederive.idle();
    const named = (await call('reviews.image', { imageId })).qa.find(
      (q: any) =>
        q.status === 'proposed' &&
        q.naming === 'expression' &&
        q.question.includes('the grey cabinet'),
    );
    expect(named).toBeDefined();
    const ok = await call('reviews.decide', {
      qaId: named.id,
      decision: 'approve',
      reviewer: 'eve',
    });
    expect(ok.applied).toBe(true);
    expect(await exportedQuestions()).toContain(named.question);

    const now = (await call('reviews.image', { imageId })).objects.find(
      (o: any) => o.id === cabinet.id,
    );
    await call('objects.exclude', {
      objectId: cabinet.id,
      expectedVersion: now.version,
      reason: 'background',
      reviewer: 'eve',
    });
    await s.engine.rederive.idle();
    const held = (await call('reviews.image', { imageId })).qa.find((q: any) => q.id === named.id);
    expect(held.status).toBe('orphaned');
    expect(await exportedQuestions()).not.toContain(named.question);

    await call('reviews.undo', { reviewer: 'eve' });
    await s.engine.rederive.idle();
    const back = (await call('reviews.image', { imageId })).qa.find((q: any) => q.id === named.id);
    expect(back.status).toBe('approved');
    expect(await exportedQuestions()).toContain(named.question);
  });
});
