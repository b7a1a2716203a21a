// The image's 3D evidence: its point cloud (RGB, per object or by depth), each object's AABB and
// OBB, the floor and gravity frame, the camera frustum and, for the highlighted subjects of a QA
// pair, the relations between them with their values and the QA's evidence (azimuth rays from the
// camera, measured segments). Clicking points or a box selects the object; selection comes in
// through props, so the 2D canvas and this view stay in sync. Objects take the 2D canvas's colours
// (`objectColors`). The view follows the image's edits: a re-derivation of this image (a box drawn
// or changed in 2D) reloads it without moving the camera.
// Test hooks on the container: data-status, data-point-count, data-selected-object,
// data-highlight, data-relation-count, data-evidence-count, data-color-mode, data-frames,
// data-object-colors (id -> box colour), data-box-ids, data-orbit-target, and per frame
// data-content-offset (where the content's centre is drawn, 0 = middle, 1 = edge),
// data-content-in-view (share of its box), data-content-box (world frame {min, max}) and
// data-camera (world-frame position and up, fov in degrees, aspect: a test projects with them).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { SceneRelation } from '../../../contract/entities';
import type { QaEvidence } from '../../../contract/review';
import { api, errorText } from '../api/client';
import { useElementSize, useEngineEvents } from '../app/hooks';
import { colorsForIds, type ColorMode } from './cloud-colors';
import { SceneRenderer, type LayerToggles } from './scene-renderer';
import { useSceneData } from './useSceneData';

export interface SceneViewer3DProps {
  projectId: string;
  imageId: number;
  selectedObjectId: number | null;
  onSelectObject(id: number | null): void;
  highlight?: {
    objectIds: number[];
    label?: string;
    evidence?: QaEvidence | null;
    colors?: ReadonlyMap<number, string>;
  } | null;
  /** Object id -> colour, the 2D canvas's; without it, the same rule over the scene's objects. */
  objectColors?: ReadonlyMap<number, string>;
}

const DEFAULT_MAX_POINTS = 300_000;
const CLICK_SLOP_PX = 4;

