// Reviewer edits of objects on either database (async, through Kysely), for the desktop and the
// team service alike (engine/services/object-edits.ts): the rows an edit reads, its checks and its
// writes are one transaction, each object is written only at the version the edit read, and the
// command is one audit entry with the objects' `before` and `after`, so undo reads it the same way. What an
// edit changes is the caller's plan (engine/review/object-edit-plans.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditEntryRow, ObjectState } from './rows';
import { toObjectState } from './browse-store';
import { NEXT_OBJECT_ID_SQL } from './object-id-blocks';
import { appendAudit, ReviewConflictError, type Db } from './review-store';
import type { DialectName, ProjectTables } from './schema';

/** The objects' rows an edit changes: `after` is written over `before`. */
export interface ObjectEditSpec {
  command: string;
  target: string;
  before: { objects: ObjectState[] };
  after: { objects: ObjectState[] };
}

/** Where an edited object sits, for the claim check: its image's batch and its QA's families. */
export interface ObjectPlace {
  objectId: number;
  batchId: number;
  families: string[];
}

/**
 * PostgreSQL: object edits, undo/redo of them and re-derivation writes of the project go one at a
 * time until the transaction ends, so two of them that lock the same object rows in a different
 * order (a label rename, a merge's undo, derived masks) wait instead of deadlocking. Pipeline
 * workers storing results take it `shared`: they do not wait for each other, but no edit commits
 * between a worker's check that its results were computed from the current objects and its
 * commit. Taken before any row lock. SQLite has one writer anyway.
 */
export async function lockObjectEdits(
  db: Db,
  dialect: DialectName,
  mode: 'exclusive' | 'shared' = 'exclusive',
): Promise<void> {
  if (dialect !== 'postgres') return;
  if (mode === 'shared')
    await sql`SELECT pg_advisory_xact_lock_shared(hashtext('sqw:object-edits'))`.execute(db);
  else await sql`SELECT pg_advisory_xact_lock(hashtext('sqw:object-edits'))`.execute(db);
}

