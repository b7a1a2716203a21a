import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, downloadModel } from './download';
import { parseManifest } from './manifest';
import { ModelStore } from './store';

const BODY = randomBytes(256 * 1024);
const SHA = createHash('sha256').update(BODY).digest('hex');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
const requests: { url: string; range: string | undefined }[] = [];
let server: Server;
let base = '';
let dir = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', range: req.headers.range });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  requests.length = 0;
  dir = mkdtempSync(join(tmpdir(), 'sqw-dl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Serves BODY with Range support; `cutAfter` cuts the first response after that many bytes. */
function rangeServer(opts: { cutAfter?: number; ignoreRange?: boolean } = {}): Handler {
  let first = true;
  return (req, res) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && !opts.ignoreRange ? Number(m[1]) : 0;
    const slice = BODY.subarray(start);
    const headers: Record<string, string | number> = { 'content-length': slice.length };
    if (start > 0) headers['content-range'] = `bytes ${start}-${BODY.length - 1}/${BODY.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (first && opts.cutAfter !== undefined) {
      first = false;
      res.write(slice.subarray(0, opts.cutAfter), () => res.socket?.end());
      return;
    }
    first = false;
    res.end(slice);
  };
}

const fast = { idleTimeoutMs: 2000, retryDelayMs: 10 };

describe('downloadFile', () => {
  it('resumes with a Range request after a cut connection and checks the sha256', async () => {
    handler = rangeServer({ cutAfter: 100_000 });
    const dest = join(dir, 'model.onnx');
    const progress: number[] = [];
    const r = await downloadFile(`${base}/model.onnx`, dest, {
      ...fast,
      label: 'tiny',
      sha256: SHA,
      onProgress: (p) => progress.push(p.received),
    });
    expect(r.sha256).toBe(SHA);
    expect(r.attempts).toBe(2);
    // The second request resumes from what reached the disk (bytes still buffered in the socket
    // when it closed are dropped, so the offset is ≤ the 100 000 bytes the server sent).
    expect(requests).toHaveLength(2);
    expect(requests[0]?.range).toBeUndefined();
    const resumeAt = Number(/^bytes=(\d+)-$/.exec(requests[1]?.range ?? '')?.[1]);
    expect(resumeAt).toBeGreaterThan(0);
    expect(resumeAt).toBeLessThanOrEqual(100_000);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toBe(BODY.length);
  });

  it('resumes an existing .part file from a previous run', async () => {
    handler = rangeServer();
    const dest = join(dir, 'model.onnx');
    writeFileSync(`${dest}.part`, BODY.subarray(0, 5000));
    const r = await downloadFile(`${base}/m`, dest, { ...fast, label: 'tiny', sha256: SHA });
    expect(r.resumedFrom).toBe(5000);
    expect(requests[0]?.range).toBe('bytes=5000-');
    expect(readFileSync(dest).equals(BODY)).toBe(true);
  });

  it('restarts from zero when the server answers 200 to a Range request', async () => {
    handler = rangeServer({ ignoreRange: true });
    const dest = join(dir, 'model.onnx');
    writeFileSync(`${dest}.part`, Buffer.alloc(7000, 0xee)); // garbage that must not be kept
    const r = await downloadFile(`${base}/m`, dest, { ...fast, label: 'tiny', sha256: SHA });
    expect(r.sha256).toBe(SHA);
    expect(readFileSync(dest).length).toBe(BODY.length);
  });

  it('deletes the .part and names both hashes on a checksum mismatch', async () => {
    handler = rangeServer();
    const dest = join(dir, 'model.onnx');
    const wrong = 'a'.repeat(64);
    await expect(
      downloadFile(`${base}/m`, dest, {
        ...fast,
        label: 'depth-x (onnx/model.onnx)',
        sha256: wrong,
      }),
    ).rejects.toThrow(
      `model depth-x (onnx/model.onnx): checksum mismatch for ${base}/m: expected sha256 ${wrong}, got ${SHA}`,
    );
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });

  it('fails at once on HTTP 404 with the status in the message', async () => {
    handler = (_req, res) => {
      res.writeHead(404, 'Not Found');
      res.end('nope');
    };
    await expect(
      downloadFile(`${base}/missing.onnx`, join(dir, 'x'), { ...fast, label: 'tiny' }),
    ).rejects.toThrow(`model tiny: download of ${base}/missing.onnx failed: HTTP 404 Not Found`);
    expect(requests).toHaveLength(1);
  });

  it('gives up on a server that stops sending, after bounded idle timeouts', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 10)); // then silence
    };
    const t0 = Date.now();
    await expect(
      downloadFile(`${base}/slow`, join(dir, 'x'), {
        label: 'tiny',
        idleTimeoutMs: 150,
        retries: 1,
        retryDelayMs: 10,
      }),
    ).rejects.toThrow(/model tiny: no data from 127\.0\.0\.1:\d+ for 0\.2 s/);
    expect(requests).toHaveLength(2);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('cancels with an AbortSignal and keeps the .part for a later resume', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 1000));
    };
    const ac = new AbortController();
    const dest = join(dir, 'x');
    const p = downloadFile(`${base}/m`, dest, {
      label: 'tiny',
      idleTimeoutMs: 5000,
      signal: ac.signal,
      onProgress: (q) => {
        if (q.received >= 1000) ac.abort();
      },
    });
    await expect(p).rejects.toThrow(/cancelled \(partial file kept for resume\)/);
    expect(readFileSync(`${dest}.part`).length).toBe(1000);
  });
});

describe('downloadModel', () => {
  it('downloads every file of a manifest into the store and writes the install record', async () => {
    handler = rangeServer();
    const manifest = parseManifest({
      id: 'tiny-depth',
      task: 'depth',
      displayName: 'tiny',
      source: 'test',
      files: [
        {
          path: 'onnx/model.onnx',
          url: `${base}/a`,
          size: BODY.length,
          sha256: SHA,
          license: 'mit',
          graph: 'model',
        },
      ],
      contracts: [
        {
          graph: 'model',
          file: 'onnx/model.onnx',
          inputs: [{ name: 'pixel_values', dtype: 'float32', shape: ['batch', 3, 'h', 'w'] }],
          outputs: [{ name: 'predicted_depth', dtype: 'float32', shape: ['batch', 'h', 'w'] }],
        },
      ],
      preprocessing: null,
      verifiedChecksum: true,
    });
    const store = new ModelStore(dir);
    const seen: string[] = [];
    const record = await downloadModel(manifest, store, {
      ...fast,
      onProgress: (p) => seen.push(p.file),
    });
    expect(record.files).toEqual([
      { path: 'onnx/model.onnx', size: BODY.length, sha256: SHA, revision: null },
    ]);
    expect(store.state(manifest)).toMatchObject({ installed: true, missing: [], partial: [] });
    expect(seen[0]).toBe('onnx/model.onnx');
    // A second run finds the file in place and downloads nothing.
    requests.length = 0;
    await downloadModel(manifest, store, fast);
    expect(requests).toHaveLength(0);
  });

  it('refuses a manifest without URLs and says to import', async () => {
    const { findManifest } = await import('./catalogue');
    await expect(
      downloadModel(findManifest('depth-anything-v2-metric-indoor-small'), new ModelStore(dir)),
    ).rejects.toThrow(
      'model depth-anything-v2-metric-indoor-small: no download URL for onnx/model.onnx, preprocessor_config.json, config.json; import a local export with "sqw models import depth-anything-v2-metric-indoor-small <path>"',
    );
  });
});
