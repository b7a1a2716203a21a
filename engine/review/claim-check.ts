// What a reviewer sees when a decision falls inside someone else's claim: who holds it and until
// when, so they can ask that person or wait.
import type { ObjectState } from '../../db/store/rows';
import type { ClaimRow, QueueSlice } from '../../db/store/rows';
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

/** Where an edited object sits, as a claim sees it: its image's batch, the families of its QA. */
export interface ObjectPlace {
  objectId: number;
  batchId: number;
  families: readonly string[];
}

/** Each object an edit touches, once (as it was before the edit). */
export function editedObjects(edit: {
  before: { objects: readonly ObjectState[] };
  after: { objects: readonly ObjectState[] };
}): ObjectState[] {
  const seen = new Map<number, ObjectState>();
  for (const o of [...edit.before.objects, ...edit.after.objects])
    if (!seen.has(o.id)) seen.set(o.id, o);
  return [...seen.values()];
}

/**
 * Refuses an edit of objects inside a live claim of someone else (`claims` are the live ones):
 * a claim holds an object when every part of its slice that is set matches — its batch is the
 * object's image's, its label one the object carries before or after the edit, its family one of a
 * QA naming the object. Such an edit would change QA inside the claim (a relabel renames them, a
 * box edit moves their numbers). `places` come from `editedObjects(edit)`. Desktop and team
 * projects both check object edits with this.
 */
export function objectEditConflict(
  claims: readonly ClaimRow[],
  actor: string,
  edit: {
    command: string;
    before: { objects: readonly ObjectState[] };
    after: { objects: readonly ObjectState[] };
  },
  places: readonly ObjectPlace[],
): ConflictError | undefined {
  const labels = new Map<number, string[]>();
  for (const o of [...edit.before.objects, ...edit.after.objects])
    labels.set(o.id, [...(labels.get(o.id) ?? []), o.label]);
  const held = claims.find(
    (c) =>
      c.holder !== actor &&
      places.some(
        (p) =>
          (c.batchId === null || c.batchId === p.batchId) &&
          (c.label === null || (labels.get(p.objectId) ?? []).includes(c.label)) &&
          (c.family === null || p.families.includes(c.family)),
      ),
  );
  if (!held) return undefined;
  const objects = editedObjects(edit);
  const what =
    objects.length === 1
      ? `object #${objects[0]!.id} (${objects[0]!.label.slice(0, 60)})`
      : `Part of this edit (${edit.command})`;
  return claimConflict(what, held);
}
