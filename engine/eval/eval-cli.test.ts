// `sqw eval` end to end through the CLI entry: a small bench file in our export's layout, JSON and
// table output, and one-line failures on bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main';
import { tempDir } from '../test/helpers';

const dir = tempDir('sqw-eval-');
afterAll(() => dir.remove());

const rle = { size: [4, 4], counts: '04' };
function record(id: string, family: string, valueType: string, value: unknown, type: string) {
  return {
    id,
    image_info: { file_path: 'a.jpg', height: 4, width: 4 },
    text_q: 'q',
    qa_info: { type, category: family },
    conversations: [
      { from: 'human', value: '<image>\nHow far is <mask> from <mask>?' },
      { from: 'gpt', value: 'x' },
    ],
    rle: [rle, rle],
    bbox: [
      [0, 0, 1, 1],
      [1, 1, 2, 2],
    ],
    ground_truth: {
      family,
      kind: type,
      value,
      unit: null,
      value_type: valueType,
      region_labels: ['cup', 'box'],
    },
  };
}
const bench = join(dir.path, 'bench.json');
writeFileSync(
  bench,
  JSON.stringify([
    record('a', 'direct_distance', 'meters', 2, 'quantitative'),
    record('b', 'left_right', 'boolean', true, 'qualitative'),
    record('c', 'direction', 'oclock', 3, 'quantitative'),
  ]),
);
const write = (name: string, text: string) => {
  const p = join(dir.path, name);
  writeFileSync(p, text);
  return p;
};

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('sqw eval', () => {
  it('prints {categories, overall, unparsed} with --json and a table without', async () => {
    const preds = write(
      'p.jsonl',
      '{"id":"a","answer":"about 7 feet"}\n{"question_id":"b","pred":"No."}\n',
    );
    expect(await main(['eval', '--bench', bench, '--predictions', preds, '--json'])).toBe(0);
    const r = JSON.parse(out);
    expect(Object.keys(r).sort()).toEqual(['categories', 'overall', 'unparsed']);
    // 7 ft = 2.1336 m: within 25 % of 2 m.
    expect(r.categories.direct_distance.success_rate).toBe(1);
    expect(r.categories.direct_distance.abs_rel_error).toBeCloseTo(0.0668, 4);
    expect(r.categories.left_right).toEqual({ n: 1, accuracy: 0 });
    expect(r.unparsed).toEqual(['c']);
    out = '';
    expect(await main(['eval', '--bench', bench, '--predictions', preds])).toBe(0);
    expect(out).toMatch(/direct_distance\s+1\s+success 100\.0%/);
    expect(out).toMatch(/unparsed or missing: 1 of 3 \(c\)/);
  });

  it('fails with one line on bad input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bench', join(dir.path, 'nope.json'), '--predictions', bench], /cannot read bench file/],
      [['--bench', write('bad.json', '[{"id": 1}]'), '--predictions', bench], /bench record 1/],
      [['--bench', bench, '--predictions', write('x.jsonl', 'not json\n')], /line 1 is not JSON/],
      [
        ['--bench', bench, '--predictions', write('y.jsonl', '{"id":"zz","answer":"1 m"}\n')],
        /no prediction id matches/,
      ],
      [
        [
          '--bench',
          bench,
          '--predictions',
          write('z.jsonl', '{"id":"a","answer":"1 m"}\n{"id":"a","answer":"2 m"}\n'),
        ],
        /duplicate id a/,
      ],
    ];
    for (const [args, pattern] of cases) {
      err = '';
      expect(await main(['eval', ...args])).not.toBe(0);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(pattern);
    }
  });
});
