// The image on a Konva stage: fitted to the available area, wheel-zoom around the pointer, drag to
// pan, the colour-mapped depth preview as its own layer, and the objects layer: the object masks
// (decoded RLE, one colour per object, adjustable opacity) under boxes with label/score captions
// in image pixels (strokes and captions keep their screen size). In the select tool a box is
// selected by clicking, moved by dragging and resized with the transformer handles; the draw tool
// drags out a new box (canvas/tools.ts). Edits go out through callbacks; what is drawn always
// follows the props. A highlight set (a QA's subjects) emphasises those objects and dims the rest;
// ambiguous objects get a dashed outline. The selected QA's evidence (azimuths, measured lengths)
// is drawn on its own layer above (EvidenceLayer). While a mask is edited (MaskEditor) the stage
// neither pans nor selects: pointer events go to the editor and its working mask replaces the
// object's stored one on screen.
// Test hooks on the box: data-objects-drawn, data-object-labels (JSON), data-highlighted-ids,
// data-selected-id, data-tool, data-masks-drawn, data-mask-problems, data-view, data-object-boxes,
// data-evidence-drawn (JSON texts of the evidence shapes), data-object-colors.
import type Konva from 'konva';
import type { KonvaEventObject } from 'konva/lib/Node';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  Image as KonvaImage,
  Label,
  Layer,
  Rect,
  Stage,
  Tag,
  Text,
  Transformer,
} from 'react-konva';
import type { EditableObject, QaEvidence } from '../../../contract/review';
import { useBlobFailure, useElementSize, useHtmlImage } from '../app/hooks';
import { composeMasks, masksCanvas, type MaskPaint } from '../canvas/mask-layer';
import {
  drawBoxStep,
  normalizeBox,
  type Box,
  type DrawBoxState,
  type Point,
  type ToolEvent,
  type ToolName,
} from '../canvas/tools';
import { evidenceShapes } from '../lib/evidence';
import { idList, objectCaption, placeLabels } from '../lib/objects';
import { EvidenceLayer } from './EvidenceLayer';

const MIN_SCALE = 0.02;
const MAX_SCALE = 40;
const FIT_MARGIN = 16;
/** Caption text size and padding in screen pixels, whatever the zoom. */
const CAPTION_PX = 12;
const CAPTION_PAD = 3;
const CAPTION_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const DIM_OPACITY = 0.3;
const DIM_MASK_ALPHA = 0.3;

/** A mask being edited on the canvas (components/MaskEditor.tsx). */
export interface MaskEditLayer {
  /** Its stored mask is not drawn: the working one is, by `render`. */
  objectId: number;
  onPointer(type: 'down' | 'move' | 'up', at: Point, mods: { shift: boolean }, scale: number): void;
  /** Shapes in image pixels above the objects (working mask, polygon, clicks). */
  render(scale: number): ReactNode;
}

export interface StageCommand {
  kind: 'fit' | 'actual' | 'zoom-in' | 'zoom-out';
  seq: number;
}

interface Props {
  imageUrl: string;
  /**
   * Drawn in the image's place (stretched to its size, so boxes and masks still line up) when the
   * image cannot be loaded, with the reason shown: the thumbnail.
   */
  fallbackUrl?: string | null;
  depthUrl: string | null;
  /**
   * Natural size of the upright image (from the image record); 0 while that record is on its way:
   * the stage is already set up (and the image loading), it draws once the size is known.
   */
  width: number;
  height: number;
  depthVisible: boolean;
  depthOpacity: number;
  command: StageCommand | null;
  onScaleChange?: (scale: number) => void;
  objects?: readonly EditableObject[];
  /** Stroke/caption colour per object id. */
  colors?: ReadonlyMap<number, string>;
  objectsVisible?: boolean;
  masksVisible?: boolean;
  maskOpacity?: number;
  /** Objects to emphasise (a QA pair's subjects); they are drawn even when the layer is off. */
  highlight?: ReadonlySet<number> | null;
  /** Objects the QA engine could not name unambiguously (dashed outline). */
  ambiguous?: ReadonlySet<number>;
  selectedId?: number | null;
  onSelect?: (id: number | null) => void;
  tool?: ToolName;
  /** A new box was drawn (image pixels). */
  onCreateBox?: (box: Box) => void;
  /** A box was moved or resized (image pixels). */
  onChangeBox?: (id: number, box: Box) => void;
  /** Called once the image and the overlays it was given are drawn (timing, tests). */
  onOverlaysReady?: () => void;
  /** The selected QA's measured numbers, drawn over the objects (azimuths, lengths). */
  evidence?: QaEvidence | null;
  maskEdit?: MaskEditLayer | null;
}

