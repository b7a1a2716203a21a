// The two databases every suite of the two-database layer runs against: a desktop project folder
// (SQLite) and a fresh database on the file's throwaway PostgreSQL cluster, both with the schema
// of db/store/migrations.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewImage } from './rows';
import { usePostgresCluster } from '../postgres/test-hooks';
import type { CatalogStore } from './catalog-store';
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

/** A batch without depth, as an import of `sourceFolder` makes one. */
export function testBatch(catalog: CatalogStore, sourceFolder = '/data'): Promise<number> {
  return catalog.createBatch({
    sourceFolder,
    depthFolder: null,
    depthEncoding: null,
    intrinsics: null,
  });
}

/** An image row of `relPath` under /data: 640×480 JPEG, given intrinsics, a thumbnail blob only. */
export function testImage(
  batchId: number,
  relPath: string,
  over: Partial<NewImage> = {},
): NewImage {
  return {
    batchId,
    sourcePath: `/data/${relPath}`,
    relPath,
    fileName: relPath.split('/').pop()!,
    sha256: `sha-${relPath}`,
    bytes: 1000,
    format: 'jpeg',
    width: 640,
    height: 480,
    orientation: 1,
    exif: null,
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5, source: 'given' },
    uprightBlob: null,
    thumbBlob: `thumbs/${relPath}`,
    depthBlob: null,
    depthPreviewBlob: null,
    depth: null,
    ...over,
  };
}