/** An object's row, locked until the transaction ends on PostgreSQL. */
export async function readObjectState(
  db: Db,
  id: number,
  dialect: DialectName,
): Promise<ObjectState | undefined> {
  const row = await db
    .selectFrom('objects')
    .selectAll()
    .where('id', '=', id)
    .$if(dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
  return row && toObjectState(row);
}

/**
 * Writes `next` over the object's row when its version is still `expectedVersion`; returns the new
 * version, or null when another edit got there first (nothing is written then).
 */
export async function writeObjectState(
  db: Db,
  next: Omit<ObjectState, 'version'>,
  expectedVersion: number,
): Promise<number | null> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable('objects')
    .set((eb) => ({
      label: next.label,
      score: next.score,
      x0: next.box[0],
      y0: next.box[1],
      x1: next.box[2],
      y1: next.box[3],
      provenance: next.provenance,
      mask_rle: next.maskRle,
      mask_provenance: next.maskProvenance,
      // Snapshots written before these columns existed carry neither: the object had none.
      attributes_json: (next.attributes ?? []).length > 0 ? JSON.stringify(next.attributes) : null,
      excluded: next.excluded ?? null,
      deleted_at: next.deleted ? now : null,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', next.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? expectedVersion + 1 : null;
}

/** What an edit may read inside its transaction (rows it may write are locked on PostgreSQL). */
export class ObjectEditReads {
  constructor(
    readonly trx: Transaction<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  object(id: number): Promise<ObjectState | undefined> {
    return readObjectState(this.trx, id, this.dialect);
  }

  /** Live objects of an image, in id order. */
  async imageObjects(imageId: number): Promise<ObjectState[]> {
    const rows = await this.trx
      .selectFrom('objects')
      .selectAll()
      .where('image_id', '=', imageId)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .execute();
    return rows.map(toObjectState);
  }

  /** Live objects carrying any of `labels` anywhere in the project (label rename/merge). */
  async withLabels(labels: string[]): Promise<ObjectState[]> {
    if (labels.length === 0) return [];
    const rows = await this.trx
      .selectFrom('objects')
      .selectAll()
      .where('label', 'in', labels)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .execute();
    return rows.map(toObjectState);
  }

  async labelInUse(label: string): Promise<boolean> {
    const row = await this.trx
      .selectFrom('objects')
      .select('id')
      .where('label', '=', label)
      .where('deleted_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async image(
    imageId: number,
  ): Promise<{ width: number; height: number; batchId: number } | undefined> {
    return this.trx
      .selectFrom('images')
      .select(['width', 'height', 'batch_id as batchId'])
      .where('id', '=', imageId)
      .executeTakeFirst();
  }

  /** A box a reviewer drew, as a new live object (provenance 'human'). */
  async insertHumanObject(o: {
    imageId: number;
    label: string;
    box: [number, number, number, number];
  }): Promise<ObjectState> {
    const now = new Date().toISOString();
    const { id } = await this.trx
      .insertInto('objects')
      .values({
        // SQLite's rowid has no sequence: above every id in use or reserved for detection.
        ...(this.dialect === 'sqlite' ? { id: sql<number>`${sql.raw(NEXT_OBJECT_ID_SQL)}` } : {}),
        image_id: o.imageId,
        label: o.label,
        score: null,
        x0: o.box[0],
        y0: o.box[1],
        x1: o.box[2],
        y1: o.box[3],
        provenance: 'human',
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.object(id))!;
  }

  /**
   * Each object's image batch and the families of the QA that name it (a subject of their
   * record), orphaned ones included: what a claim on the queue could hold of it.
   */
  async places(objects: readonly ObjectState[]): Promise<ObjectPlace[]> {
    const imageIds = [...new Set(objects.map((o) => o.imageId))];
    const families = new Map<number, Set<string>>(objects.map((o) => [o.id, new Set()]));
    const batches = new Map<number, number>();
    for (let i = 0; i < imageIds.length; i += 500) {
      const chunk = imageIds.slice(i, i + 500);
      for (const r of await this.trx
        .selectFrom('images')
        .select(['id', 'batch_id'])
        .where('id', 'in', chunk)
        .execute())
        batches.set(r.id, r.batch_id);
      for (const q of await this.trx
        .selectFrom('qa_pairs')
        .select(['family', 'record_json'])
        .where('image_id', 'in', chunk)
        .execute()) {
        const subjects = subjectsOf(q.record_json);
        for (const s of subjects) families.get(s)?.add(q.family);
      }
    }
    return objects.map((o) => ({
      objectId: o.id,
      batchId: batches.get(o.imageId)!,
      families: [...families.get(o.id)!].sort(),
    }));
  }
}

export class ObjectEditStore {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Runs one reviewer edit: `plan` reads what it needs and says what changes, `guard` may refuse
   * it (a claim), then every changed object is written at the version the plan read and the
   * command is appended to the audit log — one transaction, all or nothing.
   */
  async execute(
    actor: string,
    plan: (reads: ObjectEditReads) => Promise<ObjectEditSpec>,
    guard?: (reads: ObjectEditReads, spec: ObjectEditSpec) => Promise<void>,
  ): Promise<AuditEntryRow> {
    return this.db.transaction().execute(async (trx) => {
      await lockObjectEdits(trx, this.dialect);
      const reads = new ObjectEditReads(trx, this.dialect);
      const spec = await plan(reads);
      await guard?.(reads, spec);
      const written: ObjectState[] = [];
      for (const next of spec.after.objects) {
        const seen = spec.before.objects.find((o) => o.id === next.id);
        const now = await reads.object(next.id);
        if (!now) throw new Error(`object not found: ${next.id}`);
        const version = seen?.version ?? now.version;
        if ((await writeObjectState(trx, next, version)) === null)
          throw new ReviewConflictError(
            `object #${now.id} (${now.label.slice(0, 60)}) was changed by someone else (you edited version ${version}, it is now at version ${now.version}); reload the image and edit again`,
          );
        written.push((await reads.object(next.id))!);
      }
      return appendAudit(trx, {
        actor,
        command: spec.command,
        target: spec.target,
        before: { objects: spec.before.objects, qa: [] },
        after: { objects: written, qa: [] },
        op: 'do',
        refId: null,
        imageIds: [...new Set([...spec.before.objects, ...written].map((o) => o.imageId))].sort(
          (a, b) => a - b,
        ),
      });
    });
  }
}

function subjectsOf(recordJson: string | null): number[] {
  if (!recordJson) return [];
  try {
    const s = (JSON.parse(recordJson) as { subjects?: unknown }).subjects;
    return Array.isArray(s) ? s.filter((x): x is number => typeof x === 'number') : [];
  } catch {
    return [];
  }
}
