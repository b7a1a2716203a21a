// Range-noise reduction for one object's pixels before its extents are measured: each depth is
// replaced by the value at that pixel of a least-squares plane z = c0 + cu du + cv dv fitted to the
// object's pixels in a (2r+1)^2 window. On a full window this is the window mean; windows cut by
// the object's outline or by holes are not pulled inwards, as a mean would be (a plane is
// reproduced exactly).
// Averages of surface points of a convex object stay inside it, so smoothing never grows a box;
// the noise it removes (sigma / sqrt(window)) is what made min/max extents grow with range.
//
// The window moments come from a sliding window, not from summed-area tables of the whole box:
// per column, sums over the window's rows (updated as the window moves down one row), then per
// row a prefix over those column sums. Everything touched per row is a few columns' worth of
// numbers that stay in cache, where the box-sized tables (9 doubles per pixel) did not.
import { ascendingPixelBounds } from './mask-rle';

/** Per column: n, sum y, sum y^2, sum z, sum y z over the window's rows. */
const C = 5;
/** Per column prefix: 1, u, v, uu, uv, vv, z, uz, vz. */
const K = 9;
// Scratch reused across objects (grown, never shrunk).
let grid = new Float64Array(0);
let cols = new Float64Array(0);
let pre = new Float64Array(0);

/**
 * Smoothed depth of each of the `count` listed pixels (row-major indices into a `width`-wide
 * depth map, all with valid depth; ascending is fastest), written to `out[i]`. `radius` 0 copies
 * the depths. With `select`, only the pixels an extreme can come from are computed: the object's
 * outline (a 4-neighbour not the object's, or the edge of its box: the silhouette, where every
 * extreme across the view lies) and every other pixel of every other row inside it (faces seen
 * head-on, whose extreme along the view is set by their smoothed noise, not by one pixel);
 * `out[j]` is then the j-th computed pixel and `select[j]` its index in `pixels`. Returns the
 * number of values written.
 */
