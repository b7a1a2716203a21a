import { describe, expect, it } from 'vitest';
import { splitTokenFromHash, takeToken, TOKEN_STORAGE_KEY, type TokenEnv } from './token';

function env(hash: string, stored: string | null = null) {
  const store = new Map<string, string>();
  if (stored !== null) store.set(TOKEN_STORAGE_KEY, stored);
  const replaced: string[] = [];
  const e: TokenEnv = {
    location: { hash, pathname: '/', search: '' },
    history: { replaceState: (_d, _u, url) => replaced.push(String(url)) },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
  };
  return { e, store, replaced };
}

describe('splitTokenFromHash', () => {
  it('takes a bare token fragment', () => {
    expect(splitTokenFromHash('#token=abc123')).toEqual({ token: 'abc123', rest: '' });
  });
  it('keeps other fragment parameters', () => {
    expect(splitTokenFromHash('#token=abc&x=1')).toEqual({ token: 'abc', rest: '#x=1' });
  });
  it('leaves routes alone', () => {
    expect(splitTokenFromHash('#/image/3')).toEqual({ token: null, rest: '#/image/3' });
    expect(splitTokenFromHash('')).toEqual({ token: null, rest: '' });
  });
  it('takes a token that follows a route', () => {
    expect(splitTokenFromHash('#/image/3?token=t%2Bk')).toEqual({
      token: 't+k',
      rest: '#/image/3',
    });
  });
  it('treats an empty token as none', () => {
    expect(splitTokenFromHash('#token=')).toEqual({ token: null, rest: '' });
  });
});

describe('takeToken', () => {
  it('stores the fragment token and strips it from the URL', () => {
    const { e, store, replaced } = env('#token=secret');
    expect(takeToken(e)).toBe('secret');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('secret');
    expect(replaced).toEqual(['/#/batches']);
  });
  it('falls back to session storage after a reload', () => {
    const { e, replaced } = env('#/batches', 'kept');
    expect(takeToken(e)).toBe('kept');
    expect(replaced).toEqual([]);
  });
  it('prefers a new fragment token over the stored one', () => {
    const { e, store } = env('#token=new', 'old');
    expect(takeToken(e)).toBe('new');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('new');
  });
  it('returns null when there is no token anywhere', () => {
    expect(takeToken(env('').e)).toBeNull();
  });
});
