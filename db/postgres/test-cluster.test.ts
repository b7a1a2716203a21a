import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startTestCluster } from './test-cluster';
import { usePostgresCluster } from './test-hooks';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('throwaway PostgreSQL cluster', () => {
  it('serves a fresh database per test over its private socket', async () => {
    const url = await postgres.cluster().createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; n: number }>(
        "SELECT current_database() AS db, (SELECT COUNT(*)::int FROM pg_tables WHERE schemaname = 'public') AS n",
      );
      expect(rows[0]!.db).toMatch(/^t\d+_\d+$/);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('stops the server and deletes its folder at teardown', async () => {
    const cluster = startTestCluster();
    const socketDir = decodeURIComponent(new URL(cluster.url).searchParams.get('host')!);
    expect(existsSync(socketDir)).toBe(true);
    cluster.stop();
    expect(existsSync(socketDir)).toBe(false);
    const client = new pg.Client({ connectionString: cluster.url });
    await expect(client.connect()).rejects.toThrow();
  });
});
