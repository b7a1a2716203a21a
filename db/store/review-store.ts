// The human work of a project on either database: review decisions per fact and the audit log
// (async, through Kysely; the exports table is export-store.ts's), for the desktop and the team
// service alike (engine/services/review-decisions.ts): a decision on one phrasing decides the
// fact's live phrasings, all in one transaction with its audit entry, in the audit format the
// object edits write too (object-edit-store.ts), so one undo reads both.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuditEntryRow, QaState, ReviewRow } from './rows';
import { qaRevision } from './rows';
import { siblingStatus, supersededReason } from '../rules/fact-decisions';
import type { DialectName, ProjectTables } from './schema';

export interface FactDecision {
  qaId: number;
  decision: ReviewRow['decision'];
  reason?: string | null;
  editedAnswer?: string | null;
  reviewer: string;
  /** Refuse when the decided phrasing moved on since the reviewer saw it (another reviewer). */
  expectedRevision?: string;
  /**
   * Runs inside the decision's transaction, before any write, with the phrasings it will decide;
   * throwing refuses the decision (a claim check sees exactly what the decision writes over).
   */
  guard?: (trx: Transaction<ProjectTables>, qaIds: number[]) => Promise<void>;
}

export class ReviewConflictError extends Error {}

/** A decision on a QA whose object is gone: its held decision is kept, no new one is taken. */
export class OrphanedQaError extends Error {
  constructor(qaId: number) {
    super(
      `QA #${qaId} is about an object that is gone or no longer has a unique name; its decision is kept and comes back with the object`,
    );
  }
}

/** Rows per statement in bulk writes: well under both databases' bound-parameter limits. */
const CHUNK = 500;

const STATUS_AFTER: Record<ReviewRow['decision'], QaState['status'] | null> = {
  approve: 'approved',
  reject: 'rejected',
  edit: 'edited',
  skip: null,
};

export type Db = Kysely<ProjectTables> | Transaction<ProjectTables>;

export class ReviewStore {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  async reviews(qaId: number): Promise<ReviewRow[]> {
    const rows = await this.db
      .selectFrom('review_decisions')
      .select([
        'id',
        'qa_id as qaId',
        'decision',
        'reason',
        'edited_answer as editedAnswer',
        'reviewer',
        'created_at as createdAt',
      ])
      .where('qa_id', '=', qaId)
      .orderBy('id')
      .execute();
    return rows as ReviewRow[];
  }

  async qaState(qaId: number, db: Db = this.db): Promise<QaState | undefined> {
    const row = await db
      .selectFrom('qa_pairs')
      .select(['id', 'image_id', 'status', 'answer', 'fact_hash'])
      .where('id', '=', qaId)
      .executeTakeFirst();
    return row && toState(row);
  }

