// Objects, QA pairs and review decisions. Later issues fill these tables (perception, QA synthesis,
// review UI); the foundation reads them and records decisions with their audit entry in one
// transaction.
import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { NEXT_OBJECT_ID_SQL } from '../store/object-id-blocks';

export interface ObjectRow {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
  provenance: 'model' | 'human' | 'imported';
  maskProvenance: 'model' | 'depth-cluster' | 'imported' | 'human' | null;
}

export interface NewObject extends Omit<ObjectRow, 'id' | 'maskProvenance'> {
  /** COCO RLE as JSON ({size, counts}), original-image pixels. */
  maskRle?: string | null;
  maskProvenance?: 'model' | 'depth-cluster' | 'imported' | 'human' | null;
  /** Where the object came from, e.g. `coco:<file sha>:<annotation id>`, so re-imports add nothing twice. */
  externalId?: string | null;
  /** A detected object's id from its image's reserved block; absent: the next free id. */
  id?: number;
}

export interface QaRow {
  id: number;
  imageId: number;
  family: string;
  question: string;
  answer: string;
  /** 'orphaned': its facts vanished (an object deleted); kept with its decision, never exported. */
  status: 'proposed' | 'approved' | 'rejected' | 'edited' | 'changed' | 'orphaned';
}

export type QaKind = 'qualitative' | 'quantitative' | 'multi-hop';

export interface ReviewRow {
  id: number;
  qaId: number;
  decision: 'approve' | 'reject' | 'edit' | 'skip';
  reason: string | null;
  editedAnswer: string | null;
  reviewer: string;
  createdAt: string;
}

const STATUS_AFTER: Record<ReviewRow['decision'], QaRow['status'] | null> = {
  approve: 'approved',
  reject: 'rejected',
  edit: 'edited',
  skip: null,
};

export class AnnotationRepository {
  /** Reads of objects and QA for review (edits, decisions and undo are db/store's). */
  readonly edits: ReviewEditRepository;

  constructor(private readonly db: Database) {
    this.edits = new ReviewEditRepository(db);
  }

