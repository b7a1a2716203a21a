// The mask editor's pixel operations on a row-major bitmap at image resolution (1 = on the
// object): brush and eraser discs along a stroke, and a closed polygon added or cut out. The
// result goes to the engine as COCO RLE (objects.setMask), which re-derives the image.
import { decodeRle, encodeRle, type CocoRle } from '../../../spatial/geometry/mask-rle';
import { rasterizePolygons } from '../../../spatial/geometry/polygon-mask';
import type { Point } from './tools';

export interface MaskBitmap {
  width: number;
  height: number;
  bits: Uint8Array;
}

/** The object's mask as a bitmap to edit; an empty one when it has none (or it does not fit). */
export function bitmapOf(rle: CocoRle | null, width: number, height: number): MaskBitmap {
  if (rle && rle.size[0] === height && rle.size[1] === width) {
    try {
      return { width, height, bits: decodeRle(rle).mask };
    } catch {
      // A corrupt stored mask: start from nothing rather than refuse to edit.
    }
  }
  return { width, height, bits: new Uint8Array(width * height) };
}

export function toRle(m: MaskBitmap): CocoRle {
  return encodeRle(m.bits, m.width, m.height);
}

export function countPixels(m: MaskBitmap): number {
  let n = 0;
  for (let i = 0; i < m.bits.length; i++) n += m.bits[i]!;
  return n;
}

/** Sets (value 1) or clears (0) every pixel whose centre lies within `radius` of `at`. */
export function paintDisc(m: MaskBitmap, at: Point, radius: number, value: 0 | 1): void {
  const r2 = radius * radius;
  const y0 = Math.max(0, Math.floor(at.y - radius));
  const y1 = Math.min(m.height - 1, Math.ceil(at.y + radius));
  const x0 = Math.max(0, Math.floor(at.x - radius));
  const x1 = Math.min(m.width - 1, Math.ceil(at.x + radius));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - at.y;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - at.x;
      if (dx * dx + dy * dy <= r2) m.bits[y * m.width + x] = value;
    }
  }
}

/** A brush segment: discs at most a third of the radius apart, so a fast drag leaves no gaps. */
export function paintSegment(
  m: MaskBitmap,
  from: Point,
  to: Point,
  radius: number,
  value: 0 | 1,
): void {
  const len = Math.hypot(to.x - from.x, to.y - from.y);
  const steps = Math.max(1, Math.ceil(len / Math.max(0.5, radius / 3)));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    paintDisc(
      m,
      { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t },
      radius,
      value,
    );
  }
}

/** Fills (1) or cuts (0) a closed polygon (at least three points). */
export function paintPolygon(m: MaskBitmap, points: readonly Point[], value: 0 | 1): void {
  if (points.length < 3) return;
  const inside = rasterizePolygons([points.flatMap((p) => [p.x, p.y])], m.width, m.height);
  for (let i = 0; i < inside.length; i++) if (inside[i]) m.bits[i] = value;
}

/** Whether a click at `at` closes the polygon: near its first point, in screen pixels. */
export function closesPolygon(points: readonly Point[], at: Point, scale: number): boolean {
  if (points.length < 3) return false;
  const first = points[0]!;
  return Math.hypot(at.x - first.x, at.y - first.y) * scale <= 10;
}
