// IPC channel names shared by main (ipc.ts) and preload. The renderer never sees them: it only gets
// the `sqwBridge` object.
export const CHANNELS = {
  call: 'sqw:call',
  event: 'sqw:event',
  pickFolder: 'sqw:pick-folder',
  menu: 'sqw:menu',
  /** "Connect to server…": checked in main (remote-server.ts), then the window reloads. */
  connectServer: 'sqw:connect-server',
  disconnectServer: 'sqw:disconnect-server',
  /** The connected team server and token for this page load, or null (the local engine). */
  remoteServer: 'sqw:remote-server',
} as const;

/** Menu items that start a renderer flow (the renderer knows the open project; main does not). */
export const MENU_COMMANDS = ['open-project', 'import-folder', 'connect-server'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];
