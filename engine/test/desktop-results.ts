// Pipeline results written into a desktop project by tests as its pipeline writes them: through
// the two-database layer's SceneStore on the project's own connection (project.sqlite).
import type { Kysely } from 'kysely';
import type { ProjectStore } from '../../db/project-store';
import type { QaUpsertCounts } from '../../db/rules/qa-upsert-plan';
import type { StageRecord } from '../../db/store/rows';
import { sqliteHandle } from '../../db/store/connect';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectTables } from '../../db/store/schema';
import type { QaResult } from '../../spatial/qa/types';
import { storeQa } from '../pipeline/qa-stage';
import { rederiveImage } from '../pipeline/rederive-image';
import { FolderBlobStore } from '../team/blob-store';

/** The layer's SceneStore on the project's connection: reads, and writes of one statement. */
export function desktopScene(store: ProjectStore): SceneStore {
  return new SceneStore(sqliteHandle(store.db));
}

/** `fn`'s writes in one transaction, as a stage writes an image's results. */
export function writeResults<T>(
  store: ProjectStore,
  fn: (scene: SceneStore, trx: Kysely<ProjectTables>) => Promise<T>,
): Promise<T> {
  return sqliteHandle(store.db)
    .transaction()
    .execute((trx) => fn(new SceneStore(trx), trx));
}

/** One image's generated QA and ambiguities, stored as the QA stage stores them. */
export function storeQaResult(
  store: ProjectStore,
  imageId: number,
  result: QaResult,
): Promise<QaUpsertCounts> {
  return writeResults(store, (scene) => storeQa(scene, imageId, result));
}

/**
 * The image's graph (masks derived from depth) and QA computed from its stored objects and depth
 * and stored, as after an edit (rederive-image.ts); QA with the seed its last QA record names, else
 * '1'. Returns the graph stage's record.
 */
export async function deriveGraphAndQa(
  store: ProjectStore,
  imageId: number,
): Promise<StageRecord | undefined> {
  await rederiveImage(
    { db: sqliteHandle(store.db), dialect: 'sqlite' },
    new FolderBlobStore(store.blobsDir),
    imageId,
  );
  return (await desktopScene(store).stageRecords(imageId)).find((r) => r.stage === 'graph');
}
