import { describe, expect, it } from 'vitest';
import { checkConnectRequest, checkServerUrl, checkToken, isLoopbackHost } from './remote-server';
import { buildCsp } from './security';

const TOKEN = `sqw_${'a'.repeat(16)}_${'b'.repeat(64)}`;

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name ?? '', values];
    }),
  );
}

describe('the team server URL', () => {
  it('takes https anywhere and answers its origin', () => {
    expect(checkServerUrl('https://review.lab.example:8443')).toEqual({
      ok: true,
      value: 'https://review.lab.example:8443',
    });
    expect(checkServerUrl('  https://Review.Lab.Example/  ')).toEqual({
      ok: true,
      value: 'https://review.lab.example',
    });
    expect(checkServerUrl('https://10.0.0.5:8443')).toMatchObject({ ok: true });
  });

  it('takes http only to this machine', () => {
    for (const url of [
      'http://127.0.0.1:8400',
      'http://127.9.8.7:8400/',
      'http://localhost:8400',
      'http://[::1]:8400',
    ])
      expect(checkServerUrl(url), url).toMatchObject({ ok: true });
    for (const url of [
      'http://review.lab.example:8400',
      'http://10.0.0.5:8400',
      'http://192.168.1.2',
      'http://127.0.0.1.nip.io:8400',
      'http://localhost.evil.example',
      'http://[::ffff:10.0.0.5]:8400',
      'http://0.0.0.0:8400',
    ]) {
      const out = checkServerUrl(url);
      expect(out.ok, url).toBe(false);
      if (!out.ok) expect(out.reason, url).toMatch(/refusing http:\/\/ .*must use https/);
    }
  });

  it('refuses other schemes', () => {
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'ftp://review.lab.example',
      'ws://127.0.0.1:8400',
      'wss://review.lab.example',
      'app://sqw',
      'sqw-blob://blob/p/1/image',
      'data:text/html,hi',
      'chrome://settings',
    ]) {
      const out = checkServerUrl(url);
      expect(out.ok, url).toBe(false);
      if (!out.ok) expect(out.reason, url).toMatch(/not a server address: use https/);
    }
  });

  it('refuses credentials, queries, fragments, paths, junk and non-text', () => {
    for (const url of [
      'https://alice:secret@review.lab.example',
      'https://review.lab.example/?token=x',
      `https://review.lab.example/#token=${TOKEN}`,
      'https://review.lab.example/api',
      'review.lab.example',
      '',
      `https://${'a'.repeat(3000)}.example`,
    ])
      expect(checkServerUrl(url).ok, url).toBe(false);
    for (const value of [undefined, null, 42, { href: 'https://x' }, ['https://x']])
      expect(checkServerUrl(value).ok).toBe(false);
  });

  it('knows loopback hosts as URL gives them', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.')).toBe(false);
  });
});

describe('the account token', () => {
  it('takes account and shared tokens, nothing that could break a header or a URL', () => {
    expect(checkToken(` ${TOKEN}\n`)).toEqual({ ok: true, value: TOKEN });
    expect(checkToken('Zm9vYmFyYmF6cXV4LXF1dXgtY29yZ2VfZ2FycGx5')).toMatchObject({ ok: true });
    for (const bad of ['', 'a b', 'tok\r\nX-Evil: 1', 'tok&x=1', 'tok#', 'x'.repeat(201), 7, null])
      expect(checkToken(bad).ok, String(bad)).toBe(false);
  });

  it('checks both in one go, URL first', () => {
    expect(checkConnectRequest('https://h.example', TOKEN)).toEqual({
      ok: true,
      value: { origin: 'https://h.example', token: TOKEN },
    });
    expect(checkConnectRequest('http://h.example', TOKEN)).toMatchObject({ ok: false });
    expect(checkConnectRequest('https://h.example', 'bad token')).toMatchObject({ ok: false });
  });
});

describe('the CSP for a connected team server', () => {
  it('allows exactly that origin (and its socket) to connect and show images', () => {
    const csp = directives(buildCsp({ remoteOrigin: 'https://review.lab.example:8443' }));
    expect(csp.get('connect-src')).toEqual([
      "'self'",
      'sqw-blob:',
      'https://review.lab.example:8443',
      'wss://review.lab.example:8443',
    ]);
    expect(csp.get('img-src')).toContain('https://review.lab.example:8443');
    expect(csp.get('script-src')).toEqual(["'self'"]);
    const loopback = directives(buildCsp({ remoteOrigin: 'http://127.0.0.1:8400' }));
    expect(loopback.get('connect-src')).toContain('ws://127.0.0.1:8400');
    expect(directives(buildCsp()).get('connect-src')).toEqual(["'self'", 'sqw-blob:']);
  });
});
