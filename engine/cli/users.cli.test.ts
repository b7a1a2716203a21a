// `sqw users` and `sqw serve --accounts` as a user runs them: real child processes through bin/sqw.mjs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSqw, tempDir } from '../test/helpers';

const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');

const sqw = runSqw;

let dir: ReturnType<typeof tempDir>;
let project: string;
beforeAll(async () => {
  dir = tempDir();
  project = join(dir.path, 'p');
  // `serve` creates the project; it exits at once here (refused), leaving the folder.
  const { ProjectStore } = await import('../../db/project-store');
  ProjectStore.openOrCreate(project).close();
});
afterAll(() => dir.remove());

describe('sqw users', () => {
  it('adds an account, prints its token once, lists roles without tokens, and revokes', async () => {
    const added = await sqw(['users', 'add', 'alice', '--role', 'reviewer', '--project', project]);
    expect(added.code, added.stderr).toBe(0);
    const token = /sqw_[0-9a-f]{16}_[0-9a-f]{64}/.exec(added.stdout)?.[0];
    expect(token).toBeDefined();
    expect(added.stdout).toContain('added alice (reviewer)');
    // Only its hash reaches the database file.
    const db = readFileSync(join(project, 'project.sqlite'));
    const wal = (() => {
      try {
        return readFileSync(join(project, 'project.sqlite-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    const secret = token!.slice(-64);
    expect(db.includes(secret) || wal.includes(secret)).toBe(false);

    const dup = await sqw(['users', 'add', 'alice', '--project', project]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('exists already');
    const badRole = await sqw(['users', 'add', 'bob', '--role', 'owner', '--project', project]);
    expect(badRole.stderr).toContain('--role must be admin, reviewer or viewer');

    const list = await sqw(['users', 'list', '--project', project, '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { name: 'alice', role: 'reviewer', revokedAt: null },
    ]);
    expect(list.stdout).not.toContain(secret);

    expect((await sqw(['users', 'revoke', 'alice', '--project', project])).code).toBe(0);
    const again = await sqw(['users', 'revoke', 'alice', '--project', project]);
    expect(again.stderr).toContain('no active account named alice');
  }, 180_000);

  it('sqw serve --host 0.0.0.0 without TLS refuses with the reason', async () => {
    const out = await sqw(['serve', '--project', project, '--host', '0.0.0.0']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(
      'refusing to listen on 0.0.0.0 without TLS: pass --tls-cert and --tls-key',
    );
  }, 60_000);

  it('sqw serve --accounts takes the account tokens `sqw users add` printed', async () => {
    const added = await sqw([
      'users',
      'add',
      'vera',
      '--role',
      'viewer',
      '--project',
      project,
      '--json',
    ]);
    const { token } = JSON.parse(added.stdout) as { token: string };
    const child = spawn(
      process.execPath,
      [SQW, 'serve', '--project', project, '--accounts', '--json'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const first = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout! }).once('line', res);
        child.once('exit', (code) => rej(new Error(`sqw serve exited ${code}`)));
      });
      const { port, accounts } = JSON.parse(first) as { port: number; accounts: boolean };
      expect(accounts).toBe(true);
      const call = (method: string, input: unknown) =>
        fetch(`http://127.0.0.1:${port}/api/rpc`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          body: JSON.stringify({ method, input }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      expect((await call('projects.list', {})).status).toBe(200);
      const create = await call('projects.create', { path: join(dir.path, 'q'), name: 'q' });
      expect(create.status).toBe(403);
      expect(create.body.error.message).toBe(
        'projects.create needs the admin role; vera is a viewer',
      );
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
