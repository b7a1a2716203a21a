// Pure security policy for the Electron shell: which origins may talk to the main process, which
// URLs may leave the app, the Content-Security-Policy, and the gate in front of every engine call.
// No Electron imports here, so all of it is unit-tested under plain Node.
import { resolve, sep } from 'node:path';
import { lookupMethod, methodNames } from '../contract/api';
import { parseBlobPath, type BlobRef } from '../contract/blobs';
import type { RpcErrorBody } from '../contract/transport';
import { socketOrigin } from './remote-server';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, BLOB_HOST, BLOB_SCHEME } from './schemes';

export * from './schemes';

export interface CspOptions {
  /** Vite dev server origin (unpackaged dev runs only); adds what HMR needs. */
  devServerOrigin?: string;
  /**
   * The team server the app is connected to (remote-server.ts, already checked): its origin for
   * the API and blob images, and its WebSocket origin for the event stream. Nothing else remote.
   */
  remoteOrigin?: string;
}

/** The renderer's CSP. Packaged builds allow only our own origin plus blob images. */
export function buildCsp(options: CspOptions = {}): string {
  const dev = options.devServerOrigin;
  const devWs = dev ? dev.replace(/^http/, 'ws') : undefined;
  const remote = options.remoteOrigin ? [options.remoteOrigin] : [];
  const remoteWs = options.remoteOrigin ? [socketOrigin(options.remoteOrigin)] : [];
  const self = ["'self'", ...(dev ? [dev] : [])];
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    // Vite's React refresh preamble is an inline script, so dev needs 'unsafe-inline'.
    'script-src': [...self, ...(dev ? ["'unsafe-inline'"] : [])],
    // Vite injects CSS as <style> tags in dev; the built app links CSS files.
    'style-src': [...self, ...(dev ? ["'unsafe-inline'"] : [])],
    'img-src': [...self, `${BLOB_SCHEME}:`, 'data:', 'blob:', ...remote],
    'font-src': [...self, 'data:'],
    'connect-src': [...self, `${BLOB_SCHEME}:`, ...(devWs ? [devWs] : []), ...remote, ...remoteWs],
    // three.js / decoders may spin workers from blob: URLs.
    'worker-src': [...self, 'blob:'],
    'media-src': ["'none'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'child-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

function parseUrl(url: unknown): URL | undefined {
  if (typeof url !== 'string' || url.length === 0 || url.length > 8192) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Origins (scheme://host[:port]) the main process trusts; the dev server only when given. */
export function trustedOrigins(devServerOrigin?: string): string[] {
  return devServerOrigin ? [APP_ORIGIN, devServerOrigin] : [APP_ORIGIN];
}

function originOf(url: URL): string {
  // Node and Chromium report "null" as the origin of custom schemes; rebuild it from the parts.
  return `${url.protocol}//${url.host}`;
}

/** True when `url` (an IPC sender frame's URL, a navigation target) belongs to our app. */
export function isAllowedSender(
  url: unknown,
  allowedOrigins: readonly string[] = [APP_ORIGIN],
): boolean {
  const parsed = parseUrl(url);
  if (!parsed) return false;
  if (parsed.username || parsed.password) return false;
  return allowedOrigins.includes(originOf(parsed));
}

/** Only plain web links may be handed to the OS browser: no file:, javascript:, custom schemes. */
export function isSafeExternalUrl(url: unknown): boolean {
  const parsed = parseUrl(url);
  if (!parsed) return false;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  return parsed.hostname.length > 0;
}

export type CallCheck = { ok: true; method: string } | { ok: false; error: RpcErrorBody };

/**
 * The gate in front of the engine: the method must be one of the contract's, and the input must
 * satisfy its schema. The engine validates again; this only stops junk at the process boundary.
 */
export function validateCall(method: unknown, input: unknown): CallCheck {
  if (typeof method !== 'string' || method.length > 100 || !methodNames.includes(method)) {
    const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 100)) : typeof method;
    return { ok: false, error: { code: 'unknown-method', message: `unknown method ${shown}` } };
  }
  const spec = lookupMethod(method);
  if (!spec)
    return { ok: false, error: { code: 'unknown-method', message: `unknown method "${method}"` } };
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, error: { code: 'invalid-input', message: `${method}: ${detail}` } };
  }
  return { ok: true, method };
}

/** Parses `sqw-blob://blob/<projectId>/<imageId>/<kind>`; anything else is undefined. */
export function parseBlobUrl(url: unknown): BlobRef | undefined {
  const parsed = parseUrl(url);
  if (!parsed || parsed.protocol !== `${BLOB_SCHEME}:` || parsed.host !== BLOB_HOST)
    return undefined;
  if (parsed.search || parsed.username || parsed.password) return undefined;
  return parseBlobPath(parsed.pathname);
}

/**
 * Maps an `app://sqw/…` request to a file under `root` (the built renderer). Returns undefined
 * for other hosts and for anything that would escape `root` (`..`, encoded separators).
 */
export function resolveAppAsset(url: unknown, root: string): string | undefined {
  const parsed = parseUrl(url);
  if (!parsed || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const relative =
    pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  return file;
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content type for a renderer asset; unknown types are served as opaque bytes. */
export function mimeTypeFor(file: string): string {
  const dot = file.lastIndexOf('.');
  const ext = dot >= 0 ? file.slice(dot).toLowerCase() : '';
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}
