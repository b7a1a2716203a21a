// Assignment: a reviewer takes a slice of the review queue (a batch, a QA family and/or an object
// label: every one given must match) for a while; decisions by anyone else inside it are refused
// until it is released or expires.
import { z } from 'zod';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

const ProjectRef = z.object({ projectId: z.string().min(1) });
const Reviewer = z.string().min(1).max(200);

export const Claim = z.object({
  id: z.number().int(),
  holder: z.string(),
  batchId: z.number().int().nullable(),
  family: z.string().nullable(),
  label: z.string().nullable(),
  /** ISO 8601, UTC. */
  expiresAt: z.string(),
});
export type Claim = z.infer<typeof Claim>;

/** The longest a claim may be taken for: a forgotten one frees itself within a working day. */
export const MAX_CLAIM_SECONDS = 8 * 3600;

export const claimsApi = {
  /**
   * Takes the slice for `reviewer` (or extends their claim on the same slice). Refused with the
   * holder's name when someone else holds open QA of it. `open` counts its proposed/changed QA.
   */
  take: method(
    ProjectRef.extend({
      batchId: z.number().int().optional(),
      family: z.string().min(1).max(200).optional(),
      label: z.string().min(1).max(200).optional(),
      ttlSeconds: z.number().int().min(1).max(MAX_CLAIM_SECONDS).default(1800),
      reviewer: Reviewer,
    }),
    z.object({ claim: Claim, open: z.number().int().nonnegative() }),
  ),
  /** Ends `reviewer`'s own claim before it expires. */
  release: method(
    ProjectRef.extend({ claimId: z.number().int().positive(), reviewer: Reviewer }),
    z.object({ released: z.boolean() }),
  ),
  /** Live claims, soonest to expire first. */
  list: method(ProjectRef, z.array(Claim)),
  /**
   * The name this client acts under: in accounts mode the server puts the signed-in account's
   * name in `reviewer` (as for every acting method), so the UI can tell its own claims apart.
   */
  me: method(ProjectRef.extend({ reviewer: Reviewer }), z.object({ name: z.string() })),
} as const;
