// Mask editing for the selected object (issue 16 case 5): brush and eraser (size slider), polygon
// (click points, click the first one or Close; add or cut), and click-to-refine with the installed
// SAM/SlimSAM (click on the object, Shift+click off it; Apply stores the proposal). Every finished
// stroke, polygon or applied proposal is one objects.setMask call: one undoable command in the audit
// log, after which the engine re-derives the image's graph and QA. useMaskEditor holds the working
// bitmap and hands ImageStage a MaskEditLayer; MaskEditorPanel is its side-panel card.
// Test hooks: data-mask-pixels (working mask), data-mask-tool, data-mask-busy on the card.
import type Konva from 'konva';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Circle, Image as KonvaImage, Line } from 'react-konva';
import type {
  EditableObject,
  MaskProposal,
  PromptPoint,
  SegmenterStatus,
} from '../../../contract/review';
import { api, errorText } from '../api/client';
import {
  bitmapOf,
  closesPolygon,
  countPixels,
  paintPolygon,
  paintSegment,
  toRle,
  type MaskBitmap,
} from '../canvas/mask-edit';
import type { Point } from '../canvas/tools';
import { reviewerName } from '../review/reviewer';
import type { MaskEditLayer } from './ImageStage';

export type MaskTool = 'brush' | 'eraser' | 'polygon' | 'refine';

interface Options {
  projectId: string;
  object: EditableObject | null;
  width: number;
  height: number;
  color: string | undefined;
  /** After a stored edit: reload the image's review state (masks, QA). */
  onSaved: () => void;
  /** The mask-edit mode and its tool: the image page's editor state (review/image-store.ts). */
  active: boolean;
  setActive: (on: boolean) => void;
  tool: MaskTool;
  setTool: (tool: MaskTool) => void;
}

