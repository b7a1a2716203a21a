// The project's batches (with counts and their import issues) beside a paged thumbnail grid of the
// selected batch's images; the import panel sits on top of the batch list, the project's pipeline
// panel on top of the grid.
import { useCallback, useState } from 'react';
import type { ImportResult } from '../../../contract/api';
import { ImageStatus, type BatchSummary } from '../../../contract/entities';
import { api, blobUrl } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { navigate, routeHref } from '../app/router';
import { IssueList } from '../components/IssueList';
import { PathText } from '../components/PathText';
import { formatDate, shortFolder } from '../lib/format';
import { ImportPanel } from './ImportPanel';
import { PipelinePanel } from './PipelinePanel';

const PAGE_SIZE = 48;

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

  useEngineEvents((e) => {
    if (e.type === 'images-changed' && e.projectId === projectId) {
      reloadBatches();
      setImagesTick((t) => t + 1);
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
      <section className="gallery">
        {sorted.length > 0 && (
          <PipelinePanel projectId={projectId} onFinished={onPipelineFinished} />
        )}
        {selected ? (
          <ImageGrid
            key={selected.id}
            projectId={projectId}
            batch={selected}
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

function ImageGrid({
  projectId,
  batch,
  refreshTick,
}: {
  projectId: string;
  batch: BatchSummary;
  refreshTick: number;
}) {
  const [page, setPage] = useState(0);
  const [status, setStatus] = useState<string>('');
  const [images] = useLoad(
    () =>
      api.images.list({
        projectId,
        batchId: batch.id,
        status: status ? ImageStatus.parse(status) : undefined,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    [projectId, batch.id, page, status, refreshTick],
  );
  const total = images.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const items = images.data?.items ?? [];

  return (
    <div className="grid-wrap">
      <div className="grid-header">
        <div>
          <h2 title={batch.sourceFolder}>{shortFolder(batch.sourceFolder)}</h2>
          <span className="muted" data-testid="image-total">
            {total} {total === 1 ? 'image' : 'images'}
          </span>
        </div>
        <div className="grid-tools">
          <label className="inline-field">
            <span>Status</span>
            <select
              value={status}
              onChange={(e) => {
                setStatus(e.target.value);
                setPage(0);
              }}
            >
              <option value="">all</option>
              {ImageStatus.options.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <div className="pager">
            <button
              type="button"
              className="btn"
              disabled={page === 0}
              onClick={() => setPage((p) => p - 1)}
            >
              ‹ Prev
            </button>
            <span className="muted">
              {page + 1} / {pages}
            </span>
            <button
              type="button"
              className="btn"
              disabled={page + 1 >= pages}
              onClick={() => setPage((p) => p + 1)}
            >
              Next ›
            </button>
          </div>
        </div>
      </div>
      {images.state === 'error' && (
        <p className="error-text" role="alert">
          {images.error}
        </p>
      )}
      {images.state === 'ready' && items.length === 0 && <p className="muted">No images match.</p>}
      <ul className="thumb-grid">
        {items.map((img) => (
          <li key={img.id}>
            <a
              className="image-tile"
              href={routeHref({ page: 'image', imageId: img.id })}
              data-testid="image-tile"
              data-image-id={img.id}
            >
              <div className="thumb">
                <img
                  src={blobUrl({ projectId, imageId: img.id, kind: 'thumb' })}
                  alt=""
                  loading="lazy"
                  decoding="async"
                />
                <span className={`badge status-badge status-${img.status}`}>{img.status}</span>
                {img.hasDepth && (
                  <span className="badge depth-badge" title="Has depth">
                    depth
                  </span>
                )}
              </div>
              <div className="tile-caption">
                <span className="tile-name" title={img.relPath}>
                  {img.fileName}
                </span>
                <span className="muted small">
                  {img.width}×{img.height}
                </span>
              </div>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
