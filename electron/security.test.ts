import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobPath } from '../contract/blobs';
import {
  APP_ORIGIN,
  BLOB_BASE,
  buildCsp,
  isAllowedSender,
  isSafeExternalUrl,
  mimeTypeFor,
  parseBlobUrl,
  resolveAppAsset,
  trustedOrigins,
  validateCall,
} from './security';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name ?? '', values];
    }),
  );
}

describe('buildCsp', () => {
  it('is strict for the packaged app', () => {
    const csp = directives(buildCsp());
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('img-src')).toContain('sqw-blob:');
    expect(csp.get('connect-src')).not.toContain('ws:');
    expect(buildCsp()).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
  });

  it('opens only the dev server origin in dev', () => {
    const csp = directives(buildCsp({ devServerOrigin: 'http://localhost:5173' }));
    expect(csp.get('script-src')).toEqual(["'self'", 'http://localhost:5173', "'unsafe-inline'"]);
    expect(csp.get('connect-src')).toContain('ws://localhost:5173');
    expect(csp.get('default-src')).toEqual(["'none'"]);
  });
});

describe('isAllowedSender', () => {
  it('accepts our app origin only', () => {
    expect(isAllowedSender('app://sqw/index.html')).toBe(true);
    expect(isAllowedSender('app://sqw/')).toBe(true);
    expect(isAllowedSender('app://evil/index.html')).toBe(false);
    expect(isAllowedSender('app://sqw.evil/index.html')).toBe(false);
    expect(isAllowedSender('app://user:pw@sqw/index.html')).toBe(false);
    expect(isAllowedSender('https://example.com/')).toBe(false);
    expect(isAllowedSender('file:///index.html')).toBe(false);
    expect(isAllowedSender('about:blank')).toBe(false);
    expect(isAllowedSender('')).toBe(false);
    expect(isAllowedSender(undefined)).toBe(false);
    expect(isAllowedSender('not a url')).toBe(false);
  });

  it('accepts the dev server only when trusted explicitly', () => {
    expect(isAllowedSender('http://localhost:5173/')).toBe(false);
    const origins = trustedOrigins('http://localhost:5173');
    expect(origins).toContain(APP_ORIGIN);
    expect(isAllowedSender('http://localhost:5173/src/main.tsx', origins)).toBe(true);
    expect(isAllowedSender('http://localhost:5174/', origins)).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it('allows plain web links', () => {
    expect(isSafeExternalUrl('https://example.com/docs?a=1')).toBe(true);
    expect(isSafeExternalUrl('http://example.com')).toBe(true);
  });

  it('rejects everything else', () => {
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'app://sqw/index.html',
      'sqw-blob://blob/p/1/image',
      'smb://host/share',
      'data:text/html,hi',
      'https://user:pass@example.com/',
      'https://',
      '',
      42,
    ]) {
      expect(isSafeExternalUrl(url), String(url)).toBe(false);
    }
  });
});

describe('validateCall', () => {
  it('accepts contract methods with valid input', () => {
    expect(validateCall('system.info', {})).toEqual({ ok: true, method: 'system.info' });
    expect(validateCall('system.info', undefined)).toEqual({ ok: true, method: 'system.info' });
    expect(validateCall('images.list', { projectId: 'p1' })).toEqual({
      ok: true,
      method: 'images.list',
    });
  });

  it('rejects unknown and malformed method names', () => {
    for (const method of [
      'system.nope',
      'nope.info',
      'system',
      'system.info.x',
      '__proto__.x',
      'constructor.name',
      'x'.repeat(200),
      7,
      null,
    ]) {
      const result = validateCall(method, {});
      expect(result.ok, String(method)).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('unknown-method');
    }
  });

  it('rejects invalid input with a readable reason', () => {
    const result = validateCall('images.get', { projectId: 'p1', imageId: -3 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-input');
      expect(result.error.message).toMatch(/^images\.get: imageId/);
    }
  });
});

describe('blob URLs', () => {
  it('round-trips with blobPath', () => {
    const ref = { projectId: 'AbC_12', imageId: 42, kind: 'thumb' as const };
    expect(parseBlobUrl(`${BLOB_BASE}${blobPath(ref)}`)).toEqual(ref);
  });

  it('rejects other hosts, schemes and shapes', () => {
    expect(parseBlobUrl('sqw-blob://other/p/1/image')).toBeUndefined();
    expect(parseBlobUrl('app://blob/p/1/image')).toBeUndefined();
    expect(parseBlobUrl('sqw-blob://blob/p/1/image?x=1')).toBeUndefined();
    expect(parseBlobUrl('sqw-blob://blob/p/0/image')).toBeUndefined();
    expect(parseBlobUrl('sqw-blob://blob/p/1/other')).toBeUndefined();
    expect(parseBlobUrl('sqw-blob://blob/../1/image')).toBeUndefined();
  });
});

describe('resolveAppAsset', () => {
  const root = resolve('/srv/renderer');

  it('maps app URLs under the root', () => {
    expect(resolveAppAsset('app://sqw/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppAsset('app://sqw/index.html', root)).toBe(join(root, 'index.html'));
    expect(resolveAppAsset('app://sqw/assets/app-1.js?v=1#x', root)).toBe(
      join(root, 'assets', 'app-1.js'),
    );
  });

  it('never escapes the root', () => {
    expect(resolveAppAsset('app://sqw/../../etc/passwd', root)).toBe(join(root, 'etc', 'passwd'));
    // URL parsing already collapses (encoded) dot segments at the root.
    expect(resolveAppAsset('app://sqw/%2e%2e/%2e%2e/etc/passwd', root)).toBe(
      join(root, 'etc', 'passwd'),
    );
    expect(resolveAppAsset('app://sqw/..%2f..%2fetc/passwd', root)).toBeUndefined();
    expect(resolveAppAsset('app://sqw/a%5c..%5c..%5cx', root)).toBeUndefined();
    expect(resolveAppAsset('app://sqw/a%00.js', root)).toBeUndefined();
    expect(resolveAppAsset('app://sqw/%E0%A4%A', root)).toBeUndefined();
    expect(resolveAppAsset('app://other/index.html', root)).toBeUndefined();
    expect(resolveAppAsset('file:///srv/renderer/index.html', root)).toBeUndefined();
  });
});

describe('mimeTypeFor', () => {
  it('knows the renderer asset types', () => {
    expect(mimeTypeFor('/a/index.html')).toMatch(/^text\/html/);
    expect(mimeTypeFor('/a/x.JS')).toMatch(/^text\/javascript/);
    expect(mimeTypeFor('/a/x.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('/a/noext')).toBe('application/octet-stream');
  });
});
