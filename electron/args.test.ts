import { describe, expect, it } from 'vitest';
import { parseDevServerOrigin, parseProjectArg } from './args';

describe('parseProjectArg', () => {
  it('finds --project in either form', () => {
    expect(parseProjectArg(['/usr/bin/electron', '.', '--project', '/data/p'])).toBe('/data/p');
    expect(parseProjectArg(['app', '--project=/data/q'])).toBe('/data/q');
  });

  it('ignores a missing or flag-like value', () => {
    expect(parseProjectArg(['app'])).toBeUndefined();
    expect(parseProjectArg(['app', '--project'])).toBeUndefined();
    expect(parseProjectArg(['app', '--project', '--inspect'])).toBeUndefined();
    expect(parseProjectArg(['app', '--project='])).toBeUndefined();
  });
});

describe('parseDevServerOrigin', () => {
  it('accepts loopback http only', () => {
    expect(parseDevServerOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
    expect(parseDevServerOrigin('http://127.0.0.1:5173/some/path')).toBe('http://127.0.0.1:5173');
    expect(parseDevServerOrigin(undefined)).toBeUndefined();
    expect(parseDevServerOrigin('https://localhost:5173')).toBeUndefined();
    expect(parseDevServerOrigin('http://example.com:5173')).toBeUndefined();
    expect(parseDevServerOrigin('http://localhost.example.com')).toBeUndefined();
    expect(parseDevServerOrigin('nonsense')).toBeUndefined();
  });
});