/** Repaints the whole working mask into its canvas (after a reset, a save, a proposal). */
function paintCanvas(canvas: HTMLCanvasElement, m: MaskBitmap, color: string): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(m.width, m.height);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) || 0);
  for (let i = 0; i < m.bits.length; i++) {
    if (!m.bits[i]) continue;
    img.data[i * 4] = r!;
    img.data[i * 4 + 1] = g!;
    img.data[i * 4 + 2] = b!;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function useMaskEditor({
  projectId,
  object,
  width,
  height,
  color = '#ffd43b',
  onSaved,
  active,
  setActive,
  tool,
  setTool,
}: Options) {
  const [radius, setRadius] = useState(12);
  const [cut, setCut] = useState(false);
  const [polygon, setPolygon] = useState<Point[]>([]);
  const [clicks, setClicks] = useState<PromptPoint[]>([]);
  const [proposal, setProposal] = useState<MaskProposal | null>(null);
  const [segmenter, setSegmenter] = useState<SegmenterStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pixels, setPixels] = useState(0);
  const working = useRef<MaskBitmap | null>(null);
  const canvas = useMemo(() => {
    if (width <= 0 || height <= 0) return null;
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    return c;
  }, [width, height]);
  const imageNode = useRef<Konva.Image | null>(null);
  const stroke = useRef<Point | null>(null);
  const savedVersion = useRef(new Map<number, number>());
  const saving = useRef(false);

  const objectId = object?.id ?? null;
  const editing = active && object !== null && canvas !== null;

  /** The working mask back to the stored one (a new object, a saved or undone edit). */
  const reset = useCallback(() => {
    if (!object || !canvas) return;
    // An answer older than this editor's own last save (a reload that left before the save
    // landed after it): painting onto it would store the older mask, dropping saved strokes.
    if (object.version < (savedVersion.current.get(object.id) ?? 0)) return;
    working.current = bitmapOf(object.mask, width, height);
    paintCanvas(canvas, working.current, color);
    setPixels(countPixels(working.current));
    setProposal(null);
    imageNode.current?.getLayer()?.batchDraw();
  }, [object?.id, object?.version, object?.mask, canvas, width, height, color]);
  useEffect(() => {
    // Never under a stroke or a save in flight: the working mask holds what is being saved.
    if (editing && stroke.current === null && !saving.current) reset();
  }, [editing, reset]);
  // Another object, or none: leave the edit mode and its half-made gestures.
  useEffect(() => {
    setPolygon([]);
    setClicks([]);
    setProposal(null);
    setError(null);
    if (objectId === null) setActive(false);
  }, [objectId]);

  useEffect(() => {
    if (!active || segmenter) return;
    api.objects
      .segmenter({ projectId })
      .then(setSegmenter)
      .catch((err) =>
        setSegmenter({ available: false, model: null, points: false, reason: errorText(err) }),
      );
  }, [active, segmenter, projectId]);

  const save = useCallback(
    async (how: MaskTool) => {
      if (!object || !working.current) return;
      saving.current = true;
      setBusy(true);
      setError(null);
      setPixels(countPixels(working.current));
      try {
        // The next stroke may start before the reload brings the new version: use the answer's.
        const out = await api.objects.setMask({
          projectId,
          objectId: object.id,
          expectedVersion: Math.max(object.version, savedVersion.current.get(object.id) ?? 0),
          mask: toRle(working.current),
          tool: how,
          reviewer: reviewerName(),
        });
        if (out.object) savedVersion.current.set(out.object.id, out.object.version);
        setClicks([]);
        setProposal(null);
      } catch (err) {
        saving.current = false;
        setError(`Saving the mask failed: ${errorText(err)}`);
        reset();
      } finally {
        saving.current = false;
        setBusy(false);
        onSaved();
      }
    },
    [object, projectId, onSaved, reset],
  );

  const refine = useCallback(
    async (points: PromptPoint[]) => {
      if (!object || !canvas) return;
      setBusy(true);
      setError(null);
      try {
        const p = await api.objects.refineMask({ projectId, objectId: object.id, points });
        working.current = bitmapOf(p.mask, width, height);
        paintCanvas(canvas, working.current, color);
        setPixels(countPixels(working.current));
        setProposal(p);
        imageNode.current?.getLayer()?.batchDraw();
      } catch (err) {
        setError(`Refining failed: ${errorText(err)}`);
      } finally {
        setBusy(false);
      }
    },
    [object, projectId, canvas, width, height, color],
  );

  /** Paints a brush/eraser segment into the bitmap and, cheaply, onto the canvas. */
  const paint = useCallback(
    (from: Point, to: Point) => {
      const m = working.current;
      const ctx = canvas?.getContext('2d');
      if (!m || !ctx) return;
      const value = tool === 'brush' ? 1 : 0;
      paintSegment(m, from, to, radius, value);
      ctx.globalCompositeOperation = value ? 'source-over' : 'destination-out';
      ctx.strokeStyle = color;
      ctx.lineWidth = radius * 2;
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
      ctx.globalCompositeOperation = 'source-over';
      imageNode.current?.getLayer()?.batchDraw();
    },
    [canvas, tool, radius, color],
  );

  const closePolygon = useCallback(
    (points: Point[]) => {
      if (!working.current || points.length < 3) return;
      paintPolygon(working.current, points, cut ? 0 : 1);
      setPolygon([]);
      void save('polygon');
    },
    [cut, save],
  );

  const onPointer = useCallback(
    (type: 'down' | 'move' | 'up', at: Point, mods: { shift: boolean }, scale: number) => {
      if (busy) return;
      if (tool === 'brush' || tool === 'eraser') {
        if (type === 'down') {
          stroke.current = at;
          paint(at, at);
        } else if (type === 'move' && stroke.current) {
          paint(stroke.current, at);
          stroke.current = at;
        } else if (type === 'up' && stroke.current) {
          stroke.current = null;
          void save(tool);
        }
      } else if (tool === 'polygon' && type === 'down') {
        if (closesPolygon(polygon, at, scale)) closePolygon(polygon);
        else setPolygon([...polygon, at]);
      } else if (tool === 'refine' && type === 'down' && segmenter?.available) {
        // A boxes-only model takes no clicks: any click asks for the box's mask.
        const next = segmenter.points ? [...clicks, { ...at, positive: !mods.shift }] : [];
        setClicks(next);
        void refine(next);
      }
    },
    [busy, tool, paint, save, polygon, closePolygon, segmenter, clicks, refine],
  );

  const layer: MaskEditLayer | null = useMemo(
    () =>
      editing && objectId !== null
        ? {
            objectId,
            onPointer,
            render: (scale: number) => (
              <>
                <KonvaImage
                  ref={imageNode}
                  image={canvas!}
                  width={width}
                  height={height}
                  opacity={proposal ? 0.7 : 0.55}
                />
                {polygon.length > 0 && (
                  <Line
                    points={polygon.flatMap((p) => [p.x, p.y])}
                    stroke="#ffffff"
                    strokeWidth={2 / scale}
                    dash={[6 / scale, 4 / scale]}
                  />
                )}
                {polygon.map((p, i) => (
                  <Circle
                    key={`v${i}`}
                    x={p.x}
                    y={p.y}
                    radius={(i === 0 ? 6 : 4) / scale}
                    fill={i === 0 ? '#ffffff' : color}
                    stroke="#0b0c0e"
                    strokeWidth={1 / scale}
                  />
                ))}
                {clicks.map((p, i) => (
                  <Circle
                    key={`c${i}`}
                    x={p.x}
                    y={p.y}
                    radius={6 / scale}
                    fill={p.positive ? '#37b24d' : '#f03e3e'}
                    stroke="#ffffff"
                    strokeWidth={2 / scale}
                  />
                ))}
              </>
            ),
          }
        : null,
    [editing, objectId, onPointer, canvas, width, height, proposal, polygon, clicks, color],
  );

  return {
    object,
    active: editing,
    setActive,
    tool,
    setTool: (t: MaskTool) => {
      setTool(t);
      setPolygon([]);
      if (t !== 'refine') {
        setClicks([]);
        if (proposal) reset();
      }
    },
    radius,
    setRadius,
    cut,
    setCut,
    polygon,
    closePolygon: () => closePolygon(polygon),
    clearPolygon: () => setPolygon([]),
    clicks,
    proposal,
    applyProposal: () => void save('refine'),
    discardProposal: () => {
      setClicks([]);
      reset();
    },
    segmenter,
    busy,
    error,
    pixels,
    layer,
  };
}

