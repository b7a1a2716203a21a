// One image, where reviewers work: the Konva canvas (image, depth overlay, masks, boxes; select,
// move, resize, draw, relabel, delete) beside the 3D viewer, and a side panel: the selected
// object's naming tools on top, then three tabs: the QA review queue (this image or the whole
// batch), the objects (with the layer switches and label tools), and the scene graph with the
// metadata. Every action has a key (review/keymap.ts, help overlay on ?); edits and decisions
// go through review/useReviewSession.ts and are undoable. Selection is shared by the canvas, the
// objects list and the 3D view; the selected QA's subjects are highlighted in 2D and 3D.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, blobUrl } from '../api/client';
import {
  afterNextFrame,
  preloadImage,
  useEngineEvents,
  useLoad,
  useStableCallback,
} from '../app/hooks';
import { prefetch, prefetched } from '../app/prefetch';
import { navigate, routeHref } from '../app/router';
import type { Box, ToolName } from '../canvas/tools';
import { DepthLegend } from '../components/DepthLegend';
import { ImageStage, type StageCommand } from '../components/ImageStage';
import { MaskEditorPanel, useMaskEditor } from '../components/MaskEditor';
import { MetadataPanel } from '../components/MetadataPanel';
import { ObjectsPanel } from '../components/ObjectsPanel';
import { QaList, type InputMode } from '../components/QaList';
import { ScenePanel } from '../components/ScenePanel';
import { objectColors } from '../lib/objects';
import { BatchQueue } from '../review/BatchQueue';
import { KeyHelp } from '../review/KeyHelp';
import { actionFor, type ReviewAction } from '../review/keymap';
import { LabelInput } from '../review/LabelInput';
import { LabelTools } from '../review/LabelTools';
import { NamingTools } from '../review/ReferentTools';
import { nextAfter, reviewOrder } from '../review/order';
import { reviewerName, setReviewerName, takeQaToSelect } from '../review/reviewer';
import { useReviewSession } from '../review/useReviewSession';
import { SceneViewer3D } from '../viewer3d/SceneViewer3D';

const ID_PAGE = 1000;

/** The side panel's tabs; all stay mounted (hidden), so switching keeps inputs and scroll. */
type PanelTab = 'qa' | 'objects' | 'scene';
const PANEL_TABS: { id: PanelTab; title: string }[] = [
  { id: 'qa', title: 'QA review' },
  { id: 'objects', title: 'Objects' },
  { id: 'scene', title: 'Scene' },
];
const NO_VOCABULARY: readonly { label: string; count: number }[] = [];

// The side panel's sections and the 3D view, memoised: the view re-renders for each of the loads at
// open (image, review, scene, vocabulary, batch ids), for the canvas's scale and for every key, and
// re-rendering ~140 QA rows and the rest each time cost tens of ms per open. Handlers passed to them
// are stable (useStableCallback / setters) so the memo holds.
const MemoObjectsPanel = memo(ObjectsPanel);
const MemoQaList = memo(QaList);
const MemoScenePanel = memo(ScenePanel);
const MemoMetadataPanel = memo(MetadataPanel);
const MemoLabelTools = memo(LabelTools);
const MemoDepthLegend = memo(DepthLegend);
const MemoSceneViewer3D = memo(SceneViewer3D);

async function batchImageIds(projectId: string, batchId: number): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += ID_PAGE) {
    const page = await api.images.list({ projectId, batchId, offset, limit: ID_PAGE });
    ids.push(...page.items.map((i) => i.id));
    if (page.items.length < ID_PAGE || ids.length >= page.total) return ids;
  }
}

/** True when the key belongs to a form control (text entry, or arrows on a slider/select). */
function keyBelongsToControl(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  if (type === 'checkbox' || type === 'radio' || type === 'button' || type === 'submit')
    return false;
  if (type === 'range') return e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End';
  return true;
}

