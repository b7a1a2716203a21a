// The one object the preload exposes to the renderer as `window.sqwBridge`. Type-only, so the
// renderer may import it without pulling in anything from Electron.
// (Candidate to move into contract/ so renderer/ need not import from electron/.)
import type { EngineEvent } from '../contract/api';
import type { RpcResponse } from '../contract/transport';

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
