// What a renderer needs from a transport, and the typed proxy built over it. The proxy turns
// `client.images.list(input)` into `transport.call('images.list', input)` (VS Code's ProxyChannel
// idea): one contract, no hand-written string channels in the UI.
import type { ApiClient, EngineEvent } from './api';
import type { BlobRef } from './blobs';

export interface RpcErrorBody {
  code:
    | 'invalid-input'
    | 'unknown-method'
    | 'not-found'
    | 'failed'
    | 'unauthorized'
    | 'invalid-output'
    /** The caller's role does not allow this method. */
    | 'forbidden'
    /** Another reviewer holds what the call would change (a claim); the message names them. */
    | 'conflict'
    /** The method is not available on this kind of project yet (a team project on PostgreSQL). */
    | 'not-available';
  message: string;
}

export type RpcResponse = { ok: true; result: unknown } | { ok: false; error: RpcErrorBody };

export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorBody['code'],
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface Transport {
  readonly kind: 'ipc' | 'http';
  call(method: string, input: unknown): Promise<unknown>;
  subscribe(listener: (event: EngineEvent) => void): () => void;
  blobUrl(ref: BlobRef): string;
}

export function unwrapResponse(response: RpcResponse): unknown {
  if (response.ok) return response.result;
  throw new RpcError(response.error.code, response.error.message);
}

export function createApiClient(transport: Transport): ApiClient {
  const namespaces = new Map<string, unknown>();
  return new Proxy({} as ApiClient, {
    get(_target, ns) {
      if (typeof ns !== 'string') return undefined;
      let group = namespaces.get(ns);
      if (!group) {
        group = new Proxy(
          {},
          {
            get(_t, fn) {
              if (typeof fn !== 'string') return undefined;
              return (input: unknown) => transport.call(`${ns}.${fn}`, input ?? {});
            },
          },
        );
        namespaces.set(ns, group);
      }
      return group;
    },
  });
}