export function ImageView({ projectId, imageId }: { projectId: string; imageId: number }) {
  const openedAt = useRef({ imageId, t: performance.now(), ms: null as number | null });
  if (openedAt.current.imageId !== imageId)
    openedAt.current = { imageId, t: performance.now(), ms: null };
  const [openMs, setOpenMs] = useState<number | null>(null);

  // What the canvas needs goes out in this render, not after the commit: the image record, the
  // review (objects, masks, QA) and the image blob itself, whose URL needs only the ids (so it
  // loads and decodes in parallel with the RPCs instead of after `images.get` has answered).
  const openKey = `${projectId}:${imageId}`;
  const prefetchedFor = useRef<string | null>(null);
  if (prefetchedFor.current !== openKey) {
    prefetchedFor.current = openKey;
    prefetch(`images.get:${openKey}`, () => api.images.get({ projectId, imageId }));
    prefetch(`reviews.image:${openKey}`, () =>
      api.reviews.image({ projectId, imageId, reviewer: reviewerName() }),
    );
    preloadImage(blobUrl({ projectId, imageId, kind: 'image' }));
  }

  const [detail] = useLoad(
    () => prefetched(`images.get:${openKey}`, () => api.images.get({ projectId, imageId })),
    [projectId, imageId],
  );
  const image = detail.data && detail.data.id === imageId ? detail.data : null;
  const batchId = image?.batchId ?? null;
  const [siblings] = useLoad(
    () => (batchId === null ? Promise.resolve<number[]>([]) : batchImageIds(projectId, batchId)),
    [projectId, batchId],
  );

  const review = useReviewSession(projectId, imageId);
  // The image the 3D view shows; set once the 2D overlays are on screen (see onOverlaysReady).
  const [viewerImageId, setViewerImageId] = useState<number | null>(null);
  // The scene panel sits below the fold: like the 3D view, its load waits for the overlays, so it
  // neither queues in the engine nor takes main-thread time ahead of them.
  const sceneWanted = viewerImageId === imageId;
  const [scene, reloadScene] = useLoad(
    () =>
      sceneWanted
        ? api.scene.get({ projectId, imageId }).then((view) => ({ imageId, view }))
        : Promise.resolve(null),
    [projectId, imageId, sceneWanted],
  );
  const [vocabulary, reloadVocabulary] = useLoad(
    () => api.labels.vocabulary({ projectId }),
    [projectId],
  );
  const vocabularyList = vocabulary.data ?? NO_VOCABULARY;
  useEngineEvents((e) => {
    if (e.projectId !== projectId) return;
    if (e.type === 'images-changed' || (e.type === 'job' && e.job.status === 'done')) {
      reloadScene();
      reloadVocabulary();
    }
  });
  const sceneView = scene.data && scene.data.imageId === imageId ? scene.data.view : undefined;
  const objectList = review.objects;
  const colors = useMemo(() => objectColors(objectList), [objectList]);
  const qaList = useMemo(
    () => (review.data ? reviewOrder(review.data.qa) : undefined),
    [review.data],
  );
  const ambiguous = useMemo(() => review.data?.ambiguous ?? [], [review.data]);
  const ambiguousIds = useMemo(() => new Set(ambiguous.map((a) => a.nodeId)), [ambiguous]);
  const names = useMemo(
    () => new Map((review.data?.names ?? []).map((n) => [n.objectId, n.expression] as const)),
    [review.data],
  );

  // Layers and tools.
  const [objectsVisible, setObjectsVisible] = useState(true);
  const [masksVisible, setMasksVisible] = useState(true);
  const [maskOpacity, setMaskOpacity] = useState(0.45);
  const [depthVisible, setDepthVisible] = useState(false);
  const [depthOpacity, setDepthOpacity] = useState(0.6);
  const [show3d, setShow3d] = useState(true);
  const [tool, setTool] = useState<ToolName>('select');
  const [command, setCommand] = useState<StageCommand | null>(null);
  const [scale, setScale] = useState(1);
  const [helpOpen, setHelpOpen] = useState(false);
  const [scope, setScope] = useState<'image' | 'batch'>('image');
  const [panelTab, setPanelTab] = useState<PanelTab>('qa');
  const [reviewer, setReviewer] = useState(reviewerName);

  // Selection: a QA pair (its subjects highlighted) and an object (edited), both per image.
  const [selectedQa, setSelectedQa] = useState<number | null>(null);
  const [selectedObject, setSelectedObject] = useState<number | null>(null);
  const [inputMode, setInputMode] = useState<InputMode>(null);
  const [relabeling, setRelabeling] = useState(false);
  const [newBox, setNewBox] = useState<Box | null>(null);
  const maskEditor = useMaskEditor({
    projectId,
    object: objectList.find((o) => o.id === selectedObject) ?? null,
    width: image?.width ?? 0,
    height: image?.height ?? 0,
    color: selectedObject === null ? undefined : colors.get(selectedObject),
    onSaved: review.reload,
  });
  useEffect(() => {
    setSelectedQa(takeQaToSelect(imageId));
    setSelectedObject(null);
    setInputMode(null);
    setRelabeling(false);
    setNewBox(null);
    review.cancelPending();
    review.clearMessages();
  }, [imageId]);
  const selected = qaList?.find((q) => q.id === selectedQa) ?? null;
  const highlight = useMemo(() => (selected ? new Set(selected.subjects) : null), [selected]);
  const selectQa = useCallback(
    (id: number | null) => {
      setSelectedQa(id);
      setInputMode(null);
      review.cancelPending();
    },
    [review.cancelPending],
  );
  const stepQa = useCallback(
    (delta: 1 | -1) => {
      const list = qaList ?? [];
      if (list.length === 0) return;
      const at = list.findIndex((q) => q.id === selectedQa);
      const next =
        at < 0
          ? delta > 0
            ? 0
            : list.length - 1
          : Math.min(list.length - 1, Math.max(0, at + delta));
      selectQa(list[next]!.id);
    },
    [qaList, selectedQa, selectQa],
  );

  const ids = siblings.data ?? [];
  const index = ids.indexOf(imageId);
  const prevId = index > 0 ? ids[index - 1] : undefined;
  const nextId = index >= 0 && index < ids.length - 1 ? ids[index + 1] : undefined;
  const hasDepth = image?.hasDepth ?? false;

  const go = useCallback((id: number | undefined) => {
    if (id !== undefined) navigate({ page: 'image', imageId: id });
  }, []);
  const issue = (kind: StageCommand['kind']) =>
    setCommand((c) => ({ kind, seq: (c?.seq ?? 0) + 1 }));

  /** Decides on the selected pair and moves on to the next one when it was written. */
  const decide = useCallback(
    async (req: Parameters<typeof review.decide>[0]) => {
      const after = nextAfter(qaList ?? [], req.qaId);
      if (await review.decide(req)) {
        setInputMode(null);
        if (after !== null) setSelectedQa(after);
      }
    },
    [review.decide, qaList],
  );
  const confirm = useCallback(async () => {
    const r = review.pending?.request;
    const after = r && 'qaId' in r ? nextAfter(qaList ?? [], r.qaId) : null;
    if (await review.confirmPending()) {
      setInputMode(null);
      if (after !== null) setSelectedQa(after);
    }
  }, [review.pending, review.confirmPending, qaList]);

  const onAction = (action: ReviewAction): boolean => {
    if (helpOpen && action !== 'help' && action !== 'escape') return false;
    switch (action) {
      case 'help':
        setHelpOpen((v) => !v);
        return true;
      case 'next-qa':
        setPanelTab('qa');
        stepQa(1);
        return true;
      case 'prev-qa':
        setPanelTab('qa');
        stepQa(-1);
        return true;
      case 'next-image':
        go(nextId);
        return true;
      case 'prev-image':
        go(prevId);
        return true;
      case 'approve':
      case 'skip':
        if (selected) void decide({ qaId: selected.id, decision: action });
        return selected !== null;
      case 'reject':
      case 'edit':
        // The reason / answer input is on the QA card: bring its tab forward.
        if (selected) {
          setPanelTab('qa');
          setInputMode({ kind: action, qaId: selected.id });
        }
        return selected !== null;
      case 'confirm':
        if (!review.pending) return false;
        void confirm();
        return true;
      case 'undo':
        void review.undo();
        return true;
      case 'redo':
        void review.redo();
        return true;
      case 'toggle-depth':
        if (hasDepth) setDepthVisible((v) => !v);
        return true;
      case 'toggle-boxes':
        setObjectsVisible((v) => !v);
        return true;
      case 'toggle-masks':
        setMasksVisible((v) => !v);
        return true;
      case 'toggle-3d':
        setShow3d((v) => !v);
        return true;
      case 'tool-select':
        setTool('select');
        return true;
      case 'tool-draw':
        setTool('draw-box');
        return true;
      case 'next-object': {
        const at = objectList.findIndex((o) => o.id === selectedObject);
        const next = objectList[(at + 1) % Math.max(1, objectList.length)];
        setSelectedObject(next?.id ?? null);
        setPanelTab('objects');
        return true;
      }
      case 'relabel':
        // The label input is on the object's row: bring the objects tab forward.
        if (selectedObject !== null) {
          setPanelTab('objects');
          setRelabeling(true);
        }
        return selectedObject !== null;
      case 'delete-object':
        if (selectedObject !== null) {
          void review.deleteObject(selectedObject);
          setSelectedObject(null);
        }
        return selectedObject !== null;
      case 'zoom-fit':
        issue('fit');
        return true;
      case 'zoom-actual':
        issue('actual');
        return true;
      case 'zoom-in':
        issue('zoom-in');
        return true;
      case 'zoom-out':
        issue('zoom-out');
        return true;
      case 'escape':
        if (helpOpen) setHelpOpen(false);
        else if (review.pending) review.cancelPending();
        else if (inputMode) setInputMode(null);
        else if (newBox) setNewBox(null);
        else if (relabeling) setRelabeling(false);
        else if (tool !== 'select') setTool('select');
        else if (selectedObject !== null) setSelectedObject(null);
        else if (selectedQa !== null) selectQa(null);
        // Nothing left to clear: stay. Esc pressed once too often must not throw away the page
        // (zoom, scroll, review position); going back is the "← Batch" button.
        else return false;
        return true;
    }
  };
  const actionRef = useRef(onAction);
  actionRef.current = onAction;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keyBelongsToControl(e)) return;
      const action = actionFor(e);
      if (action && actionRef.current(action)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // The 3D view (point cloud from the engine, WebGL) loads after the 2D canvas shows its overlays,
  // so it never delays them; a fallback timer covers an image that cannot be drawn.
  useEffect(() => {
    const timer = setTimeout(() => setViewerImageId(imageId), 1500);
    return () => clearTimeout(timer);
  }, [imageId]);
  // Once ready, it waits until the frame with the overlays has been presented: mounting it (WebGL
  // context, shaders) and the re-render it brings would otherwise hold that frame back.
  const cancelViewerMount = useRef<(() => void) | null>(null);
  useEffect(() => () => cancelViewerMount.current?.(), [imageId]);
  const onOverlaysReady = useCallback(() => {
    const o = openedAt.current;
    if (o.ms !== null || o.imageId !== imageId) return;
    const ms = (o.ms = performance.now() - o.t);
    cancelViewerMount.current?.();
    cancelViewerMount.current = afterNextFrame(() => {
      setOpenMs(ms);
      setViewerImageId(imageId);
    });
  }, [imageId]);

  // Stable handlers for the memoised canvas and side panel.
  const selectObject = useCallback((id: number | null) => {
    setSelectedObject(id);
    setRelabeling(false);
  }, []);
  const moveBox = useStableCallback((id: number, box: Box) => void review.moveBox(id, box));
  const relabel = useStableCallback(
    (id: number, label: string, version: number) =>
      void review.relabel(id, label, version).then(reloadVocabulary),
  );
  const deleteObject = useStableCallback((id: number) => {
    void review.deleteObject(id);
    setSelectedObject(null);
  });
  const renameLabel = useStableCallback(
    (from: string, to: string) => void review.renameLabel(from, to).then(reloadVocabulary),
  );
  const changeInputMode = useStableCallback((m: InputMode) => {
    setInputMode(m);
    if (m === null) review.cancelPending();
  });
  const decideQa = useStableCallback(
    (req: Parameters<typeof review.decide>[0]) => void decide(req),
  );
  const bulkQa = useStableCallback(
    (family: string, decision: 'approve' | 'reject', reason?: string) =>
      void review.bulk(family, decision, reason),
  );
  const confirmWarnings = useStableCallback(() => void confirm());
  const viewerHighlight = useMemo(
    () =>
      selected && viewerImageId === imageId
        ? {
            objectIds: selected.subjects,
            label: selected.question,
            evidence: selected.evidence,
            colors,
          }
        : null,
    [selected, viewerImageId, imageId, colors],
  );

  const backHref = routeHref({ page: 'batches', batchId });
  const history = review.data?.history;

  return (
    <div
      className="image-page"
      data-testid="image-page"
      data-image-id={imageId}
      data-review-loaded={review.data ? 'true' : 'false'}
      data-open-ms={openMs === null ? '' : openMs.toFixed(1)}
      data-can-undo={history?.canUndo ? 'true' : 'false'}
      data-can-redo={history?.canRedo ? 'true' : 'false'}
    >
      <div className="image-toolbar">
        <a className="btn" href={backHref} title="Back to the batch" data-testid="image-back">
          ← Batch
        </a>
        <div className="image-title" title={image?.sourcePath}>
          {image ? image.fileName : detail.state === 'error' ? 'Image not available' : 'Loading…'}
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
            onClick={() => void review.undo()}
            title={
              history?.nextUndo
                ? `Undo ${history.nextUndo.command} (u / Ctrl+Z)`
                : 'Nothing to undo'
            }
            data-testid="undo"
          >
            ↶ Undo
          </button>
          <button
            type="button"
            className="btn"
            disabled={!history?.canRedo || review.busy}
            onClick={() => void review.redo()}
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
          <button
            type="button"
            className="btn"
            onClick={() => issue('zoom-out')}
            title="Zoom out (-)"
          >
            −
          </button>
          <span className="zoom-readout" data-testid="zoom-readout">
            {Math.round(scale * 100)}%
          </span>
          <button
            type="button"
            className="btn"
            onClick={() => issue('zoom-in')}
            title="Zoom in (+)"
          >
            +
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => issue('fit')}
            title="Fit (f, or double-click)"
          >
            Fit
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => issue('actual')}
            title="Actual size (1)"
          >
            1:1
          </button>
        </div>
        <div className="btn-group" role="group" aria-label="Navigate">
          <button
            type="button"
            className="btn"
            disabled={prevId === undefined}
            onClick={() => go(prevId)}
            title="Previous image (k or ←)"
            data-testid="image-prev"
          >
            ‹ Prev
          </button>
          <span className="muted nav-pos" data-testid="image-position">
            {index >= 0 ? `${index + 1} / ${ids.length}` : ''}
          </span>
          <button
            type="button"
            className="btn"
            disabled={nextId === undefined}
            onClick={() => go(nextId)}
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

      {(review.error || review.notice || review.data?.geometryPending) && (
        <div className="review-messages">
          {review.error && (
            <div className="banner error-text" role="alert" data-testid="review-error">
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
      )}

      <div className="image-body">
        <div className={`views${show3d ? ' with-3d' : ''}`}>
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
              depthUrl={
                image?.hasDepth ? blobUrl({ projectId, imageId, kind: 'depth-preview' }) : null
              }
              width={image?.width ?? 0}
              height={image?.height ?? 0}
              depthVisible={depthVisible && hasDepth}
              depthOpacity={depthOpacity}
              command={command}
              onScaleChange={setScale}
              objects={objectList}
              colors={colors}
              objectsVisible={objectsVisible}
              masksVisible={masksVisible}
              maskOpacity={maskOpacity}
              highlight={highlight}
              ambiguous={ambiguousIds}
              selectedId={selectedObject}
              onSelect={selectObject}
              tool={tool}
              onCreateBox={setNewBox}
              onChangeBox={moveBox}
              onOverlaysReady={review.data ? onOverlaysReady : undefined}
              evidence={selected?.evidence ?? null}
              maskEdit={maskEditor.layer}
            />
          )}
          {show3d && (
            <div className="viewer3d-slot" data-testid="viewer3d-slot">
              {viewerImageId !== null ? (
                <MemoSceneViewer3D
                  projectId={projectId}
                  imageId={viewerImageId}
                  selectedObjectId={viewerImageId === imageId ? selectedObject : null}
                  onSelectObject={setSelectedObject}
                  highlight={viewerHighlight}
                  objectColors={colors}
                />
              ) : (
                <p className="muted small">The 3D view loads after the image…</p>
              )}
            </div>
          )}
        </div>

        <aside className="side-panel">
          {newBox && (
            <section className="control-card new-box" data-testid="new-box">
              <h3>New object</h3>
              <p className="muted small">
                Box {newBox.map((v) => Math.round(v)).join(', ')}; its mask is derived from depth.
              </p>
              <LabelInput
                initial=""
                vocabulary={vocabularyList}
                placeholder="Label (Enter)"
                submitLabel="Add"
                testid="new-box-label"
                onSubmit={(label) => {
                  void review.createObject(newBox, label).then((r) => {
                    if (r?.object) setSelectedObject(r.object.id);
                  });
                  setNewBox(null);
                  setTool('select');
                }}
                onCancel={() => setNewBox(null)}
              />
            </section>
          )}
          {/* Above the tabs: resolving a name ("Resolve" on a QA card) shows the object's tools
              beside the card it unblocks. */}
          <NamingTools
            review={review}
            objectId={selectedObject}
            names={names}
            ambiguous={ambiguous}
            colors={colors}
          />
          <MaskEditorPanel editor={maskEditor} />
          <div className="side-tabs" role="tablist" aria-label="Side panel">
            {PANEL_TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`side-tab-${t.id}`}
                aria-selected={panelTab === t.id}
                aria-controls={`side-tabpanel-${t.id}`}
                className={`side-tab${panelTab === t.id ? ' active' : ''}`}
                onClick={() => setPanelTab(t.id)}
                data-testid={`side-tab-${t.id}`}
              >
                {t.title}
                {t.id === 'qa' && qaList ? <span className="count">{qaList.length}</span> : null}
                {t.id === 'objects' && review.data ? (
                  <span className="count">{objectList.length}</span>
                ) : null}
              </button>
            ))}
          </div>
          <div
            className="side-tabpanel"
            role="tabpanel"
            id="side-tabpanel-objects"
            aria-labelledby="side-tab-objects"
            hidden={panelTab !== 'objects'}
          >
            <section className="depth-controls" aria-label="Depth overlay">
              <label className={`switch${hasDepth ? '' : ' disabled'}`}>
                <input
                  type="checkbox"
                  checked={depthVisible && hasDepth}
                  disabled={!hasDepth}
                  onChange={(e) => setDepthVisible(e.target.checked)}
                  data-testid="depth-toggle"
                />
                <span className="switch-track" aria-hidden="true" />
                <span>
                  Depth overlay <kbd>d</kbd>
                </span>
              </label>
              <label className="field slider">
                <span>
                  Opacity <b>{Math.round(depthOpacity * 100)}%</b>
                </span>
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={depthOpacity}
                  disabled={!hasDepth}
                  onChange={(e) => setDepthOpacity(Number(e.target.value))}
                  data-testid="depth-opacity"
                />
              </label>
              {image?.depth ? (
                <MemoDepthLegend min={image.depth.minMeters} max={image.depth.maxMeters} />
              ) : image ? (
                <p className="muted small" data-testid="no-depth-note">
                  This image has no depth map: no masks from depth, scene graph or 3D view until one
                  is imported or a depth model runs.
                </p>
              ) : null}
            </section>
            <MemoObjectsPanel
              objects={review.data ? objectList : undefined}
              colors={colors}
              visible={objectsVisible}
              onVisibleChange={setObjectsVisible}
              masksVisible={masksVisible}
              onMasksVisibleChange={setMasksVisible}
              maskOpacity={maskOpacity}
              onMaskOpacityChange={setMaskOpacity}
              ambiguous={ambiguous}
              selectedId={selectedObject}
              onSelect={selectObject}
              relabeling={relabeling}
              onRelabeling={setRelabeling}
              onRelabel={relabel}
              onDelete={deleteObject}
              vocabulary={vocabularyList}
              busy={review.busy}
              error={review.loadError}
            />
            <MemoLabelTools vocabulary={vocabularyList} busy={review.busy} onRename={renameLabel} />
          </div>
          <div
            className="side-tabpanel"
            role="tabpanel"
            id="side-tabpanel-qa"
            aria-labelledby="side-tab-qa"
            hidden={panelTab !== 'qa'}
          >
            <div className="scope-switch btn-group" role="group" aria-label="Review queue scope">
              <button
                type="button"
                className={`btn btn-small${scope === 'image' ? ' active' : ''}`}
                aria-pressed={scope === 'image'}
                onClick={() => setScope('image')}
                data-testid="scope-image"
              >
                This image
              </button>
              <button
                type="button"
                className={`btn btn-small${scope === 'batch' ? ' active' : ''}`}
                aria-pressed={scope === 'batch'}
                disabled={batchId === null}
                onClick={() => setScope('batch')}
                data-testid="scope-batch"
              >
                Whole batch
              </button>
            </div>
            {scope === 'batch' && batchId !== null ? (
              <BatchQueue projectId={projectId} batchId={batchId} currentImageId={imageId} />
            ) : (
              <MemoQaList
                qa={qaList}
                objects={objectList}
                colors={colors}
                selectedId={selectedQa}
                onSelect={selectQa}
                inputMode={inputMode}
                onInputMode={changeInputMode}
                onDecide={decideQa}
                onBulk={bulkQa}
                warnings={review.pending ? review.pending.warnings : null}
                onConfirmWarnings={confirmWarnings}
                onCancelWarnings={review.cancelPending}
                busy={review.busy}
                error={review.loadError}
                names={names}
                onResolve={selectObject}
              />
            )}
          </div>
          <div
            className="side-tabpanel"
            role="tabpanel"
            id="side-tabpanel-scene"
            aria-labelledby="side-tab-scene"
            hidden={panelTab !== 'scene'}
          >
            <MemoScenePanel scene={sceneView} colors={colors} error={scene.error} />
            {image && <MemoMetadataPanel image={image} />}
          </div>
          <p className="keys muted small" data-testid="image-keys">
            <kbd>?</kbd> all keys · <kbd>n</kbd>/<kbd>p</kbd> next/prev QA · <kbd>a</kbd> approve ·{' '}
            <kbd>r</kbd> reject · <kbd>e</kbd> edit · <kbd>s</kbd> skip · <kbd>u</kbd> undo ·{' '}
            <kbd>j</kbd>/<kbd>k</kbd> next/prev image · <kbd>w</kbd> draw · <kbd>d</kbd> depth ·{' '}
            <kbd>b</kbd> boxes · <kbd>m</kbd> masks · <kbd>Esc</kbd> clear
          </p>
        </aside>
      </div>
      {review.pending && !selected && (
        <div className="banner error-text" role="alert" data-testid="review-warnings">
          {review.pending.warnings.map((w) => w.message).join(' · ')}{' '}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => void confirm()}
            data-testid="review-confirm"
          >
            Apply anyway
          </button>
        </div>
      )}
      {helpOpen && <KeyHelp onClose={() => setHelpOpen(false)} />}
    </div>
  );
}
