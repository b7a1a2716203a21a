// What a reviewer sees when a decision falls inside someone else's claim: who holds it and until
// when, so they can ask that person or wait.
import type { ClaimRow, QueueSlice } from '../../db/repositories/claims';
import { ConflictError } from '../errors';

/** `batch 2, family distance, label chair`. */
export function describeSlice(s: QueueSlice): string {
  const parts: string[] = [];
  if (s.batchId !== null) parts.push(`batch ${s.batchId}`);
  if (s.family !== null) parts.push(`family ${s.family.slice(0, 100)}`);
  if (s.label !== null) parts.push(`label ${s.label.slice(0, 100)}`);
  return parts.join(', ');
}

/** `14:05 UTC`: the server and its reviewers may be in different time zones. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

export function claimConflict(what: string, claim: ClaimRow): ConflictError {
  return new ConflictError(
    `${what} is held by ${claim.holder.slice(0, 60)} until ${clockTime(claim.expiresAt)} (claim ${claim.id}: ${describeSlice(claim)}); ask them to release it or wait until it expires`,
  );
}
