import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';

describe('headless HTTP server', () => {
  let dir: ReturnType<typeof tempDir>;
  let s: ServedEngine;

  beforeEach(async () => {
    dir = tempDir();
    s = await serveEngine(dir.path);
  });
  afterEach(async () => {
    await s.close();
    dir.remove();
  });

  it('binds loopback and prints a URL carrying the token', () => {
    expect(s.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses calls without the token or with a wrong one', async () => {
    expect((await s.rpc('projects.list', {}, null)).status).toBe(401);
    const wrong = await s.rpc('projects.list', {}, 'x'.repeat(32));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
  });

  it('answers typed calls and validates their input', async () => {
    const list = await s.rpc('projects.list');
    expect(list.body.ok).toBe(true);
    expect(list.body.result).toHaveLength(1);
    expect(list.body.result[0]).toMatchObject({ id: s.projectId, imageCount: 0, batchCount: 0 });

    const bad = await s.rpc('images.list', { projectId: s.projectId, limit: -5 });
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(bad.body.error.message).toContain('limit');

    const unknown = await s.rpc('images.delete_everything', {});
    expect(unknown.body.error.code).toBe('unknown-method');

    const proto = await s.rpc('__proto__.constructor', {});
    expect(proto.body.error.code).toBe('unknown-method');

    const missing = await s.rpc('images.get', { projectId: s.projectId, imageId: 42 });
    expect(missing.body.error).toEqual({ code: 'not-found', message: 'image not found: 42' });

    const noProject = await s.rpc('batches.list', { projectId: 'nope' });
    expect(noProject.body.error.code).toBe('not-found');
  });

  it('reports the execution providers onnxruntime-node offers', async () => {
    const info = await s.rpc('system.info');
    expect(info.body.result.transport).toBe('http');
    expect(info.body.result.executionProviders.available).toContain('cpu');
  });

  it('rejects a rebinding Host header and foreign Origins', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.server.port,
          path: '/api/rpc',
          method: 'POST',
          headers: { Host: 'evil.example:80', Authorization: `Bearer ${s.server.token}` },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{"method":"projects.list","input":{}}');
    });
    expect(status).toBe(421);
    const res = await fetch(`${s.base}/api/rpc`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.server.token}`, Origin: 'http://evil.example' },
      body: JSON.stringify({ method: 'projects.list', input: {} }),
    });
    expect(res.status).toBe(403);
  });

  it('rejects malformed and oversized bodies with a clear reason', async () => {
    const res = await fetch(`${s.base}/api/rpc`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.server.token}` },
      body: '{nope',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid-input');
    const big = await fetch(`${s.base}/api/rpc`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.server.token}` },
      body: JSON.stringify({ method: 'projects.list', input: { pad: 'x'.repeat(1_200_000) } }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatchObject({ code: 'invalid-input' });
  });

  it('answers 413 to an oversized chunked body that declares no length', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.server.port,
          path: '/api/rpc',
          method: 'POST',
          headers: { Authorization: `Bearer ${s.server.token}`, 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent < 1_500_000; sent += chunk.length) req.write(chunk);
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.message).toMatch(/larger than 1000000 bytes/);
    expect((await s.rpc('projects.list')).status).toBe(200);
  });

  it('serves the UI with a strict CSP and explains when it is not built', async () => {
    const res = await fetch(`${s.base}/`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:renderer');
    const traversal = await fetch(`${s.base}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404, 503]).toContain(traversal.status);
  });

  it("lets the desktop app's origin (app://sqw) call with a token, and no other foreign origin", async () => {
    const post = (origin: string, token: string | null = s.server.token) =>
      fetch(`${s.base}/api/rpc`, {
        method: 'POST',
        headers: { Origin: origin, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ method: 'projects.list', input: {} }),
      });
    const preflight = await fetch(`${s.base}/api/rpc`, {
      method: 'OPTIONS',
      headers: { Origin: 'app://sqw', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('app://sqw');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const desktop = await post('app://sqw');
    expect(desktop.status).toBe(200);
    expect(desktop.headers.get('access-control-allow-origin')).toBe('app://sqw');
    // Still no call without the token; the refusal is readable by the app.
    const noToken = await post('app://sqw', null);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('access-control-allow-origin')).toBe('app://sqw');
    // Look-alikes and web pages get neither the call nor CORS headers.
    for (const origin of ['app://sqw.evil', 'https://sqw', 'app://SQW.evil.example', 'null']) {
      const res = await post(origin);
      expect(res.status, origin).toBe(403);
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    const webPreflight = await fetch(`${s.base}/api/rpc`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(webPreflight.status).toBe(405);
    expect(webPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const socket = (origin: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(
          `ws://127.0.0.1:${s.server.port}/api/events?token=${s.server.token}`,
          { origin },
        );
        ws.on('error', (e) => resolve(e.message));
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
      });
    expect(await socket('app://sqw')).toBe('open');
    expect(await socket('https://evil.example')).toMatch(/401/);
  });

  it('requires the token for blobs and for the event socket', async () => {
    expect((await fetch(`${s.base}/blob/${s.projectId}/1/thumb`)).status).toBe(401);
    expect(
      (await fetch(`${s.base}/blob/${s.projectId}/1/thumb?token=${s.server.token}`)).status,
    ).toBe(404);
    expect(
      (
        await fetch(
          `${s.base}/blob/${s.projectId}/1/..%2f..%2fproject.sqlite?token=${s.server.token}`,
        )
      ).status,
    ).toBe(404);
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.server.port}/api/events?token=wrong`);
      ws.on('error', (e) => resolve(e.message));
      ws.on('open', () => resolve('open'));
    });
    expect(refused).toMatch(/401/);
    const opened = await new Promise<string>((resolve) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${s.server.port}/api/events?token=${s.server.token}`,
      );
      ws.on('error', (e) => resolve(e.message));
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
    });
    expect(opened).toBe('open');
  });

  it('refuses to bind a non-loopback address without TLS and accounts', async () => {
    const { startHttpServer } = await import('./http-server');
    await expect(
      startHttpServer({ engine: s.engine, staticRoot: '/tmp', host: '0.0.0.0' }),
    ).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without TLS: pass --tls-cert and --tls-key/,
    );
  });
});
