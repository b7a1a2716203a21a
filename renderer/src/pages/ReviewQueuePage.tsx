// The review queue of one batch on a page of its own (the image view keeps its "Whole batch" tab):
// pick a batch, filter by family and status, and open an item's image with the item selected; take
// and release claims on slices of it (team review).
import { api } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { navigate } from '../app/router';
import { BatchQueue } from '../review/BatchQueue';
import { shortFolder } from '../lib/format';
import { ClaimsPanel } from '../team/ClaimsPanel';

export function ReviewQueuePage({
  projectId,
  batchId,
}: {
  projectId: string;
  batchId: number | null;
}) {
  const [batches, reload] = useLoad(() => api.batches.list({ projectId }), [projectId]);
  useEngineEvents((e) => {
    if (e.type === 'images-changed' && e.projectId === projectId) reload();
  });
  const sorted = [...(batches.data ?? [])].sort((a, b) => b.id - a.id);
  const selected = sorted.find((b) => b.id === batchId) ?? sorted[0] ?? null;
  return (
    <div className="workspace-page" data-testid="review-page">
      <section className="panel wide-panel" aria-labelledby="review-title">
        <h2 id="review-title">Review queue</h2>
        {batches.state === 'error' && (
          <p className="error-text" role="alert">
            {batches.error}
          </p>
        )}
        {batches.state !== 'loading' && !selected && (
          <p className="muted">No batches yet. Import a folder on the Batches page.</p>
        )}
        {selected && (
          <label className="field inline-field">
            <span>Batch</span>
            <select
              value={selected.id}
              onChange={(e) => navigate({ page: 'review', batchId: Number(e.target.value) }, true)}
              data-testid="review-batch"
            >
              {sorted.map((b) => (
                <option key={b.id} value={b.id}>
                  {shortFolder(b.sourceFolder)} #{b.id}
                </option>
              ))}
            </select>
          </label>
        )}
        {selected && <ClaimsPanel projectId={projectId} batchId={selected.id} />}
        {selected && (
          <BatchQueue
            key={selected.id}
            projectId={projectId}
            batchId={selected.id}
            currentImageId={null}
          />
        )}
      </section>
    </div>
  );
}
