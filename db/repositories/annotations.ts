// Objects, QA pairs and review decisions. Later issues fill these tables (perception, QA synthesis,
// review UI); the foundation reads them and records decisions with their audit entry in one
// transaction.
import type { Database } from 'better-sqlite3';

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
}

export interface QaRow {
  id: number;
  imageId: number;
  family: string;
  question: string;
  answer: string;
  status: 'proposed' | 'approved' | 'rejected' | 'edited' | 'changed';
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
  constructor(private readonly db: Database) {}

  objects(imageId: number): ObjectRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, image_id AS imageId, label, score, x0, y0, x1, y1, provenance, mask_provenance AS maskProvenance
         FROM objects WHERE image_id = ? ORDER BY id`,
      )
      .all(imageId) as Array<
      Omit<ObjectRow, 'box'> & { x0: number; y0: number; x1: number; y1: number }
    >;
    return rows.map(({ x0, y0, x1, y1, ...r }) => ({ ...r, box: [x0, y0, x1, y1] }));
  }

  addObject(o: NewObject): number {
    const info = this.db
      .prepare(
        `INSERT INTO objects (image_id, label, score, x0, y0, x1, y1, provenance, mask_rle, mask_provenance,
           external_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
  objectsWithMasks(
    imageId: number,
  ): Array<ObjectRow & { maskRle: string | null; maskProvenance: string | null }> {
    const rows = this.db
      .prepare(
        `SELECT id, image_id AS imageId, label, score, x0, y0, x1, y1, provenance, mask_rle AS maskRle,
                mask_provenance AS maskProvenance
         FROM objects WHERE image_id = ? ORDER BY id`,
      )
      .all(imageId) as Array<
      Omit<ObjectRow, 'box'> & {
        x0: number;
        y0: number;
        x1: number;
        y1: number;
        maskRle: string | null;
        maskProvenance: string | null;
      }
    >;
    return rows.map(({ x0, y0, x1, y1, ...r }) => ({ ...r, box: [x0, y0, x1, y1] }));
  }

  setMask(
    objectId: number,
    maskRle: string,
    provenance: NonNullable<NewObject['maskProvenance']>,
  ): void {
    this.db
      .prepare('UPDATE objects SET mask_rle = ?, mask_provenance = ? WHERE id = ?')
      .run(maskRle, provenance, objectId);
  }

  hasExternalObject(imageId: number, externalId: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM objects WHERE image_id = ? AND external_id = ?')
        .get(imageId, externalId) !== undefined
    );
  }

  qa(imageId: number): QaRow[] {
    return this.db
      .prepare(
        'SELECT id, image_id AS imageId, family, question, answer, status FROM qa_pairs WHERE image_id = ? ORDER BY id',
      )
      .all(imageId) as QaRow[];
  }

  /** QA of one image with what the review UI shows: kind, subjects, machine value and unit. */
  qaDetails(
    imageId: number,
  ): Array<
    QaRow & { kind: QaKind | null; subjects: number[]; value: unknown; unit: string | null }
  > {
    const rows = this.db
      .prepare(
        `SELECT id, image_id AS imageId, family, question, answer, status, kind, value_json AS v, record_json AS r
         FROM qa_pairs WHERE image_id = ? ORDER BY id`,
      )
      .all(imageId) as Array<QaRow & { kind: QaKind | null; v: string | null; r: string | null }>;
    return rows.map(({ v, r, ...row }) => {
      const record = r ? (JSON.parse(r) as { subjects?: number[]; unit?: string | null }) : {};
      return {
        ...row,
        subjects: record.subjects ?? [],
        value: v ? JSON.parse(v) : null,
        unit: record.unit ?? null,
      };
    });
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
