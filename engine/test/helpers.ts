// Shared set-up for engine integration tests: a temp project and an engine served on loopback.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createEngine, type Engine } from '../engine';
import { startHttpServer, type RunningServer } from '../server/http-server';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** The sqw binary as a user runs it (a child process through bin/sqw.mjs); a failure is returned, not thrown. */
export async function runSqw(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [resolve(REPO_ROOT, 'bin/sqw.mjs'), ...args],
      { cwd: REPO_ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export function tempDir(prefix = 'sqw-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface ServedEngine {
  engine: Engine;
  server: RunningServer;
  base: string;
  projectId: string;
  rpc(
    method: string,
    input?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function serveEngine(
  projectFolder: string,
  staticRoot = join(tmpdir(), 'sqw-no-ui'),
): Promise<ServedEngine> {
  const engine = await createEngine({ transport: 'http', projectFolders: [projectFolder] });
  const server = await startHttpServer({ engine, staticRoot });
  const base = `http://127.0.0.1:${server.port}`;
  const projectId = engine.projects.list()[0]!.id;
  return {
    engine,
    server,
    base,
    projectId,
    async rpc(method, input = {}, token = server.token) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(`${base}/api/rpc`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ method, input }),
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await server.close();
      await engine.close();
    },
  };
}
