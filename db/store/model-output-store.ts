// What the model stages write per image, on either database: detected objects, model depth and
// model intrinsics. Methods do not open transactions: the desktop's image run writes each model
// stage's output in a transaction of its own, a team worker an image's results in the job's
// completing transaction.
import { sql, type Kysely } from 'kysely';
import { NEXT_OBJECT_ID_SQL } from './object-id-blocks';
import type { DialectName, ProjectTables } from './schema';

export interface DetectedObject {
  /**
   * Known before this write (the image's reserved block, else reserveObjectIds), so the later
   * stages could use it before the objects are stored.
   */
  id: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
}

export class ModelOutputStore {
  constructor(private readonly db: Kysely<ProjectTables>) {}

  /**
   * `n` new object ids, ascending, taken from the objects' identity sequence in a transaction of
   * their own, for an image the run reserved no block for (it had objects when the run started:
   * db/store/object-id-blocks.ts): a worker computes the graph and QA of detected objects before it
   * stores them, and QA ids hash the objects' ids. An attempt that never stores its objects leaves
   * a gap, nothing else. PostgreSQL only: on SQLite one writer stores as it goes (the desktop's
   * image run).
   */
  async reserveObjectIds(n: number, dialect: DialectName): Promise<number[]> {
    if (n === 0) return [];
    if (dialect !== 'postgres')
      throw new Error('object ids are reserved ahead only on PostgreSQL (a team project)');
    return this.db.transaction().execute(async (trx) => {
      // As an insert does: waits while a run reserves its blocks (reserveObjectIdBlocks).
      await sql`LOCK TABLE objects IN ROW EXCLUSIVE MODE`.execute(trx);
      const { rows } = await sql<{ id: string | number }>`
        SELECT nextval(pg_get_serial_sequence('objects', 'id')) AS id
        FROM generate_series(1, ${n}) ORDER BY 1`.execute(trx);
      return rows.map((r) => Number(r.id));
    });
  }

  /**
   * SQLite (a desktop run): the next `n` free object ids, above every id in use or reserved in a
   * run's block (NEXT_OBJECT_ID_SQL), for an image the run reserved no block for. Call inside the
   * transaction that stores them: SQLite has one writer, so no one takes them meanwhile.
   */
  async nextFreeObjectIds(n: number, dialect: DialectName): Promise<number[]> {
    if (n === 0) return [];
    if (dialect !== 'sqlite') throw new Error('free object ids are read ahead only on SQLite');
    const { rows } = await sql<{ id: number }>`SELECT ${sql.raw(NEXT_OBJECT_ID_SQL)} AS id`.execute(
      this.db,
    );
    const first = Number(rows[0]!.id);
    return Array.from({ length: n }, (_, i) => first + i);
  }

  async addDetectedObjects(imageId: number, objects: readonly DetectedObject[]): Promise<void> {
    if (objects.length === 0) return;
    const now = new Date().toISOString();
    await this.db
      .insertInto('objects')
      .values(
        objects.map((o) => ({
          id: o.id,
          image_id: imageId,
          label: o.label,
          score: o.score,
          x0: o.box[0],
          y0: o.box[1],
          x1: o.box[2],
          y1: o.box[3],
          provenance: 'model',
          mask_rle: null,
          mask_provenance: null,
          external_id: null,
          created_at: now,
        })),
      )
      .execute();
  }

  /** Model depth replaces no sensor depth: the caller checks the image has none (or model depth). */
  async setModelDepth(
    imageId: number,
    blob: { depth: string; preview: string; info: Record<string, unknown> },
  ): Promise<void> {
    await this.db
      .updateTable('images')
      .set({
        depth_blob: blob.depth,
        depth_preview_blob: blob.preview,
        depth_json: JSON.stringify(blob.info),
      })
      .where('id', '=', imageId)
      .execute();
  }

  async setModelIntrinsics(
    imageId: number,
    k: { fx: number; fy: number; cx: number; cy: number },
  ): Promise<void> {
    await this.db
      .updateTable('images')
      .set({ fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, intrinsics_source: 'model' })
      .where('id', '=', imageId)
      .execute();
  }
}
