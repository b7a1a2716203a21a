// Electron main process: app lifecycle, the one window, the app:// and sqw-blob:// protocols, the
// security hardening of every web contents, the menu, and the engine child process.
import {
  BrowserWindow,
  Menu,
  app,
  dialog,
  net,
  protocol,
  session,
  shell,
  type MenuItemConstructorOptions,
} from 'electron';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDevServerOrigin, parseProjectArg } from './args';
import type { MenuCommand } from './channels';
import type { EngineClient } from './engine-client';
import { createEngineHost } from './engine-host';
import { registerIpc, sendMenuCommand } from './ipc';
import type { RemoteServer } from './remote-server';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  BLOB_SCHEME,
  buildCsp,
  isAllowedSender,
  isSafeExternalUrl,
  mimeTypeFor,
  parseBlobUrl,
  resolveAppAsset,
  trustedOrigins,
} from './security';

// Must happen before `ready`: both schemes behave like https (secure origin, fetch, CORS).
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
  {
    scheme: BLOB_SCHEME,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
      stream: true,
    },
  },
]);

const isDev = !app.isPackaged;
const devServerOrigin = isDev ? parseDevServerOrigin(process.env.SQW_RENDERER_URL) : undefined;
const origins = trustedOrigins(devServerOrigin);
/** The team server the window talks to ("Connect to Server…"), in memory only; null: local engine. */
let remote: RemoteServer | null = null;
/** The renderer's CSP: our origin, plus exactly the connected team server's. */
let csp = buildCsp(devServerOrigin ? { devServerOrigin } : {});
const appRoot = app.getAppPath();
const rendererRoot = join(appRoot, 'dist', 'renderer');
// main.cjs and preload.cjs are built side by side into dist/electron/.
const preloadPath = join(__dirname, 'preload.cjs');
const engineEntry = join(appRoot, 'dist', 'engine', 'ipc-entry.cjs');

let mainWindow: BrowserWindow | null = null;
let engine: EngineClient | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  hardenAllWebContents();
  app.whenReady().then(start, (err: unknown) => fatal('Startup failed', err));
}

async function start(): Promise<void> {
  // Say plainly what is missing instead of showing a blank window or a crash-looping engine.
  const needed = [engineEntry, ...(devServerOrigin ? [] : [join(rendererRoot, 'index.html')])];
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    fatal(
      'Spatial QA Workstation is not built',
      `Missing:\n${missing.join('\n')}\n\nRun \`npm run build\` first.`,
    );
    return;
  }
  const projectDir = parseProjectArg(process.argv);
  engine = createEngineHost({ entry: engineEntry, ...(projectDir ? { projectDir } : {}) });
  engine.onState((state) => {
    if (state.status === 'failed') {
      dialog.showErrorBox(
        'The engine stopped',
        `${state.reason}\n\nRestart the application to try again.`,
      );
    }
  });
  engine.start();

  configureSession();
  registerProtocols(engine);
  registerIpc({
    engine,
    getWindow: () => mainWindow,
    trustedOrigins: origins,
    remote: { get: () => remote, connect: switchServer, disconnect: () => switchServer(null) },
  });
  Menu.setApplicationMenu(buildMenu());
  await createWindow();

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
}

/** Switches the window between the local engine and a (checked) team server, and reloads it. */
function switchServer(server: RemoteServer | null): void {
  remote = server;
  csp = buildCsp({
    ...(devServerOrigin ? { devServerOrigin } : {}),
    ...(server ? { remoteOrigin: server.origin } : {}),
  });
  mainWindow?.webContents.reload();
}

function configureSession(): void {
  const ses = session.defaultSession;
  // The app needs no camera, notifications, geolocation, …: deny every request and check.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [csp];
    // The server marks its blobs same-origin only; the app shows the images of the one server it
    // is connected to (no-cors <img> loads, which CORS headers do not cover).
    if (remote && details.url.startsWith(`${remote.origin}/blob/`)) {
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'cross-origin-resource-policy') delete headers[name];
      headers['Cross-Origin-Resource-Policy'] = ['cross-origin'];
    }
    callback({ responseHeaders: headers });
  });
}

