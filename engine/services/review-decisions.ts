// QA decisions, single and bulk, on a desktop or a team project (one handler set, over the async
// stores: review-context.ts), with the geometry checks of engine/review/qa-checks.ts: warnings,
// approval blocked for an ambiguous name whatever the confirmation, and a bulk approval that leaves
// the blocked facts open. The unit of review is the fact: a decision on any phrasing covers the
// fact's live phrasings, one undoable command (db/store/review-store.ts). The checks run inside the decision's transaction,
// after the claim check, over what that transaction reads (the fact's phrasings are locked on
// PostgreSQL by then), so what was judged is what gets written; a refusal writes nothing.
import type { ApiHandlers } from '../../contract/api';
import type { ReviewWarning } from '../../contract/review';
import type { AuditEntryRow } from '../../db/store/rows';
import { BrowseStore } from '../../db/store/browse-store';
import { NotFoundError, UserInputError } from '../errors';
import { claimConflict } from '../review/claim-check';
import {
  checksGeometry,
  GeometryCheck,
  judgeBulk,
  judgeDecision,
  type GeometryReads,
} from '../review/qa-checks';
import { loadGeometryReads } from './geometry-reads';
import { cardsFrom, reviewCards } from './review-cards';
import { mapped, type ReviewContext } from './review-context';
import { historyOf } from './review-history';

/** Ends a decision's transaction without writing, carrying what the reviewer is told instead. */
class NotApplied<T> extends Error {
  constructor(readonly outcome: T) {
    super('the decision was not applied');
  }
}

/** A decision as the API receives it, `reviewer` the account or name deciding. */
type DecisionInput = Omit<Parameters<ApiHandlers['reviews']['decide']>[0], 'confirmWarnings'> & {
  confirmWarnings: boolean;
};

interface DecisionOutcome {
  applied: boolean;
  warnings: ReviewWarning[];
  entry: AuditEntryRow | null;
  /** Why an approval or edit was refused whatever the confirmation (approvalBlock); else null. */
  blocked: string | null;
  /** What the checks read (approve, edit), so the answer's card needs no second read. */
  reads: GeometryReads | null;
}

type BulkWarnings = Array<{ qaId: number; warnings: ReviewWarning[] }>;

/** A fact across its phrasings: a phrasing stored without one is its own fact. */
function factKey(q: { id: number; imageId: number; factId: string | null }): string {
  return q.factId === null ? `qa:${q.id}` : `${q.imageId}:${q.factId}`;
}

