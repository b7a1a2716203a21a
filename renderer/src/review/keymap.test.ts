import { describe, expect, it } from 'vitest';
import { actionFor, KEYMAP, keyName } from './keymap';

const key = (
  k: string,
  mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('review keymap', () => {
  it('maps review keys, with Ctrl/Cmd and Shift variants for undo and redo', () => {
    expect(actionFor(key('a'))).toBe('approve');
    expect(actionFor(key('r'))).toBe('reject');
    expect(actionFor(key('z', { ctrlKey: true }))).toBe('undo');
    expect(actionFor(key('z', { metaKey: true }))).toBe('undo');
    expect(actionFor(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(actionFor(key('U', { shiftKey: true }))).toBe('redo');
    expect(actionFor(key('u'))).toBe('undo');
    expect(actionFor(key('?', { shiftKey: true }))).toBe('help');
    expect(actionFor(key('a', { altKey: true }))).toBeNull();
    expect(actionFor(key('q'))).toBeNull();
    expect(keyName(key('ArrowDown', { shiftKey: true }))).toBe('ArrowDown');
  });

  it('binds every key to exactly one action', () => {
    const keys = KEYMAP.flatMap((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
