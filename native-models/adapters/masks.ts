// Mask logits → binary masks at the original image size, and the per-image embedding cache the SAM
// adapters share (a reviewer's new box re-runs only the decoder).
import { createHash } from 'node:crypto';
import { encodeRle, type CocoRle } from '../../spatial/geometry/mask-rle';

/**
 * torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False) of the
 * top-left srcW × srcH region of a plane `stride` wide: source coordinate (d + 0.5)·(in/out) − 0.5,
 * clamped at 0, neighbours clamped at the edge. (HF post_process_masks and Meta's decoder graph.)
 */
export function resizeBilinearTorch(
  src: Float32Array,
  stride: number,
  srcW: number,
  srcH: number,
  outW: number,
  outH: number,
  /** Compute only the top-left keepW × keepH of the output (the rest would be cropped away). */
  keepW = outW,
  keepH = outH,
): Float32Array {
  const x0 = new Int32Array(keepW);
  const x1 = new Int32Array(keepW);
  const lx = new Float32Array(keepW);
  const sx = srcW / outW;
  for (let x = 0; x < keepW; x++) {
    const s = Math.max((x + 0.5) * sx - 0.5, 0);
    const i = Math.min(Math.floor(s), srcW - 1);
    x0[x] = i;
    x1[x] = Math.min(i + 1, srcW - 1);
    lx[x] = s - i;
  }
  const out = new Float32Array(keepW * keepH);
  const sy = srcH / outH;
  for (let y = 0; y < keepH; y++) {
    const s = Math.max((y + 0.5) * sy - 0.5, 0);
    const i = Math.min(Math.floor(s), srcH - 1);
    const r0 = i * stride;
    const r1 = Math.min(i + 1, srcH - 1) * stride;
    const ly = s - i;
    const o = y * keepW;
    for (let x = 0; x < keepW; x++) {
      const a = src[r0 + x0[x]!]! * (1 - lx[x]!) + src[r0 + x1[x]!]! * lx[x]!;
      const b = src[r1 + x0[x]!]! * (1 - lx[x]!) + src[r1 + x1[x]!]! * lx[x]!;
      out[o + x] = a * (1 - ly) + b * ly;
    }
  }
  return out;
}

/**
 * SAM's low-resolution logits to the image (HF post_process_masks): `count` planes of side², one
 * after another → bilinear to frame² → crop to cropW × cropH (the resized image inside the padded
 * frame) → bilinear to outW × outH. Only the part of the frame that survives the crop is computed.
 */
export function upsampleMaskLogits(
  lowRes: Float32Array,
  count: number,
  side: number,
  frame: number,
  cropW: number,
  cropH: number,
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(count * outW * outH);
  for (let c = 0; c < count; c++) {
    const plane = lowRes.subarray(c * side * side, (c + 1) * side * side);
    const cropped = resizeBilinearTorch(plane, side, side, side, frame, frame, cropW, cropH);
    out.set(resizeBilinearTorch(cropped, cropW, cropW, cropH, outW, outH), c * outW * outH);
  }
  return out;
}

export interface MaskResult {
  /** COCO RLE at the original image size (spatial/geometry/mask-rle). */
  rle: CocoRle;
  /** Pixels inside. */
  area: number;
  /** Tight box of the mask, [x0, y0, x1, y1] (pixel edges), or null when empty. */
  bbox: [number, number, number, number] | null;
}

/** Logits > threshold (SAM: > 0, never ≥) → RLE, area and tight box. */
export function thresholdMask(
  logits: Float32Array,
  width: number,
  height: number,
  threshold: number,
): MaskResult {
  const bits = new Uint8Array(width * height);
  let area = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (logits[y * width + x]! > threshold) {
        bits[y * width + x] = 1;
        area++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return {
    rle: encodeRle(bits, width, height),
    area,
    bbox: area > 0 ? [minX, minY, maxX + 1, maxY + 1] : null,
  };
}

/** A key for an image's pixels when the caller gives none. */
export function imageKey(data: Uint8Array, width: number, height: number): string {
  return `${width}x${height}:${createHash('sha1').update(data).digest('hex')}`;
}

/** A small LRU of image embeddings (each SAM embedding is 4 MB). */
export class EmbeddingCache<T> {
  private readonly entries = new Map<string, T>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 4) {}

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.misses++;
    const value = await compute();
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
