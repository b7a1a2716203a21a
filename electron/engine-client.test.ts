import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ToEngineMessage } from '../contract/engine-messages';
import {
  EngineClient,
  EngineError,
  type EngineClientOptions,
  type EnginePortHandlers,
  type EngineState,
} from './engine-client';

/** A fake engine process: records what main sends and lets the test reply or die. */
class FakeEngine {
  readonly sent: ToEngineMessage[] = [];
  killed = false;
  constructor(readonly handlers: EnginePortHandlers) {}
  postMessage(message: ToEngineMessage) {
    this.sent.push(message);
  }
  kill() {
    this.killed = true;
  }
  reply(message: unknown) {
    this.handlers.onMessage(message);
  }
  ready() {
    this.reply({ type: 'ready', version: '1.2.3' });
  }
  lastId(): number {
    const last = this.sent.at(-1);
    if (!last || last.type === 'shutdown') throw new Error('no request sent');
    return last.id;
  }
}

function setup(options: Partial<EngineClientOptions> = {}) {
  const engines: FakeEngine[] = [];
  const logs: string[] = [];
  const states: EngineState['status'][] = [];
  const client = new EngineClient({
    spawn: (handlers) => {
      const engine = new FakeEngine(handlers);
      engines.push(engine);
      return engine;
    },
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...options,
  });
  client.onState((state) => states.push(state.status));
  client.start();
  const current = () => {
    const engine = engines.at(-1);
    if (!engine) throw new Error('no engine spawned');
    return engine;
  };
  return { client, engines, logs, states, current };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EngineClient', () => {
  it('queues calls until ready, then correlates results by id', async () => {
    const { client, current, states } = setup();
    const first = client.call('system.info', {});
    const second = client.call('projects.list', {});
    expect(current().sent).toEqual([]);
    current().ready();
    expect(states).toEqual(['starting', 'ready']);
    const [a, b] = current().sent as Extract<ToEngineMessage, { type: 'call' }>[];
    expect(a?.method).toBe('system.info');
    expect(b?.method).toBe('projects.list');
    // Answer out of order.
    current().reply({ type: 'result', id: b?.id, response: { ok: true, result: ['p'] } });
    current().reply({
      type: 'result',
      id: a?.id,
      response: { ok: false, error: { code: 'not-found', message: 'x' } },
    });
    await expect(second).resolves.toEqual({ ok: true, result: ['p'] });
    await expect(first).resolves.toEqual({ ok: false, error: { code: 'not-found', message: 'x' } });
  });

  it('maps unknown engine error codes to failed', async () => {
    const { client, current } = setup();
    current().ready();
    const call = client.call('system.info', {});
    current().reply({
      type: 'result',
      id: current().lastId(),
      response: { ok: false, error: { code: 'weird', message: 'm' } },
    });
    await expect(call).resolves.toEqual({ ok: false, error: { code: 'failed', message: 'm' } });
  });

  it('resolves blob requests with the path or null', async () => {
    const { client, current } = setup();
    current().ready();
    const found = client.blob({ projectId: 'p', imageId: 1, kind: 'image' });
    expect(current().sent.at(-1)).toMatchObject({
      type: 'blob',
      ref: { projectId: 'p', imageId: 1, kind: 'image' },
    });
    current().reply({
      type: 'blob-file',
      id: current().lastId(),
      path: '/x/1.jpg',
      contentType: 'image/jpeg',
    });
    await expect(found).resolves.toEqual({ path: '/x/1.jpg', contentType: 'image/jpeg' });
    const missing = client.blob({ projectId: 'p', imageId: 2, kind: 'thumb' });
    current().reply({ type: 'blob-file', id: current().lastId(), path: null, contentType: null });
    await expect(missing).resolves.toBeNull();
  });

  it('times out calls the engine never answers', async () => {
    const { client, current } = setup({ callTimeoutMs: 1000 });
    current().ready();
    const call = client.call('system.info', {});
    const assertion = expect(call).rejects.toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    // A late answer is ignored, not delivered to anybody.
    current().reply({ type: 'result', id: 1, response: { ok: true, result: 1 } });
  });

  it('drops invalid messages and fails the call they claim to answer', async () => {
    const { client, current, logs } = setup();
    current().ready();
    current().reply({ type: 'bogus' });
    current().reply('not even an object');
    expect(logs.filter((l) => l.startsWith('error: dropped'))).toHaveLength(2);
    const call = client.call('system.info', {});
    current().reply({ type: 'result', id: current().lastId(), response: { ok: 'yes' } });
    await expect(call).rejects.toMatchObject({ code: 'protocol' });
  });

  it('rejects a reply of the wrong kind', async () => {
    const { client, current } = setup();
    current().ready();
    const call = client.call('system.info', {});
    current().reply({
      type: 'blob-file',
      id: current().lastId(),
      path: '/etc/passwd',
      contentType: null,
    });
    await expect(call).rejects.toBeInstanceOf(EngineError);
  });

  it('delivers validated events to listeners', () => {
    const { client, current, logs } = setup();
    const seen: unknown[] = [];
    const off = client.onEvent((event) => seen.push(event));
    current().ready();
    current().reply({
      type: 'event',
      event: { type: 'images-changed', projectId: 'p', batchId: 3 },
    });
    current().reply({ type: 'event', event: { type: 'images-changed', projectId: 'p' } });
    off();
    current().reply({
      type: 'event',
      event: { type: 'images-changed', projectId: 'p', batchId: 4 },
    });
    expect(seen).toEqual([{ type: 'images-changed', projectId: 'p', batchId: 3 }]);
    expect(logs.some((l) => l.includes('dropped an invalid message'))).toBe(true);
  });

  it('fails in-flight calls when the engine dies, then restarts and serves queued ones', async () => {
    const { client, engines, current, states } = setup({ restartDelayMs: 100 });
    current().ready();
    const inFlight = client.call('jobs.list', { projectId: 'p' });
    const assertion = expect(inFlight).rejects.toThrow(
      /engine exited unexpectedly \(code 3\).*while handling jobs\.list/,
    );
    current().handlers.onExit(3, 'boom');
    await assertion;
    expect(states.at(-1)).toBe('restarting');

    // Made while restarting: waits for the new process instead of failing.
    const queued = client.call('system.info', {});
    await vi.advanceTimersByTimeAsync(100);
    expect(engines).toHaveLength(2);
    // The dead process can no longer answer anything.
    engines[0]?.reply({ type: 'result', id: 2, response: { ok: true, result: 'stale' } });
    current().ready();
    current().reply({
      type: 'result',
      id: current().lastId(),
      response: { ok: true, result: 'fresh' },
    });
    await expect(queued).resolves.toEqual({ ok: true, result: 'fresh' });
    expect(states.at(-1)).toBe('ready');
  });

  it('gives up after too many crashes and fails fast afterwards', async () => {
    const { client, engines, current, states } = setup({ maxRestarts: 2, restartDelayMs: 10 });
    for (let i = 0; i < 2; i++) {
      current().handlers.onExit(1);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(engines).toHaveLength(3);
    const waiting = client.call('system.info', {});
    const assertion = expect(waiting).rejects.toMatchObject({ code: 'unavailable' });
    current().handlers.onExit(1);
    await assertion;
    expect(states.at(-1)).toBe('failed');
    await expect(client.call('system.info', {})).rejects.toThrow(
      /not running: .*gave up after 2 restarts/,
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(engines).toHaveLength(3);
  });

  it('treats a process that never says ready as crashed', async () => {
    const { engines, logs } = setup({ readyTimeoutMs: 500, restartDelayMs: 10 });
    await vi.advanceTimersByTimeAsync(500);
    expect(engines[0]?.killed).toBe(true);
    expect(logs.some((l) => l.includes('did not become ready within 500 ms'))).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(engines).toHaveLength(2);
  });

  it('reports a spawn failure as a crash', async () => {
    let attempts = 0;
    const client = new EngineClient({
      spawn: () => {
        attempts++;
        throw new Error('ENOENT');
      },
      maxRestarts: 0,
      log: () => {},
    });
    client.start();
    expect(attempts).toBe(1);
    expect(client.state).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('ENOENT'),
    });
  });

  it('stops cleanly: sends shutdown, fails pending calls, kills when the engine lingers', async () => {
    const { client, current, states } = setup();
    current().ready();
    const pending = client.call('system.info', {});
    const pendingAssertion = expect(pending).rejects.toThrow(/shutting down/);
    const stopped = client.stop(1000);
    await pendingAssertion;
    expect(current().sent.at(-1)).toEqual({ type: 'shutdown' });
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
    expect(current().killed).toBe(true);
    expect(states.at(-1)).toBe('stopped');
    await expect(client.call('system.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('does not restart or kill an engine that exits after shutdown', async () => {
    const { client, engines, current } = setup();
    current().ready();
    const stopped = client.stop(1000);
    current().handlers.onExit(0);
    await stopped;
    expect(current().killed).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(engines).toHaveLength(1);
  });
});
