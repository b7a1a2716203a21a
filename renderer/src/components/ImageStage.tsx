// The image on a Konva stage: fitted to the available area, wheel-zoom around the pointer, drag to
// pan, and the colour-mapped depth preview as a separate layer with adjustable opacity.
import type Konva from 'konva';
import type { KonvaEventObject } from 'konva/lib/Node';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Image as KonvaImage, Layer, Stage } from 'react-konva';
import { useElementSize, useHtmlImage } from '../app/hooks';

const MIN_SCALE = 0.02;
const MAX_SCALE = 40;
const FIT_MARGIN = 16;

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
  return (
    <div
      ref={boxRef}
      className="stage-box"
      data-testid="image-stage"
      data-image-loaded={base.status === 'loaded' ? 'true' : 'false'}
      data-depth-layer-loaded={depthLoaded ? 'true' : 'false'}
      data-depth-visible={depthVisible && depthLoaded ? 'true' : 'false'}
      data-scale={view.scale.toFixed(4)}
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
