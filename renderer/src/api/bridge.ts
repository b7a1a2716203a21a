// Access to `window.sqwBridge` (type in contract/bridge.ts); headless/browser sessions have none.
import type { RemoteServerInfo, SqwBridge } from '../../../contract/bridge';

export type { RemoteServerInfo, SqwBridge };

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
