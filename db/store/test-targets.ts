// The two databases every suite of the two-database layer runs against: a desktop project folder
// (SQLite, schema from db/migrations.ts) and a fresh database on the file's throwaway PostgreSQL
// cluster (schema from db/store/migrations.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePostgresCluster } from '../postgres/test-hooks';
import { openPostgresProject, openSqliteProject, type ProjectDb } from './connect';
import type { DialectName } from './schema';

export interface TestTarget {
  name: DialectName;
  /** Why this target is skipped here, or null. */
  skipReason: string | null;
  open(): Promise<ProjectDb>;
}

export function storeTargets(): TestTarget[] {
  const postgres = usePostgresCluster();
  return [
    {
      name: 'sqlite',
      skipReason: null,
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'sqw-store-'));
        const project = openSqliteProject(dir);
        return {
          ...project,
          async close() {
            await project.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      skipReason: postgres.skipReason,
      async open() {
        return openPostgresProject(await postgres.cluster().createDatabase());
      },
    },
  ];
}
