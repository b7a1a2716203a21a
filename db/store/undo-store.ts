// Undo and redo of a reviewer's own review decisions and object edits on either database (async,
// through Kysely), the one undo of both the desktop and the team service: the stacks come from the
// audit log alone, undo writes the command's `before` back and redo its `after`, each only when the
// rows are still exactly as the reviewer's last step left them, and the step is an audit entry of
// its own. How the stacks are read from the history is the caller's (engine/review/undo-stack.ts).
import { sql, type Kysely } from 'kysely';
import type { AuditEntryRow, ObjectState, QaState } from './rows';
import { qaRevision } from './rows';
import { sameReviewerObject } from '../rules/object-undo-rules';
import { parseHeld, type HeldDecision } from '../rules/qa-keeping';
import {
  lockObjectEdits,
  ObjectEditReads,
  readObjectState,
  writeObjectState,
  type ObjectEditSpec,
} from './object-edit-store';
import { appendAudit, ReviewConflictError, toAudit, type Db } from './review-store';
import type { DialectName, ProjectTables } from './schema';

export interface UndoHistoryEntry {
  id: number;
  op: 'do' | 'undo' | 'redo';
  refId: number | null;
}

/** The command to step and the entry whose `after` is current. */
export interface UndoPick {
  commandId: number;
  lastId: number;
}

interface Snapshot {
  objects: ObjectState[];
  qa: QaState[];
}

/** What an undo or redo would write, for a claim check before it does. */
export interface UndoGuardStep {
  /** The objects as they are (`before`) and as the step writes them (`after`). */
  objects: ObjectEditSpec;
  /** The QA pairs whose decisions the step writes. */
  qaIds: number[];
}

export class UndoStore {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  async history(actor: string, db: Db = this.db): Promise<UndoHistoryEntry[]> {
    const rows = await db
      .selectFrom('audit_log')
      .select(['id', 'op', 'ref_id as refId'])
      .where('actor', '=', actor)
      .where('op', 'in', ['do', 'undo', 'redo'])
      .orderBy('id')
      .execute();
    return rows as UndoHistoryEntry[];
  }

  async entry(id: number, db: Db = this.db): Promise<AuditEntryRow | undefined> {
    const row = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAudit(row);
  }