export function createDecisionHandlers(c: ReviewContext): {
  decide: ApiHandlers['reviews']['decide'];
  record: ApiHandlers['reviews']['record'];
  bulk: ApiHandlers['reviews']['bulk'];
} {
  const decide = async (d: DecisionInput): Promise<DecisionOutcome> => {
    const p = c.sourceOf(d.projectId);
    if (d.decision === 'reject' && !d.reason?.trim())
      throw new UserInputError('a rejection needs a reason');
    if (d.decision === 'edit' && !d.editedAnswer?.trim())
      throw new UserInputError('an edit needs the new answer');
    let warnings: ReviewWarning[] = [];
    let reads: GeometryReads | null = null;
    try {
      const entry = await mapped(() =>
        c.write(() =>
          p.review.decideFact({
            qaId: d.qaId,
            decision: d.decision,
            reason: d.reason,
            editedAnswer: d.editedAnswer,
            expectedRevision: d.expectedRevision,
            reviewer: d.reviewer,
            // `qaIds`: the decided phrasing, then the fact's live siblings the decision covers.
            guard: async (trx, qaIds) => {
              const held = await p.claims.heldByOther(qaIds, d.reviewer, c.now(), trx);
              if (held) throw claimConflict(`QA #${d.qaId}`, held);
              if (!checksGeometry(d.decision)) return;
              reads = await loadGeometryReads(trx, { factsOf: [d.qaId] });
              const qa = reads.qaReview(d.qaId);
              if (!qa) throw new NotFoundError(`QA pair not found: ${d.qaId}`);
              const judged = judgeDecision(qa, qaIds.slice(1), d, new GeometryCheck(reads));
              warnings = judged.warnings;
              if (judged.blocked !== null || (warnings.length > 0 && !d.confirmWarnings))
                throw new NotApplied({ warnings, blocked: judged.blocked });
            },
          }),
        ),
      );
      c.announce(d.projectId, entry);
      return { applied: true, warnings, blocked: null, entry, reads };
    } catch (err) {
      if (!(err instanceof NotApplied)) throw err;
      const refused = err.outcome as Pick<DecisionOutcome, 'warnings' | 'blocked'>;
      return { applied: false, ...refused, entry: null, reads };
    }
  };

  return {
    decide: async (d) => {
      const out = await decide({ ...d, confirmWarnings: d.confirmWarnings ?? false });
      const p = c.sourceOf(d.projectId);
      const row = await p.browse.qaReview(d.qaId);
      return {
        applied: out.applied,
        warnings: out.warnings,
        blocked: out.blocked,
        // The geometry a decision was judged on is the card's; a decision unchecked reads it now.
        qa: row
          ? ((out.reads ? cardsFrom(out.reads, [row]) : await reviewCards(p.db, [row]))[0] ?? null)
          : null,
        entryId: out.entry?.id ?? null,
        history: await historyOf(p, d.reviewer),
      };
    },
    // The original single-decision call: warnings are taken as seen, a block still refuses.
    record: async (d) => {
      const out = await decide({ ...d, confirmWarnings: true });
      if (out.blocked !== null) throw new UserInputError(out.blocked);
      const last = (await c.sourceOf(d.projectId).review.reviews(d.qaId)).at(-1);
      if (!last) throw new NotFoundError(`QA pair not found: ${d.qaId}`);
      return last;
    },
    bulk: async (b) => {
      const p = c.sourceOf(b.projectId);
      if (b.decision === 'reject' && !b.reason?.trim())
        throw new UserInputError('a rejection needs a reason');
      if (b.imageId === undefined && b.batchId === undefined)
        throw new UserInputError('bulk decisions need an image or a batch');
      let warned: BulkWarnings = [];
      try {
        const out = await c.write(() =>
          p.review.decideFamily({
            family: b.family,
            imageId: b.imageId,
            batchId: b.batchId,
            decision: b.decision,
            reason: b.reason,
            reviewer: b.reviewer,
            // The desktop's bulk rules over the queue's open facts as this transaction sees them.
            choose: async (trx, phrasings) => {
              const { items } = await new BrowseStore(trx).qaQueue({
                imageId: b.imageId,
                batchId: b.batchId,
                family: b.family,
                statuses: ['proposed', 'changed'],
                offset: 0,
                limit: 100_000,
              });
              // Reject and skip read no geometry: their reads stay empty (and would throw if used).
              const reads = await loadGeometryReads(trx, {
                images: checksGeometry(b.decision) ? items.map((q) => q.imageId) : [],
              });
              const judged = judgeBulk(items, b.decision, new GeometryCheck(reads));
              warned = judged.warned;
              if (warned.length > 0 && !b.confirmWarnings) throw new NotApplied(warned);
              const kept = new Set(judged.kept.map(factKey));
              return new Set(phrasings.filter((q) => kept.has(factKey(q))).map((q) => q.id));
            },
            guard: async (trx, qaIds) => {
              const held = await p.claims.heldByOther(qaIds, b.reviewer, c.now(), trx);
              if (held) throw claimConflict('Part of this bulk decision', held);
            },
          }),
        );
        if (out.entry) c.announce(b.projectId, out.entry);
        return {
          applied: out.applied,
          warnings: warned,
          entryId: out.entry?.id ?? null,
          history: await historyOf(p, b.reviewer),
        };
      } catch (err) {
        if (!(err instanceof NotApplied)) throw err;
        return {
          applied: 0,
          warnings: err.outcome as BulkWarnings,
          entryId: null,
          history: await historyOf(p, b.reviewer),
        };
      }
    },
  };
}
