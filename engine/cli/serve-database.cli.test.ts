// `sqw users --project postgres://…` and `sqw serve --database` as a team admin runs them: real
// child processes through bin/sqw.mjs, on a project copied to a throwaway PostgreSQL cluster.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { runSqw as sqw, tempDir } from '../test/helpers';

const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');
const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('sqw serve --database', () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let blobs: string;
  beforeAll(async () => {
    dir = tempDir();
    const folder = join(dir.path, 'p');
    ProjectStore.openOrCreate(folder, 'livingrooms').close();
    url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'shared');
    await copyProject(folder, url, { blobs });
  });
  afterAll(() => dir?.remove());

  it('serves the team project to the accounts `sqw users` keeps on PostgreSQL', async () => {
    const added = await sqw([
      'users',
      'add',
      'vera',
      '--role',
      'viewer',
      '--project',
      url,
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const { token } = JSON.parse(added.stdout) as { token: string };
    const list = await sqw(['users', 'list', '--project', url, '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'vera', role: 'viewer' }]);
    expect(list.stdout).not.toContain(token.slice(-64));

    const noBlobs = await sqw(['serve', '--database', url]);
    expect(noBlobs.code).not.toBe(0);
    expect(noBlobs.stderr).toContain('--database needs --blobs');

    const child = spawn(
      process.execPath,
      [
        SQW,
        'serve',
        '--database',
        url,
        '--blobs',
        blobs,
        '--models-dir',
        join(dir.path, 'models'),
        '--device',
        'cpu',
        '--accounts',
        '--json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
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
      const projects = await call('projects.list', {});
      expect(projects.body.result).toMatchObject([{ name: 'livingrooms', imageCount: 0 }]);
      const projectId = projects.body.result[0].id;
      const decide = await call('reviews.decide', {
        projectId,
        qaId: 1,
        decision: 'approve',
        reviewer: 'vera',
      });
      expect(decide.status).toBe(403);
      // Click-to-refine looks in --models-dir, where nothing is installed.
      const segmenter = await call('objects.segmenter', { projectId });
      expect(segmenter.body.result).toMatchObject({ available: false, model: null });
      expect(segmenter.body.result.reason).toContain(
        `into ${join(dir.path, 'models')} on the server`,
      );
      // After `sqw users revoke`, the running server refuses the token at once.
      expect((await sqw(['users', 'revoke', 'vera', '--project', url])).code).toBe(0);
      expect((await call('projects.list', {})).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