export function SceneViewer3D({
  projectId,
  imageId,
  selectedObjectId,
  onSelectObject,
  highlight = null,
  objectColors,
}: SceneViewer3DProps) {
  const [reloadTick, setReloadTick] = useState(0);
  const data = useSceneData(projectId, imageId, DEFAULT_MAX_POINTS, reloadTick);
  const [colorMode, setColorMode] = useState<ColorMode>('rgb');
  const [toggles, setToggles] = useState<LayerToggles>({
    points: true,
    aabb: false,
    obb: true,
    frame: true,
    frustum: true,
    relations: true,
    labels: true,
  });
  const [orbitSelection, setOrbitSelection] = useState(true);
  const sectionRef = useRef<HTMLElement | null>(null);
  const [pointSize, setPointSize] = useState(2);
  const [wrapRef, size] = useElementSize<HTMLDivElement>();
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const viewer = useRef<SceneRenderer | null>(null);
  const [glError, setGlError] = useState<string | null>(null);
  const [frames, setFrames] = useState(0);
  const [relations, setRelations] = useState<SceneRelation[]>([]);
  const [relationError, setRelationError] = useState<string | null>(null);
  const selectRef = useRef(onSelectObject);
  useLayoutEffect(() => {
    selectRef.current = onSelectObject;
  });

  // A re-run of the pipeline rewrites the graph: reload when a job for this project ends, or when
  // this image was re-derived after an edit (a box drawn in 2D appears here without a page reload).
  useEngineEvents((e) => {
    if (e.projectId !== projectId) return;
    if (
      (e.type === 'job' && e.job.status === 'done') ||
      (e.type === 'images-changed' && e.imageId === imageId)
    )
      setReloadTick((t) => t + 1);
  });

  const nodes = data.scene?.nodes;
  const colors = useMemo(
    () => objectColors ?? colorsForIds((nodes ?? []).map((n) => n.id)),
    [objectColors, nodes],
  );

  const highlightKey = (highlight?.objectIds ?? []).join(',');
  const highlightSet = useMemo(
    () => new Set(highlightKey ? highlightKey.split(',').map(Number) : []),
    [highlightKey],
  );

  // One renderer for the component's lifetime.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let r: SceneRenderer;
    try {
      r = new SceneRenderer(canvas);
    } catch (err) {
      setGlError(`3D view unavailable: ${errorText(err)}`);
      return;
    }
    viewer.current = r;
    let shown = 0;
    r.onRender = (s) => {
      // Per-frame hooks go straight to the DOM: re-rendering React each frame would cost more.
      const el = sectionRef.current;
      if (el) {
        el.dataset.contentOffset = s.contentOffset === null ? '' : s.contentOffset.toFixed(3);
        el.dataset.contentInView = s.contentInView === null ? '' : String(s.contentInView);
        el.dataset.orbitTarget = r
          .orbitTarget()
          .map((v) => v.toFixed(3))
          .join(',');
        const box = r.contentBounds();
        el.dataset.contentBox = box ? JSON.stringify(box) : '';
        el.dataset.camera = JSON.stringify(r.cameraPose());
      }
      // Re-render React at most every 10th frame: the counter is a test hook, not UI.
      if (s.frames - shown >= 10 || shown === 0) {
        shown = s.frames;
        setFrames(s.frames);
      }
    };
    return () => {
      r.dispose();
      viewer.current = null;
    };
  }, []);

  useEffect(() => {
    viewer.current?.resize(size.width, size.height);
  }, [size.width, size.height]);

  // New data: cloud, boxes, frame, frustum; the camera's own pose for a new image only, so a
  // reload after an edit leaves the view where the reviewer put it.
  const posedFor = useRef<number | null>(null);
  /** The object the orbit pivot was last moved to. */
  const pivotFor = useRef<number | null>(null);
  useEffect(() => {
    const r = viewer.current;
    if (!r || data.state !== 'ready') return;
    r.setCloud(data.info, data.cloud);
    r.setNodes(data.scene?.nodes ?? [], colors, selectedObjectId, highlightSet);
    r.setColors(colorMode, selectedObjectId, highlightSet, data.info?.depthRange ?? null, colors);
    if (posedFor.current !== imageId) {
      posedFor.current = imageId;
      pivotFor.current = null;
      r.viewFromCamera();
    }
    // selection/colour changes are applied by the effects below
  }, [data]);

  useEffect(() => {
    const r = viewer.current;
    if (!r || data.state !== 'ready') return;
    r.setColors(colorMode, selectedObjectId, highlightSet, data.info?.depthRange ?? null, colors);
    r.setNodes(data.scene?.nodes ?? [], colors, selectedObjectId, highlightSet);
  }, [colorMode, selectedObjectId, highlightSet, data, colors]);

  // Orbit around the selection: a newly selected object becomes the pivot (once per selection, so
  // the reviewer's own framing afterwards is kept; a box that appears after a reload gets it then).
  useEffect(() => {
    const r = viewer.current;
    if (!r || data.state !== 'ready') return;
    if (!orbitSelection || selectedObjectId === null) {
      pivotFor.current = null;
      return;
    }
    if (pivotFor.current !== selectedObjectId && r.orbitAround(selectedObjectId))
      pivotFor.current = selectedObjectId;
  }, [selectedObjectId, orbitSelection, data]);

  useEffect(() => {
    viewer.current?.setToggles(toggles);
  }, [toggles, data]);

  useEffect(() => {
    viewer.current?.points.setPointSize(pointSize);
    viewer.current?.requestRender();
  }, [pointSize]);

  // Relations of the highlighted subjects.
  useEffect(() => {
    if (highlightSet.size === 0) {
      setRelations([]);
      return;
    }
    let live = true;
    api.scene.relations({ projectId, imageId, objectIds: [...highlightSet] }).then(
      (list) => {
        if (!live) return;
        setRelations(list);
        setRelationError(null);
      },
      (err: unknown) => live && setRelationError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [projectId, imageId, highlightSet, reloadTick]);

  useEffect(() => {
    viewer.current?.setRelations(data.scene?.nodes ?? [], relations, highlight?.objectIds ?? []);
    // highlight order only matters together with new relations
  }, [relations, data]);

  const [evidenceCount, setEvidenceCount] = useState(0);
  const evidence = highlight?.evidence ?? null;
  const evidenceColors = highlight?.colors;
  useEffect(() => {
    setEvidenceCount(viewer.current?.setEvidence(evidence, evidenceColors) ?? 0);
  }, [evidence, evidenceColors, data]);

  const down = useRef<{ x: number; y: number } | null>(null);
  const onPointerDown = (e: React.PointerEvent) => {
    down.current = { x: e.clientX, y: e.clientY };
  };
  const onPointerUp = (e: React.PointerEvent) => {
    const d = down.current;
    down.current = null;
    if (!d || Math.hypot(e.clientX - d.x, e.clientY - d.y) > CLICK_SLOP_PX) return;
    const r = viewer.current;
    if (!r || data.state !== 'ready') return;
    selectRef.current(r.pick(e.clientX, e.clientY));
  };

  const info = data.info;
  const pointCount = data.cloud?.count ?? 0;
  const status = glError ? 'error' : data.state;
  const notes = [
    ...(info?.notes ?? []),
    ...(data.state === 'ready' && !data.scene
      ? ['No scene graph yet: no boxes or floor to show.']
      : []),
  ];

  return (
    <section
      ref={sectionRef}
      className="viewer3d"
      data-testid="viewer3d"
      data-status={status}
      data-point-count={pointCount}
      data-selected-object={selectedObjectId ?? ''}
      data-highlight={[...highlightSet].join(',')}
      data-relation-count={relations.length}
      data-evidence-count={evidenceCount}
      data-color-mode={colorMode}
      data-frames={frames}
      data-cached={info ? String(info.cached) : ''}
      data-box-ids={(nodes ?? []).map((n) => n.id).join(',')}
      data-object-colors={JSON.stringify(
        Object.fromEntries((nodes ?? []).map((n) => [n.id, colors.get(n.id) ?? null])),
      )}
      aria-label="3D view"
    >
      <div className="viewer3d-toolbar">
        <label className="inline-field">
          <span>Colour</span>
          <select
            value={colorMode}
            onChange={(e) => setColorMode(e.target.value as ColorMode)}
            data-testid="viewer3d-color-mode"
          >
            <option value="rgb">RGB</option>
            <option value="object">by object</option>
            <option value="depth">by depth</option>
          </select>
        </label>
        {(
          [
            ['points', 'Points'],
            ['obb', 'OBB'],
            ['aabb', 'AABB'],
            ['frame', 'Floor + axes'],
            ['frustum', 'Camera'],
            ['relations', 'Relations'],
            ['labels', 'Labels'],
          ] as const
        ).map(([key, label]) => (
          <label key={key} className="viewer3d-toggle">
            <input
              type="checkbox"
              checked={toggles[key]}
              onChange={(e) => setToggles((t) => ({ ...t, [key]: e.target.checked }))}
              data-testid={`viewer3d-toggle-${key}`}
            />
            {label}
          </label>
        ))}
        <label className="viewer3d-toggle" title="Point size in pixels">
          Size
          <input
            type="range"
            min={1}
            max={6}
            value={pointSize}
            onChange={(e) => setPointSize(Number(e.target.value))}
          />
        </label>
        <button
          type="button"
          className="btn small"
          onClick={() => viewer.current?.viewFromCamera()}
          data-testid="viewer3d-view-from-camera"
          title="Put the view back where the photo was taken"
        >
          View from camera
        </button>
        <button
          type="button"
          className="btn small"
          onClick={() => {
            pivotFor.current = null;
            viewer.current?.fitToContent();
          }}
          data-testid="viewer3d-fit"
          title="Centre the scene and show all of it; orbit turns around its middle"
        >
          Fit
        </button>
        <label className="viewer3d-toggle" title="Turn around the selected object when orbiting">
          <input
            type="checkbox"
            checked={orbitSelection}
            onChange={(e) => setOrbitSelection(e.target.checked)}
            data-testid="viewer3d-orbit-selection"
          />
          Orbit selection
        </label>
      </div>
      <div className="viewer3d-canvas-wrap" ref={wrapRef}>
        <canvas
          ref={canvasRef}
          className="viewer3d-canvas"
          data-testid="viewer3d-canvas"
          onPointerDown={onPointerDown}
          onPointerUp={onPointerUp}
        />
        {status === 'loading' && <div className="viewer3d-overlay muted">Loading 3D…</div>}
        {status === 'error' && (
          <div className="viewer3d-overlay error-text" role="alert">
            {glError ?? data.error}
          </div>
        )}
        {highlight?.label && (
          <div className="viewer3d-caption" data-testid="viewer3d-highlight-label">
            {captionText(highlight.label, highlight.objectIds, data.scene?.nodes ?? [])}
          </div>
        )}
      </div>
      <div className="viewer3d-footer muted small">
        <span data-testid="viewer3d-point-count">
          {pointCount.toLocaleString()} points
          {info && info.stride > 1 ? ` (pixel grid ${info.stride}×${info.stride})` : ''}
        </span>
        {info && <span>gravity: {info.frame.gravitySource}</span>}
        {relationError && <span className="error-text">relations: {relationError}</span>}
        {notes.map((n) => (
          <span key={n} className="viewer3d-note" data-testid="viewer3d-note">
            {n}
          </span>
        ))}
      </div>
    </section>
  );
}

/** A QA question's `<regionN>` placeholders read as the subjects' labels ("chair #1"). */
export function captionText(
  label: string,
  objectIds: readonly number[],
  nodes: ReadonlyArray<{ id: number; label: string }>,
): string {
  return label.replace(/<region(\d+)>/g, (whole, n: string) => {
    const id = objectIds[Number(n)];
    const node = nodes.find((x) => x.id === id);
    return node ? `${node.label} #${node.id}` : id !== undefined ? `#${id}` : whole;
  });
}
