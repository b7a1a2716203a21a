// When an undo or redo may write an object back: the row must still be as the reviewer's last step
// left it in everything a reviewer controls (label, box, attributes, exclusion, deletion, their own
// mask). Re-derived machine masks and version bumps do not count, so re-derivation never blocks an
// undo. Read by the one undo of both services (db/store/undo-store.ts).
import type { ObjectState } from '../store/rows';

/** True when `now` is still `seen` (the state the last step left) in what a reviewer controls. */
export function sameReviewerObject(seen: ObjectState | undefined, now: ObjectState): boolean {
  return (
    seen !== undefined &&
    seen.label === now.label &&
    seen.deleted === now.deleted &&
    seen.box.every((v, i) => v === now.box[i]) &&
    (seen.excluded ?? null) === now.excluded &&
    JSON.stringify(seen.attributes ?? []) === JSON.stringify(now.attributes) &&
    sameReviewerMask(seen, now)
  );
}

/** Machine masks are re-derived at will; a reviewer's mask is their work and must still match. */
function sameReviewerMask(a: ObjectState, b: ObjectState): boolean {
  if (a.maskProvenance !== 'human' && b.maskProvenance !== 'human') return true;
  return a.maskProvenance === b.maskProvenance && a.maskRle === b.maskRle;
}
