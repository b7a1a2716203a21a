// The project's batches (with counts and their import issues) beside the batch view of the selected
// batch (renderer/src/batch: status counts, filters, a windowed grid over all its images); the
// import panel sits on top of the batch list, the project's pipeline panel on top of the grid.
// Jobs, models, export and evaluation have their own pages (top bar).
import { useCallback, useRef, useState } from 'react';
import type { ImportResult } from '../../../contract/api';
import type { BatchSummary } from '../../../contract/entities';
import { api } from '../api/client';
import { BatchBrowser } from '../batch/BatchBrowser';
import { useEngineEvents, useLoad } from '../app/hooks';
import { navigate, routeHref } from '../app/router';
import { IssueList } from '../components/IssueList';
import { PathText } from '../components/PathText';
import { formatDate, shortFolder } from '../lib/format';
import { ImportPanel } from './ImportPanel';
import { PipelinePanel } from './PipelinePanel';

const JOB_REFRESH_MS = 3000;

interface Props {
  projectId: string;
  batchId: number | null;
  /** Bumped by the app menu's "Import folder…": the import panel opens its folder picker. */
  importRequest?: number;
}

export function BatchesPage({ projectId, batchId, importRequest = 0 }: Props) {
  const [batches, reloadBatches] = useLoad(() => api.batches.list({ projectId }), [projectId]);
  const sorted = [...(batches.data ?? [])].sort((a, b) => b.id - a.id);
  const selected = sorted.find((b) => b.id === batchId) ?? sorted[0] ?? null;
  const [imagesTick, setImagesTick] = useState(0);

  // A running pipeline moves images through processing to needs-review: refresh the batch view's
  // statuses and counts as it goes, at most every few seconds.
  const lastJobRefresh = useRef(0);
  useEngineEvents((e) => {
    if (e.type === 'images-changed' && e.projectId === projectId) {
      reloadBatches();
      setImagesTick((t) => t + 1);
    } else if (e.type === 'job' && e.projectId === projectId && e.job.kind === 'pipeline') {
      const now = Date.now();
      const ended = e.job.status !== 'running' && e.job.status !== 'queued';
      if (ended || now - lastJobRefresh.current > JOB_REFRESH_MS) {
        lastJobRefresh.current = now;
        setImagesTick((t) => t + 1);
      }
    }
  });

  const onImported = useCallback(
    (result: ImportResult | null) => {
      reloadBatches();
      setImagesTick((t) => t + 1);
      if (result) navigate({ page: 'batches', batchId: result.batchId }, true);
    },
    [reloadBatches],
  );

  // A run changes image statuses: refresh the counts and the grid.
  const onPipelineFinished = useCallback(() => {
    reloadBatches();
    setImagesTick((t) => t + 1);
  }, [reloadBatches]);

  return (
    <div className="batches-page">
      <aside className="sidebar">
        <ImportPanel projectId={projectId} onImported={onImported} pickRequest={importRequest} />
        <section className="panel" aria-labelledby="batches-title">
          <h2 id="batches-title">
            Batches <span className="count">{sorted.length}</span>
          </h2>
          {batches.state === 'error' && (
            <p className="error-text" role="alert">
              {batches.error}
            </p>
          )}
          {batches.state !== 'loading' && sorted.length === 0 && (
            <p className="muted">No batches yet. Import a folder to start.</p>
          )}
          <ul className="batch-list">
            {sorted.map((b) => (
              <BatchRow
                key={b.id}
                projectId={projectId}
                batch={b}
                selected={b.id === selected?.id}
              />
            ))}
          </ul>
        </section>
      </aside>
      <section className="gallery batch-gallery">
        {sorted.length > 0 && (
          <PipelinePanel projectId={projectId} onFinished={onPipelineFinished} />
        )}
        {selected ? (
          <BatchBrowser
            key={selected.id}
            projectId={projectId}
            batchId={selected.id}
            title={shortFolder(selected.sourceFolder)}
            refreshTick={imagesTick}
          />
        ) : (
          <div className="empty-state">
            <p>Imported images appear here.</p>
          </div>
        )}
      </section>
    </div>
  );
}

function BatchRow({
  projectId,
  batch,
  selected,
}: {
  projectId: string;
  batch: BatchSummary;
  selected: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <li
      className={`batch-row${selected ? ' selected' : ''}`}
      data-testid="batch-row"
      data-batch-id={batch.id}
    >
      <a
        className="batch-main"
        href={routeHref({ page: 'batches', batchId: batch.id })}
        aria-current={selected}
      >
        <div className="batch-title" title={batch.sourceFolder}>
          {shortFolder(batch.sourceFolder)}
          <span className="batch-id">#{batch.id}</span>
        </div>
        <PathText className="batch-path" path={batch.sourceFolder} />
        <div className="batch-counts">
          <span title="Imported" data-testid="batch-imported">
            <b>{batch.imported}</b> imported
          </span>
          {batch.skipped > 0 && (
            <span className="warn" title="Skipped">
              <b>{batch.skipped}</b> skipped
            </span>
          )}
          {batch.failed > 0 && (
            <span className="bad" title="Failed">
              <b>{batch.failed}</b> failed
            </span>
          )}
          <span title={batch.depthFolder ?? 'No depth folder'}>
            <b>{batch.withDepth}</b> with depth
            {batch.depthEncoding ? ` (${batch.depthEncoding})` : ''}
          </span>
        </div>
        <div className="batch-date muted">{formatDate(batch.createdAt)}</div>
      </a>
      <button
        type="button"
        className="link-btn small"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="batch-issues-toggle"
      >
        {open ? '▾ Hide issues' : '▸ Issues'}
      </button>
      {open && <BatchIssues projectId={projectId} batchId={batch.id} />}
    </li>
  );
}

function BatchIssues({ projectId, batchId }: { projectId: string; batchId: number }) {
  const [issues] = useLoad(() => api.batches.issues({ projectId, batchId }), [projectId, batchId]);
  if (issues.state === 'error') return <p className="error-text">{issues.error}</p>;
  if (!issues.data) return <p className="muted small">Loading…</p>;
  if (issues.data.length === 0) return <p className="muted small">No issues.</p>;
  return <IssueList issues={issues.data} />;
}
