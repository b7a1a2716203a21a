// The review queue across the image's batch: 'changed' first, then open, then decided, with
// family and status filters. Picking an item opens its image with the item selected. Region tokens
// and object answers are the same coloured, labelled chips as in the image view (colours per
// image, from the objects the queue sends with the page).
import { useMemo, useState } from 'react';
import type { ReviewQa } from '../../../contract/review';
import { api } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { navigate } from '../app/router';
import { EvidenceCard } from '../components/EvidenceCard';
import { QaValue, RegionText } from '../components/ObjectChip';
import { formatQaValue, objectColors } from '../lib/objects';
import { selectQaOnOpen } from './reviewer';

const STATUS_FILTERS: Array<{ id: string; label: string; statuses?: ReviewQa['status'][] }> = [
  { id: 'open', label: 'Open + changed', statuses: ['changed', 'proposed'] },
  { id: 'changed', label: 'Changed after edit', statuses: ['changed'] },
  { id: 'decided', label: 'Decided', statuses: ['approved', 'rejected', 'edited'] },
  { id: 'all', label: 'All' },
];
const PAGE = 200;

export function BatchQueue({
  projectId,
  batchId,
  currentImageId,
}: {
  projectId: string;
  batchId: number;
  /** The image open beside the queue (its items are marked); null on the review-queue page. */
  currentImageId: number | null;
}) {
  const [family, setFamily] = useState('');
  const [statusId, setStatusId] = useState('open');
  const [limit, setLimit] = useState(PAGE);
  const statuses = STATUS_FILTERS.find((s) => s.id === statusId)?.statuses;
  const [page, reload] = useLoad(
    () =>
      api.qa.queue({ projectId, batchId, family: family || undefined, statuses, offset: 0, limit }),
    [projectId, batchId, family, statusId, limit],
  );
  useEngineEvents((e) => {
    // Another reviewer's decision changes statuses here too.
    if (e.projectId === projectId && (e.type === 'images-changed' || e.type === 'review')) reload();
  });
  const items = page.data?.items ?? [];
  const byImage = useMemo(() => {
    const objects = new Map<number, Array<{ id: number; label: string }>>();
    for (const o of page.data?.objects ?? []) {
      const list = objects.get(o.imageId) ?? [];
      list.push(o);
      objects.set(o.imageId, list);
    }
    return new Map(
      [...objects].map(([imageId, list]) => {
        const labels = new Map(list.map((o) => [o.id, o.label]));
        return [imageId, { colors: objectColors(list), labelOf: (id: number) => labels.get(id) }];
      }),
    );
  }, [page.data]);
  const noObjects = { colors: new Map<number, string>(), labelOf: () => undefined };
  return (
    <div className="batch-queue" data-testid="batch-queue">
      <div className="batch-queue-filters">
        <select
          value={family}
          onChange={(e) => setFamily(e.target.value)}
          aria-label="Family"
          data-testid="batch-queue-family"
        >
          <option value="">All families</option>
          {(page.data?.families ?? []).map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <select
          value={statusId}
          onChange={(e) => setStatusId(e.target.value)}
          aria-label="Status"
          data-testid="batch-queue-status"
        >
          {STATUS_FILTERS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
        <span className="muted small" data-testid="batch-queue-total">
          {page.data ? `${page.data.total} items` : '…'}
        </span>
      </div>
      {page.error && <p className="error-text small">{page.error}</p>}
      <ul className="qa-list">
        {items.map((q) => {
          const { colors, labelOf } = byImage.get(q.imageId) ?? noObjects;
          return (
            <li key={q.id}>
              <button
                type="button"
                className={`qa-item${q.imageId === currentImageId ? ' current-image' : ''}`}
                onClick={() => {
                  selectQaOnOpen(q.imageId, q.id);
                  navigate({ page: 'image', imageId: q.imageId });
                }}
                data-testid="batch-queue-item"
                data-qa-id={q.id}
                data-status={q.status}
              >
                <span className="muted small">{q.fileName}</span>
                <span className="qa-question">
                  <RegionText
                    text={q.question}
                    subjects={q.subjects}
                    colors={colors}
                    labelOf={labelOf}
                  />
                </span>
                <span className="qa-answer">
                  <RegionText
                    text={q.answer}
                    subjects={q.subjects}
                    colors={colors}
                    labelOf={labelOf}
                  />
                </span>
                <span className="qa-meta">
                  <span className={`badge qa-status qa-status-${q.status}`}>{q.status}</span>
                  <span className="qa-family">{q.family}</span>
                  <span className="muted small" data-testid="batch-queue-value">
                    value{' '}
                    <QaValue
                      value={q.value}
                      unit={q.unit}
                      colors={colors}
                      labelOf={labelOf}
                      format={(v, u) => formatQaValue(v, u, labelOf)}
                    />
                  </span>
                </span>
                {q.evidence && (
                  <EvidenceCard evidence={q.evidence} colors={colors} labelOf={labelOf} compact />
                )}
              </button>
            </li>
          );
        })}
      </ul>
      {page.data && page.data.total > items.length && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setLimit((l) => Math.min(1000, l + PAGE))}
          disabled={limit >= 1000}
        >
          Show more
        </button>
      )}
    </div>
  );
}
