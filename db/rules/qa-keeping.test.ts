// What a re-derivation does to a stored QA: decisions are never dropped, a plain rename keeps them,
// changed facts or naming hold them for re-review, and vanished pairs are kept unless undecided.
import { describe, expect, it } from 'vitest';
import { keepOnRegenerate, keepOnVanish, type StoredQa } from './qa-keeping';

const stored = (o: Partial<StoredQa> = {}): StoredQa => ({
  status: 'approved',
  question: 'How far is the chair from the door?',
  answer: 'About 2 meters.',
  factHash: 'f1',
  namingHash: 'n1',
  held: null,
  hasDecisions: true,
  ...o,
});
const renamed = {
  question: 'How far is the cabinet from the door?',
  answer: 'About 2 meters.',
  factHash: 'f1',
  namingHash: 'n1',
};

describe('keepOnRegenerate', () => {
  it('keeps every decision through a plain rename, with the new text', () => {
    for (const status of ['approved', 'rejected'] as const)
      expect(keepOnRegenerate(stored({ status }), renamed)).toEqual({
        status,
        answer: renamed.answer,
        held: null,
      });
    expect(keepOnRegenerate(stored({ status: 'proposed' }), renamed).status).toBe('proposed');
  });

  it("keeps a reviewer's edited answer unless it names the old label", () => {
    expect(keepOnRegenerate(stored({ status: 'edited', answer: '2.4 m' }), renamed)).toEqual({
      status: 'edited',
      answer: '2.4 m',
      held: null,
    });
    const named = keepOnRegenerate(
      stored({ status: 'edited', answer: 'The chair is 2.4 m away' }),
      renamed,
    );
    expect(named).toMatchObject({ status: 'changed', answer: renamed.answer });
    expect(named.held).toMatchObject({ status: 'edited', answer: 'The chair is 2.4 m away' });
  });

  it('sends a reviewed pair back as changed when the facts or the naming form change, holding the decision', () => {
    for (const next of [
      { ...renamed, factHash: 'f2' },
      { ...renamed, namingHash: 'n2', question: 'How far is the chair on the left from the door?' },
    ]) {
      const kept = keepOnRegenerate(stored(), next);
      expect(kept.status).toBe('changed');
      expect(kept.held).toMatchObject({ status: 'approved', factHash: 'f1', namingHash: 'n1' });
    }
    // Still different on the next run: stays changed, still holding.
    const changed = stored({
      status: 'changed',
      factHash: 'f2',
      held: keepOnRegenerate(stored(), { ...renamed, factHash: 'f2' }).held,
    });
    expect(keepOnRegenerate(changed, { ...renamed, factHash: 'f3' }).held?.status).toBe('approved');
    // The facts come back: the held approval is restored.
    expect(keepOnRegenerate(changed, renamed)).toEqual({
      status: 'approved',
      answer: renamed.answer,
      held: null,
    });
  });

  it('restores an orphaned pair with the decision it holds, even one changed by undo', () => {
    const orphan = keepOnVanish(stored());
    if (orphan === 'delete') throw new Error('an approved pair must not be deleted');
    expect(orphan.status).toBe('orphaned');
    const back = stored({ status: 'orphaned', held: orphan.held });
    expect(keepOnRegenerate(back, renamed).status).toBe('approved');
    const undone = stored({ status: 'orphaned', held: { ...orphan.held!, status: 'proposed' } });
    expect(keepOnRegenerate(undone, { ...renamed, factHash: 'f9' }).status).toBe('proposed');
  });

  it('compares question text for pairs stored before naming was hashed', () => {
    const legacy = stored({ namingHash: null });
    expect(keepOnRegenerate(legacy, { ...renamed, question: legacy.question }).status).toBe(
      'approved',
    );
    expect(keepOnRegenerate(legacy, renamed).status).toBe('changed');
  });
});

describe('keepOnVanish', () => {
  it('deletes only pairs nobody decided on', () => {
    expect(keepOnVanish(stored({ status: 'proposed', hasDecisions: false }))).toBe('delete');
    // A skip or an undone approval is a decision too.
    expect(keepOnVanish(stored({ status: 'proposed' }))).toMatchObject({ status: 'orphaned' });
    for (const status of ['approved', 'rejected', 'edited', 'changed'] as const)
      expect(keepOnVanish(stored({ status }))).toMatchObject({ status: 'orphaned' });
  });

  it('keeps what an orphaned or changed pair holds', () => {
    const held = {
      status: 'approved' as const,
      answer: 'a',
      question: 'q',
      factHash: 'f0',
      namingHash: 'n0',
    };
    expect(keepOnVanish(stored({ status: 'changed', held }))).toMatchObject({ held });
    expect(keepOnVanish(stored({ status: 'orphaned', held }))).toMatchObject({ held });
  });
});
