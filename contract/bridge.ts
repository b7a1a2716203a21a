// The one object Electron's preload exposes to the renderer as `window.sqwBridge`. It lives in
// contract/ so the preload (which implements it) and the renderer (which uses it) share one type.
import type { EngineEvent } from './api';
import type { RpcResponse } from './transport';

export type SqwMenuCommand = 'open-project' | 'import-folder';

export interface SqwBridge {
  /** One API call (a name from contract/api.ts methodNames). Never rejects for API errors. */
  call(method: string, input: unknown): Promise<RpcResponse>;
  /** Engine events (job progress, image changes); returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Application-menu commands the renderer should act on; returns an unsubscribe function. */
  onMenuCommand(listener: (command: SqwMenuCommand) => void): () => void;
  /** Native folder picker; null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** Prefix for blob URLs: `${blobBase}${blobPath(ref)}` (contract/blobs.ts). */
  readonly blobBase: string;
}
