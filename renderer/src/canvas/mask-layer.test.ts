import { describe, expect, it } from 'vitest';
import { countsToString } from '../../../spatial/geometry/mask-rle';
import { composeMasks, hexToRgb } from './mask-layer';

describe('mask layer', () => {
  it('paints decoded RLE masks in their colours, later objects on top', () => {
    // 2x3 image (h=2, w=3); column-major runs: 0s then 1s.
    const a = { size: [2, 3] as [number, number], counts: [0, 2, 4] }; // first column
    const b = { size: [2, 3] as [number, number], counts: countsToString([1, 2, 3]) }; // (1,0) and (0,1)
    const out = composeMasks(3, 2, [
      { id: 1, rle: a, color: '#ff0000', alpha: 1 },
      { id: 2, rle: b, color: '#00ff00', alpha: 0.5 },
    ]);
    expect(out.drawn).toEqual([1, 2]);
    const px = (x: number, y: number) => [
      ...out.pixels.slice((y * 3 + x) * 4, (y * 3 + x) * 4 + 4),
    ];
    expect(px(0, 0)).toEqual([255, 0, 0, 255]);
    expect(px(0, 1)).toEqual([0, 255, 0, 128]);
    expect(px(1, 0)).toEqual([0, 255, 0, 128]);
    expect(px(2, 1)).toEqual([0, 0, 0, 0]);
  });

  it('reports masks of another size or with corrupt counts instead of drawing them', () => {
    const out = composeMasks(3, 2, [
      { id: 1, rle: { size: [4, 4], counts: [16] }, color: '#fff', alpha: 1 },
      { id: 2, rle: { size: [2, 3], counts: [0, 99] }, color: '#ffffff', alpha: 1 },
    ]);
    expect(out.drawn).toEqual([]);
    expect(out.problems.map((p) => p.id)).toEqual([1, 2]);
    expect(out.problems[0]!.reason).toMatch(/mask is 4x4, image is 3x2/);
    expect(hexToRgb('nonsense')).toEqual([255, 255, 255]);
  });
});
