// One throwaway cluster per test file that needs PostgreSQL, started before its tests and deleted
// after them; skipped (with the reason the global setup printed) where PostgreSQL cannot run.
import { afterAll, beforeAll, inject } from 'vitest';
import { startTestCluster, type TestCluster } from './test-cluster';

export interface PostgresForTests {
  /** Why PostgreSQL tests are skipped here, or null. Use with describe.skipIf. */
  skipReason: string | null;
  /** The file's cluster (throws before beforeAll or when skipped). */
  cluster(): TestCluster;
}

export function usePostgresCluster(): PostgresForTests {
  const skipReason = inject('postgresSkipReason') ?? null;
  let cluster: TestCluster | null = null;
  if (!skipReason) {
    beforeAll(() => {
      cluster = startTestCluster();
    });
    afterAll(() => cluster?.stop());
  }
  return {
    skipReason,
    cluster() {
      if (!cluster) throw new Error(skipReason ?? 'the PostgreSQL test cluster is not started yet');
      return cluster;
    },
  };
}
