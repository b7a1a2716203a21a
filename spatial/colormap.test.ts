import { describe, expect, it } from 'vitest';
import { depthToRgba, turbo, turboTable } from './colormap';

describe('turbo', () => {
  it('runs dark blue -> green -> dark red', () => {
    const [r0, g0, b0] = turbo(0);
    expect(b0).toBeGreaterThan(r0);
    expect(b0).toBeGreaterThan(g0);
    const [r5, g5, b5] = turbo(0.5);
    expect(g5).toBeGreaterThan(r5);
    expect(g5).toBeGreaterThan(b5);
    const [r1, g1, b1] = turbo(1);
    expect(r1).toBeGreaterThan(g1);
    expect(r1).toBeGreaterThan(b1);
    // hand-evaluated polynomial at x = 0.05 and x = 1
    expect(turbo(0)).toEqual([70, 54, 153]);
    expect(turbo(1)).toEqual([144, 13, 0]);
  });

  it('clamps outside [0, 1] and tabulates 256 entries', () => {
    expect(turbo(-1)).toEqual(turbo(0));
    expect(turbo(2)).toEqual(turbo(1));
    const t = turboTable();
    expect(t.length).toBe(768);
    expect(Array.from(t.subarray(255 * 3, 256 * 3))).toEqual(turbo(1));
  });
});

describe('depthToRgba', () => {
  it('missing is transparent, near is the red end, far the blue end, beyond the range clamps', () => {
    const rgba = depthToRgba(Uint16Array.from([0, 1000, 3000, 9000]), { near: 1000, far: 3000 });
    expect(Array.from(rgba.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([...turbo(1), 255]);
    expect(Array.from(rgba.subarray(8, 12))).toEqual([...turbo(0), 255]);
    expect(Array.from(rgba.subarray(12, 16))).toEqual([...turbo(0), 255]);
  });

  it('no range (nothing valid) gives a fully transparent image', () => {
    expect(Array.from(depthToRgba(Uint16Array.from([0, 0]), null))).toEqual(new Array(8).fill(0));
  });
});
