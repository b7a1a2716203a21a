// The batch view: status counts (click to filter), filters and search, and a windowed grid or list
// of the matching images that fetches pages from images.list as it scrolls (smooth at 100k).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ImageStatus, type ImageSummary } from '../../../contract/entities';
import { api, blobUrl } from '../api/client';
import { useLoad } from '../app/hooks';
import { routeHref } from '../app/router';
import { activeFilterCount, filterInput, NO_FILTERS, type BatchFilters } from './filters';
import { usePagedList } from './usePagedList';
import { VirtualGrid, type ViewMode } from './VirtualGrid';

const PAGE_SIZE = 120;
const SEARCH_DEBOUNCE_MS = 250;

export const STATUS_LABELS: Record<ImageStatus, string> = {
  pending: 'Pending',
  processing: 'Processing',
  'needs-review': 'Needs review',
  'in-review': 'In review',
  approved: 'Approved',
  rejected: 'Rejected',
  failed: 'Failed',
};

interface Props {
  projectId: string;
  /** null: every batch of the project. */
  batchId: number | null;
  title: string;
  /** Bumped when images or their statuses may have changed (import, pipeline, review). */
  refreshTick: number;
}

export function BatchBrowser({ projectId, batchId, title, refreshTick }: Props) {
  const [filters, setFilters] = useState<BatchFilters>(NO_FILTERS);
  const [searchText, setSearchText] = useState('');
  const [mode, setMode] = useState<ViewMode>('grid');
  useEffect(() => {
    const t = setTimeout(
      () => setFilters((f) => ({ ...f, search: searchText })),
      SEARCH_DEBOUNCE_MS,
    );
    return () => clearTimeout(t);
  }, [searchText]);

  const base = useMemo(() => filterInput(filters, batchId), [filters, batchId]);
  const key = JSON.stringify([projectId, base, filters.status]);
  const list = usePagedList<ImageSummary>(
    key,
    useCallback(
      (offset: number, limit: number) =>
        api.images.list({
          projectId,
          ...base,
          ...(filters.status ? { status: filters.status } : {}),
          offset,
          limit,
        }),
      [projectId, base, filters.status],
    ),
    PAGE_SIZE,
    refreshTick,
  );
  const [counts] = useLoad(
    () => api.images.counts({ projectId, ...base }),
    [projectId, JSON.stringify(base), refreshTick],
  );
  const [options] = useLoad(
    () => api.images.filterOptions({ projectId, ...(batchId !== null ? { batchId } : {}) }),
    [projectId, batchId, refreshTick],
  );

  const set = <K extends keyof BatchFilters>(k: K, v: BatchFilters[K]) =>
    setFilters((f) => ({ ...f, [k]: v }));
  const active = activeFilterCount(filters);

  return (
    <div className="batch-browser" data-testid="batch-browser">
      <div className="grid-header">
        <div>
          <h2 title={title}>{title}</h2>
          <span className="muted" data-testid="image-total">
            {list.total ?? '…'} {list.total === 1 ? 'image' : 'images'}
            {active > 0 && counts.data ? ` of ${counts.data.total} matching other filters` : ''}
          </span>
        </div>
        <div className="btn-group" role="group" aria-label="View">
          <button
            type="button"
            className={`btn small${mode === 'grid' ? ' btn-active' : ''}`}
            aria-pressed={mode === 'grid'}
            onClick={() => setMode('grid')}
            data-testid="batch-view-grid"
          >
            Grid
          </button>
          <button
            type="button"
            className={`btn small${mode === 'list' ? ' btn-active' : ''}`}
            aria-pressed={mode === 'list'}
            onClick={() => setMode('list')}
            data-testid="batch-view-list"
          >
            List
          </button>
        </div>
      </div>

      <div className="status-chips" role="group" aria-label="Status">
        <button
          type="button"
          className={`status-chip${filters.status === null ? ' active' : ''}`}
          onClick={() => set('status', null)}
          data-testid="status-chip-all"
        >
          All <b>{counts.data?.total ?? '…'}</b>
        </button>
        {ImageStatus.options.map((s) => (
          <button
            key={s}
            type="button"
            className={`status-chip chip-${s}${filters.status === s ? ' active' : ''}`}
            onClick={() => set('status', filters.status === s ? null : s)}
            aria-pressed={filters.status === s}
            data-testid={`status-chip-${s}`}
            data-count={counts.data?.byStatus[s] ?? 0}
          >
            {STATUS_LABELS[s]} <b>{counts.data?.byStatus[s] ?? 0}</b>
          </button>
        ))}
      </div>

      <div className="batch-filters">
        <input
          type="search"
          className="text-input"
          placeholder="Search file names…"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
          aria-label="Search file names"
          data-testid="batch-search"
        />
        <FilterSelect
          label="Label"
          value={filters.label}
          options={options.data?.labels ?? []}
          onChange={(v) => set('label', v)}
          testid="filter-label"
        />
        <FilterSelect
          label="QA family"
          value={filters.qaFamily}
          options={options.data?.families ?? []}
          onChange={(v) => set('qaFamily', v)}
          testid="filter-family"
        />
        <FilterSelect
          label="Reviewer"
          value={filters.reviewer}
          options={options.data?.reviewers ?? []}
          onChange={(v) => set('reviewer', v)}
          testid="filter-reviewer"
        />
        <label className="inline-field">
          <span>Ambiguous</span>
          <select
            value={filters.ambiguous}
            onChange={(e) => set('ambiguous', e.target.value as BatchFilters['ambiguous'])}
            data-testid="filter-ambiguous"
          >
            <option value="any">any</option>
            <option value="yes">yes</option>
            <option value="no">no</option>
          </select>
        </label>
        <label className="inline-check">
          <input
            type="checkbox"
            checked={filters.changedAfterEdit}
            onChange={(e) => set('changedAfterEdit', e.target.checked)}
            data-testid="filter-changed"
          />
          Changed after edit
        </label>
        {active > 0 && (
          <button
            type="button"
            className="link-btn small"
            onClick={() => {
              setSearchText('');
              setFilters(NO_FILTERS);
            }}
            data-testid="filter-clear"
          >
            Clear filters ({active})
          </button>
        )}
      </div>

      {list.error && (
        <p className="error-text" role="alert">
          {list.error}
        </p>
      )}
      {list.total === 0 && (
        <p className="muted" data-testid="batch-empty">
          No images match.
        </p>
      )}
      <VirtualGrid
        list={list}
        mode={mode}
        testid="batch-grid"
        itemKey={(item, i) => item?.id ?? `slot-${i}`}
        renderItem={(item) =>
          mode === 'grid' ? (
            <ImageTile projectId={projectId} image={item} />
          ) : (
            <ImageListRow image={item} />
          )
        }
      />
    </div>
  );
}

