import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sizeLimitReason, sniffImage } from './header';
import { hugePngHeader, jpeg, noiseRgb, png, pnmBinary } from './test-fixtures';

describe('sniffImage', () => {
  it('reads JPEG, PNG and WebP sizes from the header bytes', async () => {
    expect(sniffImage(await jpeg(64, 48, 1))).toEqual({ format: 'jpeg', width: 64, height: 48 });
    expect(sniffImage(await png(33, 17, 2))).toEqual({ format: 'png', width: 33, height: 17 });
    const raw = { raw: { width: 50, height: 30, channels: 3 as const } };
    expect(
      sniffImage(
        await sharp(noiseRgb(50, 30, 3), raw)
          .webp()
          .toBuffer(),
      ),
    ).toEqual({ format: 'webp', width: 50, height: 30 });
    expect(
      sniffImage(
        await sharp(noiseRgb(50, 30, 3), raw)
          .webp({ lossless: true })
          .toBuffer(),
      ),
    ).toEqual({
      format: 'webp',
      width: 50,
      height: 30,
    });
    const withExif = await sharp(noiseRgb(50, 30, 3), raw)
      .webp()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(sniffImage(withExif)).toEqual({ format: 'webp', width: 50, height: 30 });
  });

  it('finds the JPEG frame after large APP segments', async () => {
    const big = await sharp(noiseRgb(40, 20, 4), { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg()
      .withExif({ IFD0: { ImageDescription: 'x'.repeat(30000) } })
      .toBuffer();
    expect(sniffImage(big)).toEqual({ format: 'jpeg', width: 40, height: 20 });
    // Cut before the frame header: format known, size unknown (the caller reads more).
    expect(sniffImage(big.subarray(0, 1000))).toEqual({
      format: 'jpeg',
      width: null,
      height: null,
    });
  });

  it('reads a huge IHDR without any pixel data', () => {
    expect(sniffImage(hugePngHeader(30000, 30000))).toEqual({
      format: 'png',
      width: 30000,
      height: 30000,
    });
  });

  it('PNM: ppm for colour, pgm for grey', () => {
    expect(sniffImage(pnmBinary('P6', 3, 2, 255, []))).toEqual({
      format: 'ppm',
      width: 3,
      height: 2,
    });
    expect(sniffImage(pnmBinary('P5', 3, 2, 65535, []))).toEqual({
      format: 'pgm',
      width: 3,
      height: 2,
    });
    expect(sniffImage(Buffer.from('P1\n2 2\n0 1 1 0'))).toEqual({
      format: null,
      reason: 'unreadable PNM: PBM bitmaps (P1) are not supported',
    });
  });

  it('names text and unknown content', () => {
    expect(sniffImage(Buffer.from('hello, this is not a photo\n'))).toEqual({
      format: null,
      reason: 'not an image: the file contains text',
    });
    expect(sniffImage(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]))).toEqual({
      format: null,
      reason: 'not an image: content is not JPEG, PNG, WebP, PPM or PGM',
    });
  });
});

describe('sizeLimitReason', () => {
  it('refuses more than 16384 px per side or 100 megapixels', () => {
    expect(sizeLimitReason(16384, 6000)).toBeNull();
    expect(sizeLimitReason(10000, 10000)).toBeNull();
    expect(sizeLimitReason(16385, 10)).toMatch(/^image too large: 16385x10 /);
    expect(sizeLimitReason(12000, 9000)).toBe(
      'image too large: 12000x9000 (108.0 MP); limit is 16384 px per side and 100 MP',
    );
  });
});
