import { describe, expect, it } from 'vitest';
import {
  depthEncodingName,
  LUT_OVERFLOW,
  millimetreLut,
  parseDepthEncoding,
  rawToMeters,
  sunUnrotate,
  toMillimetres,
} from './depth-encoding';

describe('parseDepthEncoding', () => {
  it('accepts the presets and scale:K, case-insensitively', () => {
    expect(parseDepthEncoding('mm')).toEqual({ kind: 'mm' });
    expect(parseDepthEncoding('TUM')).toEqual({ kind: 'tum' });
    expect(parseDepthEncoding('sun')).toEqual({ kind: 'sun' });
    expect(parseDepthEncoding('nyu')).toEqual({ kind: 'nyu' });
    expect(parseDepthEncoding('scale:1000')).toEqual({ kind: 'scale', scale: 1000 });
    expect(parseDepthEncoding('scale:2.5e3')).toEqual({ kind: 'scale', scale: 2500 });
    expect(depthEncodingName(parseDepthEncoding('Scale:5000'))).toBe('scale:5000');
  });

  it('rejects unknown names and bad scales with a clear message', () => {
    expect(() => parseDepthEncoding('xyz')).toThrow(
      "unknown depth encoding 'xyz': use mm, tum, sun, nyu or scale:K",
    );
    expect(() => parseDepthEncoding('scale:0')).toThrow(/positive number/);
    expect(() => parseDepthEncoding('scale:-5')).toThrow(/positive number/);
    expect(() => parseDepthEncoding('scale:abc')).toThrow(/positive number/);
    expect(() => parseDepthEncoding('scale:Infinity')).toThrow(/positive number/);
  });
});

describe('rawToMeters', () => {
  it('0 is missing in every encoding', () => {
    for (const n of ['mm', 'tum', 'sun', 'nyu', 'scale:7'])
      expect(rawToMeters(0, parseDepthEncoding(n))).toBeNull();
  });

  it('mm, tum and scale', () => {
    expect(rawToMeters(1500, { kind: 'mm' })).toBe(1.5);
    expect(rawToMeters(5000, { kind: 'tum' })).toBe(1);
    expect(rawToMeters(12345, { kind: 'tum' })).toBeCloseTo(2.469, 9);
    expect(rawToMeters(700, { kind: 'scale', scale: 100 })).toBe(7);
  });

  it('sun: 3-bit right rotation then millimetres', () => {
    // 0x1234 = 0001 0010 0011 0100, rotated right by 3 = 1000 0010 0100 0110 = 0x8246 = 33350
    expect(sunUnrotate(0x1234)).toBe(0x8246);
    expect(rawToMeters(0x1234, { kind: 'sun' })).toBeCloseTo(33.35, 9);
    // 8 = 0b1000 -> 1; 1 -> 0x2000 (the low bit wraps to bit 13)
    expect(sunUnrotate(8)).toBe(1);
    expect(sunUnrotate(1)).toBe(0x2000);
    expect(sunUnrotate(0xffff)).toBe(0xffff);
  });

  it('nyu: 351.3 / (1092.5 - v), valid only within (0, 20] m', () => {
    expect(rawToMeters(741, { kind: 'nyu' })).toBeCloseTo(351.3 / 351.5, 12);
    expect(rawToMeters(1074, { kind: 'nyu' })).toBeCloseTo(18.9892, 4);
    expect(rawToMeters(1075, { kind: 'nyu' })).toBeNull(); // 20.07 m
    expect(rawToMeters(1092, { kind: 'nyu' })).toBeNull(); // 702.6 m
    expect(rawToMeters(1093, { kind: 'nyu' })).toBeNull(); // negative
    expect(rawToMeters(2047, { kind: 'nyu' })).toBeNull(); // Kinect "no reading"
  });
});

describe('millimetre lookup', () => {
  it('maps raw values to rounded millimetres and flags readings beyond 65.535 m', () => {
    const lut = millimetreLut({ kind: 'scale', scale: 100 }); // 1 unit = 1 cm
    expect(lut[0]).toBe(0);
    expect(lut[700]).toBe(7000);
    expect(lut[6553]).toBe(65530);
    expect(lut[6554]).toBe(LUT_OVERFLOW);
    const { mm, overflow } = toMillimetres(Uint16Array.from([0, 700, 6554, 1]), lut);
    expect(Array.from(mm)).toEqual([0, 7000, 0, 10]);
    expect(overflow).toBe(1);
  });

  it('tum rounds to the nearest millimetre; sun keeps the rotated value exactly', () => {
    expect(millimetreLut({ kind: 'tum' })[12347]).toBe(2469); // 2.4694 m
    const sun = millimetreLut({ kind: 'sun' });
    expect(sun[0x1234]).toBe(0x8246);
    expect(sun[0xffff]).toBe(0xffff);
  });
});
