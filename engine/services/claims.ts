// Handlers of the claims API: take, release and list slices of the review queue. Decisions inside
// someone else's live claim are refused by review-decisions.ts; this only manages the claims, and tells
// every client when one is taken or released (the 'claims-changed' event).
import type { ApiHandlers } from '../../contract/api';
import type { Claim } from '../../contract/claims';
import { retryWhenBusy } from '../../db/busy';
import type { ClaimRow, QueueSlice } from '../../db/store/rows';
import { UserInputError } from '../errors';
import { desktopReviewSource } from './review-context';
import { claimConflict, describeSlice } from '../review/claim-check';
import type { EventBus } from '../event-bus';
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

type TakeResult = { claim: ClaimRow; open: number } | { conflict: ClaimRow };

/** Where one project's claims are kept: the layer's ClaimStore, on a desktop file or a team database. */
export interface ClaimsSource {
  take(slice: QueueSlice, holder: string, expiresAt: number, now: number): Promise<TakeResult>;
  release(id: number, holder: string, now: number): Promise<boolean>;
  live(now: number): Promise<ClaimRow[]>;
}

/**
 * The desktop's claims: the layer's ClaimStore on the project's own connection, each write retried
 * while another process holds the file (the team service uses the same store on its database).
 */
export function desktopClaims(ctx: ServiceContext): (projectId: string) => ClaimsSource {
  return (projectId) => {
    const { claims } = desktopReviewSource(ctx.projects.get(projectId).db);
    return {
      take: (slice, holder, expiresAt, at) =>
        retryWhenBusy(() => claims.take(slice, holder, expiresAt, at)),
      release: (id, holder, at) => retryWhenBusy(() => claims.release(id, holder, at)),
      live: (at) => claims.live(at),
    };
  };
}

/** The claims API over any project's claims, desktop or team: one set of rules and events. */
export function createClaimsHandlers(
  claimsOf: (projectId: string) => ClaimsSource,
  events: EventBus,
  now: () => number = Date.now,
): ApiHandlers['claims'] {
  return {
    take: async ({ projectId, batchId, family, label, ttlSeconds, reviewer }) => {
      const claims = claimsOf(projectId);
      const slice = { batchId: batchId ?? null, family: family ?? null, label: label ?? null };
      if (slice.batchId === null && slice.family === null && slice.label === null) {
        throw new UserInputError('a claim needs a batch, a QA family or a label');
      }
      const at = now();
      const out = await claims.take(slice, reviewer, at + ttlSeconds * 1000, at);
      if ('conflict' in out)
        throw claimConflict(`Open QA of ${describeSlice(slice)}`, out.conflict);
      events.emit({
        type: 'claims-changed',
        projectId,
        holder: out.claim.holder,
        claimId: out.claim.id,
        change: 'taken',
      });
      return { claim: toClaim(out.claim), open: out.open };
    },
    release: async ({ projectId, claimId, reviewer }) => {
      const released = await claimsOf(projectId).release(claimId, reviewer, now());
      if (released)
        events.emit({
          type: 'claims-changed',
          projectId,
          holder: reviewer,
          claimId,
          change: 'released',
        });
      return { released };
    },
    list: async ({ projectId }) => (await claimsOf(projectId).live(now())).map(toClaim),
    me: async ({ reviewer }) => ({ name: reviewer }),
  };
}