type DrawState = 'normal' | 'highlight' | 'dim';

let measureCtx: CanvasRenderingContext2D | null | undefined;
/** Caption width in screen pixels at CAPTION_PX (an estimate when no 2D context exists). */
function captionWidth(text: string): number {
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * CAPTION_PX * 0.62;
  measureCtx.font = `bold ${CAPTION_PX}px ${CAPTION_FONT}`;
  return measureCtx.measureText(text).width;
}

/** Captions are cut so a very long label cannot cover the image. */
function captionText(o: EditableObject, ambiguous: boolean): string {
  const text = objectCaption(o);
  const cut = text.length > 48 ? `${text.slice(0, 47)}…` : text;
  return ambiguous ? `? ${cut}` : cut;
}

interface View {
  scale: number;
  x: number;
  y: number;
}

function fitView(cw: number, ch: number, iw: number, ih: number): View {
  const scale = Math.max(
    MIN_SCALE,
    Math.min((cw - 2 * FIT_MARGIN) / iw, (ch - 2 * FIT_MARGIN) / ih),
  );
  return { scale, x: (cw - iw * scale) / 2, y: (ch - ih * scale) / 2 };
}

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** Memoised: the image view re-renders for reasons of its own (side panel, toolbar) many times. */
export const ImageStage = memo(function ImageStage({
  imageUrl,
  fallbackUrl = null,
  depthUrl,
  width,
  height,
  depthVisible,
  depthOpacity,
  command,
  onScaleChange,
  objects = [],
  colors,
  objectsVisible = true,
  masksVisible = true,
  maskOpacity = 0.45,
  highlight = null,
  ambiguous,
  selectedId = null,
  onSelect,
  tool = 'select',
  onCreateBox,
  onChangeBox,
  onOverlaysReady,
  evidence = null,
  maskEdit = null,
}: Props) {
  const [boxRef, size] = useElementSize<HTMLDivElement>();
  const stageRef = useRef<Konva.Stage | null>(null);
  const objectsLayerRef = useRef<Konva.Layer | null>(null);
  const transformerRef = useRef<Konva.Transformer | null>(null);
  const full = useHtmlImage(imageUrl);
  const fullFailed = full.status === 'error';
  const fallback = useHtmlImage(fullFailed ? fallbackUrl : null);
  const base = fullFailed && fallback.status !== 'idle' ? fallback : full;
  const failure = useBlobFailure(fullFailed ? imageUrl : null);
  // Load the overlay only once it is wanted, then keep it.
  const [depthWanted, setDepthWanted] = useState(depthVisible);
  useEffect(() => {
    if (depthVisible) setDepthWanted(true);
  }, [depthVisible]);
  const depth = useHtmlImage(depthUrl && depthWanted ? depthUrl : null);

  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const userMoved = useRef(false);
  const [draft, setDraft] = useState<DrawBoxState>({ kind: 'idle' });

  // Refit on a new image or a resized area, unless the user has zoomed/panned this image.
  useEffect(() => {
    userMoved.current = false;
  }, [imageUrl]);
  const known = width > 0 && height > 0;
  useEffect(() => {
    if (size.width > 0 && size.height > 0 && known && !userMoved.current)
      setView(fitView(size.width, size.height, width, height));
  }, [size.width, size.height, width, height, imageUrl]);

  useEffect(() => {
    onScaleChange?.(view.scale);
  }, [view.scale, onScaleChange]);

  const zoomAt = useCallback((factor: number, px: number, py: number) => {
    const stage = stageRef.current;
    if (!stage) return;
    userMoved.current = true;
    const old = stage.scaleX();
    const scale = clampScale(old * factor);
    const pointTo = { x: (px - stage.x()) / old, y: (py - stage.y()) / old };
    setView({ scale, x: px - pointTo.x * scale, y: py - pointTo.y * scale });
  }, []);

  useEffect(() => {
    if (!command || size.width === 0 || !known) return;
    if (command.kind === 'fit') {
      userMoved.current = false;
      setView(fitView(size.width, size.height, width, height));
    } else if (command.kind === 'actual') {
      userMoved.current = true;
      setView({ scale: 1, x: (size.width - width) / 2, y: (size.height - height) / 2 });
    } else {
      zoomAt(command.kind === 'zoom-in' ? 1.25 : 0.8, size.width / 2, size.height / 2);
    }
    // Only react to a new command.
  }, [command?.seq]);

  // Leaving the draw tool drops a half-drawn box.
  useEffect(() => {
    if (tool !== 'draw-box') setDraft({ kind: 'idle' });
  }, [tool]);

  const onWheel = (e: KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault();
    const stage = stageRef.current;
    const p = stage?.getPointerPosition();
    if (!stage || !p) return;
    const dy = e.evt.deltaMode === 1 ? e.evt.deltaY * 16 : e.evt.deltaY;
    zoomAt(Math.exp(-dy * 0.0015), p.x, p.y);
  };

  const onStageDragEnd = (e: KonvaEventObject<DragEvent>) => {
    const stage = stageRef.current;
    if (!stage || e.target !== stage) return;
    userMoved.current = true;
    setView((v) => ({ ...v, x: stage.x(), y: stage.y() }));
  };

  const toolEvent = (type: ToolEvent['type']) => {
    if (tool !== 'draw-box' || !known) return;
    const at = stageRef.current?.getRelativePointerPosition();
    if (!at) return;
    const step = drawBoxStep(draft, { type, at } as ToolEvent, { width, height });
    setDraft(step.state);
    if (step.done) onCreateBox?.(normalizeBox(step.done, width, height));
  };

  const maskPointer = (type: 'down' | 'move' | 'up', e: KonvaEventObject<MouseEvent>) => {
    const at = stageRef.current?.getRelativePointerPosition();
    if (at && maskEdit) maskEdit.onPointer(type, at, { shift: e.evt.shiftKey }, view.scale);
  };

  const depthLoaded = depth.status === 'loaded';
  const evidenceDrawn = useMemo(
    () => (known ? evidenceShapes(evidence, { width, height }) : []),
    [evidence, known, width, height],
  );

  // What the objects layer draws: highlighted objects last (on top), hidden ones not at all;
  // smaller boxes above larger ones so each stays clickable.
  const drawn = useMemo(() => {
    const list: Array<{ o: EditableObject; state: DrawState }> = [];
    // Nothing to place boxes and masks against before the image's size is known.
    for (const o of known ? objects : []) {
      const state: DrawState | null = highlight
        ? highlight.has(o.id)
          ? 'highlight'
          : objectsVisible
            ? 'dim'
            : null
        : objectsVisible || o.id === selectedId
          ? 'normal'
          : null;
      if (state) list.push({ o, state });
    }
    const area = (o: EditableObject) => (o.box[2] - o.box[0]) * (o.box[3] - o.box[1]);
    return list.sort(
      (a, b) =>
        Number(a.state === 'highlight') - Number(b.state === 'highlight') || area(b.o) - area(a.o),
    );
  }, [objects, highlight, objectsVisible, selectedId, known]);

  const masks = useMemo(() => {
    const paints: MaskPaint[] = [];
    for (const { o, state } of drawn) {
      if (!o.mask || o.id === maskEdit?.objectId) continue;
      paints.push({
        id: o.id,
        rle: o.mask,
        color: colors?.get(o.id) ?? '#ffffff',
        alpha: state === 'dim' ? DIM_MASK_ALPHA : 1,
      });
    }
    const composed = composeMasks(width, height, paints);
    return { composed, canvas: masksCanvas(width, height, composed) };
  }, [drawn, colors, width, height, maskEdit?.objectId]);

  const captions = useMemo(() => {
    const s = view.scale;
    const texts = drawn.map(({ o }) => captionText(o, ambiguous?.has(o.id) ?? false));
    const sizes = texts.map((t) => ({
      width: (captionWidth(t) + 2 * CAPTION_PAD) / s,
      height: (CAPTION_PX * 1.2 + 2 * CAPTION_PAD) / s,
    }));
    // Placed top-down so the upper labels keep their spots; highlighted ones first.
    const order = drawn
      .map((_, i) => i)
      .sort(
        (a, b) =>
          Number(drawn[b]!.state === 'highlight') - Number(drawn[a]!.state === 'highlight') ||
          drawn[a]!.o.box[1] - drawn[b]!.o.box[1] ||
          drawn[a]!.o.box[0] - drawn[b]!.o.box[0],
      );
    const spots = placeLabels(
      order.map((i) => drawn[i]!.o.box),
      order.map((i) => sizes[i]!),
      { width, height },
    );
    const out = new Array<{ x: number; y: number; text: string }>(drawn.length);
    order.forEach((i, k) => (out[i] = { ...spots[k]!, text: texts[i]! }));
    return out;
  }, [drawn, view.scale, width, height, ambiguous]);

  // The transformer follows the selected box (select tool only).
  const selectedDrawn = tool === 'select' && !maskEdit && drawn.some((d) => d.o.id === selectedId);
  useEffect(() => {
    const tr = transformerRef.current;
    if (!tr) return;
    const node =
      selectedDrawn && selectedId !== null
        ? objectsLayerRef.current?.findOne(`#box-${selectedId}`)
        : undefined;
    tr.nodes(node ? [node] : []);
    tr.getLayer()?.batchDraw();
  }, [selectedId, selectedDrawn, drawn]);

  const ready =
    known &&
    base.status === 'loaded' &&
    (!masksVisible || masks.canvas !== null || masks.composed.drawn.length === 0);
  useEffect(() => {
    if (ready) onOverlaysReady?.();
  }, [ready, onOverlaysReady, masks]);

  const boxFromNode = (node: Konva.Node): Box => {
    const w = node.width() * node.scaleX();
    const h = node.height() * node.scaleY();
    return normalizeBox([node.x(), node.y(), node.x() + w, node.y() + h], width, height);
  };
  /** Puts a dragged/transformed node back where the props say; the new box comes back through them. */
  const settleNode = (node: Konva.Node, o: EditableObject) => {
    node.scaleX(1);
    node.scaleY(1);
    node.position({ x: o.box[0], y: o.box[1] });
  };

  const drafted =
    draft.kind === 'dragging'
      ? [
          Math.min(draft.start.x, draft.current.x),
          Math.min(draft.start.y, draft.current.y),
          Math.abs(draft.current.x - draft.start.x),
          Math.abs(draft.current.y - draft.start.y),
        ]
      : null;

  return (
    <div
      ref={boxRef}
      className={`stage-box tool-${maskEdit ? 'mask' : tool}`}
      data-testid="image-stage"
      data-image-loaded={base.status === 'loaded' && known ? 'true' : 'false'}
      data-depth-layer-loaded={depthLoaded ? 'true' : 'false'}
      data-depth-visible={depthVisible && depthLoaded ? 'true' : 'false'}
      data-scale={view.scale.toFixed(4)}
      data-view={JSON.stringify(view)}
      data-objects-drawn={drawn.length}
      data-object-labels={JSON.stringify(drawn.map(({ o }) => o.label))}
      data-object-boxes={JSON.stringify(Object.fromEntries(objects.map((o) => [o.id, o.box])))}
      data-object-colors={JSON.stringify(
        Object.fromEntries(objects.map((o) => [o.id, colors?.get(o.id) ?? null])),
      )}
      data-highlighted-ids={idList(drawn.filter((d) => d.state === 'highlight').map((d) => d.o.id))}
      data-selected-id={selectedId ?? ''}
      data-tool={tool}
      data-masks-drawn={masksVisible ? idList(masks.composed.drawn) : ''}
      data-mask-problems={masks.composed.problems.length}
      data-overlays-ready={ready ? 'true' : 'false'}
      data-evidence-drawn={JSON.stringify(evidenceDrawn.map((e) => e.text))}
      onDoubleClick={() => {
        if (tool !== 'select' || !known) return;
        userMoved.current = false;
        setView(fitView(size.width, size.height, width, height));
      }}
    >
      {size.width > 0 && size.height > 0 && (
        <Stage
          ref={stageRef}
          width={size.width}
          height={size.height}
          x={view.x}
          y={view.y}
          scaleX={view.scale}
          scaleY={view.scale}
          draggable={tool === 'select' && !maskEdit}
          onWheel={onWheel}
          onDragEnd={onStageDragEnd}
          onMouseDown={(e) => {
            if (maskEdit) maskPointer('down', e);
            else if (tool === 'draw-box') toolEvent('pointer-down');
            else if (e.target === e.target.getStage()) onSelect?.(null);
          }}
          onMouseMove={(e) => {
            if (maskEdit) maskPointer('move', e);
            else if (draft.kind === 'dragging') toolEvent('pointer-move');
          }}
          onMouseUp={(e) => {
            if (maskEdit) maskPointer('up', e);
            else if (draft.kind === 'dragging') toolEvent('pointer-up');
          }}
        >
          <Layer listening={false}>
            {base.image && known && <KonvaImage image={base.image} width={width} height={height} />}
          </Layer>
          <Layer listening={false} visible={depthVisible && depthLoaded} opacity={depthOpacity}>
            {depth.image && known && (
              <KonvaImage image={depth.image} width={width} height={height} />
            )}
          </Layer>
          <Layer
            ref={objectsLayerRef}
            listening={tool === 'select' && !maskEdit}
            visible={drawn.length > 0}
          >
            {masksVisible && masks.canvas && (
              <KonvaImage
                image={masks.canvas}
                width={width}
                height={height}
                opacity={maskOpacity}
                listening={false}
              />
            )}
            {drawn.map(({ o, state }) => {
              const color = colors?.get(o.id) ?? '#ffffff';
              const [x0, y0, x1, y1] = o.box;
              const selected = o.id === selectedId;
              return (
                <Rect
                  key={`box-${o.id}`}
                  id={`box-${o.id}`}
                  x={x0}
                  y={y0}
                  width={x1 - x0}
                  height={y1 - y0}
                  stroke={selected ? '#ffffff' : color}
                  strokeWidth={selected || state === 'highlight' ? 3 : 2}
                  strokeScaleEnabled={false}
                  dash={ambiguous?.has(o.id) ? [8, 5] : undefined}
                  fill={state === 'highlight' || selected ? `${color}2e` : 'rgba(0,0,0,0)'}
                  opacity={state === 'dim' ? DIM_OPACITY : 1}
                  draggable={tool === 'select' && onChangeBox !== undefined}
                  onMouseDown={(e) => {
                    e.cancelBubble = true;
                    onSelect?.(o.id);
                  }}
                  onDragStart={(e) => {
                    e.cancelBubble = true;
                    onSelect?.(o.id);
                  }}
                  onDragEnd={(e) => {
                    e.cancelBubble = true;
                    const next = boxFromNode(e.target);
                    settleNode(e.target, o);
                    onChangeBox?.(o.id, next);
                  }}
                  onTransformEnd={(e) => {
                    const next = boxFromNode(e.target);
                    settleNode(e.target, o);
                    onChangeBox?.(o.id, next);
                  }}
                />
              );
            })}
            {drawn.map(({ o, state }, i) => {
              const c = captions[i];
              if (!c) return null;
              const s = view.scale;
              return (
                <Label
                  key={`label-${o.id}`}
                  x={c.x}
                  y={c.y}
                  listening={false}
                  opacity={state === 'dim' ? DIM_OPACITY + 0.15 : 1}
                >
                  <Tag fill={colors?.get(o.id) ?? '#ffffff'} cornerRadius={2 / s} />
                  <Text
                    text={c.text}
                    fontSize={CAPTION_PX / s}
                    fontFamily={CAPTION_FONT}
                    fontStyle="bold"
                    lineHeight={1.2}
                    padding={CAPTION_PAD / s}
                    fill="#0b0c0e"
                  />
                </Label>
              );
            })}
            <Transformer
              ref={transformerRef}
              rotateEnabled={false}
              flipEnabled={false}
              ignoreStroke
              keepRatio={false}
              anchorSize={9}
              borderStroke="#ffffff"
              anchorStroke="#ffffff"
              anchorFill="#1c7ed6"
              boundBoxFunc={(oldBox, newBox) =>
                Math.abs(newBox.width) < 4 || Math.abs(newBox.height) < 4 ? oldBox : newBox
              }
            />
          </Layer>
          {maskEdit && <Layer listening={false}>{maskEdit.render(view.scale)}</Layer>}
          {evidenceDrawn.length > 0 && (
            <EvidenceLayer shapes={evidenceDrawn} scale={view.scale} colors={colors} />
          )}
          {/* Only while drawing: a layer is two canvases to set up when the stage mounts. */}
          {drafted && (
            <Layer listening={false}>
              <Rect
                x={drafted[0]}
                y={drafted[1]}
                width={drafted[2]}
                height={drafted[3]}
                stroke="#ffffff"
                strokeWidth={2}
                strokeScaleEnabled={false}
                dash={[6, 4]}
                fill="rgba(255,255,255,0.08)"
              />
            </Layer>
          )}
        </Stage>
      )}
      {(base.status === 'loading' || (base.status === 'loaded' && !known)) && (
        <div className="stage-note">Loading image…</div>
      )}
      {fullFailed && base.status !== 'loading' && (
        <div className="stage-note error-text" role="alert" data-testid="image-load-error">
          {base === fallback && fallback.status === 'loaded'
            ? 'The full image could not be loaded; showing the thumbnail instead'
            : 'The image could not be loaded'}
          {failure ? `: ${failure}` : '.'}
        </div>
      )}
      {depthVisible && depth.status === 'error' && (
        <div className="stage-note stage-note-bottom error-text">
          The depth overlay could not be loaded.
        </div>
      )}
      {masks.composed.problems.length > 0 && (
        <div className="stage-note stage-note-bottom error-text" data-testid="mask-problems">
          {masks.composed.problems.length} mask(s) not drawn: {masks.composed.problems[0]!.reason}
        </div>
      )}
    </div>
  );
});
