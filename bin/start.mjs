#!/usr/bin/env node
// `npm start`: the desktop app when Electron can run here, else the same UI served headless over
// loopback HTTP (sqw serve) with a demo project, opened in a Chromium app window when possible.
//   SQW_PROJECT=<dir>    project folder for headless mode (default .sqw-demo/, seeded from samples/)
//   SQW_NO_ELECTRON=1    skip the Electron attempt
//   SQW_NO_BROWSER=1     do not open a browser window
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const helpers = await import('../electron/start-helpers.ts');
const { parseProjectArg } = await import('../electron/args.ts');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const env = process.env;
const passArgs = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const sqw = join(root, 'bin', 'sqw.mjs');
const READY_TIMEOUT_MS = 120_000;
// An Electron that dies this fast never showed a window (missing libraries, no GPU, …).
const EARLY_EXIT_MS = 5_000;

function runNpm(script) {
  console.log(`> npm run ${script}`);
  const result = spawnSync(npm, ['run', script], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    console.error(
      `npm run ${script} failed (${result.error?.message ?? `exit code ${result.status}`})`,
    );
    process.exit(result.status || 1);
  }
}

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resolves to a reason string when Electron failed right away (so headless mode should run). */
function runElectron(binary) {
  const needed = [
    'dist/electron/main.cjs',
    'dist/electron/preload.cjs',
    'dist/engine/ipc-entry.cjs',
    'dist/renderer/index.html',
  ];
  if (needed.some((file) => !existsSync(join(root, file)))) runNpm('build');
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(binary, ['.', ...passArgs], { cwd: root, stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    const unforward = () => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', (err) => {
      unforward();
      resolvePromise(`could not start ${binary}: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      unforward();
      if (code !== 0 && signal === null && Date.now() - started < EARLY_EXIT_MS) {
        resolvePromise(`Electron exited with code ${code} right after starting`);
        return;
      }
      process.exit(code ?? 0);
    });
  });
}

/** Whether a project folder already holds images; false when unknown (re-imports skip duplicates). */
async function projectHasImages(projectDir) {
  if (!existsSync(join(projectDir, 'project.sqlite'))) return false;
  try {
    // Loaded here, not at start-up: better-sqlite3 may be built for Electron rather than this
    // Node, and the Electron path never needs it. Opened (and migrated) as sqw serve opens it.
    const { ProjectStore } = await import('../db/project-store.ts');
    const { BrowseStore } = await import('../db/store/browse-store.ts');
    const { sqliteHandle } = await import('../db/store/connect.ts');
    const store = ProjectStore.open(projectDir);
    try {
      return (await new BrowseStore(sqliteHandle(store.db)).counts()).images > 0;
    } finally {
      store.close();
    }
  } catch {
    return false;
  }
}

function seedDemoProject(projectDir) {
  const batchDir = join(root, 'samples', 'demo-batch');
  const batchesFile = join(batchDir, 'batches.json');
  if (!existsSync(batchesFile)) {
    console.warn(
      `No ${join('samples', 'demo-batch', 'batches.json')}; starting with an empty project.`,
    );
    return;
  }
  const batches = helpers.parseDemoBatches(readFileSync(batchesFile, 'utf8'), batchesFile);
  console.log(`Importing ${batches.length} demo batch(es) into ${projectDir}…`);
  for (const batch of batches) {
    const result = spawnSync(
      process.execPath,
      helpers.importArgs(sqw, batch, batchDir, projectDir),
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
    if (result.status !== 0)
      console.error(`Import of ${batch.folder} failed (exit code ${result.status}); continuing.`);
  }
  // Scene graphs and QA from the sensor depth and the hand-labelled boxes (no model needed).
  const run = spawnSync(process.execPath, [sqw, 'run', '--project', projectDir], {
    cwd: root,
    stdio: 'inherit',
  });
  if (run.status !== 0)
    console.error(`The demo pipeline run failed (exit code ${run.status}); continuing.`);
}

function openBrowser(url) {
  const display = helpers.hasDisplay(env, process.platform);
  const browser =
    env.SQW_NO_BROWSER === '1' || !display ? undefined : helpers.findChromium(env, existsSync);
  if (!browser) {
    console.log(`Open ${url} in a browser`);
    return undefined;
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'sqw-browser-'));
  const args = helpers.chromiumArgs(url, userDataDir, { runningAsRoot: process.getuid?.() === 0 });
  const child = spawn(browser, args, { stdio: 'ignore' });
  let closing = false;
  child.once('error', (err) =>
    console.warn(`Could not start ${browser} (${err.message}); open ${url} in a browser`),
  );
  child.once('exit', (code) => {
    // A browser that fails (no X server behind DISPLAY, …) should not leave the user without a URL.
    if (!closing && code !== 0 && code !== null)
      console.warn(`${browser} exited with code ${code}; open ${url} in a browser`);
  });
  console.log(`Opened ${browser} on ${url}`);
  return {
    close() {
      closing = true;
      if (child.exitCode === null && child.signalCode === null) child.kill();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function runHeadless() {
  // npm runs scripts in the package folder; INIT_CWD is where the user typed `npm start`.
  const project = helpers.chooseProject(
    env,
    root,
    env.INIT_CWD ?? process.cwd(),
    parseProjectArg(passArgs),
  );
  const projectDir = project.dir;
  if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) runNpm('build:renderer');
  if (project.demo && !(await projectHasImages(projectDir))) seedDemoProject(projectDir);

  const server = spawn(process.execPath, helpers.serveArgs(sqw, projectDir), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let browser;
  let ready = false;
  const forward = (signal) => server.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);

  const timer = setTimeout(() => {
    console.error(
      `sqw serve printed no ready line within ${READY_TIMEOUT_MS / 1000} s; stopping it.`,
    );
    server.kill();
  }, READY_TIMEOUT_MS);

  createInterface({ input: server.stdout }).on('line', (line) => {
    const info = ready ? undefined : helpers.parseReadyLine(line);
    if (!info) {
      process.stdout.write(`${line}\n`);
      return;
    }
    ready = true;
    clearTimeout(timer);
    console.log(`Serving project ${projectDir} (Ctrl+C to stop)`);
    browser = openBrowser(info.url);
  });

  server.once('error', (err) => {
    console.error(`Could not start sqw serve: ${err.message}`);
    process.exit(1);
  });
  server.once('exit', (code, signal) => {
    clearTimeout(timer);
    browser?.close();
    if (!ready)
      console.error(`sqw serve exited before it was ready (${signal ?? `exit code ${code}`}).`);
    process.exit(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : (code ?? 1));
  });
}

const probe = helpers.probeElectron({
  env,
  platform: process.platform,
  electronDir: electronDir(),
  exists: existsSync,
  readFile: readText,
});
const reason = probe.ok ? await runElectron(probe.binary) : probe.reason;
console.log(`Electron is not available here (${reason}); starting headless mode`);
await runHeadless();
