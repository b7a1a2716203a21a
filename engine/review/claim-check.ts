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

/** An edited object as a claim sees it: its image's batch, its labels before and after the edit
 * and the families of the QA that name it. */
export interface EditedObjectScope {
  batchId: number;
  labels: readonly string[];
  families: readonly string[];
}

/**
 * The first of `claims` (live, someone else's) that holds an edited object: every part of its
 * slice that is set matches — its batch is the object's image's, its label one the object carries
 * before or after the edit, its family one of a QA naming the object. An edit of such an object
 * would change QA inside that claim (a relabel renames them, a box edit moves their numbers).
 */
export function claimOverObjects(
  claims: readonly ClaimRow[],
  objects: readonly EditedObjectScope[],
): ClaimRow | undefined {
  return claims.find((c) =>
    objects.some(
      (o) =>
        (c.batchId === null || c.batchId === o.batchId) &&
        (c.label === null || o.labels.includes(c.label)) &&
        (c.family === null || o.families.includes(c.family)),
    ),
  );
}
