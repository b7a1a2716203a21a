// COCO run-length masks (as pycocotools writes them): `size` is [height, width], `counts` alternate
// runs of 0s and 1s starting with 0s, over pixels in column-major (Fortran) order. `counts` is
// either the uncompressed number list or pycocotools' compressed string (LEB128-like, 6 bits per
// char, offset 48, counts after the second one delta-coded against the count two before).
// Bitmaps here are row-major Uint8Array (non-zero = inside).

export interface CocoRle {
  size: [number, number];
  counts: number[] | string;
}

export class MaskError extends Error {}

/** Decodes pycocotools' compressed counts string. */
export function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new MaskError('RLE counts string ends inside a number');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new MaskError(`RLE counts string has an invalid character`);
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    const m = counts.length;
    if (m > 2) x += counts[m - 2]!;
    counts.push(x);
  }
  return counts;
}

/** Encodes counts as pycocotools' compressed string. */
export function countsToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** Row-major bitmap of a COCO RLE; throws MaskError when the counts do not fit the size. */
export function decodeRle(rle: CocoRle): { width: number; height: number; mask: Uint8Array } {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0)
    throw new MaskError(
      `RLE size must be [height, width] integers, got ${JSON.stringify(rle.size)}`,
    );
  const counts = typeof rle.counts === 'string' ? countsFromString(rle.counts) : rle.counts;
  const total = width * height;
  const mask = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (!Number.isInteger(run) || run < 0) throw new MaskError(`RLE run ${i} is not a count`);
    if (pos + run > total)
      throw new MaskError(`RLE runs cover more than ${width}x${height} pixels`);
    if (i % 2 === 1) {
      for (let j = pos; j < pos + run; j++) {
        const x = (j / height) | 0;
        const y = j - x * height;
        mask[y * width + x] = 1;
      }
    }
    pos += run;
  }
  return { width, height, mask };
}

/**
 * Row-major indices (ascending) of the set pixels of a COCO RLE, without building a bitmap: O(set
 * pixels). Throws MaskError like decodeRle.
 */
export function rlePixelIndices(rle: CocoRle): Int32Array {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0)
    throw new MaskError(
      `RLE size must be [height, width] integers, got ${JSON.stringify(rle.size)}`,
    );
  const counts = typeof rle.counts === 'string' ? countsFromString(rle.counts) : rle.counts;
  const total = width * height;
  let set = 0;
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (!Number.isInteger(run) || run < 0) throw new MaskError(`RLE run ${i} is not a count`);
    if (pos + run > total)
      throw new MaskError(`RLE runs cover more than ${width}x${height} pixels`);
    if (i % 2 === 1) set += run;
    pos += run;
  }
  // Counting sort by row: runs are column-major, so the pixels of each row arrive with x
  // ascending; placing them at their row's offset yields ascending row-major order directly.
  const rowStart = new Int32Array(height + 1);
  pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (i % 2 === 1)
      for (let j = pos, y = pos % height; j < pos + run; j++) {
        rowStart[y + 1]!++;
        if (++y === height) y = 0;
      }
    pos += run;
  }
  for (let y = 0; y < height; y++) rowStart[y + 1]! += rowStart[y]!;
  const out = new Int32Array(set);
  pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (i % 2 === 1) {
      let x = (pos / height) | 0;
      let y = pos - x * height;
      for (let j = pos; j < pos + run; j++) {
        out[rowStart[y]!++] = y * width + x;
        if (++y === height) {
          y = 0;
          x++;
        }
      }
    }
    pos += run;
  }
  return out;
}

