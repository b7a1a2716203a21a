// Review order of an image's QA: changed-after-edit first, then still open, then decided; by id.
import type { ReviewQa } from '../../../contract/review';

const RANK: Record<ReviewQa['status'], number> = {
  changed: 0,
  proposed: 1,
  edited: 2,
  approved: 2,
  rejected: 2,
  // Kept for their decision while their object is gone: nothing to review, listed last.
  orphaned: 3,
};

export function reviewOrder(qa: readonly ReviewQa[]): ReviewQa[] {
  return [...qa].sort((a, b) => RANK[a.status] - RANK[b.status] || a.id - b.id);
}

/** The item after `id` in `list` (or before it at the end), for moving on after a decision. */
export function nextAfter(list: readonly { id: number }[], id: number | null): number | null {
  if (list.length === 0) return null;
  const at = list.findIndex((q) => q.id === id);
  if (at < 0) return list[0]!.id;
  return (list[at + 1] ?? list[at])!.id;
}
