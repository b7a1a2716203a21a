import { describe, expect, it } from 'vitest';
import { byteOrderNote, chooseByteOrder } from './depth-byte-order';

const cand = (order: 'big-endian' | 'little-endian', mm: number[]) => ({
  order,
  mm: Uint16Array.from(mm),
  overflow: 0,
});

describe('choosing a 16-bit PGM byte order', () => {
  it('more valid readings win', () => {
    const r = chooseByteOrder(
      [cand('big-endian', [0, 0, 0, 500]), cand('little-endian', [1400, 1500, 0, 1600])],
      4,
    );
    expect(r.chosen.order).toBe('little-endian');
    expect(r.other?.validRatio).toBe(0.25);
    expect(byteOrderNote('d.pgm', r.score, r.other)).toBe(
      'depth d.pgm: 16-bit samples read little-endian (75.0 % valid; big-endian, as the PGM spec says, gives 25.0 %)',
    );
  });

  it('as many readings: the smoother wins; a full tie keeps the spec (big-endian) with no note', () => {
    const smooth = chooseByteOrder(
      [
        cand('big-endian', [1000, 60000, 2000, 50000]),
        cand('little-endian', [1000, 1010, 1020, 1030]),
      ],
      4,
    );
    expect(smooth.chosen.order).toBe('little-endian');
    expect(smooth.score.meanStepMm).toBe(10);
    const tie = chooseByteOrder([cand('little-endian', [5, 5]), cand('big-endian', [5, 5])], 2);
    expect(tie.chosen.order).toBe('big-endian');
    expect(byteOrderNote('d.pgm', tie.score, tie.other)).toBeNull();
  });

  it('neighbours are taken along rows only, not across a row end', () => {
    const r = chooseByteOrder([cand('big-endian', [1, 1, 900, 900])], 2);
    expect(r.score.meanStepMm).toBe(0);
  });
});
