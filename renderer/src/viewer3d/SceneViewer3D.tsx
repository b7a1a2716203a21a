// The image's 3D evidence: its point cloud (RGB, per object or by depth), each object's AABB and
// OBB, the floor and gravity frame, the camera frustum and, for the highlighted subjects of a QA
// pair, the relations between them with their values and the QA's evidence (azimuth rays from the
// camera, measured segments). Clicking points or a box selects the object; selection comes in
// through props, so the 2D canvas and this view stay in sync.
// Test hooks on the container: data-status, data-point-count, data-selected-object,
// data-highlight, data-relation-count, data-evidence-count, data-color-mode, data-frames.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { SceneRelation } from '../../../contract/entities';
import type { QaEvidence } from '../../../contract/review';
import { api, errorText } from '../api/client';
import { useElementSize, useEngineEvents } from '../app/hooks';
import type { ColorMode } from './cloud-colors';
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
}

const DEFAULT_MAX_POINTS = 300_000;
const CLICK_SLOP_PX = 4;

export function SceneViewer3D({
  projectId,
  imageId,
  selectedObjectId,
  onSelectObject,
  highlight = null,
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
  });
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

  // A re-run of the pipeline rewrites the graph: reload when a job for this project ends.
  useEngineEvents((e) => {
    if (e.type === 'job' && e.projectId === projectId && e.job.status === 'done')
      setReloadTick((t) => t + 1);
  });

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

  // New data: cloud, boxes, frame, frustum; then the camera's own pose.
  useEffect(() => {
    const r = viewer.current;
    if (!r || data.state !== 'ready') return;
    r.setCloud(data.info, data.cloud);
    r.setNodes(data.scene?.nodes ?? [], selectedObjectId, highlightSet);
    r.setColors(colorMode, selectedObjectId, highlightSet, data.info?.depthRange ?? null);
    r.viewFromCamera();
    // selection/colour changes are applied by the effects below
  }, [data]);

  useEffect(() => {
    const r = viewer.current;
    if (!r || data.state !== 'ready') return;
    r.setColors(colorMode, selectedObjectId, highlightSet, data.info?.depthRange ?? null);
    r.setNodes(data.scene?.nodes ?? [], selectedObjectId, highlightSet);
  }, [colorMode, selectedObjectId, highlightSet, data]);

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