/** Uncompressed COCO RLE of a row-major bitmap. */
export function encodeRle(mask: ArrayLike<number>, width: number, height: number): CocoRle {
  const counts: number[] = [];
  let cur = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== cur) {
        counts.push(run);
        run = 0;
        cur = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

// Column buckets for encodeRlePixels, reused (grown, never shrunk).
let colStart = new Int32Array(0);
let colOrder = new Int32Array(0);

/**
 * The RLE encodeRle gives for the bitmap with exactly these pixels set (row-major indices,
 * ascending, no duplicates), without building the bitmap: the pixels are bucketed by column
 * (counting sort; rows stay ascending within a column) and runs read off in column-major order.
 */
export function encodeRlePixels(pixels: ArrayLike<number>, width: number, height: number): CocoRle {
  return encodeRleInBox(pixels, width, height) ?? encodeRleByColumns(pixels, width, height);
}

/** Column-major bitmap of the pixels' bounding box (encodeRleInBox), reused. */
let boxBits = new Uint8Array(0);
/** Largest box (cells) encodeRleInBox reads; larger ones go by columns. */
const MAX_BOX_BITS = 1 << 22;

/**
 * encodeRlePixels through a column-major bitmap of the pixels' bounding box: one pass over the
 * pixels to set it, one over the box to read the runs off in column-major order (a run continues
 * across columns only where positions are consecutive, as in the column bucketing). Null unless
 * the list is an Int32Array, strictly ascending, inside the image, with a box of at most
 * MAX_BOX_BITS cells: then the column bucketing does it.
 */
function encodeRleInBox(pixels: ArrayLike<number>, width: number, height: number): CocoRle | null {
  const n = pixels.length;
  if (n === 0 || !(pixels instanceof Int32Array)) return null;
  let prev = pixels[0]!;
  let v = Math.floor(prev / width);
  let rowStart = v * width;
  const v0 = v;
  let u0 = prev - rowStart;
  let u1 = u0;
  for (let i = 1; i < n; i++) {
    const p = pixels[i]!;
    if (!(p > prev)) return null;
    prev = p;
    while (p >= rowStart + width) {
      v++;
      rowStart += width;
    }
    const u = p - rowStart;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
  }
  if (!(pixels[0]! >= 0 && prev < width * height)) return null;
  const w = u1 - u0 + 1;
  const h = v - v0 + 1;
  if (w * h > MAX_BOX_BITS) return null;
  if (boxBits.length < w * h) boxBits = new Uint8Array(w * h * 2);
  const bits = boxBits;
  bits.fill(0, 0, w * h);
  for (let i = 0, y = 0, rs = v0 * width; i < n; i++) {
    const p = pixels[i]!;
    while (p >= rs + width) {
      y++;
      rs += width;
    }
    bits[(p - rs - u0) * h + y] = 1;
  }
  const counts: number[] = [];
  let end = 0; // column-major position after the last run of ones
  let start = -1;
  let stop = -1; // the open run: [start, stop)
  for (let x = 0; x < w; x++) {
    const col = x * h;
    const base = (u0 + x) * height + v0;
    for (let y = 0; y < h; y++) {
      if (bits[col + y] === 0) continue;
      const pos = base + y;
      if (pos === stop) {
        stop++;
        continue;
      }
      if (start >= 0) {
        counts.push(start - end, stop - start);
        end = stop;
      }
      start = pos;
      stop = pos + 1;
    }
  }
  counts.push(start - end, stop - start);
  end = stop;
  const total = width * height;
  if (end < total) counts.push(total - end);
  return { size: [height, width], counts };
}

/** encodeRlePixels by bucketing the pixels by column (any list it accepts). */
function encodeRleByColumns(pixels: ArrayLike<number>, width: number, height: number): CocoRle {
  const n = pixels.length;
  if (colStart.length < width + 1) colStart = new Int32Array((width + 1) * 2);
  if (colOrder.length < n) colOrder = new Int32Array(n * 2);
  colStart.fill(0, 0, width + 1);
  // Ascending pixels: rows advance without a division per pixel.
  for (let i = 0, rowStart = 0; i < n; i++) {
    const p = pixels[i]!;
    while (p >= rowStart + width) rowStart += width;
    colStart[p - rowStart + 1]!++;
  }
  for (let x = 0; x < width; x++) colStart[x + 1]! += colStart[x]!;
  for (let i = 0, v = 0, rowStart = 0; i < n; i++) {
    const p = pixels[i]!;
    while (p >= rowStart + width) {
      rowStart += width;
      v++;
    }
    const x = p - rowStart;
    colOrder[colStart[x]!++] = x * height + v;
  }
  // colOrder now holds column-major positions, ascending.
  const counts: number[] = [];
  let end = 0; // column-major position after the last run of ones
  for (let i = 0; i < n;) {
    const start = colOrder[i]!;
    let j = i + 1;
    while (j < n && colOrder[j] === colOrder[j - 1]! + 1) j++;
    counts.push(start - end, j - i);
    end = start + (j - i);
    i = j;
  }
  const total = width * height;
  if (end < total || counts.length === 0) counts.push(total - end);
  return { size: [height, width], counts };
}

/** Row-major indices of the set pixels of a bitmap. */
export function maskPixelIndices(mask: ArrayLike<number>): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const out = new Int32Array(n);
  let c = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[c++] = i;
  return out;
}

