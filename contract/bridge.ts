// The one object Electron's preload exposes to the renderer as `window.sqwBridge`. It lives in
// contract/ so the preload (which implements it) and the renderer (which uses it) share one type.
import type { EngineEvent } from './api';
import type { RpcResponse } from './transport';

export type SqwMenuCommand = 'open-project' | 'import-folder' | 'connect-server';

/** A team server the desktop app talks to instead of its local engine (docs/TEAM-REVIEWERS.md). */
export interface RemoteServerInfo {
  /** Its origin, e.g. `https://review.lab.example:8443`. */
  origin: string;
  /** The account token: held in memory by main and the page, never written to storage. */
  token: string;
}

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
  /**
   * Connects the app to a team server: main checks the URL (https, or http to loopback) and the
   * token, allows that origin in the CSP and reloads the window. Resolves with the reason when
   * refused (it does not reload then).
   */
  connectServer?(url: string, token: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Back to the local engine (forgets the token, reloads the window). */
  disconnectServer?(): Promise<void>;
  /** The team server this page talks to, or null for the local engine. */
  remoteServer?(): Promise<RemoteServerInfo | null>;
}
