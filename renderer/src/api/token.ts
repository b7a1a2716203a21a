// The headless server hands the UI its access token in the URL fragment (`#token=...`), which never
// reaches a server log. We read it once, keep it in sessionStorage (per tab, dies with the tab) and
// strip it from the visible URL so it does not end up in bookmarks, screenshots or history.

export const TOKEN_STORAGE_KEY = 'sqw.token';

export interface HashSplit {
  token: string | null;
  /** The fragment without the token (`''` when nothing else was there), with its leading '#'. */
  rest: string;
}

/** `#token=abc` -> { token: 'abc', rest: '' }; `#/image/3` -> { token: null, rest: '#/image/3' }. */
export function splitTokenFromHash(hash: string): HashSplit {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  if (body === '' || body.startsWith('/')) {
    // A route, possibly followed by `?token=...` or `&token=...`.
    const m = /^(.*?)[?&]token=([^&]*)(.*)$/.exec(body);
    if (!m) return { token: null, rest: body === '' ? '' : `#${body}` };
    const [, route = '', raw = '', tail = ''] = m;
    const token = safeDecode(raw);
    const restBody = route + (tail ? tail.replace(/^&/, route.includes('?') ? '&' : '?') : '');
    return { token: token || null, rest: restBody ? `#${restBody}` : '' };
  }
  const params = new URLSearchParams(body);
  const token = params.get('token');
  params.delete('token');
  const restBody = params.toString();
  return { token: token ? token : null, rest: restBody ? `#${restBody}` : '' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface TokenEnv {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url?: string | URL | null): void };
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/**
 * Takes the token from the URL fragment if present (storing it and removing it from the URL),
 * else from session storage. Returns null when there is none.
 */
export function takeToken(env: TokenEnv): string | null {
  const { token, rest } = splitTokenFromHash(env.location.hash);
  if (token) {
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, token);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    env.history.replaceState(
      null,
      '',
      `${env.location.pathname}${env.location.search}${rest || '#/batches'}`,
    );
    return token;
  }
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
