// Objects imported from an annotation file (COCO) on either database (async, through Kysely). Each
// carries an external id naming its file and annotation, so a re-import adds nothing twice; the
// check and the insert are one transaction (on PostgreSQL under a lock that imports of
// annotations take in turn, as two at once would both find an object missing).
import { sql, type Kysely } from 'kysely';
import type { NewObject } from './rows';
import { NEXT_OBJECT_ID_SQL } from './object-id-blocks';
import type { DialectName, ProjectTables } from './schema';

/** An object to import: its external id is required (it is how a re-import recognises it). */
export type ImportedObject = NewObject & { externalId: string };

/**
 * PostgreSQL: annotation imports write one at a time until the transaction ends (two at once would
 * both find an object missing). SQLite has one writer anyway.
 */
export async function lockAnnotationImports(
  db: Kysely<ProjectTables>,
  dialect: DialectName,
): Promise<void> {
  if (dialect === 'postgres')
    await sql`SELECT pg_advisory_xact_lock(hashtext('sqw:annotation-import'))`.execute(db);
}

const key = (imageId: number, externalId: string) => `${imageId} ${externalId}`;
/** Ids per query, well under SQLite's bound-parameter limit. */
const IDS_PER_QUERY = 500;

export class AnnotationImportStore {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Which of these (image, external id) pairs have an object already (deleted ones included: a
   * reviewer's deletion is not undone by importing the file again).
   */
  async present(
    objects: ReadonlyArray<{ imageId: number; externalId: string }>,
  ): Promise<Set<string>> {
    return presentIn(this.db, objects);
  }

  /**
   * In one transaction, the objects not present yet; returns how many of them were added (the
   * rest were added meanwhile by another import of the same file).
   */
  async add(objects: readonly ImportedObject[]): Promise<number> {
    if (objects.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      await lockAnnotationImports(trx, this.dialect);
      const there = await presentIn(trx, objects);
      const now = new Date().toISOString();
      const rows = objects
        .filter((o) => !there.has(key(o.imageId, o.externalId)))
        .map((o) => ({
          image_id: o.imageId,
          label: o.label,
          score: o.score,
          x0: o.box[0],
          y0: o.box[1],
          x1: o.box[2],
          y1: o.box[3],
          provenance: o.provenance,
          mask_rle: o.maskRle ?? null,
          mask_provenance: o.maskProvenance ?? null,
          external_id: o.externalId,
          created_at: now,
        }));
      if (this.dialect === 'postgres') {
        // The identity column gives ids (above any block a run reserved: object-id-blocks.ts).
        for (let i = 0; i < rows.length; i += IDS_PER_QUERY)
          await trx
            .insertInto('objects')
            .values(rows.slice(i, i + IDS_PER_QUERY))
            .execute();
      } else {
        // SQLite's rowid has no sequence: each takes an id above every one in use or reserved.
        for (const row of rows)
          await trx
            .insertInto('objects')
            .values({ ...row, id: sql<number>`${sql.raw(NEXT_OBJECT_ID_SQL)}` })
            .execute();
      }
      return rows.length;
    });
  }
}

async function presentIn(
  db: Kysely<ProjectTables>,
  objects: ReadonlyArray<{ imageId: number; externalId: string }>,
): Promise<Set<string>> {
  // By image (the objects_external index leads with image_id), the external ids compared here.
  const imageIds = [...new Set(objects.map((o) => o.imageId))];
  const out = new Set<string>();
  for (let i = 0; i < imageIds.length; i += IDS_PER_QUERY) {
    const rows = await db
      .selectFrom('objects')
      .select(['image_id', 'external_id'])
      .where('image_id', 'in', imageIds.slice(i, i + IDS_PER_QUERY))
      .where('external_id', 'is not', null)
      .execute();
    for (const r of rows) out.add(key(r.image_id, r.external_id!));
  }
  const wanted = new Set(objects.map((o) => key(o.imageId, o.externalId)));
  return new Set([...out].filter((k) => wanted.has(k)));
}