  objects(imageId: number): ObjectRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, image_id AS imageId, label, score, x0, y0, x1, y1, provenance, mask_provenance AS maskProvenance
         FROM objects WHERE image_id = ? AND deleted_at IS NULL ORDER BY id`,
      )
      .all(imageId) as Array<
      Omit<ObjectRow, 'box'> & { x0: number; y0: number; x1: number; y1: number }
    >;
    return rows.map(({ x0, y0, x1, y1, ...r }) => ({ ...r, box: [x0, y0, x1, y1] }));
  }

  addObject(o: NewObject): number {
    const info = this.db
      .prepare(
        `INSERT INTO objects (id, image_id, label, score, x0, y0, x1, y1, provenance, mask_rle, mask_provenance,
           external_id, created_at) VALUES (COALESCE(?, ${NEXT_OBJECT_ID_SQL}), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.id ?? null,
        o.imageId,
        o.label,
        o.score,
        ...o.box,
        o.provenance,
        o.maskRle ?? null,
        o.maskProvenance ?? null,
        o.externalId ?? null,
        new Date().toISOString(),
      );
    return Number(info.lastInsertRowid);
  }

  /** Objects of one image with their stored masks, for the stages that lift them to 3D. */
  objectsWithMasks(imageId: number): Array<
    ObjectRow & {
      maskRle: string | null;
      maskProvenance: string | null;
      attributes: string[];
      excluded: ObjectExclusion | null;
    }
  > {
    const rows = this.db
      .prepare(
        `SELECT id, image_id AS imageId, label, score, x0, y0, x1, y1, provenance, mask_rle AS maskRle,
                mask_provenance AS maskProvenance, attributes_json AS attributesJson, excluded
         FROM objects WHERE image_id = ? AND deleted_at IS NULL ORDER BY id`,
      )
      .all(imageId) as Array<
      Omit<ObjectRow, 'box'> & {
        x0: number;
        y0: number;
        x1: number;
        y1: number;
        maskRle: string | null;
        maskProvenance: string | null;
        attributesJson: string | null;
        excluded: ObjectExclusion | null;
      }
    >;
    return rows.map(({ x0, y0, x1, y1, attributesJson, ...r }) => ({
      ...r,
      box: [x0, y0, x1, y1],
      attributes: parseAttributes(attributesJson),
    }));
  }

  qa(imageId: number): QaRow[] {
    return this.db
      .prepare(
        'SELECT id, image_id AS imageId, family, question, answer, status FROM qa_pairs WHERE image_id = ? ORDER BY id',
      )
      .all(imageId) as QaRow[];
  }

  getQa(id: number): QaRow | undefined {
    return this.db
      .prepare(
        'SELECT id, image_id AS imageId, family, question, answer, status FROM qa_pairs WHERE id = ?',
      )
      .get(id) as QaRow | undefined;
  }

  addQa(q: Omit<QaRow, 'id' | 'status'> & { value?: unknown }): number {
    const info = this.db
      .prepare(
        'INSERT INTO qa_pairs (image_id, family, question, answer, value_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        q.imageId,
        q.family,
        q.question,
        q.answer,
        q.value === undefined ? null : JSON.stringify(q.value),
        new Date().toISOString(),
      );
    return Number(info.lastInsertRowid);
  }

  reviews(qaId: number): ReviewRow[] {
    return this.db
      .prepare(
        `SELECT id, qa_id AS qaId, decision, reason, edited_answer AS editedAnswer, reviewer, created_at AS createdAt
         FROM review_decisions WHERE qa_id = ? ORDER BY id`,
      )
      .all(qaId) as ReviewRow[];
  }

  /** Decision, QA status and audit entry are written together or not at all. */
  recordDecision(d: Omit<ReviewRow, 'id' | 'createdAt'>): ReviewRow {
    return this.db.transaction(() => {
      const before = this.getQa(d.qaId);
      if (!before) throw new Error(`QA pair not found: ${d.qaId}`);
      const createdAt = new Date().toISOString();
      const info = this.db
        .prepare(
          'INSERT INTO review_decisions (qa_id, decision, reason, edited_answer, reviewer, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(d.qaId, d.decision, d.reason, d.editedAnswer, d.reviewer, createdAt);
      const status = STATUS_AFTER[d.decision];
      if (status) {
        this.db
          .prepare('UPDATE qa_pairs SET status = ?, answer = COALESCE(?, answer) WHERE id = ?')
          .run(status, d.decision === 'edit' ? d.editedAnswer : null, d.qaId);
      }
      const after = this.getQa(d.qaId);
      this.db
        .prepare(
          'INSERT INTO audit_log (actor, command, target, before_json, after_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          d.reviewer,
          `review.${d.decision}`,
          `qa:${d.qaId}`,
          JSON.stringify(before),
          JSON.stringify(after),
          createdAt,
        );
      return { ...d, id: Number(info.lastInsertRowid), createdAt };
    })();
  }

  auditCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  }
}

// --- review edits -------------------------------------------------------------------------------

/** Why a reviewer took an object out of QA: background clutter, or not sure what it is. */
export type ObjectExclusion = 'background' | 'unsure';

/** Everything needed to put an object back exactly as it was (undo/redo restore these). */
export interface ObjectState {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
  provenance: ObjectRow['provenance'];
  maskRle: string | null;
  maskProvenance: ObjectRow['maskProvenance'];
  /** Distinguishing attributes a reviewer added ("red", "on the left"), used in referring expressions. */
  attributes: string[];
  /** Excluded from QA by a reviewer, with why; null = in QA. */
  excluded: ObjectExclusion | null;
  deleted: boolean;
  /** Bumped by every edit; an edit made against an older version is stale. */
  version: number;
}

/** A QA pair's reviewable state; `revision` changes whenever status, answer or facts change. */
export interface QaState {
  id: number;
  imageId: number;
  status: QaRow['status'];
  answer: string;
  revision: string;
}

/** What the review UI and the approval checks read of a QA pair. */
export interface QaReviewRow extends QaRow {
  kind: QaKind | null;
  key: string | null;
  factHash: string | null;
  value: unknown;
  record: Record<string, unknown> | null;
  revision: string;
  batchId: number;
  fileName: string;
  /** The fact this QA phrases (null for pairs stored without a generated record). */
  factId: string | null;
  /** How many live phrasings the fact has (this one included); a decision applies to all. */
  phrasings: number;
}

export interface AuditEntryRow {
  id: number;
  actor: string;
  command: string;
  target: string;
  before: unknown;
  after: unknown;
  createdAt: string;
  /** 'do' | 'undo' | 'redo' for undoable commands, 'log' for decisions with nothing to undo, null for legacy rows. */
  op: 'do' | 'undo' | 'redo' | 'log' | null;
  refId: number | null;
  imageIds: number[];
}

