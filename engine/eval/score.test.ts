import { describe, expect, it } from 'vitest';
import { reportTable } from './report-table';
import { scoreBench, type BenchItem } from './score';

// A prediction set whose scores are computed by hand below.
const bench: BenchItem[] = [
  { id: 'q1', category: 'left_right', valueType: 'boolean', value: true },
  { id: 'q2', category: 'left_right', valueType: 'boolean', value: false },
  { id: 'q3', category: 'left_right', valueType: 'object', value: 17, regions: [1] },
  { id: 'q4', category: 'tall_short', valueType: 'boolean', value: true },
  { id: 'd1', category: 'direct_distance', valueType: 'meters', value: 2 },
  { id: 'd2', category: 'direct_distance', valueType: 'meters', value: 1 },
  { id: 'd3', category: 'direct_distance', valueType: 'meters', value: 1 },
  { id: 'd4', category: 'width', valueType: 'meters', value: 0.5 },
  { id: 'd5', category: 'width', valueType: 'meters', value: 0.5 },
  { id: 'c1', category: 'direction', valueType: 'oclock', value: 3 },
  { id: 'c2', category: 'direction', valueType: 'oclock', value: 12 },
  { id: 'c3', category: 'direction', valueType: 'oclock', value: 1 },
];
const answers = new Map([
  ['q1', 'Yes, it is.'], // right
  ['q2', 'Yes.'], // wrong
  ['q3', 'Region [1] is more to the left.'], // right
  ['q4', 'Hmm, hard to say.'], // unparsed
  ['d1', 'about two meters'], // 2.0: success, error 0
  ['d2', '3 feet 3 inches'], // 0.9906: success, error 0.0094
  ['d3', '150 cm'], // 1.5: fail, error 0.5
  ['d4', '20 inches'], // 0.508: success, error 0.016
  // d5 missing
  ['c1', "at 4 o'clock"], // 1 h: success, 30 deg
  ['c2', "ten o'clock"], // 2 h: fail, 60 deg
  ['c3', 'It is to the left.'], // unparsed
]);

describe('scoreBench', () => {
  it('scores a hand-computed prediction set', () => {
    const r = scoreBench(bench, answers);
    expect(r.categories.left_right).toEqual({ n: 3, accuracy: 2 / 3 });
    expect(r.categories.tall_short).toEqual({ n: 1, accuracy: 0 });
    const dd = r.categories.direct_distance as {
      n: number;
      success_rate: number;
      abs_rel_error: number;
    };
    expect(dd.n).toBe(3);
    expect(dd.success_rate).toBeCloseTo(2 / 3, 12);
    expect(dd.abs_rel_error).toBeCloseTo((0 + 0.0094 + 0.5) / 3, 9);
    const w = r.categories.width as { n: number; success_rate: number; abs_rel_error: number };
    expect(w.success_rate).toBe(0.5);
    expect(w.abs_rel_error).toBeCloseTo(0.016, 9);
    expect(r.categories.direction).toEqual({ n: 3, success_rate: 1 / 3, error_deg: 45 });
    expect(r.overall.qualitative).toEqual({ n: 4, accuracy: 0.5 });
    expect(r.overall.quantitative.n).toBe(5);
    expect(r.overall.quantitative.success_rate).toBeCloseTo(0.6, 12);
    expect(r.overall.quantitative.abs_rel_error).toBeCloseTo((0.0094 + 0.5 + 0.016) / 4, 9);
    expect(r.overall.direction).toEqual({ n: 3, success_rate: 1 / 3, error_deg: 45 });
    expect(r.unparsed).toEqual(['q4', 'd5', 'c3']);
    expect(r.items.find((i) => i.id === 'd5')!.status).toBe('missing');
    const table = reportTable(r);
    expect(table).toMatch(/direct_distance\s+3\s+success 66\.7%\s+abs rel 0\.17/);
    expect(table).toMatch(/unparsed or missing: 3 of 12/);
  });

  it('a perfect set scores 1 everywhere and an empty one 0', () => {
    const perfect = new Map([
      ['q1', 'yes'],
      ['q2', 'no'],
      ['q3', 'Region [1]'],
      ['q4', 'Yes'],
      ['d1', '2 m'],
      ['d2', '1 m'],
      ['d3', '100 cm'],
      ['d4', '50 cm'],
      ['d5', 'half a meter'],
      ['c1', "3 o'clock"],
      ['c2', "12 o'clock"],
      ['c3', "1 o'clock"],
    ]);
    const r = scoreBench(bench, perfect);
    expect(r.unparsed).toEqual([]);
    expect(r.overall.qualitative.accuracy).toBe(1);
    expect(r.overall.quantitative).toEqual({ n: 5, success_rate: 1, abs_rel_error: 0 });
    expect(r.overall.direction).toEqual({ n: 3, success_rate: 1, error_deg: 0 });
    const none = scoreBench(bench, new Map());
    expect(none.unparsed.length).toBe(12);
    expect(none.overall.quantitative.abs_rel_error).toBeNull();
  });
});