export function smoothObjectDepths(
  depth: Float32Array,
  width: number,
  pixels: ArrayLike<number>,
  count: number,
  radius: number,
  out: Float64Array,
  select?: Int32Array,
): number {
  if (radius <= 0 || count === 0) {
    for (let i = 0; i < count; i++) {
      out[i] = depth[pixels[i]!]!;
      if (select) select[i] = i;
    }
    return count;
  }
  const bounds = ascendingPixelBounds(pixels, count, width);
  if (!bounds) {
    // Not ascending (no caller here): smooth in ascending order, map back to the given one.
    const order = Int32Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => pixels[a]! - pixels[b]!,
    );
    const sorted = Int32Array.from(order, (i) => pixels[i]!);
    if (select) {
      const m = smoothObjectDepths(depth, width, sorted, count, radius, out, select);
      for (let j = 0; j < m; j++) select[j] = order[select[j]!]!;
      return m;
    }
    const tmp = new Float64Array(count);
    smoothObjectDepths(depth, width, sorted, count, radius, tmp);
    for (let j = 0; j < count; j++) out[order[j]!] = tmp[j]!;
    return count;
  }
  const { u0, u1, v0, v1 } = bounds;
  const w = u1 - u0 + 1;
  const h = v1 - v0 + 1;
  if (grid.length < w * h) grid = new Float64Array(w * h * 2);
  if (cols.length < w * C) cols = new Float64Array(w * C * 2);
  if (pre.length < (w + 1) * K) pre = new Float64Array((w + 1) * K * 2);
  // The object's depths on its box (0 = not the object's).
  grid.fill(0, 0, w * h);
  for (let i = 0, v = v0, rowStart = v0 * width; i < count; i++) {
    const p = pixels[i]!;
    while (p >= rowStart + width) {
      v++;
      rowStart += width;
    }
    grid[(v - v0) * w + p - rowStart - u0] = depth[p]!;
  }
  cols.fill(0, 0, w * C);
  for (let y = 0; y < radius && y < h; y++) addRow(y, w, 1);
  let i = 0;
  let j = 0;
  for (let y = 0; y < h; y++) {
    // The window moves down: row y + radius enters the column sums, row y - radius - 1 leaves
    // (-1: none), both in one pass over the columns, fused with this row's prefix below.
    const enter = y + radius < h ? y + radius : -1;
    const leave = y - radius - 1;
    const rowStart = (v0 + y) * width + u0;
    const rowEnd = rowStart + w;
    if (i >= count || pixels[i]! >= rowEnd) {
      moveWindow(enter, leave, w, 0, w);
      continue;
    }
    // This row's pixels span [first, last]: the prefix covers their windows only.
    const first = i;
    let last = i;
    while (last + 1 < count && pixels[last + 1]! < rowEnd) last++;
    const xa = Math.max(0, pixels[i]! - rowStart - radius);
    const xb = Math.min(w - 1, pixels[last]! - rowStart + radius);
    moveWindow(enter, leave, w, 0, xa);
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    let a8 = 0;
    // pre[(x - xa) K + j] = sum over columns [xa, x) of moment j.
    for (let j = 0; j < K; j++) pre[j] = 0;
    const inRow = enter * w;
    const outRow = leave * w;
    // As in addRow: (sign * y) * y and (sign * y) * z, sign * z, for sign 1 and -1.
    const inY = 1 * enter;
    const inYY = inY * enter;
    const outY = -1 * leave;
    const outYY = outY * leave;
    for (let x = xa; x <= xb; x++) {
      const c = x * C;
      let n = cols[c]!;
      // moveWindow written out for this column (the same operations in the same order), then
      // the column's updated sums go into the prefix without being read back.
      const zi = enter >= 0 ? grid[inRow + x]! : 0;
      const zo = leave >= 0 ? grid[outRow + x]! : 0;
      let sy = cols[c + 1]!;
      let syy = cols[c + 2]!;
      let sz = cols[c + 3]!;
      let syz = cols[c + 4]!;
      if (zi !== 0 || zo !== 0) {
        if (zi !== 0) {
          n = n + 1;
          sy = sy + inY;
          syy = syy + inYY;
          sz = sz + 1 * zi;
          syz = syz + inY * zi;
        }
        if (zo !== 0) {
          n = n + -1;
          sy = sy + outY;
          syy = syy + outYY;
          sz = sz + -1 * zo;
          syz = syz + outY * zo;
        }
        cols[c] = n;
        cols[c + 1] = sy;
        cols[c + 2] = syy;
        cols[c + 3] = sz;
        cols[c + 4] = syz;
      }
      if (n !== 0) {
        a0 += n;
        a1 += x * n;
        a2 += sy;
        a3 += x * x * n;
        a4 += x * sy;
        a5 += syy;
        a6 += sz;
        a7 += x * sz;
        a8 += syz;
      }
      const o = (x - xa + 1) * K;
      pre[o] = a0;
      pre[o + 1] = a1;
      pre[o + 2] = a2;
      pre[o + 3] = a3;
      pre[o + 4] = a4;
      pre[o + 5] = a5;
      pre[o + 6] = a6;
      pre[o + 7] = a7;
      pre[o + 8] = a8;
    }
    moveWindow(enter, leave, w, xb + 1, w);
    for (; i <= last; i++) {
      const x = pixels[i]! - rowStart;
      if (select) {
        // Skipped: off the every-other grid, and inside (row neighbours from the list, then the
        // grid above and below).
        if (
          ((x + u0) & 1 || (y + v0) & 1) &&
          i > first &&
          i < last &&
          pixels[i - 1] === pixels[i]! - 1 &&
          pixels[i + 1] === pixels[i]! + 1 &&
          y > 0 &&
          y < h - 1 &&
          grid[y * w + x - w] !== 0 &&
          grid[y * w + x + w] !== 0
        )
          continue;
        select[j] = i;
      } else j = i;
      const lo = (Math.max(xa, x - radius) - xa) * K;
      const hi = (Math.min(xb, x + radius) - xa + 1) * K;
      // A window centred on the pixel (whole-number sums, exact) needs only the depth sum: the
      // first case of planeValue, without reading the other moments.
      const n = pre[hi]! - pre[lo]!;
      if (pre[hi + 1]! - pre[lo + 1]! === n * x && pre[hi + 2]! - pre[lo + 2]! === n * y) {
        out[j++] = (pre[hi + 6]! - pre[lo + 6]!) / n;
        continue;
      }
      out[j++] = planeValue(
        n,
        pre[hi + 1]! - pre[lo + 1]!,
        pre[hi + 2]! - pre[lo + 2]!,
        pre[hi + 3]! - pre[lo + 3]!,
        pre[hi + 4]! - pre[lo + 4]!,
        pre[hi + 5]! - pre[lo + 5]!,
        pre[hi + 6]! - pre[lo + 6]!,
        pre[hi + 7]! - pre[lo + 7]!,
        pre[hi + 8]! - pre[lo + 8]!,
        x,
        y,
      );
    }
  }
  return select ? j : count;
}

