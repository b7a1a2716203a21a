// The main process's side of the engine protocol (contract/engine-messages.ts), independent of how
// the engine process is started: request/response correlation by id, per-request timeouts,
// validation of everything the engine sends, and crash handling with bounded restarts.
// engine-host.ts plugs Electron's utilityProcess in; tests plug in a fake port.
import type { EngineEvent } from '../contract/api';
import type { BlobRef } from '../contract/blobs';
import { FromEngineMessage, type ToEngineMessage } from '../contract/engine-messages';
import type { RpcErrorBody, RpcResponse } from '../contract/transport';

/** A started engine process, as the client sees it. */
export interface EnginePort {
  postMessage(message: ToEngineMessage): void;
  kill(): void;
}

/** What the process wrapper reports back; given to `spawn` so no message can arrive unheard. */
export interface EnginePortHandlers {
  onMessage(message: unknown): void;
  /** `code` null when unknown; `detail` e.g. the tail of the engine's stderr. */
  onExit(code: number | null, detail?: string): void;
}

export type SpawnEngine = (handlers: EnginePortHandlers) => EnginePort;

export type EngineState =
  | { status: 'starting' }
  | { status: 'ready'; version: string }
  | { status: 'restarting'; reason: string; attempt: number }
  | { status: 'failed'; reason: string }
  | { status: 'stopped' };

export type EngineErrorCode = 'unavailable' | 'timeout' | 'exited' | 'protocol';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface BlobFile {
  path: string;
  contentType: string | null;
}

export interface EngineClientOptions {
  spawn: SpawnEngine;
  /** Per call, including any wait for the engine to (re)start. */
  callTimeoutMs?: number;
  blobTimeoutMs?: number;
  /** How long a fresh process may take to say 'ready' before it counts as a crash. */
  readyTimeoutMs?: number;
  /** Crashes tolerated within `crashWindowMs` before giving up. */
  maxRestarts?: number;
  crashWindowMs?: number;
  /** Delay before restart n (1-based) is `restartDelayMs * 2^(n-1)`. */
  restartDelayMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  now?: () => number;
}

interface Pending {
  kind: 'call' | 'blob';
  label: string;
  message: ToEngineMessage;
  /** Sent to the current process (vs. waiting for it to become ready). */
  sent: boolean;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set<RpcErrorBody['code']>([
  'invalid-input',
  'unknown-method',
  'not-found',
  'failed',
  'unauthorized',
  'invalid-output',
]);

export class EngineClient {
  private readonly opts: Required<Omit<EngineClientOptions, 'spawn' | 'log' | 'now'>>;
  private readonly log: NonNullable<EngineClientOptions['log']>;
  private readonly now: () => number;
  private port: EnginePort | undefined;
  /** Bumped per spawned process, so late messages from a dead one are ignored. */
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: EngineEvent) => void>();
  private readonly stateListeners = new Set<(state: EngineState) => void>();
  private crashTimes: number[] = [];
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private exitWaiters: (() => void)[] = [];
  private current: EngineState = { status: 'stopped' };
  private started = false;
  private stopping = false;

  private readonly spawnFn: SpawnEngine;

  constructor(options: EngineClientOptions) {
    this.spawnFn = options.spawn;
    this.opts = {
      callTimeoutMs: options.callTimeoutMs ?? 60_000,
      blobTimeoutMs: options.blobTimeoutMs ?? 15_000,
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      maxRestarts: options.maxRestarts ?? 3,
      crashWindowMs: options.crashWindowMs ?? 60_000,
      restartDelayMs: options.restartDelayMs ?? 500,
    };
    this.log = options.log ?? ((level, message) => console[level](`[engine] ${message}`));
    this.now = options.now ?? Date.now;
  }

  get state(): EngineState {
    return this.current;
  }

  /** Starts the engine process; calls made before it is ready wait for it. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.launch();
  }

  /** Sends one API call; resolves with the engine's response, rejects with EngineError. */
  call(method: string, input: unknown): Promise<RpcResponse> {
    return this.request<RpcResponse>(
      'call',
      method,
      (id) => ({ type: 'call', id, method, input }),
      this.opts.callTimeoutMs,
    );
  }