/** Tight box [x0, y0, x1, y1] (pixel edges) of a row-major bitmap's set pixels; null when empty. */
export function maskBounds(
  mask: ArrayLike<number>,
  width: number,
  height: number,
): [number, number, number, number] | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/**
 * The first `count` pixel indices in ascending order: the list itself when it already ascends
 * (every pixel list the engine builds does), else a sorted copy.
 */
export function ascendingPixels(pixels: ArrayLike<number>, count: number): ArrayLike<number> {
  for (let i = 1; i < count; i++)
    if (pixels[i]! < pixels[i - 1]!)
      return Int32Array.from({ length: count }, (_, j) => pixels[j]!).sort();
  return pixels;
}

/**
 * Inclusive pixel bounds of the first `count` (> 0) pixel indices when they ascend (as
 * ascendingPixels tests), else null: both questions in one pass over the list.
 */
export function ascendingPixelBounds(
  pixels: ArrayLike<number>,
  count: number,
  width: number,
): { u0: number; u1: number; v0: number; v1: number } | null {
  let prev = pixels[0]!;
  let v = Math.floor(prev / width);
  let rowStart = v * width;
  const v0 = v;
  let u0 = prev - rowStart;
  let u1 = u0;
  for (let i = 1; i < count; i++) {
    const p = pixels[i]!;
    if (p < prev) return null;
    prev = p;
    while (p >= rowStart + width) {
      v++;
      rowStart += width;
    }
    const u = p - rowStart;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
  }
  return { u0, u1, v0, v1: v };
}

/**
 * Inclusive pixel bounds of the first `count` row-major pixel indices (count > 0). Ascending lists
 * (every object pixel list here) are walked row by row without a division per pixel; any other
 * order falls back to dividing.
 */
export function pixelListBounds(
  pixels: ArrayLike<number>,
  count: number,
  width: number,
): { u0: number; u1: number; v0: number; v1: number } {
  let u0 = Infinity;
  let u1 = -Infinity;
  let v = Math.floor(pixels[0]! / width);
  let rowStart = v * width;
  const v0 = v;
  for (let i = 0; i < count; i++) {
    const p = pixels[i]!;
    if (p < rowStart) return pixelListBoundsUnordered(pixels, count, width);
    while (p >= rowStart + width) {
      v++;
      rowStart += width;
    }
    const u = p - rowStart;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
  }
  return { u0, u1, v0, v1: v };
}

function pixelListBoundsUnordered(
  pixels: ArrayLike<number>,
  count: number,
  width: number,
): { u0: number; u1: number; v0: number; v1: number } {
  let u0 = Infinity;
  let u1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  for (let i = 0; i < count; i++) {
    const p = pixels[i]!;
    const v = (p / width) | 0;
    const u = p - v * width;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  return { u0, u1, v0, v1 };
}