/**
 * Columns [x0, x1) of the window's move down one row: row `enter` added to the column sums, then
 * row `leave` removed (-1: none), per column in the order addRow(enter, 1) then addRow(leave, -1)
 * would apply them.
 */
function moveWindow(enter: number, leave: number, w: number, x0: number, x1: number): void {
  const inRow = enter * w;
  const outRow = leave * w;
  const inY = 1 * enter;
  const inYY = inY * enter;
  const outY = -1 * leave;
  const outYY = outY * leave;
  for (let x = x0; x < x1; x++) {
    const zi = enter >= 0 ? grid[inRow + x]! : 0;
    const zo = leave >= 0 ? grid[outRow + x]! : 0;
    if (zi === 0 && zo === 0) continue;
    const c = x * C;
    let n = cols[c]!;
    let sy = cols[c + 1]!;
    let syy = cols[c + 2]!;
    let sz = cols[c + 3]!;
    let syz = cols[c + 4]!;
    if (zi !== 0) {
      n = n + 1;
      sy = sy + inY;
      syy = syy + inYY;
      sz = sz + 1 * zi;
      syz = syz + inY * zi;
    }
    if (zo !== 0) {
      n = n + -1;
      sy = sy + outY;
      syy = syy + outYY;
      sz = sz + -1 * zo;
      syz = syz + outY * zo;
    }
    cols[c] = n;
    cols[c + 1] = sy;
    cols[c + 2] = syy;
    cols[c + 3] = sz;
    cols[c + 4] = syz;
  }
}

/** Adds (sign 1) or removes (sign -1) row y of the grid to / from the column sums. */
function addRow(y: number, w: number, sign: number): void {
  const row = y * w;
  // sign * y * y and sign * y * z evaluate as (sign * y) * ...: hoisted, the same values.
  const sy = sign * y;
  const syy = sy * y;
  for (let x = 0; x < w; x++) {
    const z = grid[row + x]!;
    if (z === 0) continue;
    const c = x * C;
    cols[c] = cols[c]! + sign;
    cols[c + 1] = cols[c + 1]! + sy;
    cols[c + 2] = cols[c + 2]! + syy;
    cols[c + 3] = cols[c + 3]! + sign * z;
    cols[c + 4] = cols[c + 4]! + sy * z;
  }
}

/**
 * Least-squares plane z = m + cu (u - mu) + cv (v - mv) from window sums (1, u, v, uu, uv, vv,
 * z, uz, vz), evaluated at (x, y); degenerate windows (one row or column) fit a line, a single
 * pixel returns its depth.
 */
function planeValue(
  n: number,
  su: number,
  sv: number,
  suu: number,
  suv: number,
  svv: number,
  sz: number,
  suz: number,
  svz: number,
  x: number,
  y: number,
): number {
  // Window centred on the pixel (every full window; sums of whole numbers are exact): the plane's
  // value there is the mean.
  if (su === n * x && sv === n * y) return sz / n;
  const mu = su / n;
  const mv = sv / n;
  const m = sz / n;
  const cuu = suu - su * mu;
  const cuv = suv - su * mv;
  const cvv = svv - sv * mv;
  const cuz = suz - su * m;
  const cvz = svz - sv * m;
  const det = cuu * cvv - cuv * cuv;
  let cu = 0;
  let cv = 0;
  if (det > 1e-6 * (cuu * cvv + 1e-12)) {
    const id = 1 / det;
    cu = (cvv * cuz - cuv * cvz) * id;
    cv = (cuu * cvz - cuv * cuz) * id;
  } else if (cuu > 1e-9) cu = cuz / cuu;
  else if (cvv > 1e-9) cv = cvz / cvv;
  return m + cu * (x - mu) + cv * (y - mv);
}
