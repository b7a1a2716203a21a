// Review decisions as review-log commands: approve, reject (with a reason), edit (a new answer,
// checked against the geometry), skip; and bulk decisions over one family. Warnings come back
// before anything is written; the reviewer confirms to apply anyway. The unit of review is the
// fact (spatial/qa/fact-id.ts): a decision on any phrasing is one command over all the fact's live
// phrasings (fact-decisions.ts says what an edit does to the others), undone as one.
import type { ProjectStore } from '../../db/project-store';
import type { AuditEntryRow, QaReviewRow, QaState } from '../../db/repositories/annotations';
import { siblingStatus, supersededReason } from '../../db/repositories/fact-decisions';
import { NotFoundError, UserInputError } from '../errors';
import { claimConflict } from './claim-check';
import { StaleEditError } from './errors';
import {
  GeometryCheck,
  judgeBulk,
  judgeDecision,
  projectReads,
  type DecisionKind,
  type ReviewWarning,
} from './qa-checks';
import type { ReviewLog } from './review-log';

export type { DecisionKind };

const STATUS_AFTER: Record<DecisionKind, QaState['status'] | null> = {
  approve: 'approved',
  reject: 'rejected',
  edit: 'edited',
  skip: null,
};

export interface DecisionRequest {
  qaId: number;
  decision: DecisionKind;
  reason?: string;
  editedAnswer?: string;
  /** The revision the reviewer saw; a different current one means someone else got there first. */
  expectedRevision?: string;
  /** Apply even when there are warnings (the reviewer has seen them). */
  confirmWarnings: boolean;
  actor: string;
}

export interface DecisionOutcome {
  applied: boolean;
  warnings: ReviewWarning[];
  entry: AuditEntryRow | null;
  /** Why an approval or edit was refused whatever the confirmation (see approvalBlock); else null. */
  blocked: string | null;
}

function checkRequest(d: Pick<DecisionRequest, 'decision' | 'reason' | 'editedAnswer'>): void {
  if (d.decision === 'reject' && !d.reason?.trim())
    throw new UserInputError('a rejection needs a reason');
  if (d.decision === 'edit' && !d.editedAnswer?.trim())
    throw new UserInputError('an edit needs the new answer');
}

export class QaDecisions {
  constructor(
    private readonly store: ProjectStore,
    private readonly log: ReviewLog,
    /** The clock claims are judged by. */
    private readonly now: () => number = Date.now,
  ) {}

  decide(d: DecisionRequest): DecisionOutcome {
    checkRequest(d);
    const edits = this.store.annotations.edits;
    // The revision check and the write are one IMMEDIATE transaction: a second window or process
    // deciding the same QA at once waits for this one, then finds the revision changed.
    return edits.transaction(() => {
      const qa = edits.qaReview(d.qaId);
      if (!qa) throw new NotFoundError(`QA pair not found: ${d.qaId}`);
      if (qa.status === 'orphaned')
        throw new UserInputError(
          `QA #${qa.id} is about an object that is gone or no longer has a unique name; its decision is kept and comes back with the object`,
        );
      if (d.expectedRevision !== undefined && d.expectedRevision !== qa.revision)
        throw new StaleEditError(
          `QA #${qa.id} was changed in another window or by re-derivation (now ${qa.status}); reload and review it again`,
        );
      const siblings = d.decision === 'skip' ? [] : edits.factSiblings(qa.id);
      // Inside the same transaction as the write: a claim taken a moment ago is seen here.
      const held = this.store.claims.heldByOther([qa.id, ...siblings], d.actor, this.now());
      if (held) throw claimConflict(`QA #${qa.id}`, held);
      const geometry = new GeometryCheck(projectReads(this.store));
      const { warnings, blocked } = judgeDecision(qa, siblings, d, geometry);
      if (blocked !== null) return { applied: false, warnings, entry: null, blocked };
      if (warnings.length > 0 && !d.confirmWarnings)
        return { applied: false, warnings, entry: null, blocked: null };
      const entry = this.log.execute(this.command(qa, siblings, d));
      return { applied: true, warnings, entry, blocked: null };
    });
  }

