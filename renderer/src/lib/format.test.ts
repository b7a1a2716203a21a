import { describe, expect, it } from 'vitest';
import {
  baseName,
  depthEncodingValue,
  exifText,
  formatBytes,
  formatMeters,
  formatNumber,
  formatPercent,
  parseIntrinsics,
  pickExif,
  shortFolder,
  shortHash,
} from './format';

describe('format helpers', () => {
  it('formats numbers', () => {
    expect(formatNumber(525)).toBe('525');
    expect(formatNumber(319.5)).toBe('319.5');
    expect(formatNumber(1.23456)).toBe('1.23');
    expect(formatNumber(null)).toBe('—');
    expect(formatPercent(0.8734)).toBe('87.3%');
    expect(formatMeters(0.5)).toBe('0.50 m');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(12)}…`);
    expect(baseName('/data/redwood/color/')).toBe('color');
    expect(baseName('C:\\x\\y')).toBe('y');
    expect(shortFolder('/a/b/redwood/color/')).toBe('redwood/color');
    expect(shortFolder('C:\\data\\set')).toBe('data/set');
    expect(shortFolder('/')).toBe('/');
  });

  it('renders EXIF values as short text', () => {
    expect(exifText({ a: 1 })).toBe('{"a":1}');
    expect(exifText('x'.repeat(200)).length).toBe(80);
    expect(pickExif({ Make: 'Canon', ExposureTime: 0.004, FocalLength: 4.2, Other: 1 })).toEqual([
      { label: 'Make', value: 'Canon' },
      { label: 'Focal length', value: '4.2 mm' },
      { label: 'Exposure', value: '1/250 s' },
    ]);
    expect(pickExif(null)).toEqual([]);
  });

  it('builds depth encodings', () => {
    expect(depthEncodingValue('mm', '')).toEqual({ value: 'mm' });
    expect(depthEncodingValue('scale', '5000')).toEqual({ value: 'scale:5000' });
    expect(depthEncodingValue('scale', '-1')).toHaveProperty('error');
    expect(depthEncodingValue('scale', '')).toHaveProperty('error');
  });

  it('parses intrinsics all-or-none', () => {
    expect(parseIntrinsics({ fx: '', fy: '', cx: '', cy: '' })).toEqual({ value: undefined });
    expect(parseIntrinsics({ fx: '525', fy: '525', cx: '319.5', cy: '239.5' })).toEqual({
      value: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
    });
    expect(parseIntrinsics({ fx: '525', fy: '', cx: '', cy: '' })).toHaveProperty('error');
    expect(parseIntrinsics({ fx: '0', fy: '1', cx: '1', cy: '1' })).toHaveProperty('error');
    expect(parseIntrinsics({ fx: 'a', fy: '1', cx: '1', cy: '1' })).toHaveProperty('error');
  });
});
