// Electron transport: the preload bridge forwards calls to the main process (which relays them to the
// engine) and pushes engine events back; blobs come through the custom `sqw-blob:` protocol.
import { EngineEvent } from '../../../contract/api';
import { blobPath, type BlobRef } from '../../../contract/blobs';
import { RpcError, unwrapResponse, type Transport } from '../../../contract/transport';
import { isRpcResponse } from './http-transport';
import type { SqwBridge } from './bridge';

export function createIpcTransport(bridge: SqwBridge): Transport {
  return {
    kind: 'ipc',
    async call(method, input) {
      const response: unknown = await bridge.call(method, input ?? {});
      if (!isRpcResponse(response))
        throw new RpcError('failed', 'Malformed response from the engine');
      return unwrapResponse(response);
    },
    subscribe(listener) {
      return bridge.onEvent((raw) => {
        const parsed = EngineEvent.safeParse(raw);
        if (parsed.success) listener(parsed.data);
      });
    },
    blobUrl(ref: BlobRef) {
      return `${bridge.blobBase}${blobPath(ref)}`;
    },
  };
}