export interface QaQueueFilter {
  batchId?: number;
  imageId?: number;
  family?: string;
  statuses?: readonly QaRow['status'][];
  offset: number;
  limit: number;
}

type ObjectDbRow = {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  provenance: ObjectRow['provenance'];
  maskRle: string | null;
  maskProvenance: ObjectRow['maskProvenance'];
  attributesJson: string | null;
  excluded: ObjectExclusion | null;
  deletedAt: string | null;
  version: number;
};

const OBJECT_COLUMNS = `id, image_id AS imageId, label, score, x0, y0, x1, y1, provenance, mask_rle AS maskRle,
  mask_provenance AS maskProvenance, attributes_json AS attributesJson, excluded, deleted_at AS deletedAt, version`;

function toState({ x0, y0, x1, y1, deletedAt, attributesJson, ...r }: ObjectDbRow): ObjectState {
  return {
    ...r,
    box: [x0, y0, x1, y1],
    attributes: parseAttributes(attributesJson),
    deleted: deletedAt !== null,
  };
}

export function parseAttributes(json: string | null): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

export function qaRevision(status: string, answer: string, factHash: string | null): string {
  return createHash('sha1')
    .update(`${status}\0${answer}\0${factHash ?? ''}`)
    .digest('hex')
    .slice(0, 12);
}

const QA_REVIEW_COLUMNS = `q.id, q.image_id AS imageId, q.family, q.question, q.answer, q.status, q.kind, q.qa_key AS key,
  q.fact_hash AS factHash, q.value_json AS v, q.record_json AS r, i.batch_id AS batchId, i.file_name AS fileName,
  q.fact_id AS factId,
  CASE WHEN q.fact_id IS NULL THEN 1 ELSE (SELECT COUNT(*) FROM qa_pairs s
    WHERE s.image_id = q.image_id AND s.fact_id = q.fact_id AND s.status <> 'orphaned') END AS phrasings`;

/**
 * One row per fact: the phrasing a reviewer sees for it. Open phrasings first (a fact with any
 * changed or proposed phrasing still needs a decision), then a referring expression over region
 * tokens (it reads as a sentence), then the oldest.
 */
const FACT_ORDER = `PARTITION BY q.image_id, COALESCE(q.fact_id, 'qa:' || q.id)
  ORDER BY CASE q.status WHEN 'changed' THEN 0 WHEN 'proposed' THEN 1 ELSE 2 END,
    CASE q.naming WHEN 'expression' THEN 0 ELSE 1 END, q.id`;

type QaDbRow = Omit<QaReviewRow, 'value' | 'record' | 'revision'> & {
  v: string | null;
  r: string | null;
};

function toQaReview({ v, r, ...row }: QaDbRow): QaReviewRow {
  return {
    ...row,
    value: v ? JSON.parse(v) : null,
    record: r ? (JSON.parse(r) as Record<string, unknown>) : null,
    revision: qaRevision(row.status, row.answer, row.factHash),
  };
}

/**
 * The review side of objects and QA, synchronous: the desktop's queue and image reads. Edits,
 * decisions and undo go through the two-database layer (db/store: object-edit, review, undo).
 */
export class ReviewEditRepository {
  constructor(private readonly db: Database) {}

