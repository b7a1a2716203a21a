import { describe, expect, it } from 'vitest';
import { printable, printableLines } from './printable';

describe('printable', () => {
  it('writes newlines, ANSI escapes and other controls as escapes, leaving the rest', () => {
    expect(printable('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printable('\x1b[31mred\x1b[0m.jpg')).toBe('\\x1b[31mred\\x1b[0m.jpg');
    expect(printable('nul\0 del\x7f c1\x9b bell\x07')).toBe('nul\\x00 del\\x7f c1\\x9b bell\\x07');
    expect(printable('line\u2028sep \u202eevil')).toBe('line\\u2028sep \\u202eevil');
    expect(printable('Küche/椅子 café.png')).toBe('Küche/椅子 café.png');
  });

  it('is one line whatever the input, and escaping twice changes nothing', () => {
    const all = Array.from({ length: 0x2070 }, (_, i) => String.fromCharCode(i)).join('');
    const once = printable(all);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(once).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(printable(once)).toBe(once);
  });

  it('keeps the line breaks a caller put between lines', () => {
    expect(printableLines('first\n  \x1b[2Jsecond')).toBe('first\n  \\x1b[2Jsecond');
  });
});
