import { describe, expect, it, vi } from 'vitest';
import { RpcError } from '../../../contract/transport';
import { createHttpTransport, eventsUrl, type SocketLike } from './http-transport';

type FetchArgs = { url: string; init: RequestInit };

function fakeFetch(reply: (args: FetchArgs) => Response | Promise<Response>) {
  const calls: FetchArgs[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const args = { url: String(input), init: init ?? {} };
    calls.push(args);
    return reply(args);
  }) as typeof fetch;
  return { fn, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('http transport: calls', () => {
  it('posts method + input with the bearer token and unwraps the result', async () => {
    const f = fakeFetch(() => json({ ok: true, result: [{ id: 'p1' }] }));
    const t = createHttpTransport({
      baseUrl: 'http://127.0.0.1:9999/',
      token: 'tok',
      fetchImpl: f.fn,
    });
    await expect(t.call('projects.list', {})).resolves.toEqual([{ id: 'p1' }]);
    expect(f.calls).toHaveLength(1);
    const [call] = f.calls;
    expect(call?.url).toBe('http://127.0.0.1:9999/api/rpc');
    expect(call?.init.method).toBe('POST');
    const headers = call?.init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer tok');
    expect(headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(call?.init.body))).toEqual({ method: 'projects.list', input: {} });
  });

  it('turns an error response into an RpcError with code and message', async () => {
    const f = fakeFetch(() =>
      json({ ok: false, error: { code: 'not-found', message: 'no such image' } }, 404),
    );
    const t = createHttpTransport({ baseUrl: 'http://h', token: 't', fetchImpl: f.fn });
    const err = await t.call('images.get', { projectId: 'p', imageId: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('not-found');
    expect((err as RpcError).message).toBe('no such image');
  });

  it('reports a refused token with what to do about it', async () => {
    const plain = createHttpTransport({
      baseUrl: 'http://h',
      token: 't',
      fetchImpl: fakeFetch(() => new Response('nope', { status: 401 })).fn,
    });
    await expect(plain.call('projects.list', {})).rejects.toMatchObject({
      code: 'unauthorized',
      message: /HTTP 401.*sqw serve/,
    });
    const rpc = createHttpTransport({
      baseUrl: 'http://h',
      token: 't',
      fetchImpl: fakeFetch(() =>
        json(
          { ok: false, error: { code: 'unauthorized', message: 'missing or wrong token' } },
          401,
        ),
      ).fn,
    });
    await expect(rpc.call('projects.list', {})).rejects.toMatchObject({
      code: 'unauthorized',
      message: /missing or wrong token.*sqw serve/,
    });
  });

  it('reports non-JSON answers and network failures as RpcError("failed")', async () => {
    const bad = createHttpTransport({
      baseUrl: 'http://h',
      token: 't',
      fetchImpl: fakeFetch(() => new Response('<html>', { status: 502 })).fn,
    });
    await expect(bad.call('projects.list', {})).rejects.toMatchObject({
      code: 'failed',
      message: /HTTP 502/,
    });
    const down = createHttpTransport({
      baseUrl: 'http://h',
      token: 't',
      fetchImpl: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
    });
    await expect(down.call('projects.list', {})).rejects.toMatchObject({
      code: 'failed',
      message: /Cannot reach/,
    });
  });

  it('builds blob URLs with the token', () => {
    const t = createHttpTransport({
      baseUrl: 'http://127.0.0.1:1',
      token: 'a b',
      fetchImpl: fakeFetch(() => json({})).fn,
    });
    expect(t.blobUrl({ projectId: 'proj_1', imageId: 7, kind: 'depth-preview' })).toBe(
      'http://127.0.0.1:1/blob/proj_1/7/depth-preview?token=a%20b',
    );
  });
});

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  send(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  drop() {
    this.onclose?.({});
  }
}

function socketTransport() {
  FakeSocket.all = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const t = createHttpTransport({
    baseUrl: 'http://127.0.0.1:4000',
    token: 'tok',
    fetchImpl: fakeFetch(() => json({})).fn,
    socketFactory: (url) => new FakeSocket(url),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
    initialBackoffMs: 100,
    maxBackoffMs: 400,
  });
  return { t, timers };
}

const jobEvent = {
  type: 'job',
  projectId: 'p',
  current: 'a.jpg',
  job: {
    id: 'j1',
    kind: 'import',
    status: 'running',
    total: 3,
    done: 1,
    failed: 0,
    skipped: 0,
    message: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:01Z',
  },
};

describe('http transport: events', () => {
  it('derives the ws URL from the base URL', () => {
    expect(eventsUrl('http://127.0.0.1:4000', 'a&b')).toBe(
      'ws://127.0.0.1:4000/api/events?token=a%26b',
    );
  });

  it('connects lazily, delivers valid events and drops malformed ones', () => {
    const { t } = socketTransport();
    expect(FakeSocket.all).toHaveLength(0);
    const got = vi.fn();
    const off = t.subscribe(got);
    expect(FakeSocket.all).toHaveLength(1);
    const s = FakeSocket.all[0]!;
    expect(s.url).toBe('ws://127.0.0.1:4000/api/events?token=tok');
    s.open();
    s.send(jobEvent);
    s.send({ type: 'bogus' });
    s.send('not json');
    s.send({ type: 'images-changed', projectId: 'p', batchId: 2 });
    expect(got).toHaveBeenCalledTimes(2);
    expect(got.mock.calls[0]?.[0]).toMatchObject({ type: 'job', job: { done: 1 } });
    off();
    expect(s.closed).toBe(true);
  });

  it('reconnects with doubling backoff, capped, and resets after a successful open', () => {
    const { t, timers } = socketTransport();
    t.subscribe(() => undefined);
    FakeSocket.all[0]!.drop();
    expect(timers.map((x) => x.ms)).toEqual([100]);
    timers[0]!.fn();
    FakeSocket.all[1]!.drop();
    timers[1]!.fn();
    FakeSocket.all[2]!.drop();
    timers[2]!.fn();
    FakeSocket.all[3]!.drop();
    expect(timers.map((x) => x.ms)).toEqual([100, 200, 400, 400]);
    timers[3]!.fn();
    FakeSocket.all[4]!.open();
    FakeSocket.all[4]!.drop();
    expect(timers.at(-1)?.ms).toBe(100);
  });

  it('shares one socket among listeners and stays open until the last unsubscribes', () => {
    const { t } = socketTransport();
    const a = vi.fn();
    const b = vi.fn();
    const offA = t.subscribe(a);
    const offB = t.subscribe(b);
    expect(FakeSocket.all).toHaveLength(1);
    FakeSocket.all[0]!.send(jobEvent);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    offA();
    expect(FakeSocket.all[0]!.closed).toBe(false);
    offB();
    expect(FakeSocket.all[0]!.closed).toBe(true);
  });
});
