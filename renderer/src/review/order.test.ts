import { describe, expect, it } from 'vitest';
import type { ReviewQa } from '../../../contract/review';
import { nextAfter, reviewOrder } from './order';

const qa = (id: number, status: ReviewQa['status']) => ({ id, status }) as ReviewQa;

describe('review order', () => {
  it('puts changed first, then proposed, then decided', () => {
    const list = [qa(1, 'approved'), qa(2, 'proposed'), qa(3, 'changed'), qa(4, 'proposed')];
    expect(reviewOrder(list).map((q) => q.id)).toEqual([3, 2, 4, 1]);
  });
  it('moves to the next item, staying on the last one', () => {
    const list = [{ id: 5 }, { id: 7 }];
    expect(nextAfter(list, 5)).toBe(7);
    expect(nextAfter(list, 7)).toBe(7);
    expect(nextAfter(list, null)).toBe(5);
    expect(nextAfter([], 1)).toBeNull();
  });
});
