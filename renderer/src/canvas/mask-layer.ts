// Object masks as one RGBA bitmap at image resolution: each object's decoded COCO RLE painted in
// its colour (dimmed objects fainter), so the canvas draws every mask with a single image node.
// Decoded masks are cached as runs of set pixels, by RLE content: re-colouring (selection,
// highlight) and reopening an image (a new load, new RLE objects, the same counts) do not decode
// again, and painting a mask is a few typed-array fills.
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

/** Row-major runs of set pixels, [start, end) pairs: filling them is far cheaper than a pixel scan. */
type Runs = Int32Array;

const decoded = new Map<string, Runs | string>();
/** Bytes of decoded runs kept (a blob-shaped mask is a few KB of runs). */
const DECODED_BUDGET = 16 * 1024 * 1024;
let decodedBytes = 0;
const sizeOf = (m: Runs | string) => (typeof m === 'string' ? m.length * 2 : m.byteLength);

function runsOf(mask: Uint8Array): Runs {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    const from = i;
    while (i < mask.length && mask[i] !== 0) i++;
    out.push(from, i);
  }
  return Int32Array.from(out);
}

function bitmapOf(rle: CocoRle, width: number, height: number): Runs | string {
  const counts = typeof rle.counts === 'string' ? rle.counts : `[${rle.counts.join(',')}]`;
  const key = `${width}x${height}:${JSON.stringify(rle.size)}:${counts}`;
  let m = decoded.get(key);
  if (m !== undefined) {
    // Most recently used last, so the oldest goes first when full.
    decoded.delete(key);
    decoded.set(key, m);
  } else {
    try {
      const d = decodeRle(rle);
      m =
        d.width === width && d.height === height
          ? runsOf(d.mask)
          : `mask is ${d.width}x${d.height}, image is ${width}x${height}`;
    } catch (err) {
      m = `mask cannot be decoded: ${(err as Error).message}`;
    }
    decoded.set(key, m);
    decodedBytes += sizeOf(m);
    for (const [k, v] of decoded) {
      if (decodedBytes <= DECODED_BUDGET || k === key) break;
      decoded.delete(k);
      decodedBytes -= sizeOf(v);
    }
  }
  return m;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

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
  // One 32-bit write per pixel instead of four byte writes.
  const words = new Uint32Array(pixels.buffer);
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
    const word = LITTLE_ENDIAN
      ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
      : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
    for (let i = 0; i < bits.length; i += 2) words.fill(word, bits[i], bits[i + 1]);
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
