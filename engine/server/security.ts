// Loopback server hygiene: a random token on every API request, Host and Origin checks against DNS
// rebinding, and one strict CSP for the UI it serves.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Only loopback names with our port: a rebinding attack arrives with the attacker's host name. */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.toLowerCase());
  if (!m) return false;
  return LOOPBACK_HOSTS.has(m[1]!) && Number(m[2] ?? 80) === port;
}

/** Browsers send Origin on cross-origin requests and WebSocket upgrades; it must be our own. */
/**
 * The desktop app's page origin (electron/schemes.ts APP_ORIGIN) when it is connected to this
 * server ("Connect to server…"). No web page can send it, and every call still needs a token: the
 * Origin check guards against pages riding on ambient credentials, which bearer tokens are not.
 */
export const DESKTOP_APP_ORIGIN = 'app://sqw';

export function isDesktopAppOrigin(origin: string | undefined): boolean {
  return origin === DESKTOP_APP_ORIGIN;
}

/** CORS headers that let the desktop app call the API and read blobs; none for anyone else. */
export function desktopCorsHeaders(origin: string | undefined): Record<string, string> {
  return isDesktopAppOrigin(origin)
    ? { 'Access-Control-Allow-Origin': DESKTOP_APP_ORIGIN, Vary: 'Origin' }
    : {};
}

export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' && isAllowedHost(u.host, port);
  } catch {
    return false;
  }
}

export function isLoopbackAddress(host: string): boolean {
  return (
    host === '127.0.0.1' ||
    host === '::1' ||
    host === 'localhost' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** The TCP peer is this machine (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return a === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(a);
}

/**
 * Host check beyond loopback: the names the server was told it is reached by (`--public-host`), or
 * any name when none were given. Bearer tokens are not ambient credentials (no cookies), so a page
 * that rebinds a name to the server gains nothing without a token; with TLS it also fails the
 * certificate's name check.
 */
export function isAllowedPublicHost(
  hostHeader: string | undefined,
  publicHosts: readonly string[],
): boolean {
  if (!hostHeader) return false;
  if (publicHosts.length === 0) return true;
  const name = hostHeader.toLowerCase().replace(/:\d+$/, '');
  return publicHosts.some((h) => h.toLowerCase() === name);
}

/** Beyond loopback: an Origin, when present, must be the very origin the request came in on. */
export function isSameOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
  scheme: 'http' | 'https',
): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return u.protocol === `${scheme}:` && u.host === (hostHeader ?? '').toLowerCase();
  } catch {
    return false;
  }
}
