// One image: Konva stage with the optional depth overlay and the objects layer; side panel with the
// overlay switches, the image's QA pairs (selecting one highlights its subjects on the stage), its
// scene graph and its metadata; prev/next within the image's batch. Keys: d depth, b boxes, n/p
// next/previous QA, j/→ next image, k/← previous, f fit, 1 actual size, +/- zoom, Esc clears the
// QA selection, then goes back.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, blobUrl } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { navigate, routeHref } from '../app/router';
import { DepthLegend } from '../components/DepthLegend';
import { ImageStage, type StageCommand } from '../components/ImageStage';
import { MetadataPanel } from '../components/MetadataPanel';
import { ObjectsPanel } from '../components/ObjectsPanel';
import { QaList } from '../components/QaList';
import { ScenePanel } from '../components/ScenePanel';
import { objectColors } from '../lib/objects';

const ID_PAGE = 1000;

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
  const [detail] = useLoad(() => api.images.get({ projectId, imageId }), [projectId, imageId]);
  const image = detail.data && detail.data.id === imageId ? detail.data : null;
  const batchId = image?.batchId ?? null;
  const [siblings] = useLoad(
    () => (batchId === null ? Promise.resolve<number[]>([]) : batchImageIds(projectId, batchId)),
    [projectId, batchId],
  );

  const imageRef = { projectId, imageId };
  const [objects, reloadObjects] = useLoad(() => api.objects.list(imageRef), [projectId, imageId]);
  const [scene, reloadScene] = useLoad(
    () => api.scene.get(imageRef).then((view) => ({ imageId, view })),
    [projectId, imageId],
  );
  const [qa, reloadQa] = useLoad(() => api.qa.list(imageRef), [projectId, imageId]);
  // A pipeline run or an import elsewhere may have produced objects, a scene graph or QA.
  useEngineEvents((e) => {
    if (e.projectId !== projectId) return;
    if (e.type === 'images-changed' || (e.type === 'job' && e.job.status === 'done')) {
      reloadObjects();
      reloadScene();
      reloadQa();
    }
  });
  // useLoad keeps the previous image's data while loading: show only this image's.
  const objectList = useMemo(
    () => (objects.data ?? []).filter((o) => o.imageId === imageId),
    [objects.data, imageId],
  );
  const qaList = useMemo(() => qa.data?.filter((q) => q.imageId === imageId), [qa.data, imageId]);
  const sceneView = scene.data && scene.data.imageId === imageId ? scene.data.view : undefined;
  const colors = useMemo(() => objectColors(objectList), [objectList]);

  const [objectsVisible, setObjectsVisible] = useState(true);
  const [selectedQa, setSelectedQa] = useState<number | null>(null);
  useEffect(() => setSelectedQa(null), [imageId]);
  const selected = qaList?.find((q) => q.id === selectedQa) ?? null;
  const highlight = useMemo(() => (selected ? new Set(selected.subjects) : null), [selected]);
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
      setSelectedQa(list[next]!.id);
    },
    [qaList, selectedQa],
  );

  const [depthVisible, setDepthVisible] = useState(false);
  const [depthOpacity, setDepthOpacity] = useState(0.6);
  const [command, setCommand] = useState<StageCommand | null>(null);
  const [scale, setScale] = useState(1);

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

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || keyBelongsToControl(e)) return;
      switch (e.key) {
        case 'd':
        case 'D':
          if (hasDepth) setDepthVisible((v) => !v);
          break;
        case 'b':
        case 'B':
          setObjectsVisible((v) => !v);
          break;
        case 'n':
          stepQa(1);
          break;
        case 'p':
          stepQa(-1);
          break;
        case 'j':
        case 'ArrowRight':
          go(nextId);
          break;
        case 'k':
        case 'ArrowLeft':
          go(prevId);
          break;
        case 'f':
          issue('fit');
          break;
        case '1':
          issue('actual');
          break;
        case '+':
        case '=':
          issue('zoom-in');
          break;
        case '-':
          issue('zoom-out');
          break;
        case 'Escape':
          if (selectedQa !== null) setSelectedQa(null);
          else navigate({ page: 'batches', batchId: batchId });
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go, nextId, prevId, hasDepth, batchId, stepQa, selectedQa]);

  const backHref = routeHref({ page: 'batches', batchId });

  return (
    <div className="image-page">
      <div className="image-toolbar">
        <a className="btn" href={backHref} title="Back to the batch (Esc)">
          ← Batch
        </a>
        <div className="image-title" title={image?.sourcePath}>
          {image ? image.fileName : detail.state === 'error' ? 'Image not available' : 'Loading…'}
        </div>
        <div className="toolbar-spacer" />
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
      </div>

      <div className="image-body">
        {detail.state === 'error' ? (
          <div className="stage-box">
            <div className="stage-note error-text" role="alert">
              {detail.error}
            </div>
          </div>
        ) : image ? (
          <ImageStage
            imageUrl={blobUrl({ projectId, imageId: image.id, kind: 'image' })}
            depthUrl={
              image.hasDepth
                ? blobUrl({ projectId, imageId: image.id, kind: 'depth-preview' })
                : null
            }
            width={image.width}
            height={image.height}
            depthVisible={depthVisible && image.hasDepth}
            depthOpacity={depthOpacity}
            command={command}
            onScaleChange={setScale}
            objects={objectList}
            colors={colors}
            objectsVisible={objectsVisible}
            highlight={highlight}
          />
        ) : (
          <div className="stage-box">
            <div className="stage-note">Loading…</div>
          </div>
        )}

        <aside className="side-panel">
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
              <DepthLegend min={image.depth.minMeters} max={image.depth.maxMeters} />
            ) : image ? (
              <p className="muted small">This image has no depth map.</p>
            ) : null}
          </section>
          <ObjectsPanel
            objects={objects.data ? objectList : undefined}
            colors={colors}
            visible={objectsVisible}
            onVisibleChange={setObjectsVisible}
            error={objects.error}
          />
          <QaList
            qa={qaList}
            objects={objectList}
            colors={colors}
            selectedId={selectedQa}
            onSelect={setSelectedQa}
            error={qa.error}
          />
          <ScenePanel scene={sceneView} colors={colors} error={scene.error} />
          {image && <MetadataPanel image={image} />}
          <p className="keys muted small" data-testid="image-keys">
            <kbd>j</kbd>/<kbd>k</kbd> next/prev image · <kbd>n</kbd>/<kbd>p</kbd> next/prev QA ·{' '}
            <kbd>d</kbd> depth · <kbd>b</kbd> boxes · <kbd>f</kbd> fit · <kbd>1</kbd> 1:1 ·{' '}
            <kbd>+</kbd>/<kbd>-</kbd> zoom · wheel zoom · drag pan · <kbd>Esc</kbd> clear QA / back
          </p>
        </aside>
      </div>
    </div>
  );
}
