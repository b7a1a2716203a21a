// The real engine (engine/ipc-entry.ts, run through tsx as child_process.fork would run it) speaks
// the protocol EngineClient expects: ready first, calls answered by id, blobs, clean shutdown.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from './engine-client';

const entry = join(import.meta.dirname, '..', 'engine', 'ipc-entry.ts');
const projectDir = mkdtempSync(join(tmpdir(), 'sqw-ipc-'));

afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

describe('EngineClient against engine/ipc-entry.ts', () => {
  it('calls the engine over a forked IPC channel', async () => {
    const logs: string[] = [];
    const client = new EngineClient({
      spawn: (handlers) => {
        const child = fork(entry, ['--project', projectDir], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        child.on('message', (message) => handlers.onMessage(message));
        child.once('exit', (code) => handlers.onExit(code));
        return { postMessage: (message) => child.send(message), kill: () => child.kill() };
      },
      maxRestarts: 0,
      log: (level, message) => logs.push(`${level}: ${message}`),
    });
    client.start();
    try {
      const info = await client.call('system.info', {});
      expect(info).toMatchObject({ ok: true, result: { transport: 'ipc' } });

      const projects = await client.call('projects.list', {});
      expect(projects.ok).toBe(true);
      const projectId = projects.ok ? (projects.result as { id: string }[])[0]?.id : undefined;
      expect(projectId).toBeTruthy();

      await expect(client.call('images.list', { projectId })).resolves.toEqual({
        ok: true,
        result: { total: 0, items: [] },
      });
      await expect(client.call('images.get', { projectId, imageId: 99 })).resolves.toMatchObject({
        ok: false,
        error: { code: 'not-found' },
      });
      await expect(
        client.blob({ projectId: projectId ?? '', imageId: 1, kind: 'thumb' }),
      ).resolves.toBeNull();
    } finally {
      await client.stop(5_000);
    }
    expect(client.state.status).toBe('stopped');
    // No errors, and the engine exited on 'shutdown' rather than being killed.
    expect(logs.filter((line) => !line.startsWith('info'))).toEqual([]);
  });
});
