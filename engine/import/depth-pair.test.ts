import { describe, expect, it } from 'vitest';
import { DepthIndex, FolderDepthPairs, layoutKey } from './depth-pair';

const f = (relPath: string) => ({ path: `/d/${relPath}`, relPath });

describe('DepthIndex', () => {
  it('prefers the same relative path, then the same stem', () => {
    const idx = new DepthIndex([
      f('a/00001.png'),
      f('b/00001.png'),
      f('00002.pgm'),
      f('x/corridor.png'),
    ]);
    expect(idx.find('a/00001.jpg')).toEqual({ file: f('a/00001.png') });
    expect(idx.find('b/00001.JPG')).toEqual({ file: f('b/00001.png') });
    expect(idx.find('sub/00002.jpg')).toEqual({ file: f('00002.pgm') });
    expect(idx.find('corridor.jpg')).toEqual({ file: f('x/corridor.png') });
    expect(idx.find('00003.jpg')).toBeNull();
  });

  it('reports ambiguous stems instead of guessing', () => {
    const idx = new DepthIndex([f('a/00001.png'), f('b/00001.png')]);
    expect(idx.find('c/00001.jpg')).toEqual({ ambiguous: ['a/00001.png', 'b/00001.png'] });
  });

  it('keeps dots inside names', () => {
    const idx = new DepthIndex([f('frame.001.png')]);
    expect(idx.find('frame.001.jpg')).toEqual({ file: f('frame.001.png') });
    expect(idx.find('frame.jpg')).toBeNull();
  });
});

describe('layoutKey and FolderDepthPairs (depth maps inside the image folder)', () => {
  it('takes the layout words out: Redwood, SUN, TUM folders, side by side, 7-Scenes, NYU names', () => {
    expect(layoutKey('color/00001.jpg')).toEqual(layoutKey('depth/00001.png'));
    expect(layoutKey('scene/image/NYU0001.jpg')).toEqual(layoutKey('scene/depth/NYU0001.png'));
    expect(layoutKey('color.jpg')).toEqual(layoutKey('depth.png'));
    expect(layoutKey('frame-000007.color.png')).toEqual(layoutKey('frame-000007.depth.png'));
    expect(layoutKey('rgb_0001.jpg')).toEqual(layoutKey('depth_0001.pgm'));
    expect(layoutKey('a/color.jpg')).not.toEqual(layoutKey('b/depth.png'));
    // SUN's filled depth is not a second candidate for the sensor depth
    expect(layoutKey('s/depth_bfx/NYU0001.png')).not.toEqual(layoutKey('s/image/NYU0001.jpg'));
  });

  it('pairs, reports ambiguity, matches TUM timestamps within 0.02 s and lists the unpaired', () => {
    const pairs = new FolderDepthPairs(
      [f('color/1.jpg'), f('x/color.jpg'), f('rgb/100.500000.png'), f('rgb/200.000000.png')],
      [
        f('depth/1.png'),
        f('x/depth.png'),
        f('x/depth.pgm'),
        f('depth/100.510000.png'),
        f('depth/200.030000.png'),
        f('depth_bfx/1.png'),
      ],
    );
    expect(pairs.find('color/1.jpg')).toEqual({ file: f('depth/1.png') });
    expect(pairs.find('x/color.jpg')).toEqual({ ambiguous: ['x/depth.png', 'x/depth.pgm'] });
    expect(pairs.find('rgb/100.500000.png')).toEqual({ file: f('depth/100.510000.png') });
    expect(pairs.find('rgb/200.000000.png')).toBeNull(); // 0.03 s apart
    expect(pairs.unpaired.map((d) => d.relPath)).toEqual([
      'depth/200.030000.png',
      'depth_bfx/1.png',
    ]);
  });
});
