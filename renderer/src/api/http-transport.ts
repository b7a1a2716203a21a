// Headless transport: JSON RPC over `POST /api/rpc` with a bearer token, engine events over a
// WebSocket that reconnects with backoff, blobs as token-carrying GET URLs.
import { EngineEvent } from '../../../contract/api';
import { blobPath, type BlobRef } from '../../../contract/blobs';
import {
  RpcError,
  unwrapResponse,
  type RpcResponse,
  type Transport,
} from '../../../contract/transport';

/** The part of the browser WebSocket the transport uses (lets tests pass a fake). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface HttpTransportOptions {
  /** Origin of the engine, e.g. `http://127.0.0.1:5173` (no trailing slash). */
  baseUrl: string;
  token: string;
  fetchImpl?: typeof fetch;
  socketFactory?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** What to do when the server refuses the token (default: open the printed URL again). */
  refusedAdvice?: string;
  /** Connection state changes of the event socket (for a status indicator). */
  onConnectionChange?: (connected: boolean) => void;
}

export function isRpcResponse(value: unknown): value is RpcResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return 'result' in v;
  if (v.ok === false) {
    const e = v.error as { code?: unknown; message?: unknown } | undefined;
    return (
      typeof e === 'object' &&
      e !== null &&
      typeof e.code === 'string' &&
      typeof e.message === 'string'
    );
  }
  return false;
}

const OPEN_URL_AGAIN = 'Open the URL that `sqw serve` printed again.';

function unauthorized(detail: string, advice = OPEN_URL_AGAIN): RpcError {
  return new RpcError('unauthorized', `The engine refused this session (${detail}). ${advice}`);
}

export function eventsUrl(baseUrl: string, token: string): string {
  const url = new URL('/api/events', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  return url.toString();
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetchImpl ?? ((input, init) => fetch(input, init));
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer =
    options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const initialBackoff = options.initialBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const makeSocket =
    options.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);

  async function call(method: string, input: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${base}/api/rpc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ method, input: input ?? {} }),
      });
    } catch (err) {
      throw new RpcError(
        'failed',
        `Cannot reach the engine (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (isRpcResponse(body)) {
      if (!body.ok && body.error.code === 'unauthorized')
        throw unauthorized(body.error.message, options.refusedAdvice);
      return unwrapResponse(body);
    }
    if (response.status === 401 || response.status === 403)
      throw unauthorized(`HTTP ${response.status}`, options.refusedAdvice);
    throw new RpcError('failed', `Unexpected engine response (HTTP ${response.status})`);
  }

  // --- events -----------------------------------------------------------------------------
  const listeners = new Set<(event: EngineEvent) => void>();
  let socket: SocketLike | null = null;
  let retryTimer: unknown = null;
  let backoff = initialBackoff;
  let connected = false;

  function setConnected(next: boolean) {
    if (next !== connected) {
      connected = next;
      options.onConnectionChange?.(next);
    }
  }

  function connect() {
    retryTimer = null;
    if (listeners.size === 0 || socket) return;
    let s: SocketLike;
    try {
      s = makeSocket(eventsUrl(base, options.token));
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      backoff = initialBackoff;
      setConnected(true);
    };
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(ev.data);
      } catch {
        return;
      }
      const parsed = EngineEvent.safeParse(raw);
      if (!parsed.success) return;
      for (const l of [...listeners]) {
        try {
          l(parsed.data);
        } catch (err) {
          console.warn('event listener failed', err);
        }
      }
    };
    s.onerror = () => {
      // onclose follows and schedules the retry.
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      setConnected(false);
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (listeners.size === 0 || retryTimer !== null) return;
    const delay = backoff;
    backoff = Math.min(maxBackoff, backoff * 2);
    retryTimer = setTimer(connect, delay);
  }

  function disconnect() {
    if (retryTimer !== null) {
      clearTimer(retryTimer);
      retryTimer = null;
    }
    const s = socket;
    socket = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.close();
    }
    backoff = initialBackoff;
    setConnected(false);
  }

  function subscribe(listener: (event: EngineEvent) => void): () => void {
    listeners.add(listener);
    if (!socket && retryTimer === null) connect();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) disconnect();
    };
  }

  function blobUrl(ref: BlobRef): string {
    return `${base}/blob/${blobPath(ref)}?token=${encodeURIComponent(options.token)}`;
  }

  return { kind: 'http', call, subscribe, blobUrl };
}
