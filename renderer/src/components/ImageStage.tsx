// The image on a Konva stage: fitted to the available area, wheel-zoom around the pointer, drag to
// pan, the colour-mapped depth preview as a separate layer with adjustable opacity, and the objects
// layer (boxes with label captions in image pixels, so they follow zoom and pan like the image;
// strokes and captions keep their screen size). A highlight set draws those objects emphasised and
// dims the others. Test hooks on the box: data-objects-drawn, data-object-labels (JSON),
// data-highlighted-ids (sorted, comma-separated).
import type Konva from 'konva';
import type { KonvaEventObject } from 'konva/lib/Node';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Image as KonvaImage, Label, Layer, Rect, Stage, Tag, Text } from 'react-konva';
import type { SceneObject } from '../../../contract/entities';
import { useElementSize, useHtmlImage } from '../app/hooks';
import { idList, objectCaption, placeLabels } from '../lib/objects';

const MIN_SCALE = 0.02;
const MAX_SCALE = 40;
const FIT_MARGIN = 16;
/** Caption text size and padding in screen pixels, whatever the zoom. */
const CAPTION_PX = 12;
const CAPTION_PAD = 3;
const CAPTION_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const DIM_OPACITY = 0.3;

export interface StageCommand {
  kind: 'fit' | 'actual' | 'zoom-in' | 'zoom-out';
  seq: number;
}

interface Props {
  imageUrl: string;
  depthUrl: string | null;
  /** Natural size of the upright image (from the image record). */
  width: number;
  height: number;
  depthVisible: boolean;
  depthOpacity: number;
  command: StageCommand | null;
  onScaleChange?: (scale: number) => void;
  objects?: readonly SceneObject[];
  /** Stroke/caption colour per object id. */
  colors?: ReadonlyMap<number, string>;
  objectsVisible?: boolean;
  /** Objects to emphasise (a QA pair's subjects); they are drawn even when the layer is off. */
  highlight?: ReadonlySet<number> | null;
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

export function ImageStage({
  imageUrl,
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
  highlight = null,
}: Props) {
  const [boxRef, size] = useElementSize<HTMLDivElement>();
  const stageRef = useRef<Konva.Stage | null>(null);
  const base = useHtmlImage(imageUrl);
  // Load the overlay only once it is wanted, then keep it.
  const [depthWanted, setDepthWanted] = useState(depthVisible);
  useEffect(() => {
    if (depthVisible) setDepthWanted(true);
  }, [depthVisible]);
  const depth = useHtmlImage(depthUrl && depthWanted ? depthUrl : null);

  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const userMoved = useRef(false);

  // Refit on a new image or a resized area, unless the user has zoomed/panned this image.
  useEffect(() => {
    userMoved.current = false;
  }, [imageUrl]);
  useEffect(() => {
    if (size.width > 0 && size.height > 0 && !userMoved.current)
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
    if (!command || size.width === 0) return;
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

  const onWheel = (e: KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault();
    const stage = stageRef.current;
    const p = stage?.getPointerPosition();
    if (!stage || !p) return;
    const dy = e.evt.deltaMode === 1 ? e.evt.deltaY * 16 : e.evt.deltaY;
    zoomAt(Math.exp(-dy * 0.0015), p.x, p.y);
  };

  const onDragEnd = (e: KonvaEventObject<DragEvent>) => {
    const stage = stageRef.current;
    if (!stage || e.target !== stage) return;
    userMoved.current = true;
    setView((v) => ({ ...v, x: stage.x(), y: stage.y() }));
  };

  const depthLoaded = depth.status === 'loaded';

  // What the objects layer draws: highlighted objects last (on top), hidden ones not at all.
  const drawn = useMemo(() => {
    const list: Array<{ o: SceneObject; state: DrawState }> = [];
    for (const o of objects) {
      const state: DrawState | null = highlight
        ? highlight.has(o.id)
          ? 'highlight'
          : objectsVisible
            ? 'dim'
            : null
        : objectsVisible
          ? 'normal'
          : null;
      if (state) list.push({ o, state });
    }
    return list.sort((a, b) => Number(a.state === 'highlight') - Number(b.state === 'highlight'));
  }, [objects, highlight, objectsVisible]);

  const captions = useMemo(() => {
    const s = view.scale;
    const texts = drawn.map(({ o }) => objectCaption(o));
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
  }, [drawn, view.scale, width, height]);
  return (
    <div
      ref={boxRef}
      className="stage-box"
      data-testid="image-stage"
      data-image-loaded={base.status === 'loaded' ? 'true' : 'false'}
      data-depth-layer-loaded={depthLoaded ? 'true' : 'false'}
      data-depth-visible={depthVisible && depthLoaded ? 'true' : 'false'}
      data-scale={view.scale.toFixed(4)}
      data-objects-drawn={drawn.length}
      data-object-labels={JSON.stringify(drawn.map(({ o }) => o.label))}
      data-highlighted-ids={idList(drawn.filter((d) => d.state === 'highlight').map((d) => d.o.id))}
      onDoubleClick={() => {
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
          draggable
          onWheel={onWheel}
          onDragEnd={onDragEnd}
        >
          <Layer listening={false}>
            {base.image && <KonvaImage image={base.image} width={width} height={height} />}
          </Layer>
          <Layer listening={false} visible={depthVisible && depthLoaded} opacity={depthOpacity}>
            {depth.image && <KonvaImage image={depth.image} width={width} height={height} />}
          </Layer>
          <Layer listening={false} visible={drawn.length > 0}>
            {drawn.map(({ o, state }) => {
              const color = colors?.get(o.id) ?? '#ffffff';
              const [x0, y0, x1, y1] = o.box;
              return (
                <Rect
                  key={`box-${o.id}`}
                  x={x0}
                  y={y0}
                  width={x1 - x0}
                  height={y1 - y0}
                  stroke={color}
                  strokeWidth={state === 'highlight' ? 3 : 2}
                  strokeScaleEnabled={false}
                  fill={state === 'highlight' ? `${color}2e` : undefined}
                  opacity={state === 'dim' ? DIM_OPACITY : 1}
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
          </Layer>
        </Stage>
      )}
      {base.status === 'loading' && <div className="stage-note">Loading image…</div>}
      {base.status === 'error' && (
        <div className="stage-note error-text">The image could not be loaded.</div>
      )}
      {depthVisible && depth.status === 'error' && (
        <div className="stage-note stage-note-bottom error-text">
          The depth overlay could not be loaded.
        </div>
      )}
    </div>
  );
}