function FilterSelect({
  label,
  value,
  options,
  onChange,
  testid,
}: {
  label: string;
  value: string;
  options: string[];
  onChange(v: string): void;
  testid: string;
}) {
  return (
    <label className="inline-field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testid}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A grid tile; `thumbUrl` null draws a placeholder (synthetic benches, images still loading). */
export function ImageTile({
  projectId,
  image,
  thumbUrl,
}: {
  projectId: string;
  image: ImageSummary | undefined;
  thumbUrl?: string | null;
}) {
  if (!image) return <div className="image-tile placeholder" aria-hidden="true" />;
  const src =
    thumbUrl === undefined ? blobUrl({ projectId, imageId: image.id, kind: 'thumb' }) : thumbUrl;
  return (
    <a
      className="image-tile"
      href={routeHref({ page: 'image', imageId: image.id })}
      data-testid="image-tile"
      data-image-id={image.id}
      data-status={image.status}
    >
      <div className="thumb">
        {src ? <img src={src} alt="" loading="lazy" decoding="async" /> : null}
        <span className={`badge status-badge status-${image.status}`}>
          {STATUS_LABELS[image.status]}
        </span>
        {image.hasDepth && (
          <span className="badge depth-badge" title="Has depth">
            depth
          </span>
        )}
      </div>
      <div className="tile-caption">
        <span className="tile-name" title={image.relPath}>
          {image.fileName}
        </span>
        <span className="muted small">
          {image.width}×{image.height}
        </span>
      </div>
    </a>
  );
}

export function ImageListRow({ image }: { image: ImageSummary | undefined }) {
  if (!image) return <div className="image-row placeholder" aria-hidden="true" />;
  return (
    <a
      className="image-row"
      href={routeHref({ page: 'image', imageId: image.id })}
      data-testid="image-row"
      data-image-id={image.id}
      data-status={image.status}
    >
      <span className={`badge status-badge status-${image.status}`}>
        {STATUS_LABELS[image.status]}
      </span>
      <span className="image-row-name" title={image.relPath}>
        {image.relPath}
      </span>
      <span className="muted small">
        {image.width}×{image.height}
      </span>
      <span className="muted small">{image.hasDepth ? 'depth' : 'no depth'}</span>
    </a>
  );
}
