// Shared set-up for engine integration tests: a temp project and an engine served on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../engine';
import { startHttpServer, type RunningServer } from '../server/http-server';

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
  const engine = createEngine({ transport: 'http', projectFolders: [projectFolder] });
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
