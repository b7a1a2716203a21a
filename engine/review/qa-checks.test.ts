// Edited answers are read back in the QA's unit and compared with the machine value.
import { describe, expect, it } from 'vitest';
import type { QaReviewRow } from '../../db/store/rows';
import { checkEditedAnswer } from './qa-checks';

const qa = (value: unknown, unit: string | null, step?: number): QaReviewRow =>
  ({
    value,
    record: { unit, ...(step ? { display: { step } } : {}) },
  }) as unknown as QaReviewRow;

describe('edited answer check', () => {
  it('lengths: within the spoken rounding or 10% passes, further off warns, no length is unreadable', () => {
    expect(checkEditedAnswer(qa(1.24, 'm', 0.1), 'about 1.2 meters')).toBeNull();
    expect(checkEditedAnswer(qa(1.24, 'm', 0.1), 'roughly 4 feet')).toBeNull(); // 1.22 m
    expect(checkEditedAnswer(qa(1.24, 'm', 0.1), 'about 2 meters')).toMatchObject({
      code: 'answer-disagrees',
      message: expect.stringMatching(/says 2\.00 m but the geometry measures 1\.24 m/),
    });
    expect(checkEditedAnswer(qa(1.24, 'm'), 'far away')).toMatchObject({
      code: 'answer-unreadable',
    });
  });
  it('counts, clock directions and yes/no', () => {
    expect(checkEditedAnswer(qa(3, 'count'), 'There are three chairs.')).toBeNull();
    expect(checkEditedAnswer(qa(3, 'count'), '2')).toMatchObject({ code: 'answer-disagrees' });
    expect(checkEditedAnswer(qa(2, 'oclock'), "At 2 o'clock.")).toBeNull();
    expect(checkEditedAnswer(qa(2, 'oclock'), 'At 10 oclock')).toMatchObject({
      code: 'answer-disagrees',
    });
    expect(checkEditedAnswer(qa(true, null), 'No, it is not.')).toMatchObject({
      code: 'answer-disagrees',
    });
    expect(checkEditedAnswer(qa(true, null), 'Yes.')).toBeNull();
    expect(checkEditedAnswer(qa(7, null), 'the lamp')).toBeNull(); // object answers are not checked
  });
});
