// Object masks as one RGBA bitmap at image resolution: each object's decoded COCO RLE painted in
// its colour (dimmed objects fainter), so the canvas draws every mask with a single image node.
// Decoded masks are cached per RLE object, so re-colouring (selection, highlight) does not decode.
import { decodeRle, type CocoRle } from '../../../spatial/geometry/mask-rle';

export interface MaskPaint {
  id: number;
  rle: CocoRle;
  color: string;
  /** 0..1: how strongly this object's mask is painted. */
  alpha: number;
}

export interface ComposedMasks {
  pixels: Uint8ClampedArray<ArrayBuffer>;
  drawn: number[];
  /** Objects whose mask could not be drawn, with the reason (size mismatch, corrupt counts). */
  problems: Array<{ id: number; reason: string }>;
}

const decoded = new WeakMap<CocoRle, Uint8Array | string>();

function bitmapOf(rle: CocoRle, width: number, height: number): Uint8Array | string {
  let m = decoded.get(rle);
  if (m === undefined) {
    try {
      const d = decodeRle(rle);
      m =
        d.width === width && d.height === height
          ? d.mask
          : `mask is ${d.width}x${d.height}, image is ${width}x${height}`;
    } catch (err) {
      m = `mask cannot be decoded: ${(err as Error).message}`;
    }
    decoded.set(rle, m);
  }
  return m;
}

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return [255, 255, 255];
  const v = parseInt(m[1]!, 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Paints the masks in order (later ones on top) into a width x height RGBA buffer. */
export function composeMasks(
  width: number,
  height: number,
  items: readonly MaskPaint[],
): ComposedMasks {
  const pixels = new Uint8ClampedArray(width * height * 4);
  const drawn: number[] = [];
  const problems: ComposedMasks['problems'] = [];
  for (const item of items) {
    const bits = bitmapOf(item.rle, width, height);
    if (typeof bits === 'string') {
      problems.push({ id: item.id, reason: bits });
      continue;
    }
    const [r, g, b] = hexToRgb(item.color);
    const a = Math.round(Math.min(1, Math.max(0, item.alpha)) * 255);
    for (let i = 0; i < bits.length; i++) {
      if (bits[i] === 0) continue;
      const p = i * 4;
      pixels[p] = r;
      pixels[p + 1] = g;
      pixels[p + 2] = b;
      pixels[p + 3] = a;
    }
    drawn.push(item.id);
  }
  return { pixels, drawn, problems };
}

/** The composed masks as a canvas Konva can draw (null when nothing was painted). */
export function masksCanvas(
  width: number,
  height: number,
  composed: ComposedMasks,
): HTMLCanvasElement | null {
  if (composed.drawn.length === 0 || width === 0 || height === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.putImageData(new ImageData(composed.pixels, width, height), 0, 0);
  return canvas;
}