  /** Asks the engine where a blob lives on disk; null when it does not exist. */
  blob(ref: BlobRef): Promise<BlobFile | null> {
    const label = `blob ${ref.projectId}/${ref.imageId}/${ref.kind}`;
    return this.request<BlobFile | null>(
      'blob',
      label,
      (id) => ({ type: 'blob', id, ref }),
      this.opts.blobTimeoutMs,
    );
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: (state: EngineState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Asks the engine to shut down, kills it after `graceMs`, and fails whatever is still pending. */
  async stop(graceMs = 2_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopping = true;
    this.clearTimers();
    this.rejectAll(new EngineError('unavailable', 'the engine is shutting down'), () => true);
    const port = this.port;
    if (port) {
      const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
      try {
        port.postMessage({ type: 'shutdown' });
      } catch {
        // Already gone; the kill below is harmless.
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.log('warn', `engine did not exit within ${graceMs} ms of shutdown; killing it`);
        port.kill();
      }
    }
    this.port = undefined;
    this.generation++;
    this.setState({ status: 'stopped' });
  }

  private request<T>(
    kind: Pending['kind'],
    label: string,
    build: (id: number) => ToEngineMessage,
    timeoutMs: number,
  ): Promise<T> {
    if (!this.started || this.current.status === 'failed' || this.current.status === 'stopped') {
      const reason = this.current.status === 'failed' ? `: ${this.current.reason}` : '';
      return Promise.reject(new EngineError('unavailable', `the engine is not running${reason}`));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new EngineError('timeout', `the engine did not answer ${label} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const entry: Pending = {
        kind,
        label,
        message: build(id),
        sent: false,
        resolve: resolve as (v: never) => void,
        reject,
        timer,
      };
      this.pending.set(id, entry);
      if (this.current.status === 'ready') this.send(id, entry);
    });
  }

  private send(id: number, entry: Pending): void {
    if (!this.port) return;
    try {
      this.port.postMessage(entry.message);
      entry.sent = true;
    } catch (err) {
      this.settle(
        id,
        undefined,
        new EngineError(
          'unavailable',
          `could not send ${entry.label} to the engine: ${String(err)}`,
        ),
      );
    }
  }

  private launch(): void {
    const generation = ++this.generation;
    this.setState({ status: 'starting' });
    const handlers: EnginePortHandlers = {
      onMessage: (message) => {
        if (generation === this.generation) this.handleMessage(message);
      },
      onExit: (code, detail) => {
        if (generation === this.generation) this.handleExit(code, detail);
        if (this.stopping) this.flushExitWaiters();
      },
    };
    try {
      this.port = this.spawnFn(handlers);
    } catch (err) {
      this.port = undefined;
      this.handleExit(null, `could not start the engine: ${String(err)}`);
      return;
    }
    this.readyTimer = setTimeout(() => {
      if (generation !== this.generation) return;
      const port = this.port;
      this.handleExit(
        null,
        `the engine did not become ready within ${this.opts.readyTimeoutMs} ms`,
      );
      port?.kill();
    }, this.opts.readyTimeoutMs);
  }

  private handleMessage(raw: unknown): void {
    const parsed = FromEngineMessage.safeParse(raw);
    if (!parsed.success) {
      const id =
        typeof raw === 'object' && raw !== null && 'id' in raw
          ? (raw as { id: unknown }).id
          : undefined;
      const issue = parsed.error.issues[0];
      const detail = issue ? `${issue.path.join('.') || '(message)'}: ${issue.message}` : 'invalid';
      this.log('error', `dropped an invalid message from the engine (${detail})`);
      if (typeof id === 'number' && this.pending.has(id)) {
        const label = this.pending.get(id)?.label ?? '';
        this.settle(
          id,
          undefined,
          new EngineError('protocol', `the engine sent an invalid reply to ${label} (${detail})`),
        );
      }
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready': {
        if (this.current.status === 'ready') return;
        clearTimeout(this.readyTimer);
        this.readyTimer = undefined;
        this.log('info', `engine ready (version ${message.version})`);
        this.setState({ status: 'ready', version: message.version });
        for (const [id, entry] of this.pending) if (!entry.sent) this.send(id, entry);
        return;
      }
      case 'result': {
        const entry = this.pending.get(message.id);
        if (!entry) return this.log('warn', `late or unknown result id ${message.id} ignored`);
        if (entry.kind !== 'call') {
          return this.settle(
            message.id,
            undefined,
            new EngineError('protocol', `the engine answered ${entry.label} with a call result`),
          );
        }
        const response: RpcResponse = message.response.ok
          ? { ok: true, result: message.response.result }
          : {
              ok: false,
              error: {
                code: KNOWN_ERROR_CODES.has(message.response.error.code)
                  ? (message.response.error.code as RpcErrorBody['code'])
                  : 'failed',
                message: message.response.error.message,
              },
            };
        return this.settle(message.id, response);
      }
      case 'blob-file': {
        const entry = this.pending.get(message.id);
        if (!entry) return this.log('warn', `late or unknown blob id ${message.id} ignored`);
        if (entry.kind !== 'blob') {
          return this.settle(
            message.id,
            undefined,
            new EngineError('protocol', `the engine answered ${entry.label} with a blob reply`),
          );
        }
        const file: BlobFile | null =
          message.path === null ? null : { path: message.path, contentType: message.contentType };
        return this.settle(message.id, file);
      }
      case 'event': {
        for (const listener of this.eventListeners) {
          try {
            listener(message.event);
          } catch (err) {
            this.log('error', `event listener threw: ${String(err)}`);
          }
        }
        return;
      }
    }
  }

  private handleExit(code: number | null, detail?: string): void {
    // Ignore whatever the dead process might still deliver.
    this.generation++;
    this.port = undefined;
    clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
    if (this.stopping || !this.started) return;

    const reason = `the engine exited unexpectedly (code ${code ?? 'unknown'})${detail ? `: ${detail}` : ''}`;
    this.log('error', reason);
    // Calls already handed to the dead process may have half-run: fail them, never replay them.
    // Calls still waiting for a ready engine can go to the restarted one.
    this.rejectAll(
      new EngineError('exited', reason),
      (entry) => entry.sent,
      (entry) => `${reason} (while handling ${entry.label})`,
    );

    const now = this.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.opts.crashWindowMs), now];
    const attempt = this.crashTimes.length;
    if (attempt > this.opts.maxRestarts) {
      const failed = `${reason}; gave up after ${this.opts.maxRestarts} restarts within ${this.opts.crashWindowMs / 1000} s`;
      this.setState({ status: 'failed', reason: failed });
      this.rejectAll(
        new EngineError('unavailable', `the engine is not running: ${failed}`),
        () => true,
      );
      return;
    }
    this.setState({ status: 'restarting', reason, attempt });
    const delay = this.opts.restartDelayMs * 2 ** (attempt - 1);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.started && !this.stopping) this.launch();
    }, delay);
  }

  private settle(id: number, value: unknown, error?: Error): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(value as never);
  }

  private rejectAll(
    error: EngineError,
    which: (entry: Pending) => boolean,
    message?: (entry: Pending) => string,
  ): void {
    for (const [id, entry] of [...this.pending]) {
      if (!which(entry)) continue;
      this.settle(id, undefined, message ? new EngineError(error.code, message(entry)) : error);
    }
  }

  private clearTimers(): void {
    clearTimeout(this.readyTimer);
    clearTimeout(this.restartTimer);
    this.readyTimer = undefined;
    this.restartTimer = undefined;
  }

  private flushExitWaiters(): void {
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private setState(state: EngineState): void {
    this.current = state;
    for (const listener of this.stateListeners) {
      try {
        listener(state);
      } catch (err) {
        this.log('error', `state listener threw: ${String(err)}`);
      }
    }
  }
}
