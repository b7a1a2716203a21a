// What tests outside db/ read or force on a project through the layer's Kysely handle (either
// database) that its stores have no call for: whole tables and cross-image rows to compare, and an
// import caught mid-way. Kept here because nothing outside db/ writes SQL.
import type { Kysely } from 'kysely';
import { lockAnnotationImports } from '../annotation-import-store';
import type { DialectName, ProjectTables } from '../schema';

type Db = Kysely<ProjectTables>;

/** Every row (all columns) of the tables an import writes, each in id order. */
export async function importTables(db: Db) {
  return {
    batches: await db.selectFrom('batches').selectAll().orderBy('id').execute(),
    images: await db.selectFrom('images').selectAll().orderBy('id').execute(),
    issues: await db.selectFrom('import_issues').selectAll().orderBy('id').execute(),
    objects: await db.selectFrom('objects').selectAll().orderBy('id').execute(),
  };
}

/** Images with at least one object (deleted ones included): id, path and depth file, by id. */
export function imagesWithObjects(
  db: Db,
): Promise<Array<{ id: number; rel_path: string; depth_blob: string | null }>> {
  return db
    .selectFrom('images as i')
    .select(['i.id', 'i.rel_path', 'i.depth_blob'])
    .where((eb) =>
      eb.exists(eb.selectFrom('objects as o').select('o.id').whereRef('o.image_id', '=', 'i.id')),
    )
    .orderBy('i.id')
    .execute();
}

/** Every object (deleted ones included) as an import stores it, by id. */
export function objectsById(db: Db) {
  return db
    .selectFrom('objects')
    .select(['image_id', 'label', 'score', 'x0', 'y0', 'x1', 'y1', 'mask_rle', 'external_id'])
    .orderBy('id')
    .execute();
}

/** Objects stored (deleted ones included). */
export async function objectCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('objects')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every QA row's fact and wording, by QA key: equal on two projects that drew the same facts. */
export function qaFactsByKey(db: Db) {
  return db
    .selectFrom('qa_pairs')
    .select(['image_id', 'qa_key', 'fact_id', 'question', 'answer'])
    .orderBy('qa_key')
    .execute();
}

/** The lowest id of a QA row with this status (throws when there is none). */
export async function firstQaIdWithStatus(db: Db, status: string): Promise<number> {
  const row = await db
    .selectFrom('qa_pairs')
    .select('id')
    .where('status', '=', status)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Another annotation import caught mid-way: under the imports' lock it has written `object` and
 * not committed while `meanwhile` runs; it commits once `meanwhile` settles.
 */
export async function duringUncommittedImport(
  db: Db,
  dialect: DialectName,
  object: {
    imageId: number;
    label: string;
    box: [number, number, number, number];
    externalId: string;
  },
  meanwhile: () => Promise<void>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockAnnotationImports(trx, dialect);
    await trx
      .insertInto('objects')
      .values({
        image_id: object.imageId,
        label: object.label,
        x0: object.box[0],
        y0: object.box[1],
        x1: object.box[2],
        y1: object.box[3],
        provenance: 'imported',
        external_id: object.externalId,
        created_at: new Date().toISOString(),
      })
      .execute();
    await meanwhile();
  });
}
