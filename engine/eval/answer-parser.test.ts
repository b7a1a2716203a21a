import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../spatial/geometry/rng';
import { humanLength } from '../../spatial/qa/units';
import {
  parseChoice,
  parseClock,
  parseCount,
  parseLength,
  parseSame,
  parseYesNo,
} from './answer-parser';
import { judge } from './score';

const IN = 0.0254;
const FT = 0.3048;

describe('answer parser: lengths', () => {
  const metric: Array<[string, number]> = [
    ['about 2 meters', 2],
    ['About two meters.', 2],
    ['2.5m', 2.5],
    ['It is roughly 1.3 metres away.', 1.3],
    ['85 centimeters', 0.85],
    ['They are 85cm apart horizontally.', 0.85],
    ['twenty-five centimeters', 0.25],
    ['one point five meters', 1.5],
    ['half a meter', 0.5],
    ['two and a half meters', 2.5],
    ['1,5 m', 1.5],
    ['between 1 and 2 meters', 1.5],
    ['300 mm', 0.3],
    ['Region [0] is 3 m from Region [1].', 3],
    ['a meter or so', 1],
    ['The gap is one hundred and twenty centimeters wide', 1.2],
    ['0.4 km', 400],
    [
      'A to B is about 1.8 meters and B to C about 1.9 meters, so the total is about 3.7 meters.',
      3.7,
    ],
    ['First about 0.6 meters, then about 35 centimeters: about 1 meter altogether.', 1],
    ['Adding about 1.8 meters and about 2.2 meters gives about 4 meters.', 4],
    [
      'The path is about 11 feet in total (about 2 feet 9 inches plus about 8 feet 8 inches).',
      11 * FT,
    ],
    ['They are touching.', 0],
    ['Region [0] sits directly on the floor.', 0],
  ];
  const imperial: Array<[string, number]> = [
    ['about 3 feet', 3 * FT],
    ['5 ft 3 in', 5 * FT + 3 * IN],
    ['5\'3"', 5 * FT + 3 * IN],
    ['about 2 feet 10 inches', 2 * FT + 10 * IN],
    ['ten inches', 10 * IN],
    ['about half an inch', 0.5 * IN],
    ['a foot', FT],
    ['6 feet and 2 inches', 6 * FT + 2 * IN],
    ['two yards', 2 * 0.9144],
    ['one and a half feet', 1.5 * FT],
    ['It is 12 in.', 12 * IN],
    ['The width of Region [0] is about 40 inches.', 40 * IN],
  ];
  it.each([...metric, ...imperial])('%s', (text, metres) => {
    expect(parseLength(text)).toBeCloseTo(metres, 9);
  });
  it.each(["I don't know", 'Region [0] is to the left of Region [1].', 'in 3 rooms', 'maybe 2'])(
    'no length in %s',
    (text) => expect(parseLength(text)).toBeNull(),
  );
  it('reads back every length our QA generator speaks, in both unit systems', () => {
    const rng = mulberry32(5);
    for (let i = 0; i < 400; i++) {
      const m = 0.01 + rng() * 30;
      for (const system of ['metric', 'imperial'] as const) {
        const t = humanLength(m, system, { subMeterInMeters: i % 2 === 0 });
        expect(parseLength(`It is ${t.text}.`), t.text).toBeCloseTo(t.rounded, 9);
      }
    }
  });
});

describe('our ground truth scored against itself', () => {
  it('every length text we write is a success under the ±25 % rule, within 10 % of its value', () => {
    // 1 mm to 1 km, log-uniform: ground truth is the machine value, the answer our own text.
    const rng = mulberry32(23);
    const failed: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const m = 0.001 * Math.exp(rng() * Math.log(1e6));
      for (const system of ['metric', 'imperial'] as const) {
        const t = humanLength(m, system, { subMeterInMeters: i % 2 === 0 });
        const e = judge(
          { id: 'x', category: 'width', valueType: 'meters', value: m },
          `It is ${t.text}.`,
        );
        if (!e.correct || !(e.error! <= 0.1)) failed.push(`${m} m: ${t.text} (${e.error})`);
      }
    }
    expect(failed.slice(0, 10)).toEqual([]);
  });
});

describe('answer parser: clock, yes/no, ties, counts, choices', () => {
  it.each([
    ["3 o'clock", 3],
    ["three o'clock", 3],
    ['at 11 o\u2019clock', 11],
    ['12 oclock', 12],
    ['around 9:00', 9],
    ["It's at roughly the two o'clock direction.", 2],
  ])('clock %s', (text, hour) => expect(parseClock(text)).toBe(hour));
  it('no clock in a plain direction', () => expect(parseClock('to the left')).toBeNull());

  it.each([
    ['Yes, Region [0] is to the left of Region [1].', true],
    ['No.', false],
    ['In fact, Region [0] is to the right of Region [1].', false],
    ['Correct.', true],
    ["That's right: Region [0] is wider than Region [1].", true],
    ["That's not right.", false],
    ['It is.', null],
    ['I am not sure.', null],
    ["I can't tell from this image.", null],
    ['No, I am not sure it is.', false],
  ])('yes/no %s', (text, want) => expect(parseYesNo(text)).toBe(want));

  it('ties and counts', () => {
    expect(parseSame('They are about the same height.')).toBe(true);
    expect(parseSame('Region [0] is taller.')).toBeNull();
    expect(parseCount('There are three chairs to the left.')).toBe(3);
    expect(parseCount('None.')).toBe(0);
    expect(parseCount('No objects are there.')).toBe(0);
    expect(parseCount('Hard to say.')).toBeNull();
  });

  it('choices by region, token, label and ordinal', () => {
    expect(parseChoice('Region [1] is taller than Region [0].')).toBe(1);
    expect(parseChoice('<region0> is more to the left.')).toBe(0);
    expect(parseChoice('The chair is more to the left.', { labels: ['table', 'chair'] })).toBe(1);
    expect(
      parseChoice('The chair is more to the left.', { labels: ['chair', 'chair'] }),
    ).toBeNull();
    expect(
      parseChoice(
        'From left to right: Region [0], Region [2], Region [1]. So Region [2] is in the middle.',
      ),
    ).toBe(2);
    expect(parseChoice('The first one.')).toBe(0);
    expect(parseChoice('The latter.')).toBe(1);
    expect(parseChoice('Neither.')).toBeNull();
  });
});
