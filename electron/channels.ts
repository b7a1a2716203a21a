// IPC channel names shared by main (ipc.ts) and preload. The renderer never sees them: it only gets
// the `sqwBridge` object.
export const CHANNELS = {
  call: 'sqw:call',
  event: 'sqw:event',
  pickFolder: 'sqw:pick-folder',
  menu: 'sqw:menu',
} as const;

/** Menu items that start a renderer flow (the renderer knows the open project; main does not). */
export const MENU_COMMANDS = ['open-project', 'import-folder'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];
