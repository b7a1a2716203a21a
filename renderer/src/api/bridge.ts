// The object Electron's preload script exposes on `window.sqwBridge` (electron/ owns the
// implementation; this is the renderer's view of it). Headless/browser sessions have no bridge.
import type { EngineEvent } from '../../../contract/api';
import type { RpcResponse } from '../../../contract/transport';

export interface SqwBridge {
  call(method: string, input: unknown): Promise<RpcResponse>;
  onEvent(cb: (event: EngineEvent) => void): () => void;
  /** Opens a native folder picker; null when the user cancels. */
  pickFolder(): Promise<string | null>;
  /** Prefix for blob URLs, e.g. `sqw-blob://`; a blobPath() is appended. */
  blobBase: string;
  /** Application-menu commands (`open-project`, `import-folder`); optional for older bridges. */
  onMenuCommand?(listener: (command: string) => void): () => void;
}

declare global {
  interface Window {
    sqwBridge?: SqwBridge;
  }
}

export function getBridge(): SqwBridge | undefined {
  return typeof window === 'undefined' ? undefined : window.sqwBridge;
}

/** The folder picker, when the host has one (Electron only). */
export function folderPicker(): (() => Promise<string | null>) | undefined {
  const bridge = getBridge();
  return bridge && typeof bridge.pickFolder === 'function' ? () => bridge.pickFolder() : undefined;
}
