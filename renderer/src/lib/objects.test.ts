import { describe, expect, it } from 'vitest';
import {
  formatQaValue,
  idList,
  OBJECT_PALETTE,
  objectCaption,
  objectColors,
  placeLabels,
  splitRegions,
} from './objects';

describe('object colours and captions', () => {
  it('gives each id a stable colour by id order', () => {
    const colors = objectColors([{ id: 9 }, { id: 2 }, { id: 5 }]);
    expect(colors.get(2)).toBe(OBJECT_PALETTE[0]);
    expect(colors.get(5)).toBe(OBJECT_PALETTE[1]);
    expect(colors.get(9)).toBe(OBJECT_PALETTE[2]);
  });
  it('adds the score only when there is one', () => {
    expect(objectCaption({ label: 'door', score: null })).toBe('door');
    expect(objectCaption({ label: 'chair', score: 0.876 })).toBe('chair 0.88');
  });
});

describe('placeLabels', () => {
  const size = { width: 40, height: 10 };
  const bounds = { width: 200, height: 100 };
  it('puts a label above its box, or inside when the box touches the top', () => {
    expect(placeLabels([[20, 30, 60, 80]], [size], bounds)).toEqual([{ x: 20, y: 20 }]);
    expect(placeLabels([[20, 0, 60, 80]], [size], bounds)).toEqual([{ x: 20, y: 0 }]);
  });
  it('keeps labels inside the image', () => {
    expect(placeLabels([[190, 50, 200, 60]], [size], bounds)).toEqual([{ x: 160, y: 40 }]);
  });
  it('moves a label down when it would cover an earlier one', () => {
    const out = placeLabels(
      [
        [10, 0, 100, 100],
        [30, 0, 120, 100],
      ],
      [size, size],
      bounds,
    );
    expect(out[0]).toEqual({ x: 10, y: 0 });
    expect(out[1]).toEqual({ x: 30, y: 10 });
  });
});

describe('formatQaValue', () => {
  it('formats the value kinds the QA engine writes', () => {
    expect(formatQaValue(1.5752, 'm')).toBe('1.58 m');
    expect(formatQaValue(true, null)).toBe('yes');
    expect(formatQaValue(2, 'oclock')).toBe("2 o'clock");
    expect(formatQaValue(0, 'count')).toBe('0');
    expect(formatQaValue(null, null)).toBe('no value (tie)');
    expect(formatQaValue(3, null, (id) => (id === 3 ? 'partition' : undefined))).toBe(
      'partition #3',
    );
    expect(formatQaValue([1, 2], null, (id) => ['', 'a', 'b'][id])).toBe('a #1, b #2');
    expect(formatQaValue({ a: 1 }, null)).toBe('{"a":1}');
  });
});

describe('splitRegions', () => {
  it('splits placeholders out of the text', () => {
    expect(splitRegions('Is <region0> left of <region1>?')).toEqual([
      { text: 'Is ' },
      { region: 0 },
      { text: ' left of ' },
      { region: 1 },
      { text: '?' },
    ]);
    expect(splitRegions('plain')).toEqual([{ text: 'plain' }]);
  });
  it('lists ids sorted and unique', () => {
    expect(idList([3, 1, 3, 2])).toBe('1,2,3');
  });
});
