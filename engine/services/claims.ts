// Handlers of the claims API: take, release and list slices of the review queue. Decisions inside
// someone else's live claim are refused by QaDecisions; this only manages the claims, and tells
// every client when one is taken or released (the 'claims-changed' event).
import type { ApiHandlers } from '../../contract/api';
import type { Claim } from '../../contract/claims';
import { retryWhenBusy } from '../../db/busy';
import type { ClaimRow } from '../../db/repositories/claims';
import { UserInputError } from '../errors';
import { claimConflict, describeSlice } from '../review/claim-check';
import type { ServiceContext } from '../service';

function toClaim(c: ClaimRow): Claim {
  return {
    id: c.id,
    holder: c.holder,
    batchId: c.batchId,
    family: c.family,
    label: c.label,
    expiresAt: new Date(c.expiresAt).toISOString(),
  };
}

export function createClaimsHandlers(
  ctx: ServiceContext,
  now: () => number = Date.now,
): ApiHandlers['claims'] {
  return {
    take: async ({ projectId, batchId, family, label, ttlSeconds, reviewer }) => {
      const store = ctx.projects.get(projectId);
      const slice = { batchId: batchId ?? null, family: family ?? null, label: label ?? null };
      if (slice.batchId === null && slice.family === null && slice.label === null) {
        throw new UserInputError('a claim needs a batch, a QA family or a label');
      }
      const at = now();
      const out = await retryWhenBusy(() =>
        store.claims.take(slice, reviewer, at + ttlSeconds * 1000, at),
      );
      if ('conflict' in out)
        throw claimConflict(`Open QA of ${describeSlice(slice)}`, out.conflict);
      ctx.events.emit({
        type: 'claims-changed',
        projectId,
        holder: out.claim.holder,
        claimId: out.claim.id,
        change: 'taken',
      });
      return { claim: toClaim(out.claim), open: out.open };
    },
    release: async ({ projectId, claimId, reviewer }) => {
      const store = ctx.projects.get(projectId);
      const released = await retryWhenBusy(() => store.claims.release(claimId, reviewer, now()));
      if (released)
        ctx.events.emit({
          type: 'claims-changed',
          projectId,
          holder: reviewer,
          claimId,
          change: 'released',
        });
      return { released };
    },
    list: async ({ projectId }) => ctx.projects.get(projectId).claims.live(now()).map(toClaim),
    me: async ({ reviewer }) => ({ name: reviewer }),
  };
}
