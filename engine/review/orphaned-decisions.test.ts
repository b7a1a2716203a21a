// A decision on a QA whose object is gone (status 'orphaned') is held, not lost: undo and redo of
// it work while the QA is orphaned, and the QA comes back with whatever decision it then holds.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import type { GeneratedQa } from '../../db/rules/qa-upsert-plan';
import { importBatch } from '../import/index';
import { writeResults } from '../test/desktop-results';
import { tempDir } from '../test/helpers';
import { desktopReview } from './testing/desktop-review';
import { imageIdOf, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

let dir: ReturnType<typeof tempDir>;
let store: ProjectStore;
let imageId: number;

const pair = (key: string, factHash = 'f1'): GeneratedQa => ({
  key,
  family: 'distance',
  kind: 'quantitative',
  question: `How far apart are the two objects (${key})?`,
  answer: 'About 2 meters.',
  value: 2,
  factHash,
  record: { naming: 'expression', namingHash: 'n1', subjects: [1, 2] },
});

beforeAll(async () => {
  dir = tempDir();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, { folder: `${SAMPLES}/sun-corridor/color` });
  imageId = await imageIdOf(store, 'corridor.jpg');
});
afterAll(() => {
  store.close();
  dir.remove();
});

/** The image's QA regenerated as `pairs`, as the QA stage stores it. */
const upsertQa = (pairs: GeneratedQa[]) =>
  writeResults(store, (scene) => scene.upsertQa(imageId, pairs));

describe('decisions on orphaned QA', () => {
  it('undo and redo land in the held decision; the QA returns with it', async () => {
    await upsertQa([pair('a'), pair('b')]);
    const [a, b] = await layer(store).scene.qaPairs(imageId);
    const review = desktopReview(store);
    await review.decide({ qaId: a!.id, decision: 'approve', confirmWarnings: true, actor: 'ann' });

    // Both keys vanish: the undecided one is deleted, the approved one kept as orphaned.
    await upsertQa([]);
    expect(await layer(store).review.qaState(b!.id)).toBeUndefined();
    expect((await layer(store).review.qaState(a!.id))?.status).toBe('orphaned');
    expect(await layer(store).review.reviews(a!.id)).toHaveLength(1);
    await expect(
      review.decide({
        qaId: a!.id,
        decision: 'reject',
        reason: 'x',
        confirmWarnings: true,
        actor: 'bob',
      }),
    ).rejects.toThrow(/decision is kept/);

    expect((await review.undo('ann'))?.command).toBe('review.approve');
    expect((await layer(store).review.qaState(a!.id))?.status).toBe('orphaned');
    expect((await review.redo('ann'))?.command).toBe('review.approve');
    expect((await review.undo('ann'))?.command).toBe('review.approve');

    // The fact comes back: with the decision held now (the approval was undone).
    await upsertQa([pair('a')]);
    expect((await layer(store).review.qaState(a!.id))?.status).toBe('proposed');
    expect((await review.redo('ann'))?.command).toBe('review.approve');
    expect((await layer(store).review.qaState(a!.id))?.status).toBe('approved');

    // Orphaned again, then back with other facts: it returns for review, holding the approval.
    await upsertQa([]);
    await upsertQa([pair('a', 'f2')]);
    expect((await layer(store).review.qaState(a!.id))?.status).toBe('changed');
    await upsertQa([pair('a', 'f1')]);
    expect((await layer(store).review.qaState(a!.id))?.status).toBe('approved');
    expect((await layer(store).catalog.image(imageId))?.status).toBe('approved');
  });
});
