// The renderer's single entry to the engine: picks the transport (IPC when Electron's bridge exists,
// HTTP to a team server when the desktop app is connected to one, else HTTP with the token from the
// URL), and exposes the typed `api` proxy, `events` and `blobUrl`.
import { lookupMethod, type EngineEvent } from '../../../contract/api';
import type { BlobRef } from '../../../contract/blobs';
import { createApiClient, RpcError, type Transport } from '../../../contract/transport';
import type { RemoteServerInfo, SqwBridge } from './bridge';
import { createHttpTransport } from './http-transport';
import { createIpcTransport } from './ipc-transport';
import { takeToken, type TokenEnv } from './token';

export class MissingTokenError extends Error {
  constructor() {
    super('No access token. Open the URL printed by `sqw serve` (it ends with #token=…).');
    this.name = 'MissingTokenError';
  }
}

export interface TransportEnv extends TokenEnv {
  bridge: SqwBridge | undefined;
  /** The team server the desktop app is connected to (the bridge's remoteServer()), if any. */
  remote?: RemoteServerInfo | null;
  origin: string;
  onConnectionChange?: (connected: boolean) => void;
}

/** IPC when the Electron bridge is present, else HTTP with the fragment/session token. */
export function selectTransport(env: TransportEnv): Transport {
  // The desktop app on a team server: the same HTTP transport as a browser tab, with the token
  // main handed over for this page load (kept in memory, not put in session storage).
  if (env.bridge && env.remote)
    return createHttpTransport({
      baseUrl: env.remote.origin,
      token: env.remote.token,
      refusedAdvice: 'Check your account token and connect again (File › Connect to Server…).',
      onConnectionChange: env.onConnectionChange,
    });
  if (env.bridge) return createIpcTransport(env.bridge);
  const token = takeToken(env);
  if (!token) throw new MissingTokenError();
  return createHttpTransport({
    baseUrl: env.origin,
    token,
    onConnectionChange: env.onConnectionChange,
  });
}

/** Checks each result against the contract's output schema, so the typed client cannot lie. */
export function validating(inner: Transport): Transport {
  return {
    kind: inner.kind,
    async call(method, input) {
      const result = await inner.call(method, input);
      const schema = lookupMethod(method);
      if (!schema) return result;
      const parsed = schema.output.safeParse(result);
      if (!parsed.success) {
        throw new RpcError(
          'invalid-output',
          `The engine's answer to ${method} does not match the contract`,
        );
      }
      return parsed.data;
    },
    subscribe: (l) => inner.subscribe(l),
    blobUrl: (r) => inner.blobUrl(r),
  };
}

// --- the app's singleton ----------------------------------------------------------------------

let current: Transport | null = null;
let remoteOrigin: string | null = null;
const connectionListeners = new Set<(connected: boolean) => void>();
let connectedNow = false;

/**
 * Chooses the transport once, at startup. Throws MissingTokenError when headless without a token.
 * `remote`: the desktop app's team server (ask the bridge first: `connectedServer()`).
 */
export function initClient(remote: RemoteServerInfo | null = null): Transport {
  if (current) return current;
  remoteOrigin = window.sqwBridge && remote ? remote.origin : null;
  current = validating(
    selectTransport({
      bridge: window.sqwBridge,
      remote,
      origin: window.location.origin,
      location: window.location,
      history: window.history,
      storage: safeSessionStorage(),
      onConnectionChange: (c) => {
        connectedNow = c;
        for (const l of connectionListeners) l(c);
      },
    }),
  );
  return current;
}

/** The desktop app's team server for this page load, or null (local engine, or not in Electron). */
export async function connectedServer(): Promise<RemoteServerInfo | null> {
  const bridge = window.sqwBridge;
  if (!bridge || typeof bridge.remoteServer !== 'function') return null;
  try {
    return await bridge.remoteServer();
  } catch {
    return null;
  }
}

/** The origin of the team server the desktop app talks to, or null. */
export function teamServerOrigin(): string | null {
  return remoteOrigin;
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function transport(): Transport {
  return current ?? initClient();
}

export const api = createApiClient({
  get kind() {
    return transport().kind;
  },
  call: (method, input) => transport().call(method, input),
  subscribe: (listener) => transport().subscribe(listener),
  blobUrl: (ref) => transport().blobUrl(ref),
});

export const events = {
  subscribe(listener: (event: EngineEvent) => void): () => void {
    return transport().subscribe(listener);
  },
  /** HTTP event-socket state; IPC is always connected. */
  onConnection(listener: (connected: boolean) => void): () => void {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  },
  isConnected(): boolean {
    return transport().kind === 'ipc' || connectedNow;
  },
};

export function blobUrl(ref: BlobRef): string {
  return transport().blobUrl(ref);
}

export function errorText(err: unknown): string {
  if (err instanceof RpcError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
