import { describe, expect, it } from 'vitest';
import { drawBoxStep, moveBoxWithin, normalizeBox, type DrawBoxState } from './tools';

const img = { width: 640, height: 480 };

describe('draw-box tool', () => {
  it('press, drag and release make a box clamped to the image', () => {
    let s: DrawBoxState = { kind: 'idle' };
    s = drawBoxStep(s, { type: 'pointer-down', at: { x: 100, y: 50 } }, img).state;
    s = drawBoxStep(s, { type: 'pointer-move', at: { x: 700, y: 20 } }, img).state;
    expect(s).toEqual({ kind: 'dragging', start: { x: 100, y: 50 }, current: { x: 640, y: 20 } });
    const end = drawBoxStep(s, { type: 'pointer-up', at: { x: 60, y: 500 } }, img);
    expect(end).toEqual({ state: { kind: 'idle' }, done: [60, 50, 100, 480] });
  });

  it('a click or a tiny drag is not a box, and Escape cancels', () => {
    let s: DrawBoxState = drawBoxStep(
      { kind: 'idle' },
      { type: 'pointer-down', at: { x: 5, y: 5 } },
      img,
    ).state;
    expect(drawBoxStep(s, { type: 'pointer-up', at: { x: 7, y: 30 } }, img).done).toBeUndefined();
    s = drawBoxStep({ kind: 'idle' }, { type: 'pointer-down', at: { x: 5, y: 5 } }, img).state;
    expect(drawBoxStep(s, { type: 'cancel' }, img).state).toEqual({ kind: 'idle' });
    expect(drawBoxStep({ kind: 'idle' }, { type: 'pointer-up', at: { x: 1, y: 1 } }, img)).toEqual({
      state: { kind: 'idle' },
    });
  });

  it('moves keep the size and stay inside; normalising clips and rounds', () => {
    expect(moveBoxWithin([600, 10, 640, 50], 30, -20, 640, 480)).toEqual([600, 0, 640, 40]);
    expect(normalizeBox([-3, 10.123456, 700, 9], 640, 480)).toEqual([0, 9, 640, 10.12]);
  });
});