  objectState(id: number): ObjectState | undefined {
    const row = this.db.prepare(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE id = ?`).get(id) as
      ObjectDbRow | undefined;
    return row ? toState(row) : undefined;
  }

  /** Live (not deleted) objects of an image with masks and versions. */
  objectStates(imageId: number): ObjectState[] {
    return (
      this.db
        .prepare(
          `SELECT ${OBJECT_COLUMNS} FROM objects WHERE image_id = ? AND deleted_at IS NULL ORDER BY id`,
        )
        .all(imageId) as ObjectDbRow[]
    ).map(toState);
  }

  /** Live objects carrying `label` anywhere in the project (label rename/merge). */
  objectStatesWithLabel(label: string): ObjectState[] {
    return (
      this.db
        .prepare(
          `SELECT ${OBJECT_COLUMNS} FROM objects WHERE label = ? AND deleted_at IS NULL ORDER BY id`,
        )
        .all(label) as ObjectDbRow[]
    ).map(toState);
  }

  /**
   * Writes `next` over the object's row when its version is still `expectedVersion`; returns the
   * new version, or null when another edit got there first (nothing is written then).
   */
  writeObjectState(next: Omit<ObjectState, 'version'>, expectedVersion: number): number | null {
    const info = this.db
      .prepare(
        `UPDATE objects SET label = ?, score = ?, x0 = ?, y0 = ?, x1 = ?, y1 = ?, provenance = ?, mask_rle = ?,
           mask_provenance = ?, attributes_json = ?, excluded = ?, deleted_at = ?, version = version + 1,
           updated_at = ?
         WHERE id = ? AND version = ?`,
      )
      .run(
        next.label,
        next.score,
        ...next.box,
        next.provenance,
        next.maskRle,
        next.maskProvenance,
        // Snapshots written before these columns existed carry neither: the object had none.
        (next.attributes ?? []).length > 0 ? JSON.stringify(next.attributes) : null,
        next.excluded ?? null,
        next.deleted ? new Date().toISOString() : null,
        new Date().toISOString(),
        next.id,
        expectedVersion,
      );
    return info.changes === 1 ? expectedVersion + 1 : null;
  }

  insertHumanObject(o: {
    imageId: number;
    label: string;
    box: [number, number, number, number];
  }): ObjectState {
    const now = new Date().toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO objects (id, image_id, label, score, x0, y0, x1, y1, provenance, created_at, updated_at)
         VALUES (${NEXT_OBJECT_ID_SQL}, ?, ?, NULL, ?, ?, ?, ?, 'human', ?, ?)`,
      )
      .run(o.imageId, o.label, ...o.box, now, now);
    return this.objectState(Number(info.lastInsertRowid))!;
  }

  qaReview(id: number): QaReviewRow | undefined {
    const row = this.db
      .prepare(
        `SELECT ${QA_REVIEW_COLUMNS} FROM qa_pairs q JOIN images i ON i.id = q.image_id WHERE q.id = ?`,
      )
      .get(id) as QaDbRow | undefined;
    return row ? toQaReview(row) : undefined;
  }

  /** The image's facts, each as its representative phrasing (FACT_ORDER), by QA id. */
  qaReviewForImage(imageId: number): QaReviewRow[] {
    return (
      this.db
        .prepare(
          `WITH f AS (SELECT q.id, ROW_NUMBER() OVER (${FACT_ORDER}) AS rn FROM qa_pairs q WHERE q.image_id = ?)
           SELECT ${QA_REVIEW_COLUMNS} FROM f JOIN qa_pairs q ON q.id = f.id JOIN images i ON i.id = q.image_id
           WHERE f.rn = 1 ORDER BY q.id`,
        )
        .all(imageId) as QaDbRow[]
    ).map(toQaReview);
  }

  /**
   * Facts across the project or a batch, one representative phrasing each (FACT_ORDER) among the
   * phrasings that pass the filter: 'changed' first, then proposed, then the rest; by image.
   */
  qaQueue(f: QaQueueFilter): { total: number; items: QaReviewRow[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.batchId !== undefined) {
      where.push('i.batch_id = ?');
      args.push(f.batchId);
    }
    if (f.imageId !== undefined) {
      where.push('q.image_id = ?');
      args.push(f.imageId);
    }
    if (f.family !== undefined) {
      where.push('q.family = ?');
      args.push(f.family);
    }
    if (f.statuses && f.statuses.length > 0) {
      where.push(`q.status IN (${f.statuses.map(() => '?').join(', ')})`);
      args.push(...f.statuses);
    }
    const facts = `WITH f AS (SELECT q.id, ROW_NUMBER() OVER (${FACT_ORDER}) AS rn
      FROM qa_pairs q JOIN images i ON i.id = q.image_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''})`;
    const total = (
      this.db.prepare(`${facts} SELECT COUNT(*) AS n FROM f WHERE f.rn = 1`).get(...args) as {
        n: number;
      }
    ).n;
    const items = (
      this.db
        .prepare(
          `${facts} SELECT ${QA_REVIEW_COLUMNS} FROM f JOIN qa_pairs q ON q.id = f.id
             JOIN images i ON i.id = q.image_id
           WHERE f.rn = 1
           ORDER BY CASE q.status WHEN 'changed' THEN 0 WHEN 'proposed' THEN 1 ELSE 2 END, q.image_id, q.id
           LIMIT ? OFFSET ?`,
        )
        .all(...args, f.limit, f.offset) as QaDbRow[]
    ).map(toQaReview);
    return { total, items };
  }

  /** QA families present in the project (queue filters). */
  qaFamilies(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT family FROM qa_pairs ORDER BY family').all() as Array<{
        family: string;
      }>
    ).map((r) => r.family);
  }
}
