// The image page's toolbar (back, title, canvas tools, undo/redo, zoom, prev/next image, reviewer
// name, help) and the review messages under it. Buttons call the image store's actions, the same
// ones the keys do.
import { useState } from 'react';
import type { ImageDetail } from '../../../../contract/entities';
import { routeHref } from '../../app/router';
import { useImageActions, useImageStore } from '../../review/use-image-store';
import { reviewerName, setReviewerName } from '../../review/reviewer';
import type { ReviewSession } from '../../review/useReviewSession';

interface Props {
  image: ImageDetail | null;
  loadFailed: boolean;
  batchId: number | null;
  batch: { index: number; count: number; prevId: number | undefined; nextId: number | undefined };
  review: ReviewSession;
}

export function ImageToolbar({ image, loadFailed, batchId, batch, review }: Props) {
  const tool = useImageStore((s) => s.tool);
  const scale = useImageStore((s) => s.scale);
  const { setTool, undo, redo, zoom, goToImage, setHelpOpen } = useImageActions();
  const [reviewer, setReviewer] = useState(reviewerName);
  const history = review.data?.history;
  return (
    <div className="image-toolbar">
      <a
        className="btn"
        href={routeHref({ page: 'batches', batchId })}
        title="Back to the batch"
        data-testid="image-back"
      >
        ← Batch
      </a>
      <div className="image-title" title={image?.sourcePath}>
        {image ? image.fileName : loadFailed ? 'Image not available' : 'Loading…'}
      </div>
      <div className="toolbar-spacer" />
      <div className="btn-group" role="group" aria-label="Tools">
        <button
          type="button"
          className={`btn${tool === 'select' ? ' active' : ''}`}
          aria-pressed={tool === 'select'}
          onClick={() => setTool('select')}
          title="Select, move and resize (v)"
          data-testid="tool-select"
        >
          Select
        </button>
        <button
          type="button"
          className={`btn${tool === 'draw-box' ? ' active' : ''}`}
          aria-pressed={tool === 'draw-box'}
          onClick={() => setTool('draw-box')}
          title="Draw a new box (w)"
          data-testid="tool-draw"
        >
          Draw box
        </button>
      </div>
      <div className="btn-group" role="group" aria-label="History">
        <button
          type="button"
          className="btn"
          disabled={!history?.canUndo || review.busy}
          onClick={undo}
          title={
            history?.nextUndo ? `Undo ${history.nextUndo.command} (u / Ctrl+Z)` : 'Nothing to undo'
          }
          data-testid="undo"
        >
          ↶ Undo
        </button>
        <button
          type="button"
          className="btn"
          disabled={!history?.canRedo || review.busy}
          onClick={redo}
          title={
            history?.nextRedo
              ? `Redo ${history.nextRedo.command} (Shift+U / Ctrl+Shift+Z)`
              : 'Nothing to redo'
          }
          data-testid="redo"
        >
          ↷ Redo
        </button>
      </div>
      <div className="btn-group" role="group" aria-label="Zoom">
        <button type="button" className="btn" onClick={() => zoom('zoom-out')} title="Zoom out (-)">
          −
        </button>
        <span className="zoom-readout" data-testid="zoom-readout">
          {Math.round(scale * 100)}%
        </span>
        <button type="button" className="btn" onClick={() => zoom('zoom-in')} title="Zoom in (+)">
          +
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => zoom('fit')}
          title="Fit (f, or double-click)"
        >
          Fit
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => zoom('actual')}
          title="Actual size (1)"
        >
          1:1
        </button>
      </div>
      <div className="btn-group" role="group" aria-label="Navigate">
        <button
          type="button"
          className="btn"
          disabled={batch.prevId === undefined}
          onClick={() => goToImage('prev')}
          title="Previous image (k or ←)"
          data-testid="image-prev"
        >
          ‹ Prev
        </button>
        <span className="muted nav-pos" data-testid="image-position">
          {batch.index >= 0 ? `${batch.index + 1} / ${batch.count}` : ''}
        </span>
        <button
          type="button"
          className="btn"
          disabled={batch.nextId === undefined}
          onClick={() => goToImage('next')}
          title="Next image (j or →)"
          data-testid="image-next"
        >
          Next ›
        </button>
      </div>
      <label className="reviewer-field" title="Name recorded with every edit and decision">
        <span className="muted small">Reviewer</span>
        <input
          type="text"
          value={reviewer}
          maxLength={200}
          onChange={(e) => {
            setReviewer(e.target.value);
            setReviewerName(e.target.value);
          }}
          // Undo/redo are per reviewer: show the new name's own history.
          onBlur={() => review.reload()}
          data-testid="reviewer-name"
        />
      </label>
      <button
        type="button"
        className="btn"
        onClick={() => setHelpOpen(true)}
        title="Keyboard shortcuts (?)"
        data-testid="help-open"
      >
        ?
      </button>
    </div>
  );
}

/** Errors and notices from the last edit or decision, and the re-derivation in progress. */
export function ReviewMessages({ review }: { review: ReviewSession }) {
  if (!review.error && !review.notice && !review.data?.geometryPending) return null;
  return (
    <div className="review-messages">
      {review.error && (
        <div
          className={`banner error-text${review.conflict ? ' conflict-banner' : ''}`}
          role="alert"
          data-testid={review.conflict ? 'review-conflict' : 'review-error'}
        >
          {review.conflict && <strong>Held by another reviewer. </strong>}
          {review.error}
          <button type="button" className="link-btn small" onClick={review.clearMessages}>
            Dismiss
          </button>
        </div>
      )}
      {!review.error && review.notice && (
        <div className="banner muted small" role="status" data-testid="review-notice">
          {review.notice}
        </div>
      )}
      {review.data?.geometryPending && (
        <div className="banner muted small" role="status" data-testid="geometry-pending">
          Objects changed: re-deriving masks, the scene graph and QA for this image…
        </div>
      )}
    </div>
  );
}
