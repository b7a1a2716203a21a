// "Connect to server…": which team server URLs and account tokens the main process accepts before
// the renderer may talk to another origin (docs/TEAM-REVIEWERS.md §5). Pure, no Electron imports,
// so every rule is unit-tested under plain Node (remote-server.test.ts).
//
// Only https, except to this machine (loopback: an SSH tunnel or a server on the same desktop),
// where http is fine because the traffic never leaves it. The URL names a server, nothing more:
// no user:password, no query, no fragment, no path (the server serves its API at the root).

export interface RemoteServer {
  /** `https://review.lab.example:8443`, no trailing slash: the renderer's HTTP transport base. */
  origin: string;
  /** The account token (`sqw_…`) or a loopback server's shared token; kept in memory only. */
  token: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;
const MAX_TOKEN_LENGTH = 200;
/** Account tokens are `sqw_<hex>_<hex>`, shared tokens base64url: nothing outside this set. */
const TOKEN_CHARS = /^[A-Za-z0-9_-]+$/;

/** 127.0.0.0/8, ::1 and `localhost` (hostnames as WHATWG URL gives them: IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(hostname)
  );
}

/** Checks what the person typed as the server's address; answers the origin or why not. */
export function checkServerUrl(input: unknown): Checked<string> {
  if (typeof input !== 'string') return { ok: false, reason: 'the server URL must be text' };
  const text = input.trim();
  if (text === '')
    return { ok: false, reason: 'enter the server URL, e.g. https://review.lab.example:8443' };
  if (text.length > MAX_URL_LENGTH) return { ok: false, reason: 'the server URL is too long' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `not a URL: ${text.slice(0, 100)}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return {
      ok: false,
      reason: `${url.protocol.slice(0, 20)} is not a server address: use https://`,
    };
  if (url.hostname === '') return { ok: false, reason: 'the URL names no host' };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return {
      ok: false,
      reason: `refusing http:// to ${url.hostname}: a team server beyond this machine must use https:// (the token would travel in clear text)`,
    };
  if (url.username || url.password)
    return { ok: false, reason: 'the URL must not hold a user name or password' };
  if (url.search || url.hash)
    return {
      ok: false,
      reason: 'give the server address only (no ?query or #fragment); the token has its own field',
    };
  if (url.pathname !== '/')
    return { ok: false, reason: 'give the server address only, without a path' };
  return { ok: true, value: url.origin };
}

/** Checks the account token the person pasted (it goes into an HTTP header and URLs). */
export function checkToken(input: unknown): Checked<string> {
  if (typeof input !== 'string') return { ok: false, reason: 'the token must be text' };
  const token = input.trim();
  if (token === '') return { ok: false, reason: 'enter your account token (sqw_…)' };
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARS.test(token))
    return {
      ok: false,
      reason: 'that is not an account token: it looks like sqw_ followed by letters and digits',
    };
  return { ok: true, value: token };
}

/** Both checks; the one thing the IPC handler hands on. */
export function checkConnectRequest(url: unknown, token: unknown): Checked<RemoteServer> {
  const origin = checkServerUrl(url);
  if (!origin.ok) return origin;
  const checked = checkToken(token);
  if (!checked.ok) return checked;
  return { ok: true, value: { origin: origin.value, token: checked.value } };
}

/** The event socket's origin for a server origin: `https://h:1` → `wss://h:1`. */
export function socketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}
