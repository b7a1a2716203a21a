// Export & Evaluation: the dataset export (its dialog) and the evaluation of a model's predictions,
// on a page wide enough for the per-category results table.
import { useState } from 'react';
import { api } from '../api/client';
import { useLoad } from '../app/hooks';
import { EvalPanel } from './EvalPanel';
import { ExportDialog } from './ExportDialog';

export function ExportPage({ projectId }: { projectId: string }) {
  const [batches] = useLoad(() => api.batches.list({ projectId }), [projectId]);
  const [exporting, setExporting] = useState(false);
  const none = batches.state !== 'loading' && (batches.data ?? []).length === 0;
  return (
    <div className="workspace-page" data-testid="export-page">
      <section className="panel wide-panel" aria-labelledby="dataset-title">
        <h2 id="dataset-title">Dataset</h2>
        <p className="muted small">
          Approved and edited facts of the whole project, rendered into QA at export.
        </p>
        <button
          type="button"
          className="btn primary"
          onClick={() => setExporting(true)}
          disabled={none}
          data-testid="open-export"
        >
          Export dataset…
        </button>
        {none && <p className="muted small">No batches yet: import a folder first.</p>}
      </section>
      <EvalPanel />
      {exporting && <ExportDialog projectId={projectId} onClose={() => setExporting(false)} />}
    </div>
  );
}
