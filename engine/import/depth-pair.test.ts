import { describe, expect, it } from 'vitest';
import { DepthIndex } from './depth-pair';

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