  /**
   * One decision for every open (proposed or changed) QA of a family, in an image or a batch, as a
   * single undoable command. With warnings and no confirmation nothing is written.
   */
  bulk(b: {
    family: string;
    imageId?: number;
    batchId?: number;
    decision: Exclude<DecisionKind, 'edit'>;
    reason?: string;
    confirmWarnings: boolean;
    actor: string;
  }): {
    applied: number;
    warnings: Array<{ qaId: number; warnings: ReviewWarning[] }>;
    entry: AuditEntryRow | null;
  } {
    checkRequest(b);
    if (b.imageId === undefined && b.batchId === undefined)
      throw new UserInputError('bulk decisions need an image or a batch');
    // One transaction: the claim check and the queue read see exactly what the decision writes over.
    return this.store.annotations.edits.transaction(() => this.bulkInTransaction(b));
  }

  private bulkInTransaction(
    b: Parameters<QaDecisions['bulk']>[0],
  ): ReturnType<QaDecisions['bulk']> {
    const edits = this.store.annotations.edits;
    const { items: open } = edits.qaQueue({
      imageId: b.imageId,
      batchId: b.batchId,
      family: b.family,
      statuses: ['proposed', 'changed'],
      offset: 0,
      limit: 100_000,
    });
    const geometry = new GeometryCheck(projectReads(this.store));
    const { kept: items, warned } = judgeBulk(open, b.decision, geometry);
    if (items.length === 0) return { applied: 0, warnings: [], entry: null };
    if (warned.length > 0 && !b.confirmWarnings)
      return { applied: 0, warnings: warned, entry: null };
    const status = STATUS_AFTER[b.decision];
    // The queue lists one phrasing per fact; the decision is the fact's, so it covers them all.
    const ids = [...new Set(items.flatMap((qa) => [qa.id, ...edits.factSiblings(qa.id)]))];
    const held = this.store.claims.heldByOther(ids, b.actor, this.now());
    if (held) throw claimConflict(`Part of this bulk decision`, held);
    const before = ids.map((id) => edits.qaState(id)!);
    const entry = this.log.execute({
      command: `review.bulk-${b.decision}`,
      target: `family:${b.family.slice(0, 100)}`,
      actor: b.actor,
      before: { objects: [], qa: before },
      after: {
        objects: [],
        qa: before.map((s) => ({ ...s, status: status ?? s.status })),
      },
      undoable: status !== null,
      alongside: () => {
        for (const qaId of ids)
          edits.insertDecision({
            qaId,
            decision: b.decision,
            reason: b.reason ?? null,
            editedAnswer: null,
            reviewer: b.actor,
          });
      },
    });
    return { applied: ids.length, warnings: warned, entry };
  }

  /** One command for the fact: the phrasing decided on first, then its live siblings. */
  private command(qa: QaReviewRow, siblings: number[], d: DecisionRequest) {
    const edits = this.store.annotations.edits;
    const before = edits.qaState(qa.id)!;
    const status = STATUS_AFTER[d.decision];
    const answer = d.decision === 'edit' ? d.editedAnswer!.trim() : before.answer;
    const others = siblings.map((id) => edits.qaState(id)!);
    const otherStatus = status === null ? null : siblingStatus(status as 'approved');
    const otherDecision = otherStatus === 'rejected' ? 'reject' : d.decision;
    const otherReason = d.decision === 'edit' ? supersededReason(qa.id) : d.reason?.trim() || null;
    return {
      command: `review.${d.decision}`,
      target: `qa:${qa.id}`,
      actor: d.actor,
      before: { objects: [], qa: [before, ...others] },
      after: {
        objects: [],
        qa: [
          { ...before, status: status ?? before.status, answer },
          ...others.map((s) => ({ ...s, status: otherStatus ?? s.status })),
        ],
      },
      undoable: status !== null,
      alongside: () => {
        edits.insertDecision({
          qaId: qa.id,
          decision: d.decision,
          reason: d.reason?.trim() || null,
          editedAnswer: d.decision === 'edit' ? answer : null,
          reviewer: d.actor,
        });
        for (const s of others)
          edits.insertDecision({
            qaId: s.id,
            decision: otherDecision,
            reason: otherReason,
            editedAnswer: null,
            reviewer: d.actor,
          });
      },
    };
  }
}
