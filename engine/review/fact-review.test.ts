// The unit of review is the fact: one decision on any phrasing decides every phrasing of the fact
// (one undoable command), the queue shows one card per fact, and an export writes all phrasings of
// an approved fact, or a seeded pick of N per fact.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { BrowseStore } from '../../db/store/browse-store';
import { sqliteHandle } from '../../db/store/connect';
import {
  phrasingsOfFact,
  qaFactIds,
  reviewedFactIds,
  reviewedQaCount,
} from '../../db/store/testing/desktop-rows';
import { generateQa } from '../../spatial/qa/generate';
import { randomGraph } from '../../spatial/qa/testing/random-graph';
import { exportProject } from '../export/export';
import { importBatch } from '../import/index';
import { storeQaResult } from '../test/desktop-results';
import { tempDir } from '../test/helpers';
import { desktopReview, type DesktopReview } from './testing/desktop-review';
import { imageIdOf, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

let dir: ReturnType<typeof tempDir>;
let store: ProjectStore;
let imageId: number;
let review: DesktopReview;

const rowsOf = (fact: string) => phrasingsOfFact(store.db, fact);
let outN = 0;
const out = () => join(dir.path, `out${++outN}`);
const jsonl = (folder: string) =>
  readFileSync(join(folder, 'qa.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; fact_id: string; naming: string });

beforeAll(async () => {
  dir = tempDir();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, { folder: `${SAMPLES}/sun-corridor/color` });
  imageId = await imageIdOf(store, 'corridor.jpg');
  // A synthetic 10-object scene, generated as the QA stage does.
  const graph = randomGraph(3, { objects: 10, alignedProb: 1, badQuality: 0 });
  await storeQaResult(store, imageId, generateQa(graph, { imageId: String(imageId), seed: '0' }));
  review = desktopReview(store);
});
afterAll(() => {
  store.close();
  dir.remove();
});

describe('one decision per fact', () => {
  it('the queue and the image page show one card per fact, with its phrasing count', async () => {
    // As the review handlers read them (engine/services/review-evidence.ts).
    const browse = new BrowseStore(sqliteHandle(store.db));
    const all = (await layer(store).scene.qaPairs(imageId)).length;
    const facts = new Set(qaFactIds(store.db));
    const queue = await browse.qaQueue({ imageId, offset: 0, limit: 10_000 });
    expect(queue.total).toBe(facts.size);
    expect(queue.total).toBeLessThan(all / 2);
    expect(new Set(queue.items.map((q) => q.factId)).size).toBe(facts.size);
    expect(queue.items.reduce((s, q) => s + q.phrasings, 0)).toBe(all);
    const page = await browse.qaForImage(imageId);
    expect(page.map((q) => q.id)).toEqual(queue.items.map((q) => q.id).sort((a, b) => a - b));
    // The card reads as a sentence: a referring-expression phrasing when the fact has one.
    for (const q of page)
      if (rowsOf(q.factId!).length === 4) expect(q.record?.naming).toBe('expression');
  });

  it('approving one phrasing approves all of them in one undoable command; undo reverts all', async () => {
    const card = (
      await layer(store).browse.qaQueue({ imageId, family: 'left_right', offset: 0, limit: 100 })
    ).items.find((q) => q.phrasings === 4)!;
    const fact = card.factId!;
    const auditBefore = await layer(store).review.auditCount();
    const out1 = await review.decide({
      qaId: card.id,
      decision: 'approve',
      expectedRevision: card.revision,
      confirmWarnings: true,
      actor: 'ann',
    });
    expect(out1.applied).toBe(true);
    expect(await layer(store).review.auditCount()).toBe(auditBefore + 1);
    expect(rowsOf(fact).map((r) => r.status)).toEqual(Array(4).fill('approved'));
    for (const r of rowsOf(fact)) expect(await layer(store).review.reviews(r.id)).toHaveLength(1);
    // The queue of open facts no longer lists it.
    const open = await layer(store).browse.qaQueue({
      imageId,
      statuses: ['proposed', 'changed'],
      offset: 0,
      limit: 10_000,
    });
    expect(open.items.some((q) => q.factId === fact)).toBe(false);

    // Another reviewer's decision is not undone by ann's undo (per-reviewer stacks).
    const other = (
      await layer(store).browse.qaQueue({
        imageId,
        statuses: ['proposed'],
        offset: 0,
        limit: 1,
      })
    ).items[0]!;
    await review.decide({
      qaId: other.id,
      decision: 'reject',
      reason: 'wrong',
      confirmWarnings: true,
      actor: 'bob',
    });
    expect(await review.undo('ann')).not.toBeNull();
    expect(rowsOf(fact).map((r) => r.status)).toEqual(Array(4).fill('proposed'));
    expect(rowsOf(other.factId!).every((r) => r.status === 'rejected')).toBe(true);
    expect(await review.redo('ann')).not.toBeNull();
    expect(rowsOf(fact).map((r) => r.status)).toEqual(Array(4).fill('approved'));
  });

  it('an edit keeps the edited phrasing and withholds the others', async () => {
    const card = (
      await layer(store).browse.qaQueue({
        imageId,
        statuses: ['proposed'],
        offset: 0,
        limit: 10_000,
      })
    ).items.find((q) => q.phrasings > 1 && q.kind === 'quantitative')!;
    await review.decide({
      qaId: card.id,
      decision: 'edit',
      editedAnswer: `${card.answer} (checked)`,
      confirmWarnings: true,
      actor: 'ann',
    });
    const rows = rowsOf(card.factId!);
    expect(rows.find((r) => r.id === card.id)).toMatchObject({ status: 'edited' });
    for (const r of rows.filter((x) => x.id !== card.id)) {
      expect(r.status).toBe('rejected');
      expect((await layer(store).review.reviews(r.id)).at(-1)!.reason).toMatch(
        /superseded by the edit/,
      );
    }
  });

  it('an approved fact exports all its phrasings; N per fact is a seeded, repeatable pick', async () => {
    // Approve every open fact of one family: one decision per fact.
    const open = (
      await layer(store).browse.qaQueue({
        imageId,
        family: 'direct_distance',
        statuses: ['proposed'],
        offset: 0,
        limit: 1000,
      })
    ).items;
    expect(open.length).toBeGreaterThan(1);
    for (const q of open)
      await review.decide({ qaId: q.id, decision: 'approve', confirmWarnings: true, actor: 'ann' });
    const approvedFacts = new Set(reviewedFactIds(store.db));
    const approvedQa = reviewedQaCount(store.db);

    const o = out();
    const all = await exportProject(store, { format: 'qa-jsonl', outDir: o });
    const recs = jsonl(o);
    expect(all.qa).toBe(approvedQa);
    expect(new Set(recs.map((r) => r.fact_id))).toEqual(approvedFacts);
    // Every phrasing of the left_right fact approved above: both forms, both naming modes.
    const perFact = new Map<string, number>();
    for (const r of recs) perFact.set(r.fact_id, (perFact.get(r.fact_id) ?? 0) + 1);
    expect([...perFact.values()]).toContain(4);

    const pick = async (seed: string) => {
      const folder = out();
      await exportProject(store, { format: 'qa-jsonl', outDir: folder, phrasingsPerFact: 1, seed });
      return jsonl(folder);
    };
    const one = await pick('7');
    expect(one).toHaveLength(approvedFacts.size);
    expect(new Set(one.map((r) => r.fact_id))).toEqual(approvedFacts);
    expect((await pick('7')).map((r) => r.id)).toEqual(one.map((r) => r.id));
    // Another seed picks other phrasings for some facts.
    const seeds = await Promise.all(['1', '2', '3'].map(pick));
    expect(seeds.some((s) => s.map((r) => r.id).join() !== one.map((r) => r.id).join())).toBe(true);
  });
});
