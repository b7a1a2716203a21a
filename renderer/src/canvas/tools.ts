// Canvas tools as small state machines (tldraw's idea): each tool turns pointer events into its
// next state and, when a gesture completes, into one edit. The stage only forwards events.

export type Point = { x: number; y: number };
export type Box = [number, number, number, number];

export type ToolName = 'select' | 'draw-box';

export type DrawBoxState = { kind: 'idle' } | { kind: 'dragging'; start: Point; current: Point };

export type ToolEvent =
  | { type: 'pointer-down'; at: Point }
  | { type: 'pointer-move'; at: Point }
  | { type: 'pointer-up'; at: Point }
  | { type: 'cancel' };

/** Smallest box side in image pixels a drag must reach to count (a click is not a box). */
export const MIN_DRAWN_SIDE = 4;

function clampPoint(p: Point, width: number, height: number): Point {
  return { x: Math.min(width, Math.max(0, p.x)), y: Math.min(height, Math.max(0, p.y)) };
}

export function boxFromDrag(a: Point, b: Point): Box {
  return [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
}

/**
 * The draw-box tool: press starts a box, moves stretch it, release finishes it (`done` set when the
 * box is big enough), Escape cancels. Points are clamped to the image.
 */
export function drawBoxStep(
  state: DrawBoxState,
  event: ToolEvent,
  image: { width: number; height: number },
): { state: DrawBoxState; done?: Box } {
  if (event.type === 'cancel') return { state: { kind: 'idle' } };
  const at = 'at' in event ? clampPoint(event.at, image.width, image.height) : null;
  switch (state.kind) {
    case 'idle':
      return event.type === 'pointer-down' && at
        ? { state: { kind: 'dragging', start: at, current: at } }
        : { state };
    case 'dragging':
      if (event.type === 'pointer-move' && at) return { state: { ...state, current: at } };
      if (event.type === 'pointer-up' && at) {
        const box = boxFromDrag(state.start, at);
        const big = box[2] - box[0] >= MIN_DRAWN_SIDE && box[3] - box[1] >= MIN_DRAWN_SIDE;
        return big ? { state: { kind: 'idle' }, done: box } : { state: { kind: 'idle' } };
      }
      return { state };
  }
}

/** A box moved by (dx, dy) and kept inside the image without changing its size. */
export function moveBoxWithin(
  box: Box,
  dx: number,
  dy: number,
  width: number,
  height: number,
): Box {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const x0 = Math.min(Math.max(0, box[0] + dx), Math.max(0, width - w));
  const y0 = Math.min(Math.max(0, box[1] + dy), Math.max(0, height - h));
  return [x0, y0, x0 + w, y0 + h];
}

/** Image-pixel box rounded to 0.01 px and clipped to the image (what the engine stores). */
export function normalizeBox(box: Box, width: number, height: number): Box {
  const r = (v: number) => Math.round(v * 100) / 100;
  const x0 = Math.max(0, Math.min(box[0], box[2]));
  const y0 = Math.max(0, Math.min(box[1], box[3]));
  const x1 = Math.min(width, Math.max(box[0], box[2]));
  const y1 = Math.min(height, Math.max(box[1], box[3]));
  return [r(x0), r(y0), r(x1), r(y1)];
}
