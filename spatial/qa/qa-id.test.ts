import { describe, expect, it } from 'vitest';
import { fnv1a64, keyOf, qaId } from './qa-id';
import { mulberry32, rngFor } from './rng';

describe('stable ids', () => {
  it('FNV-1a 64 matches the reference vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    // UTF-8: "é" is c3 a9; a surrogate pair is one 4-byte code point
    expect(fnv1a64('é')).toBe(fnv1a64('\u00e9'));
    expect(fnv1a64('😀')).not.toBe(fnv1a64('\ud83d'));
  });

  it('qa ids depend on image, family, ordered subjects and slot only', () => {
    const id = qaId('img', 'left_right', [1, 2], 'left_predicate/region');
    expect(id).toMatch(/^qa_[0-9a-f]{16}$/);
    expect(qaId('img', 'left_right', [1, 2], 'left_predicate/region')).toBe(id);
    expect(qaId('img', 'left_right', [2, 1], 'left_predicate/region')).not.toBe(id);
    expect(qaId('img2', 'left_right', [1, 2], 'left_predicate/region')).not.toBe(id);
    expect(qaId('img', 'left_right', [1, 2], 'left_predicate/expression')).not.toBe(id);
    // separators inside parts can't forge another key
    expect(keyOf(['a|b', 'c'])).not.toBe(keyOf(['a', 'b|c']));
  });

  it('seeded generators repeat', () => {
    const a = mulberry32(5);
    const b = mulberry32(5);
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
    expect(rngFor(['x', 1])()).toBe(rngFor(['x', 1])());
    expect(rngFor(['x', 1])()).not.toBe(rngFor(['x', 2])());
  });
});
