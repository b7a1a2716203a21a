// Range-noise reduction for one object's pixels before its extents are measured: each depth is
// replaced by the value at that pixel of a least-squares plane z = c0 + cu du + cv dv fitted to the
// object's pixels in a (2r+1)^2 window, from summed-area tables of the fit's moments (O(1) per
// pixel). On a full window this is the window mean; windows cut by the object's outline or by
// holes are not pulled inwards, as a mean would be (a plane is reproduced exactly).
// Averages of surface points of a convex object stay inside it, so smoothing never grows a box;
// the noise it removes (sigma / sqrt(window)) is what made min/max extents grow with range.
import { pixelListBounds } from './mask-rle';

/** Summed-area tables (reused across objects): 1, u, v, uu, uv, vv, z, uz, vz per cell. */
const K = 9;
let sat = new Float64Array(0);

/**
 * Smoothed depth of each of the `count` listed pixels (row-major indices into a `width`-wide
 * depth map, all with valid depth), written to `out[i]`. `radius` 0 copies the depths.
 */
export function smoothObjectDepths(
  depth: Float32Array,
  width: number,
  pixels: ArrayLike<number>,
  count: number,
  radius: number,
  out: Float64Array,
): void {
  if (radius <= 0 || count === 0) {
    for (let i = 0; i < count; i++) out[i] = depth[pixels[i]!]!;
    return;
  }
  const { u0, u1, v0, v1 } = pixelListBounds(pixels, count, width);
  const w = u1 - u0 + 1;
  const h = v1 - v0 + 1;
  const sw = w + 1;
  const cells = sw * (h + 1) * K;
  if (sat.length < cells) sat = new Float64Array(cells * 2);
  // Cell (x, y) of the object's box holds its pixel's moments; then row-wise prefix sums, then
  // column-wise: sat[((y+1) sw + x+1) K + j] = sum over [0..x] x [0..y].
  sat.fill(0, 0, cells);
  for (let i = 0; i < count; i++) {
    const p = pixels[i]!;
    const v = (p / width) | 0;
    const x = p - v * width - u0;
    const y = v - v0;
    const z = depth[p]!;
    const o = ((y + 1) * sw + x + 1) * K;
    sat[o] = 1;
    sat[o + 1] = x;
    sat[o + 2] = y;
    sat[o + 3] = x * x;
    sat[o + 4] = x * y;
    sat[o + 5] = y * y;
    sat[o + 6] = z;
    sat[o + 7] = x * z;
    sat[o + 8] = y * z;
  }
  // Row prefix sums in scalars (unrolled: this and the window sums below are the hot loops).
  for (let y = 1; y <= h; y++) {
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let r4 = 0;
    let r5 = 0;
    let r6 = 0;
    let r7 = 0;
    let r8 = 0;
    const row = y * sw * K;
    const up = (y - 1) * sw * K;
    for (let x = 1; x <= w; x++) {
      const o = row + x * K;
      const q = up + x * K;
      if (sat[o] !== 0) {
        r0 += sat[o]!;
        r1 += sat[o + 1]!;
        r2 += sat[o + 2]!;
        r3 += sat[o + 3]!;
        r4 += sat[o + 4]!;
        r5 += sat[o + 5]!;
        r6 += sat[o + 6]!;
        r7 += sat[o + 7]!;
        r8 += sat[o + 8]!;
      }
      sat[o] = sat[q]! + r0;
      sat[o + 1] = sat[q + 1]! + r1;
      sat[o + 2] = sat[q + 2]! + r2;
      sat[o + 3] = sat[q + 3]! + r3;
      sat[o + 4] = sat[q + 4]! + r4;
      sat[o + 5] = sat[q + 5]! + r5;
      sat[o + 6] = sat[q + 6]! + r6;
      sat[o + 7] = sat[q + 7]! + r7;
      sat[o + 8] = sat[q + 8]! + r8;
    }
  }
  const S = new Float64Array(K);
  for (let i = 0; i < count; i++) {
    const p = pixels[i]!;
    const v = (p / width) | 0;
    const x = p - v * width - u0;
    const y = v - v0;
    const xa = Math.max(0, x - radius);
    const xb = Math.min(w - 1, x + radius) + 1;
    const ya = Math.max(0, y - radius);
    const yb = Math.min(h - 1, y + radius) + 1;
    const a = (ya * sw + xa) * K;
    const b = (ya * sw + xb) * K;
    const c = (yb * sw + xa) * K;
    const d = (yb * sw + xb) * K;
    S[0] = sat[d]! - sat[b]! - sat[c]! + sat[a]!;
    S[1] = sat[d + 1]! - sat[b + 1]! - sat[c + 1]! + sat[a + 1]!;
    S[2] = sat[d + 2]! - sat[b + 2]! - sat[c + 2]! + sat[a + 2]!;
    S[3] = sat[d + 3]! - sat[b + 3]! - sat[c + 3]! + sat[a + 3]!;
    S[4] = sat[d + 4]! - sat[b + 4]! - sat[c + 4]! + sat[a + 4]!;
    S[5] = sat[d + 5]! - sat[b + 5]! - sat[c + 5]! + sat[a + 5]!;
    S[6] = sat[d + 6]! - sat[b + 6]! - sat[c + 6]! + sat[a + 6]!;
    S[7] = sat[d + 7]! - sat[b + 7]! - sat[c + 7]! + sat[a + 7]!;
    S[8] = sat[d + 8]! - sat[b + 8]! - sat[c + 8]! + sat[a + 8]!;
    out[i] = planeValue(S, x, y);
  }
}

/**
 * Least-squares plane z = m + cu (u - mu) + cv (v - mv) from window sums S (1, u, v, uu, uv, vv,
 * z, uz, vz), evaluated at (x, y); degenerate windows (one row or column) fit a line, a single
 * pixel returns its depth.
 */
function planeValue(S: Float64Array, x: number, y: number): number {
  const n = S[0]!;
  const mu = S[1]! / n;
  const mv = S[2]! / n;
  const m = S[6]! / n;
  const cuu = S[3]! - S[1]! * mu;
  const cuv = S[4]! - S[1]! * mv;
  const cvv = S[5]! - S[2]! * mv;
  const cuz = S[7]! - S[1]! * m;
  const cvz = S[8]! - S[2]! * m;
  const det = cuu * cvv - cuv * cuv;
  let cu = 0;
  let cv = 0;
  if (det > 1e-6 * (cuu * cvv + 1e-12)) {
    cu = (cvv * cuz - cuv * cvz) / det;
    cv = (cuu * cvz - cuv * cuz) / det;
  } else if (cuu > 1e-9) cu = cuz / cuu;
  else if (cvv > 1e-9) cv = cvz / cvv;
  return m + cu * (x - mu) + cv * (y - mv);
}
