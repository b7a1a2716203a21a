// A decision on a QA whose object is gone (status 'orphaned') is held, not lost: undo and redo of
// it work while the QA is orphaned, and the QA comes back with whatever decision it then holds.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import type { GeneratedQa } from '../../db/repositories/qa-upsert-plan';
import { importBatch } from '../import/index';
import { writeResults } from '../test/desktop-results';
import { tempDir } from '../test/helpers';
import { desktopReview } from './testing/desktop-review';

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
  imageId = store.images.findByName('corridor.jpg')[0]!.id;
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
    const [a, b] = store.annotations.qa(imageId);
    const review = desktopReview(store);
    await review.decide({ qaId: a!.id, decision: 'approve', confirmWarnings: true, actor: 'ann' });

    // Both keys vanish: the undecided one is deleted, the approved one kept as orphaned.
    await upsertQa([]);
    expect(store.annotations.getQa(b!.id)).toBeUndefined();
    expect(store.annotations.getQa(a!.id)?.status).toBe('orphaned');
    expect(store.annotations.reviews(a!.id)).toHaveLength(1);
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
    expect(store.annotations.getQa(a!.id)?.status).toBe('orphaned');
    expect((await review.redo('ann'))?.command).toBe('review.approve');
    expect((await review.undo('ann'))?.command).toBe('review.approve');

    // The fact comes back: with the decision held now (the approval was undone).
    await upsertQa([pair('a')]);
    expect(store.annotations.getQa(a!.id)?.status).toBe('proposed');
    expect((await review.redo('ann'))?.command).toBe('review.approve');
    expect(store.annotations.getQa(a!.id)?.status).toBe('approved');

    // Orphaned again, then back with other facts: it returns for review, holding the approval.
    await upsertQa([]);
    await upsertQa([pair('a', 'f2')]);
    expect(store.annotations.getQa(a!.id)?.status).toBe('changed');
    await upsertQa([pair('a', 'f1')]);
    expect(store.annotations.getQa(a!.id)?.status).toBe('approved');
    expect(store.images.get(imageId)?.status).toBe('approved');
  });
});
