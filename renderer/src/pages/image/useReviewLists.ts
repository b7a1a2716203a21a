// The review data as the image page shows it: QA in review order, the colour per object (the same
// in 2D and 3D), the ambiguous objects and the name each object is exported under.
import { useMemo } from 'react';
import { objectColors } from '../../lib/objects';
import { reviewOrder } from '../../review/order';
import type { ReviewSession } from '../../review/useReviewSession';

export function useReviewLists(review: Pick<ReviewSession, 'data' | 'objects'>) {
  const { data, objects } = review;
  const colors = useMemo(() => objectColors(objects), [objects]);
  const qaList = useMemo(() => (data ? reviewOrder(data.qa) : undefined), [data]);
  const ambiguous = useMemo(() => data?.ambiguous ?? [], [data]);
  const ambiguousIds = useMemo(() => new Set(ambiguous.map((a) => a.nodeId)), [ambiguous]);
  const names = useMemo(
    () => new Map((data?.names ?? []).map((n) => [n.objectId, n.expression] as const)),
    [data],
  );
  return { colors, qaList, ambiguous, ambiguousIds, names };
}
