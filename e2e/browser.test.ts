import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveE2eBrowser, type BrowserLookups } from './browser';
import { extractTar, parseLddMissing } from './bundled-chromium';

const CACHE = '/home/u/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';

function lookups(files: string[], bundled = true): BrowserLookups & { unpacked: number } {
  const l = {
    unpacked: 0,
    exists: (p: string) => files.includes(p),
    playwrightChromium: () => CACHE,
    bundledChromium: async () => {
      l.unpacked++;
      return bundled ? { executablePath: '/tmp/chromium' } : undefined;
    },
  };
  return l;
}

describe('the e2e browser', () => {
  it('takes CHROMIUM_PATH, then a system Chromium, then Playwright’s cache, then the bundled one', async () => {
    const all = lookups(['/opt/c/chrome', '/usr/bin/chromium', CACHE]);
    expect(await resolveE2eBrowser({ CHROMIUM_PATH: '/opt/c/chrome' }, all)).toEqual({
      source: 'path',
      executablePath: '/opt/c/chrome',
    });
    expect((await resolveE2eBrowser({}, all)).source).toBe('system');
    expect(await resolveE2eBrowser({}, lookups([CACHE]))).toEqual({
      source: 'playwright',
      executablePath: CACHE,
    });
    const bare = lookups([]);
    expect(await resolveE2eBrowser({ PATH: '/usr/bin' }, bare)).toEqual({
      source: 'bundled',
      executablePath: '/tmp/chromium',
    });
    // The bundled browser is unpacked only when nothing earlier is there.
    expect(all.unpacked).toBe(0);
    expect(bare.unpacked).toBe(1);
  });

  it('finds a Chrome on PATH', async () => {
    const b = await resolveE2eBrowser({ PATH: '/opt/g' }, lookups(['/opt/g/google-chrome']));
    expect(b).toEqual({ source: 'system', executablePath: '/opt/g/google-chrome' });
  });

  it('refuses a CHROMIUM_PATH that does not exist instead of quietly using another browser', async () => {
    await expect(
      resolveE2eBrowser({ CHROMIUM_PATH: '/nope/chrome' }, lookups(['/usr/bin/chromium'])),
    ).rejects.toThrow(/CHROMIUM_PATH=\/nope\/chrome does not exist/);
  });

  it('SQW_E2E_BROWSER takes one source only, skipping a system Chromium', async () => {
    const l = lookups(['/usr/bin/chromium', CACHE]);
    expect((await resolveE2eBrowser({ SQW_E2E_BROWSER: 'bundled' }, l)).source).toBe('bundled');
    expect((await resolveE2eBrowser({ SQW_E2E_BROWSER: 'playwright' }, l)).source).toBe(
      'playwright',
    );
    await expect(
      resolveE2eBrowser({ SQW_E2E_BROWSER: 'system' }, lookups([CACHE])),
    ).rejects.toThrow(/no Chromium for the e2e tests \(system Chromium\/Chrome: none/);
    await expect(resolveE2eBrowser({ SQW_E2E_BROWSER: 'firefox' }, l)).rejects.toThrow(
      /SQW_E2E_BROWSER=firefox/,
    );
  });

  it('says what it tried when there is no browser at all', async () => {
    await expect(resolveE2eBrowser({}, lookups([], false))).rejects.toThrow(
      /CHROMIUM_PATH: not set; .*Playwright's browser cache: not installed.*package is not installed/,
    );
  });
});

describe('the bundled Chromium’s libraries', () => {
  it('reads the libraries ldd cannot find', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffc)',
      '\tlibnss3.so => not found',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)',
      '\tlibnspr4.so => not found',
    ].join('\n');
    expect(parseLddMissing(out)).toEqual(['libnss3.so', 'libnspr4.so']);
    expect(parseLddMissing('\tlibc.so.6 => /lib/libc.so.6 (0x1)')).toEqual([]);
  });

  it('unpacks the plain files of a tar archive and refuses names outside its folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqw-tar-'));
    try {
      const tar = Buffer.concat([
        tarEntry('lib/libx.so', Buffer.from('ELF')),
        tarEntry('lib/', Buffer.alloc(0), '5'),
        Buffer.alloc(1024),
      ]);
      // Round-tripped through brotli as the package ships it.
      expect(extractTar(brotliDecompress(tar), dir)).toEqual(['lib/libx.so']);
      expect(readFileSync(join(dir, 'lib/libx.so'), 'utf8')).toBe('ELF');
      expect(() => extractTar(tarEntry('../evil.so', Buffer.from('x')), dir)).toThrow(
        /outside its folder/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function brotliDecompress(b: Buffer): Buffer {
  return brotliDecompressSync(brotliCompressSync(b));
}

function tarEntry(name: string, body: Buffer, type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write(body.length.toString(8).padStart(11, '0'), 124, 'ascii');
  header.write(type, 156, 'ascii');
  header.write('ustar', 257, 'ascii');
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([header, padded]);
}