function registerProtocols(client: EngineClient): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405 });
    let file = resolveAppAsset(request.url, rendererRoot);
    if (!file) return new Response('not found', { status: 404 });
    // Client-side routes (no extension) fall back to the single page.
    if (!existsSync(file) && extname(file) === '') file = join(rendererRoot, 'index.html');
    if (!existsSync(file)) return new Response('not found', { status: 404 });
    const body = await net.fetch(pathToFileURL(file).href);
    return new Response(body.body, {
      status: body.status,
      headers: {
        'Content-Type': mimeTypeFor(file),
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      },
    });
  });

  protocol.handle(BLOB_SCHEME, async (request) => {
    const corsOrigin =
      origins.find((origin) => origin === request.headers.get('Origin')) ?? APP_ORIGIN;
    const headers = {
      'Access-Control-Allow-Origin': corsOrigin,
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Origin',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405, headers });
    const ref = parseBlobUrl(request.url);
    if (!ref) return new Response('bad blob url', { status: 400, headers });
    try {
      const blob = await client.blob(ref);
      if (!blob) return new Response('not found', { status: 404, headers });
      const file = await net.fetch(pathToFileURL(blob.path).href);
      if (!file.ok) return new Response('not found', { status: 404, headers });
      return new Response(file.body, {
        status: 200,
        headers: {
          ...headers,
          'Content-Type': blob.contentType ?? 'application/octet-stream',
          'Cache-Control': 'no-cache',
        },
      });
    } catch (err) {
      console.error(`[sqw-blob] ${request.url}: ${String(err)}`);
      return new Response('engine unavailable', { status: 503, headers });
    }
  });
}

function hardenAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedSender(url, origins)) {
        event.preventDefault();
        openExternally(url);
      }
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedSender(url, origins)) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      openExternally(url);
      return { action: 'deny' };
    });
  });
}

function openExternally(url: string): void {
  if (!isSafeExternalUrl(url)) return;
  shell
    .openExternal(url)
    .catch((err: unknown) => console.warn(`could not open ${url}: ${String(err)}`));
}

async function createWindow(): Promise<void> {
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Spatial QA Workstation',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: isDev,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  await mainWindow.loadURL(devServerOrigin ? `${devServerOrigin}/` : APP_ENTRY_URL);
}

function menuCommand(command: MenuCommand): () => void {
  return () => sendMenuCommand({ getWindow: () => mainWindow, trustedOrigins: origins }, command);
}

function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Project Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: menuCommand('open-project'),
        },
        {
          label: 'Import Folder…',
          accelerator: 'CmdOrCtrl+I',
          click: menuCommand('import-folder'),
        },
        {
          label: 'Connect to Server…',
          click: menuCommand('connect-server'),
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(isDev
          ? ([
              { role: 'reload' },
              { role: 'forceReload' },
              { role: 'toggleDevTools' },
              { type: 'separator' },
            ] as MenuItemConstructorOptions[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'About Spatial QA Workstation', click: showAbout }],
    },
  ];
  return Menu.buildFromTemplate(template);
}

function showAbout(): void {
  const state = engine?.state;
  const engineLine =
    state?.status === 'ready'
      ? `Engine ${state.version}`
      : `Engine: ${state?.status ?? 'not started'}`;
  const detail = `Version ${app.getVersion()}\nElectron ${process.versions.electron}\n${engineLine}`;
  const options = {
    type: 'info' as const,
    title: 'About',
    message: 'Spatial QA Workstation',
    detail,
  };
  void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
}

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !engine) return;
  // Give the engine a moment to close its database cleanly, then quit for real.
  event.preventDefault();
  quitting = true;
  void engine.stop().finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

function fatal(title: string, err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`${title}: ${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
}
