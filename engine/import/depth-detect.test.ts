import { describe, expect, it } from 'vitest';
import { classifyDepthHeader, namesDepth, splitDepthFiles } from './depth-detect';
import { depthPng16, png, pnmBinary } from './test-fixtures';

describe('recognising depth maps in an image folder', () => {
  it('by name: a depth folder or a depth token, not any word containing it', () => {
    expect(namesDepth('depth.png')).toBe(true);
    expect(namesDepth('depth_0001.png')).toBe(true);
    expect(namesDepth('frame-000000.depth.png')).toBe(true);
    expect(namesDepth('scene/depth/0001.png')).toBe(true);
    expect(namesDepth('scene/depth_bfx/0001.png')).toBe(true);
    expect(namesDepth('color.png')).toBe(false);
    expect(namesDepth('lowdepth.png')).toBe(false);
  });

  it('by header: 16-bit single-channel PNG or PGM only', async () => {
    expect(classifyDepthHeader(depthPng16(4, 4, () => 1))).toBe('sensor-depth');
    expect(classifyDepthHeader(pnmBinary('P5', 2, 1, 65535, [1, 2]))).toBe('sensor-depth');
    expect(classifyDepthHeader(pnmBinary('P5', 2, 1, 255, [1, 2]))).toEqual({
      other: '8-bit 1-channel P5',
    });
    expect(classifyDepthHeader(await png(4, 4, 1))).toEqual({ other: '8-bit 3-channel PNG' });
    expect(classifyDepthHeader(new Uint8Array([1, 2, 3]))).toBeNull();
  });

  it('only depth-named PNG/PGM files are read', async () => {
    const read: string[] = [];
    const heads: Record<string, Uint8Array> = { '/d/depth.png': depthPng16(2, 2, () => 9) };
    const split = await splitDepthFiles(
      [
        { path: '/d/color.png', relPath: 'color.png' },
        { path: '/d/depth.png', relPath: 'depth.png' },
        { path: '/d/depth.jpg', relPath: 'depth.jpg' },
      ],
      async (path) => {
        read.push(path);
        return heads[path]!;
      },
    );
    expect(read).toEqual(['/d/depth.png']);
    expect(split.depth.map((d) => d.relPath)).toEqual(['depth.png']);
    expect(split.photos.map((d) => d.relPath)).toEqual(['color.png', 'depth.jpg']);
  });
});
