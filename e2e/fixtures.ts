// Test fixtures: a fresh temporary project served headless by `sqw serve` (one server per test), and
// a page watcher that collects console errors, page errors and CSP violations so a test can fail
// on any of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface ServerInfo {
  url: string;
  port: number;
  token: string;
  projectDir: string;
  /** Everything the server wrote to stderr so far (for failure messages). */
  stderr(): string;
}

const START_TIMEOUT_MS = 60_000;

type StartedServer = {
  info: Omit<ServerInfo, 'projectDir' | 'stderr'>;
  child: ChildProcess;
  stderr: () => string;
};

/** Starts `sqw serve` on the project (extra flags such as `--accounts` after the usual ones). */
export function startServer(
  projectDir: string,
  extraArgs: readonly string[] = [],
): Promise<StartedServer> {
  return startServe(['--project', projectDir, ...extraArgs]);
}

/** Starts `sqw serve` with these flags (`--database … --blobs …` for a team project). */
export async function startServe(args: readonly string[]): Promise<StartedServer> {
  const child = spawn(
    process.execPath,
    ['bin/sqw.mjs', 'serve', ...args, '--port', '0', '--json'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err += d;
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const stderr = () => err;

  const info = await new Promise<{ url: string; port: number; token: string }>(
    (resolveReady, reject) => {
      let out = '';
      const timer = setTimeout(
        () =>
          fail(new Error(`sqw serve did not print its JSON line within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      function fail(e: Error) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${e.message}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
      }
      child.once('error', (e) => fail(e));
      child.once('exit', (code, signal) =>
        fail(new Error(`sqw serve exited early (code ${code}, signal ${signal})`)),
      );
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (d: string) => {
        out += d;
        for (const line of out.split('\n')) {
          const trimmed = line.trim();
          if (!trimmed.startsWith('{')) continue;
          try {
            const parsed = JSON.parse(trimmed) as {
              url?: unknown;
              port?: unknown;
              token?: unknown;
            };
            if (
              typeof parsed.url === 'string' &&
              typeof parsed.port === 'number' &&
              typeof parsed.token === 'string'
            ) {
              clearTimeout(timer);
              child.removeAllListeners('exit');
              resolveReady({ url: parsed.url, port: parsed.port, token: parsed.token });
              return;
            }
          } catch {
            // an incomplete line; wait for more
          }
        }
      });
    },
  );
  return { info, child, stderr };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface PageProblems {
  /** Console errors, uncaught page errors and CSP violations seen so far. */
  list(): string[];
  /** Fails the test when anything was collected. */
  expectNone(): Promise<void>;
}

function watchPage(page: Page): PageProblems {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return {
    list: () => [...problems],
    async expectNone() {
      const csp = await page
        .evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
        .catch(() => [] as string[]);
      expect([...problems, ...csp.map((v) => `CSP violation: ${v}`)]).toEqual([]);
    },
  };
}

export const test = base.extend<{ server: ServerInfo; problems: PageProblems }>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    const projectDir = await mkdtemp(join(tmpdir(), 'sqw-e2e-'));
    const { info, child, stderr } = await startServer(projectDir);
    try {
      await use({ ...info, projectDir, stderr });
    } finally {
      await stopServer(child);
      await rm(projectDir, { recursive: true, force: true });
    }
  },
  problems: async ({ page }, use) => {
    // Record CSP violations from inside the page (init scripts are exempt from the page's CSP).
    await page.addInitScript(() => {
      const list: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = list;
      document.addEventListener('securitypolicyviolation', (e) => {
        list.push(
          `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
        );
      });
    });
    await use(watchPage(page));
  },
});

export { expect };
