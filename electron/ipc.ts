// The IPC surface of the main process: the invoke channels (engine calls, folder picker, the team
// server connection) and the push channels. Every invoke is checked for who sent it (our window,
// its main frame, our origin) before anything else happens; what it carries is checked next.
import {
  dialog,
  ipcMain,
  type BrowserWindow,
  type IpcMainInvokeEvent,
  type OpenDialogOptions,
  type WebContents,
} from 'electron';
import type { RpcResponse } from '../contract/transport';
import { CHANNELS, type MenuCommand } from './channels';
import { EngineError, type EngineClient } from './engine-client';
import { checkConnectRequest, type RemoteServer } from './remote-server';
import { isAllowedSender, validateCall } from './security';

export interface IpcOptions {
  engine: EngineClient;
  getWindow: () => BrowserWindow | null;
  trustedOrigins: readonly string[];
  /** The team server connection, held by main in memory only. */
  remote: {
    get(): RemoteServer | null;
    /** Called with a checked server; main widens the CSP to it and reloads the window. */
    connect(server: RemoteServer): void;
    disconnect(): void;
  };
}

function isTrustedSender(event: IpcMainInvokeEvent, options: IpcOptions): boolean {
  const window = options.getWindow();
  if (!window || window.isDestroyed() || event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  // Null when the frame navigated away or was destroyed mid-call; subframes never get the API.
  if (!frame || frame.detached || frame.parent !== null) return false;
  const main = event.sender.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isAllowedSender(frame.url, options.trustedOrigins);
}

function failure(code: 'unauthorized' | 'failed', message: string): RpcResponse {
  return { ok: false, error: { code, message } };
}

/** Registers the handlers; returns a function that removes them and the event forwarding. */
export function registerIpc(options: IpcOptions): () => void {
  ipcMain.handle(
    CHANNELS.call,
    async (event, method: unknown, input: unknown): Promise<RpcResponse> => {
      if (!isTrustedSender(event, options))
        return failure('unauthorized', 'IPC from an untrusted frame');
      const check = validateCall(method, input);
      if (!check.ok) return { ok: false, error: check.error };
      try {
        return await options.engine.call(check.method, input ?? {});
      } catch (err) {
        // Engine trouble is an API failure for the renderer, not an IPC exception with a stack.
        const message =
          err instanceof EngineError ? err.message : `engine call failed: ${String(err)}`;
        return failure('failed', message);
      }
    },
  );

  ipcMain.handle(CHANNELS.pickFolder, async (event): Promise<string | null> => {
    if (!isTrustedSender(event, options)) return null;
    const window = options.getWindow();
    const dialogOptions: OpenDialogOptions = { properties: ['openDirectory', 'createDirectory'] };
    const result = window
      ? await dialog.showOpenDialog(window, dialogOptions)
      : await dialog.showOpenDialog(dialogOptions);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });

  ipcMain.handle(
    CHANNELS.connectServer,
    (event, url: unknown, token: unknown): { ok: true } | { ok: false; reason: string } => {
      if (!isTrustedSender(event, options)) return { ok: false, reason: 'untrusted frame' };
      const checked = checkConnectRequest(url, token);
      if (!checked.ok) return checked;
      // After the answer has gone: the reload ends this page.
      setImmediate(() => options.remote.connect(checked.value));
      return { ok: true };
    },
  );
  ipcMain.handle(CHANNELS.disconnectServer, (event): void => {
    if (!isTrustedSender(event, options)) return;
    setImmediate(() => options.remote.disconnect());
  });
  ipcMain.handle(CHANNELS.remoteServer, (event): RemoteServer | null => {
    if (!isTrustedSender(event, options)) return null;
    const server = options.remote.get();
    return server ? { origin: server.origin, token: server.token } : null;
  });

  const stopEvents = options.engine.onEvent((engineEvent) => {
    const contents = trustedContents(options);
    contents?.send(CHANNELS.event, engineEvent);
  });

  return () => {
    stopEvents();
    ipcMain.removeHandler(CHANNELS.call);
    ipcMain.removeHandler(CHANNELS.pickFolder);
    ipcMain.removeHandler(CHANNELS.connectServer);
    ipcMain.removeHandler(CHANNELS.disconnectServer);
    ipcMain.removeHandler(CHANNELS.remoteServer);
  };
}

/** Our window's page, only while it shows our own origin. */
function trustedContents(
  options: Pick<IpcOptions, 'getWindow' | 'trustedOrigins'>,
): WebContents | undefined {
  const window = options.getWindow();
  if (!window || window.isDestroyed()) return undefined;
  const contents = window.webContents;
  if (contents.isDestroyed() || !isAllowedSender(contents.getURL(), options.trustedOrigins))
    return undefined;
  return contents;
}

export function sendMenuCommand(
  options: Pick<IpcOptions, 'getWindow' | 'trustedOrigins'>,
  command: MenuCommand,
): void {
  trustedContents(options)?.send(CHANNELS.menu, command);
}
