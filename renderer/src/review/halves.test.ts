import { describe, expect, it } from 'vitest';
import { halves } from './ReferentTools';

describe('split by box', () => {
  it('cuts a box at its middle, side by side or one above the other', () => {
    expect(halves([10, 20, 31, 60], 'vertical')).toEqual([
      [10, 20, 20.5, 60],
      [20.5, 20, 31, 60],
    ]);
    expect(halves([10, 20, 30, 61], 'horizontal')).toEqual([
      [10, 20, 30, 40.5],
      [10, 40.5, 30, 61],
    ]);
  });
});