  /**
   * Undoes or redoes `actor`'s command that `pick` chooses from their history; null when it
   * chooses none. One transaction: the history read, the checks and the writes.
   */
  async step(
    actor: string,
    op: 'undo' | 'redo',
    pick: (history: UndoHistoryEntry[]) => UndoPick | undefined,
    guard?: (reads: ObjectEditReads, step: UndoGuardStep) => Promise<void>,
  ): Promise<AuditEntryRow | null> {
    return this.db.transaction().execute(async (trx) => {
      // PostgreSQL: one step per reviewer at a time (two tabs undoing at once would both pick the
      // same command); SQLite has one writer anyway.
      if (this.dialect === 'postgres')
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`undo:${actor}`}))`.execute(trx);
      const item = pick(await this.history(actor, trx));
      if (!item) return null;
      const command = await this.entry(item.commandId, trx);
      const last = await this.entry(item.lastId, trx);
      if (!command || !last) throw new Error(`audit entry ${item.commandId} is missing`);
      const current = last.after as Snapshot;
      const target = (op === 'undo' ? command.before : command.after) as Snapshot;
      // A step is an edit like any other: someone else's claim taken since may refuse it.
      await guard?.(new ObjectEditReads(trx, this.dialect), {
        objects: {
          command: command.command,
          target: command.target,
          before: { objects: current.objects ?? [] },
          after: { objects: target.objects ?? [] },
        },
        qaIds: target.qa.map((q) => q.id),
      });
      // Objects first, as the desktop's review log: an object undo puts the rows back and the
      // caller re-derives the image's graph and QA from them.
      const objects: ObjectState[] = [];
      if ((target.objects ?? []).length > 0) await lockObjectEdits(trx, this.dialect);
      for (const next of target.objects ?? []) {
        const now = await readObjectState(trx, next.id, this.dialect);
        if (!now) throw new Error(`object not found: ${next.id}`);
        const seen = (current.objects ?? []).find((o) => o.id === next.id);
        if (
          !sameReviewerObject(seen, now) ||
          (await writeObjectState(trx, next, now.version)) === null
        )
          throw new ReviewConflictError(
            `cannot ${op}: object #${now.id} (${now.label.slice(0, 60)}) was changed since${await this.changedBy(trx, { kind: 'objects', id: now.id }, last.id, actor)}; reload to see the change`,
          );
        objects.push((await readObjectState(trx, next.id, this.dialect))!);
      }
      const ids = target.qa.map((q) => q.id).sort((a, b) => a - b);
      const rows = await trx
        .selectFrom('qa_pairs')
        .select(['id', 'image_id', 'status', 'answer', 'fact_hash', 'held_json'])
        .where('id', 'in', ids.length ? ids : [-1])
        .orderBy('id')
        .$if(this.dialect === 'postgres', (q) => q.forUpdate())
        .execute();
      const after: QaState[] = [];
      for (const next of target.qa) {
        const row = rows.find((r) => r.id === next.id);
        if (!row) throw new Error(`QA pair not found: ${next.id}`);
        // An orphaned pair (its object gone) holds its decision (qa-keeping.ts): the step lands in
        // what is held and the pair stays hidden until its facts come back.
        const held = row.status === 'orphaned' ? parseHeld(row.held_json) : null;
        const now = held
          ? { status: held.status, answer: held.answer, factHash: held.factHash }
          : { status: row.status, answer: row.answer, factHash: row.fact_hash };
        const seen = current.qa.find((q) => q.id === next.id);
        if (!seen || seen.status !== now.status || seen.answer !== now.answer)
          throw new ReviewConflictError(
            `cannot ${op}: QA #${next.id} (now ${now.status}) was changed since${await this.changedBy(trx, { kind: 'qa', id: row.id }, last.id, actor)}`,
          );
        if (held)
          await trx
            .updateTable('qa_pairs')
            .set({
              held_json: JSON.stringify({
                ...held,
                status: next.status as HeldDecision['status'],
                answer: next.answer,
              }),
            })
            .where('id', '=', next.id)
            .execute();
        else if (now.status !== next.status || now.answer !== next.answer)
          await trx
            .updateTable('qa_pairs')
            .set({ status: next.status, answer: next.answer })
            .where('id', '=', next.id)
            .execute();
        after.push({
          id: next.id,
          imageId: row.image_id,
          status: next.status,
          answer: next.answer,
          revision: qaRevision(next.status, next.answer, now.factHash),
        });
      }
      const imageIds = [
        ...new Set(
          [...(current.objects ?? []), ...objects, ...current.qa, ...after].map((r) => r.imageId),
        ),
      ].sort((a, b) => a - b);
      return appendAudit(trx, {
        actor,
        command: command.command,
        target: command.target,
        before: current,
        after: { objects, qa: after },
        op,
        refId: command.id,
        imageIds,
      });
    });
  }

  /** ' by bob (review.reject)' when a later command of someone else changed the row; else ''. */
  private async changedBy(
    db: Db,
    row: { kind: 'qa' | 'objects'; id: number },
    afterId: number,
    actor: string,
  ): Promise<string> {
    // The newest later entry whose `after` wrote this row (a decision covers its fact's phrasings,
    // so the target alone does not say); the few newest entries are read, not the whole log.
    const rows = await db
      .selectFrom('audit_log')
      .select(['actor', 'command', 'after_json'])
      .where('id', '>', afterId)
      .orderBy('id', 'desc')
      .limit(200)
      .execute();
    const later = rows.find((r) => {
      const after = r.after_json ? (JSON.parse(r.after_json) as Partial<Snapshot>) : null;
      return (after?.[row.kind] ?? []).some((r) => r.id === row.id);
    });
    if (!later)
      return row.kind === 'qa'
        ? ' (by another decision on its fact or by re-derivation)'
        : ' (by re-derivation or another program)';
    return later.actor === actor
      ? ` by your own later ${later.command}`
      : ` by ${later.actor.slice(0, 60)} (${later.command}); it stays as they left it`;
  }
}
