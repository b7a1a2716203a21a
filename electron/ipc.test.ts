// The main process's IPC handlers with Electron mocked: "Connect to server…" is checked in main
// (sender first, then URL and token) before anything changes, and the token goes back only to our
// own window's main frame.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from './channels';
import type { EngineClient } from './engine-client';
import type { RemoteServer } from './remote-server';

const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) =>
      handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
  dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
}));
const { registerIpc } = await import('./ipc');

const TOKEN = `sqw_${'1'.repeat(16)}_${'2'.repeat(64)}`;
const mainFrame = { processId: 1, routingId: 1, parent: null, detached: false, url: '' };
const contents = { mainFrame, isDestroyed: () => false, getURL: () => 'app://sqw/index.html' };
const window = { isDestroyed: () => false, webContents: contents };
const ours = { sender: contents, senderFrame: { ...mainFrame, url: 'app://sqw/index.html' } };
const foreign = { sender: contents, senderFrame: { ...mainFrame, url: 'https://evil.example/' } };

let remote: RemoteServer | null;
const connected: Array<RemoteServer | null> = [];
beforeEach(() => {
  handlers.clear();
  remote = null;
  connected.length = 0;
  registerIpc({
    engine: { onEvent: () => () => undefined } as unknown as EngineClient,
    getWindow: () => window as never,
    trustedOrigins: ['app://sqw'],
    remote: {
      get: () => remote,
      connect: (s) => {
        remote = s;
        connected.push(s);
      },
      disconnect: () => {
        remote = null;
        connected.push(null);
      },
    },
  });
});
const tick = () => new Promise((r) => setImmediate(r));
const invoke = (channel: string, event: unknown, ...args: unknown[]) =>
  handlers.get(channel)!(event, ...args);

describe('connect to a team server over IPC', () => {
  it('connects to a checked https server and hands the token only to our page', async () => {
    expect(invoke(CHANNELS.connectServer, ours, 'https://review.lab.example:8443/', TOKEN)).toEqual(
      { ok: true },
    );
    await tick();
    expect(connected).toEqual([{ origin: 'https://review.lab.example:8443', token: TOKEN }]);
    expect(invoke(CHANNELS.remoteServer, ours)).toEqual({
      origin: 'https://review.lab.example:8443',
      token: TOKEN,
    });
    expect(invoke(CHANNELS.remoteServer, foreign)).toBeNull();
    invoke(CHANNELS.disconnectServer, ours);
    await tick();
    expect(remote).toBeNull();
  });

  it('refuses http beyond loopback, other schemes, bad tokens and foreign frames, changing nothing', async () => {
    const refused = [
      invoke(CHANNELS.connectServer, ours, 'http://review.lab.example:8400', TOKEN),
      invoke(CHANNELS.connectServer, ours, 'file:///etc/passwd', TOKEN),
      invoke(CHANNELS.connectServer, ours, 'javascript:alert(1)', TOKEN),
      invoke(CHANNELS.connectServer, ours, { url: 'https://x.example' }, TOKEN),
      invoke(CHANNELS.connectServer, ours, 'https://x.example', 'tok\r\nX: 1'),
      invoke(CHANNELS.connectServer, foreign, 'https://x.example', TOKEN),
    ];
    for (const out of refused) expect(out).toMatchObject({ ok: false, reason: expect.any(String) });
    expect((refused[0] as { reason: string }).reason).toMatch(/must use https/);
    invoke(CHANNELS.disconnectServer, foreign);
    await tick();
    expect(connected).toEqual([]);
    // Loopback over plain http (an SSH tunnel) is fine.
    expect(invoke(CHANNELS.connectServer, ours, 'http://127.0.0.1:8400', TOKEN)).toEqual({
      ok: true,
    });
  });
});