export type MaskEditor = ReturnType<typeof useMaskEditor>;

const TOOLS: Array<{ id: MaskTool; label: string; title: string }> = [
  { id: 'brush', label: 'Brush', title: 'Paint pixels onto the mask' },
  { id: 'eraser', label: 'Eraser', title: 'Erase pixels from the mask (the wall behind a chair)' },
  { id: 'polygon', label: 'Polygon', title: 'Click points; click the first point to close' },
  { id: 'refine', label: 'Refine', title: 'Click on the object (Shift+click: not the object)' },
];

export function MaskEditorPanel({ editor }: { editor: MaskEditor }) {
  const e = editor;
  if (!e.object)
    return (
      <section className="control-card mask-editor" data-testid="mask-editor">
        <h3>Mask</h3>
        <p className="muted small">Select an object to edit its mask.</p>
      </section>
    );
  const refineBlocked = e.segmenter && !e.segmenter.available ? e.segmenter.reason : null;
  return (
    <section
      className="control-card mask-editor"
      data-testid="mask-editor"
      data-mask-pixels={e.active ? e.pixels : ''}
      data-mask-tool={e.active ? e.tool : ''}
      data-mask-busy={e.busy ? 'true' : 'false'}
    >
      <h3>
        Mask of {e.object.label}{' '}
        <span className="muted small">({e.object.maskProvenance ?? 'none yet'})</span>
      </h3>
      {!e.active ? (
        <button
          className="btn"
          onClick={() => e.setActive(true)}
          data-testid="mask-edit-start"
          title="Brush, eraser, polygon or click-to-refine; every edit re-derives the image"
        >
          Edit mask
        </button>
      ) : (
        <>
          <div className="btn-group" role="group" aria-label="Mask tools">
            {TOOLS.map((t) => (
              <button
                key={t.id}
                className={`btn${e.tool === t.id ? ' active' : ''}`}
                aria-pressed={e.tool === t.id}
                title={t.id === 'refine' && refineBlocked ? refineBlocked : t.title}
                // Until the engine says which model is installed, a click on the image would be
                // dropped without a word: the tool waits for the answer.
                disabled={t.id === 'refine' && (refineBlocked !== null || e.segmenter === null)}
                onClick={() => e.setTool(t.id)}
                data-testid={`mask-tool-${t.id}`}
              >
                {t.label}
              </button>
            ))}
          </div>
          {(e.tool === 'brush' || e.tool === 'eraser') && (
            <label className="field slider">
              <span>
                Size <b>{e.radius * 2} px</b>
              </span>
              <input
                type="range"
                min={1}
                max={60}
                step={1}
                value={e.radius}
                onChange={(ev) => e.setRadius(Number(ev.target.value))}
                data-testid="mask-brush-size"
              />
            </label>
          )}
          {e.tool === 'polygon' && (
            <div className="row">
              <label className="small">
                <input
                  type="checkbox"
                  checked={e.cut}
                  onChange={(ev) => e.setCut(ev.target.checked)}
                  data-testid="mask-polygon-cut"
                />{' '}
                Cut out (instead of add)
              </label>
              <button
                className="btn"
                disabled={e.polygon.length < 3 || e.busy}
                onClick={e.closePolygon}
                data-testid="mask-polygon-close"
              >
                Close ({e.polygon.length})
              </button>
              <button className="btn" disabled={e.polygon.length === 0} onClick={e.clearPolygon}>
                Clear
              </button>
            </div>
          )}
          {e.tool === 'refine' && e.segmenter?.available && (
            <div className="small" data-testid="mask-refine">
              <p className="muted">
                {e.segmenter.points
                  ? 'Click on the object; Shift+click where it is not.'
                  : e.segmenter.reason}{' '}
                Model: {e.segmenter.model}
              </p>
              {e.proposal && (
                <p>
                  Proposal: {e.proposal.area} px, predicted IoU {e.proposal.score.toFixed(2)} (
                  {Math.round(e.proposal.tookMs)} ms)
                </p>
              )}
              <button
                className="btn btn-primary"
                disabled={!e.proposal || e.busy}
                onClick={e.applyProposal}
                data-testid="mask-refine-apply"
              >
                Apply
              </button>{' '}
              <button className="btn" disabled={!e.proposal} onClick={e.discardProposal}>
                Discard
              </button>
            </div>
          )}
          {refineBlocked && (
            <p className="muted small" data-testid="mask-refine-reason">
              Refine: {refineBlocked}
            </p>
          )}
          <p className="muted small">
            {e.busy ? 'Saving…' : `${e.pixels} px`} · each edit is one undo step (<kbd>u</kbd>) and
            re-derives the image
          </p>
          {e.error && (
            <p className="error-text small" role="alert" data-testid="mask-edit-error">
              {e.error}
            </p>
          )}
          <button className="btn" onClick={() => e.setActive(false)} data-testid="mask-edit-done">
            Done
          </button>
        </>
      )}
    </section>
  );
}
