// Sandboxed preload: exposes exactly the SqwBridge to the page. ipcRenderer itself never crosses
// the context bridge, and IPC events are unwrapped so the page never sees the `sender` object.
// Bundled into one CJS file (sandboxed preloads cannot require our own modules).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EngineEvent } from '../contract/api';
import type { RpcResponse } from '../contract/transport';
import type { RemoteServerInfo, SqwBridge, SqwMenuCommand } from '../contract/bridge';
import { CHANNELS, MENU_COMMANDS } from './channels';
import { BLOB_BASE } from './schemes';

function subscribe<T>(
  channel: string,
  listener: (payload: T) => void,
  accept: (payload: unknown) => boolean,
): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: unknown) => {
    if (accept(payload)) listener(payload as T);
  };
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const bridge: SqwBridge = {
  call: (method: string, input: unknown) =>
    ipcRenderer.invoke(CHANNELS.call, method, input) as Promise<RpcResponse>,
  onEvent: (listener) =>
    subscribe<EngineEvent>(
      CHANNELS.event,
      listener,
      (p) => typeof p === 'object' && p !== null && 'type' in p,
    ),
  onMenuCommand: (listener) =>
    subscribe<SqwMenuCommand>(CHANNELS.menu, listener, (p) =>
      (MENU_COMMANDS as readonly unknown[]).includes(p),
    ),
  pickFolder: () => ipcRenderer.invoke(CHANNELS.pickFolder) as Promise<string | null>,
  blobBase: BLOB_BASE,
  connectServer: (url: string, token: string) =>
    ipcRenderer.invoke(CHANNELS.connectServer, url, token) as Promise<
      { ok: true } | { ok: false; reason: string }
    >,
  disconnectServer: () => ipcRenderer.invoke(CHANNELS.disconnectServer) as Promise<void>,
  remoteServer: () => ipcRenderer.invoke(CHANNELS.remoteServer) as Promise<RemoteServerInfo | null>,
};

contextBridge.exposeInMainWorld('sqwBridge', Object.freeze(bridge));