  /**
   * Decides the fact of `qaId`: the phrasing decided on gets the decision, its live siblings
   * (same image and fact, not orphaned) follow by siblingStatus; every phrasing gets a
   * review_decisions row and the command one audit entry, together or not at all.
   */
  async decideFact(d: FactDecision): Promise<AuditEntryRow> {
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('qa_pairs')
        .select(['image_id', 'fact_id'])
        .where('id', '=', d.qaId)
        .executeTakeFirst();
      if (!found) throw new Error(`QA pair not found: ${d.qaId}`);
      // PostgreSQL: lock every phrasing of the fact, always in id order, so two reviewers'
      // decisions on one fact serialize instead of deadlocking (SQLite has one writer anyway).
      const phrasings = await trx
        .selectFrom('qa_pairs')
        .select(['id', 'image_id', 'status', 'answer', 'fact_hash', 'fact_id'])
        .where('image_id', '=', found.image_id)
        .$if(found.fact_id === null, (q) => q.where('id', '=', d.qaId))
        .$if(found.fact_id !== null, (q) => q.where('fact_id', '=', found.fact_id))
        .orderBy('id')
        .$if(this.dialect === 'postgres', (q) => q.forUpdate())
        .execute();
      const qa = phrasings.find((p) => p.id === d.qaId);
      if (!qa) throw new Error(`QA pair not found: ${d.qaId}`);
      if (qa.status === 'orphaned') throw new OrphanedQaError(d.qaId);
      const before = toState(qa);
      if (d.expectedRevision !== undefined && d.expectedRevision !== before.revision) {
        throw new ReviewConflictError(
          `QA #${d.qaId} changed since it was shown: it was changed in another window, by another reviewer or by re-derivation (now ${before.status}); reload and review it again`,
        );
      }
      // A skip is the reviewer's alone on the phrasing they saw; a decision covers the fact.
      const siblings =
        d.decision === 'skip'
          ? []
          : phrasings.filter((p) => p.id !== qa.id && p.status !== 'orphaned');
      const others = siblings.map(toState);
      await d.guard?.(trx, [qa.id, ...others.map((o) => o.id)]);
      const status = STATUS_AFTER[d.decision];
      const answer = d.decision === 'edit' ? (d.editedAnswer ?? '').trim() : before.answer;
      if (d.decision === 'edit' && !answer) throw new Error('an edit needs the edited answer');
      const otherStatus = status === null ? null : siblingStatus(status as 'approved');
      const otherDecision = otherStatus === 'rejected' ? 'reject' : d.decision;
      const reason = d.reason?.trim() || null;
      const otherReason = d.decision === 'edit' ? supersededReason(qa.id) : reason;

      const createdAt = new Date().toISOString();
      const decisions = [
        {
          qa_id: qa.id,
          decision: d.decision,
          reason,
          edited_answer: d.decision === 'edit' ? answer : null,
          reviewer: d.reviewer,
          created_at: createdAt,
        },
        ...others.map((s) => ({
          qa_id: s.id,
          decision: otherDecision,
          reason: otherReason,
          edited_answer: null,
          reviewer: d.reviewer,
          created_at: createdAt,
        })),
      ];
      await trx.insertInto('review_decisions').values(decisions).execute();
      const after: QaState[] = [{ ...before, status: status ?? before.status, answer }];
      for (const s of others) after.push({ ...s, status: otherStatus ?? s.status });
      for (let i = 0; i < after.length; i++) {
        const next = after[i]!;
        const prev = i === 0 ? before : others[i - 1]!;
        next.revision = qaRevision(next.status, next.answer, factHashOf(siblings, qa, next.id));
        if (next.status === prev.status && next.answer === prev.answer) continue;
        await trx
          .updateTable('qa_pairs')
          .set({ status: next.status, answer: next.answer })
          .where('id', '=', next.id)
          .execute();
      }
      return appendAudit(trx, {
        actor: d.reviewer,
        command: `review.${d.decision}`,
        target: `qa:${qa.id}`,
        before: { objects: [], qa: [before, ...others] },
        after: { objects: [], qa: after },
        op: status === null ? 'log' : 'do',
        refId: null,
        imageIds: [qa.image_id],
      });
    });
  }

  /**
   * One decision over every open (proposed or changed) fact of a QA family in an image or a batch,
   * covering each fact's live phrasings: one review_decisions row per phrasing and one audit entry
   * (`review.bulk-<decision>`, undone as one), together or not at all.
   */
  async decideFamily(b: {
    family: string;
    imageId?: number;
    batchId?: number;
    decision: 'approve' | 'reject' | 'skip';
    reason?: string | null;
    reviewer: string;
    guard?: FactDecision['guard'];
    /**
     * Runs inside the transaction once the phrasings are locked, before `guard`: the ids among
     * them to decide (a bulk approval leaves out facts it may not approve); throwing refuses the
     * whole decision. Without it, every one is decided.
     */
    choose?: (
      trx: Transaction<ProjectTables>,
      phrasings: Array<{ id: number; imageId: number; factId: string | null }>,
    ) => Promise<ReadonlySet<number>>;
  }): Promise<{ applied: number; entry: AuditEntryRow | null }> {
    if (b.imageId === undefined && b.batchId === undefined)
      throw new Error('bulk decisions need an image or a batch');
    return this.db.transaction().execute(async (trx) => {
      const open = await trx
        .selectFrom('qa_pairs as q')
        .innerJoin('images as i', 'i.id', 'q.image_id')
        .select(['q.id', 'q.image_id', 'q.fact_id'])
        .where('q.family', '=', b.family)
        .where('q.status', 'in', ['proposed', 'changed'])
        .$if(b.imageId !== undefined, (q) => q.where('q.image_id', '=', b.imageId!))
        .$if(b.batchId !== undefined, (q) => q.where('i.batch_id', '=', b.batchId!))
        .execute();
      if (open.length === 0) return { applied: 0, entry: null };
      const openIds = new Set(open.map((q) => q.id));
      const facts = new Set(
        open.filter((q) => q.fact_id !== null).map((q) => `${q.image_id}:${q.fact_id}`),
      );
      const imageIds = [...new Set(open.map((q) => q.image_id))];
      // The decision is the fact's: every live phrasing of each open fact, locked in id order
      // on PostgreSQL as decideFact does.
      const candidates: Array<Parameters<typeof toState>[0] & { fact_id: string | null }> = [];
      for (let i = 0; i < imageIds.length; i += CHUNK)
        candidates.push(
          ...(await trx
            .selectFrom('qa_pairs')
            .select(['id', 'image_id', 'status', 'answer', 'fact_hash', 'fact_id'])
            .where('image_id', 'in', imageIds.slice(i, i + CHUNK))
            .where('status', '<>', 'orphaned')
            .orderBy('id')
            .$if(this.dialect === 'postgres', (q) => q.forUpdate())
            .execute()),
        );
      const all = candidates.filter(
        (r) => openIds.has(r.id) || (r.fact_id !== null && facts.has(`${r.image_id}:${r.fact_id}`)),
      );
      const chosen = await b.choose?.(
        trx,
        all.map((r) => ({ id: r.id, imageId: r.image_id, factId: r.fact_id })),
      );
      const rows = chosen ? all.filter((r) => chosen.has(r.id)) : all;
      if (rows.length === 0) return { applied: 0, entry: null };
      const ids = rows.map((r) => r.id);
      await b.guard?.(trx, ids);
      const status = STATUS_AFTER[b.decision];
      const before = rows.map(toState);
      const after = before.map((s) => {
        const next = status ?? s.status;
        const hash = rows.find((r) => r.id === s.id)!.fact_hash;
        return { ...s, status: next, revision: qaRevision(next, s.answer, hash) };
      });
      const createdAt = new Date().toISOString();
      const reason = b.reason?.trim() || null;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        await trx
          .insertInto('review_decisions')
          .values(
            chunk.map((qaId) => ({
              qa_id: qaId,
              decision: b.decision,
              reason,
              edited_answer: null,
              reviewer: b.reviewer,
              created_at: createdAt,
            })),
          )
          .execute();
        if (status !== null)
          await trx.updateTable('qa_pairs').set({ status }).where('id', 'in', chunk).execute();
      }
      const entry = await appendAudit(trx, {
        actor: b.reviewer,
        command: `review.bulk-${b.decision}`,
        target: `family:${b.family.slice(0, 100)}`,
        before: { objects: [], qa: before },
        after: { objects: [], qa: after },
        op: status === null ? 'log' : 'do',
        refId: null,
        imageIds: [...new Set(before.map((s) => s.imageId))].sort((x, y) => x - y),
      });
      return { applied: ids.length, entry };
    });
  }

  async auditEntry(id: number): Promise<AuditEntryRow | undefined> {
    const row = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAudit(row);
  }

  /** Newest first; `imageId` keeps entries that touched that image. */
  async auditEntries(q: {
    imageId?: number;
    beforeId?: number;
    limit: number;
  }): Promise<AuditEntryRow[]> {
    const touches =
      this.dialect === 'postgres'
        ? (id: number) => sql<boolean>`image_ids_json::jsonb @> ${JSON.stringify([id])}::jsonb`
        : (id: number) =>
            sql<boolean>`EXISTS (SELECT 1 FROM json_each(image_ids_json) WHERE value = ${id})`;
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .$if(q.beforeId !== undefined, (s) => s.where('id', '<', q.beforeId!))
      .$if(q.imageId !== undefined, (s) => s.where(touches(q.imageId!)))
      .orderBy('id', 'desc')
      .limit(q.limit)
      .execute();
    return rows.map(toAudit);
  }

  async auditCount(): Promise<number> {
    const row = await this.db
      .selectFrom('audit_log')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toState(r: {
  id: number;
  image_id: number;
  status: string;
  answer: string;
  fact_hash: string | null;
}): QaState {
  return {
    id: r.id,
    imageId: r.image_id,
    status: r.status as QaState['status'],
    answer: r.answer,
    revision: qaRevision(r.status, r.answer, r.fact_hash),
  };
}

function factHashOf(
  siblings: Array<{ id: number; fact_hash: string | null }>,
  qa: { id: number; fact_hash: string | null },
  id: number,
): string | null {
  return id === qa.id ? qa.fact_hash : (siblings.find((s) => s.id === id)?.fact_hash ?? null);
}

export async function appendAudit(
  db: Db,
  e: Omit<AuditEntryRow, 'id' | 'createdAt'>,
): Promise<AuditEntryRow> {
  const createdAt = new Date().toISOString();
  const row = await db
    .insertInto('audit_log')
    .values({
      actor: e.actor,
      command: e.command,
      target: e.target,
      before_json: JSON.stringify(e.before),
      after_json: JSON.stringify(e.after),
      created_at: createdAt,
      op: e.op,
      ref_id: e.refId,
      image_ids_json: JSON.stringify(e.imageIds),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...e, id: row.id, createdAt };
}

export function toAudit(r: Selectable<ProjectTables['audit_log']>): AuditEntryRow {
  return {
    id: r.id,
    actor: r.actor,
    command: r.command,
    target: r.target,
    before: r.before_json ? JSON.parse(r.before_json) : null,
    after: r.after_json ? JSON.parse(r.after_json) : null,
    createdAt: r.created_at,
    op: r.op as AuditEntryRow['op'],
    refId: r.ref_id,
    imageIds: r.image_ids_json ? (JSON.parse(r.image_ids_json) as number[]) : [],
  };
}
