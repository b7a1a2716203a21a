// One image, where reviewers work: the Konva canvas (image, depth overlay, masks, boxes; select,
// move, resize, draw, relabel, delete) beside the 3D viewer, the toolbar above and the side panel
// (pages/image/). The editor state (selection, tools, tabs, pending inputs, layers) is one store
// with named actions (review/image-store.ts), driven alike by the keys (review/image-keys.ts, help
// overlay on ?), the canvas, the 3D view and the panels; edits and decisions go through
// review/useReviewSession.ts and are undoable engine commands. This page loads, composes, renders.
import { memo, useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/shallow';
import { blobUrl } from '../api/client';
import { useStableCallback } from '../app/hooks';
import { navigate } from '../app/router';
import type { Box } from '../canvas/tools';
import { ImageStage } from '../components/ImageStage';
import { useMaskEditor } from '../components/MaskEditor';
import { createImageStore } from '../review/image-store';
import { useImageKeys } from '../review/image-keys';
import { KeyHelp } from '../review/KeyHelp';
import { takeQaToSelect } from '../review/reviewer';
import { ImageStoreContext } from '../review/use-image-store';
import { useReviewSession } from '../review/useReviewSession';
import { SceneViewer3D } from '../viewer3d/SceneViewer3D';
import { ImageSidePanel } from './image/ImageSidePanel';
import { ImageToolbar, ReviewMessages } from './image/ImageToolbar';
import { useImageData, useViewerMount } from './image/useImageData';
import { useReviewLists } from './image/useReviewLists';

// Memoised: the page re-renders for each load at open and for the canvas's scale.
const MemoSceneViewer3D = memo(SceneViewer3D);

const navigateToImage = (id: number) => navigate({ page: 'image', imageId: id });

export function ImageView({ projectId, imageId }: { projectId: string; imageId: number }) {
  // One store per page: it outlives image changes (layers, tab and tool stay; selection resets).
  const [store] = useState(() => createImageStore());
  const viewer = useViewerMount(imageId);
  const { detail, image, batchId, batch, ...loaded } = useImageData(
    projectId,
    imageId,
    viewer.viewerImageId === imageId,
  );
  const review = useReviewSession(projectId, imageId);
  const { colors, qaList, ambiguous, ambiguousIds, names } = useReviewLists(review);
  const hasDepth = image?.hasDepth ?? false;
  // In render, like a ref: the actions (keys, clicks) always read this render's lists and session.
  store.getState().attach({
    qa: qaList ?? [],
    objects: review.objects,
    hasDepth,
    prevImageId: batch.prevId,
    nextImageId: batch.nextId,
    navigateToImage,
    review,
  });
  useEffect(() => store.getState().openImage(takeQaToSelect(imageId)), [store, imageId]);
  useImageKeys(store);

  const s = useStore(
    store,
    useShallow((x) => ({
      selectedQa: x.selectedQa,
      selectedObject: x.selectedObject,
      tool: x.tool,
      maskEditing: x.maskEditing,
      maskTool: x.maskTool,
      helpOpen: x.helpOpen,
      objectsVisible: x.objectsVisible,
      masksVisible: x.masksVisible,
      depthVisible: x.depthVisible,
      show3d: x.show3d,
      maskOpacity: x.maskOpacity,
      depthOpacity: x.depthOpacity,
      zoomCommand: x.zoomCommand,
    })),
  );
  const { objectsVisible, masksVisible, depthVisible, show3d } = s;
  const actions = store.getState();
  const maskEditor = useMaskEditor({
    projectId,
    object: review.objects.find((o) => o.id === s.selectedObject) ?? null,
    width: image?.width ?? 0,
    height: image?.height ?? 0,
    color: s.selectedObject === null ? undefined : colors.get(s.selectedObject),
    onSaved: review.reload,
    active: s.maskEditing,
    setActive: actions.setMaskEditing,
    tool: s.maskTool,
    setTool: actions.setMaskTool,
  });

  const selected = qaList?.find((q) => q.id === s.selectedQa) ?? null;
  const highlight = useMemo(() => (selected ? new Set(selected.subjects) : null), [selected]);
  const viewerHighlight = useMemo(
    () =>
      selected && viewer.viewerImageId === imageId
        ? {
            objectIds: selected.subjects,
            label: selected.question,
            evidence: selected.evidence,
            colors,
          }
        : null,
    [selected, viewer.viewerImageId, imageId, colors],
  );
  // Stable handlers for the memoised canvas and panels: edits that also refresh the vocabulary.
  const moveBox = useStableCallback((id: number, box: Box) => void review.moveBox(id, box));
  const relabel = useStableCallback(
    (id: number, label: string, version: number) =>
      void review.relabel(id, label, version).then(loaded.reloadVocabulary),
  );
  const renameLabel = useStableCallback(
    (from: string, to: string) => void review.renameLabel(from, to).then(loaded.reloadVocabulary),
  );

  const history = review.data?.history;
  return (
    <ImageStoreContext.Provider value={store}>
      <div
        className="image-page"
        data-testid="image-page"
        data-image-id={imageId}
        data-review-loaded={review.data ? 'true' : 'false'}
        data-open-ms={viewer.openMs === null ? '' : viewer.openMs.toFixed(1)}
        data-can-undo={history?.canUndo ? 'true' : 'false'}
        data-can-redo={history?.canRedo ? 'true' : 'false'}
      >
        <ImageToolbar
          image={image}
          loadFailed={detail.state === 'error'}
          batchId={batchId}
          batch={batch}
          review={review}
        />
        <div className="image-body">
          <div className={`views${show3d ? ' with-3d' : ''}`}>
            {/* Over the canvas, not above it: a banner that came and went would move the image
                under the reviewer's pointer mid-stroke (re-derivation starts after every edit). */}
            <ReviewMessages review={review} />
            {detail.state === 'error' ? (
              <div className="stage-box">
                <div className="stage-note error-text" role="alert">
                  {detail.error}
                </div>
              </div>
            ) : (
              // Mounted before `images.get` answers (size 0 until then): measuring the area, setting
              // up the Konva stage and loading the image happen while the RPCs are out, not after.
              <ImageStage
                imageUrl={blobUrl({ projectId, imageId, kind: 'image' })}
                fallbackUrl={blobUrl({ projectId, imageId, kind: 'thumb' })}
                depthUrl={hasDepth ? blobUrl({ projectId, imageId, kind: 'depth-preview' }) : null}
                width={image?.width ?? 0}
                height={image?.height ?? 0}
                depthVisible={depthVisible && hasDepth}
                depthOpacity={s.depthOpacity}
                command={s.zoomCommand}
                onScaleChange={actions.setScale}
                objects={review.objects}
                colors={colors}
                objectsVisible={objectsVisible}
                masksVisible={masksVisible}
                maskOpacity={s.maskOpacity}
                highlight={highlight}
                ambiguous={ambiguousIds}
                selectedId={s.selectedObject}
                onSelect={actions.selectObject}
                tool={s.tool}
                onCreateBox={actions.setNewBox}
                onChangeBox={moveBox}
                onOverlaysReady={review.data ? viewer.onOverlaysReady : undefined}
                evidence={selected?.evidence ?? null}
                maskEdit={maskEditor.layer}
              />
            )}
            {show3d && (
              <div className="viewer3d-slot" data-testid="viewer3d-slot">
                {viewer.viewerImageId !== null ? (
                  <MemoSceneViewer3D
                    projectId={projectId}
                    imageId={viewer.viewerImageId}
                    selectedObjectId={viewer.viewerImageId === imageId ? s.selectedObject : null}
                    onSelectObject={actions.selectObject}
                    highlight={viewerHighlight}
                    objectColors={colors}
                  />
                ) : (
                  <p className="muted small">The 3D view loads after the image…</p>
                )}
              </div>
            )}
          </div>

          <ImageSidePanel
            projectId={projectId}
            imageId={imageId}
            image={image}
            batchId={batchId}
            review={review}
            objects={review.objects}
            qaList={qaList}
            colors={colors}
            ambiguous={ambiguous}
            names={names}
            vocabulary={loaded.vocabulary}
            maskEditor={maskEditor}
            scene={{ view: loaded.sceneView, error: loaded.sceneError }}
            onRelabel={relabel}
            onRenameLabel={renameLabel}
          />
        </div>
        {review.pending && !selected && (
          <div className="banner error-text" role="alert" data-testid="review-warnings">
            {review.pending.warnings.map((w) => w.message).join(' · ')}{' '}
            <button
              type="button"
              className="btn btn-small"
              onClick={actions.confirmPending}
              data-testid="review-confirm"
            >
              Apply anyway
            </button>
          </div>
        )}
        {s.helpOpen && <KeyHelp onClose={() => actions.setHelpOpen(false)} />}
      </div>
    </ImageStoreContext.Provider>
  );
}
