import { describe, expect, it } from 'vitest';
import { parsePnm, parsePnmHeader, pnmTo8Bit } from './pnm';
import { pnmBinary } from './test-fixtures';

const ascii = (s: string) => Buffer.from(s, 'ascii');

describe('parsePnm', () => {
  it('P2 plain graymap with comments', () => {
    const img = parsePnm(ascii('P2\n# a comment\n3 2 # trailing\n15\n0 1 2\n13 14 15\n'));
    expect([img.kind, img.width, img.height, img.maxval, img.channels]).toEqual([
      'P2',
      3,
      2,
      15,
      1,
    ]);
    expect(img.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(img.data)).toEqual([0, 1, 2, 13, 14, 15]);
    // 15 -> 255, 1 -> 17
    expect(Array.from(pnmTo8Bit(img))).toEqual([0, 17, 34, 221, 238, 255]);
  });

  it('P3 plain pixmap, 16-bit maxval', () => {
    const img = parsePnm(ascii('P3 2 1 65535\n65535 0 256  1 2 3'));
    expect([img.width, img.height, img.channels]).toEqual([2, 1, 3]);
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(img.data)).toEqual([65535, 0, 256, 1, 2, 3]);
  });

  it('P5 binary 8-bit and 16-bit big-endian', () => {
    const p8 = parsePnm(pnmBinary('P5', 2, 2, 255, [0, 10, 200, 255]));
    expect(Array.from(p8.data)).toEqual([0, 10, 200, 255]);
    const raw16 = Buffer.concat([ascii('P5\n2 1\n65535\n'), Buffer.from([0x12, 0x34, 0xff, 0x01])]);
    const p16 = parsePnm(raw16);
    expect(p16.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(p16.data)).toEqual([0x1234, 0xff01]);
    // 16-bit -> 8-bit display: 0x1234 * 255 / 65535 = 18.14 -> 18
    expect(Array.from(pnmTo8Bit(p16))).toEqual([18, 254]);
  });

  it('P6 binary pixmap', () => {
    const img = parsePnm(pnmBinary('P6', 2, 1, 255, [255, 0, 0, 0, 0, 255]));
    expect([img.kind, img.channels]).toEqual(['P6', 3]);
    expect(Array.from(img.data)).toEqual([255, 0, 0, 0, 0, 255]);
  });

  it('header alone gives size and data offset', () => {
    const buf = pnmBinary('P6', 640, 480, 255, []);
    expect(parsePnmHeader(buf)).toMatchObject({
      kind: 'P6',
      width: 640,
      height: 480,
      maxval: 255,
      dataOffset: buf.length,
    });
  });

  it('rejects truncated, malformed and unsupported files', () => {
    expect(() => parsePnm(pnmBinary('P5', 4, 4, 255, [1, 2, 3]))).toThrow(
      'P5 is truncated: 3 of 16 pixel bytes',
    );
    expect(() => parsePnm(ascii('P2 2 2 255\n1 2 3'))).toThrow('P2 is truncated: 3 of 4 samples');
    expect(() => parsePnm(ascii('P2 2 1 10\n5 11'))).toThrow('P2 sample 11 exceeds maxval 10');
    expect(() => parsePnm(ascii('P5 2 x 255\n'))).toThrow(/header is incomplete or malformed/);
    expect(() => parsePnm(ascii('P5 2 2 70000\n'))).toThrow(/maxval 70000 is outside/);
    expect(() => parsePnm(ascii('P5 0 2 255\n'))).toThrow(/invalid size 0x2/);
    expect(() => parsePnm(ascii('P4 2 2\n'))).toThrow(/PBM bitmaps \(P4\)/);
    expect(() => parsePnm(ascii('hello'))).toThrow(/not a PNM/);
  });
});

describe('parsePnm byte order', () => {
  it("reads 16-bit samples little-endian when asked (NYU's raw dumps)", () => {
    const le = pnmBinary('P5', 2, 1, 65535, [0x0102, 0x0304], 'le');
    expect(Array.from(parsePnm(le, 'le').data)).toEqual([0x0102, 0x0304]);
    expect(Array.from(parsePnm(le).data)).toEqual([0x0201, 0x0403]);
  });
});
