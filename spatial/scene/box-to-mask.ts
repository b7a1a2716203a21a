// Box -> mask without a segmentation model: the dominant depth cluster inside a 2D box, for imported
// or hand-drawn boxes before any SAM model is installed (provenance 'depth-cluster').
//
// Box coordinates follow COCO: pixel (u, v) spans [u, u+1) x [v, v+1), so a pixel belongs to the
// box when its centre (u + 0.5, v + 0.5) lies inside [x0, x1] x [y0, y1].
// 1. valid-depth pixels inside the box (clipped to the image);
// 2. with a known floor, pixels within a few cm of it are dropped (the floor below an object is
//    continuous in depth with the object's base and would otherwise join its cluster);
// 3. depths ordered (counting sort over whole millimetres: within one millimetre no split can
//    fall, so the gaps between consecutive occupied millimetres decide the same splits as a full
//    sort) and split where consecutive values jump by more than max(5 cm, 4% of range);
// 4. the cluster with the highest centre-weighted pixel count wins (objects fill the box centre,
//    backgrounds and occluders its rim).
// 5. (build-scene-graph) an object whose lowest kept point lies within the removed band (+1.5 cm)
//    stands on the floor: its box bottom is snapped to the floor (flag 'base-snapped-to-floor').
// 6. (aligned frames) a supporting surface under the object (a table top, the box another object
//    stands on) is continuous in depth with the object's base: a flat horizontal layer low in the
//    cluster, with the object above it and part of it outside the object's footprint, is dropped
//    like the floor, and its height returned so that the base can be snapped to it. A tight box
//    often holds too little of that top; then the surface continuing below the object's lowest
//    pixels is read for it (support-below-box.ts).
import type { Pinhole } from '../camera';
import { selectKth } from '../geometry/select';
import type { DepthImage } from '../geometry/lift';
import type { WorldFrame } from './scene-graph';
import { supportBelowObject, type BaseOfCluster } from './support-below-box';

/** Height band above the floor (m) whose pixels are treated as floor, at depth z. */
export function floorBand(z: number): number {
  return Math.max(0.02, 0.01 * z);
}

export interface BoxMaskResult {
  /** Row-major indices of the mask's pixels (empty when nothing usable). */
  pixels: Int32Array;
  /** Why the mask is empty, when it is. */
  flag: string | null;
  /** World height (y) of a supporting surface removed from under the object, if any. */
  supportY: number | null;
}

// A supporting surface (supportLayer): a layer with at least SUPPORT_MIN_ABOVE of the cluster
// above it (the object), at most SUPPORT_MAX_BELOW below it (the support's front face), flat
// (SUPPORT_PEAK_RATIO times the half band above it) and with SUPPORT_MIN_OUTSIDE of the cluster
// in it outside the object's footprint.
const SUPPORT_MIN_ABOVE = 0.2;
const SUPPORT_MAX_BELOW = 0.15;
const SUPPORT_PEAK_RATIO = 1.2;
const SUPPORT_MIN_OUTSIDE = 0.02;

// Scratch arrays reused across boxes (grown, never shrunk): pixel indices, depths, world heights,
// per-millimetre counts / minima / maxima / cluster ids.
let idxBuf = new Int32Array(0);
let zBuf = new Float64Array(0);
let yBuf = new Float64Array(0);
let ySel = new Float64Array(0);
let mmCount = new Int32Array(0);
let mmMin = new Float64Array(0);
let mmMax = new Float64Array(0);
let hist = new Int32Array(0);
let clusterLo = new Int32Array(0);
let clusterHi = new Int32Array(0);
let gxBuf = new Float64Array(0);
let gfBuf = new Float64Array(0);
let cellBuf = new Int32Array(0);
let colXBuf = new Float64Array(0);
/** Millimetre bucket of every pixel (counting sort), reused by the cluster labels. */
let bucketBuf = new Int32Array(0);
/** Centre weight of every pixel (cluster scores), computed where its column and row are known. */
let weightBuf = new Float64Array(0);
/** Scratch index (into the pixel arrays) of each pixel of the winning cluster, ascending. */
let bestBuf = new Int32Array(0);
/** Per box row: scratch index of its first pixel (the pixels are stored row by row). */
let rowFirstBuf = new Int32Array(0);
/** Per box column: max(0.1, 1 - r^2) for its distance r alone (see the centre weight). */
let colWBuf = new Float64Array(0);

function ensurePixels(n: number): void {
  if (idxBuf.length >= n) return;
  idxBuf = new Int32Array(n * 2);
  zBuf = new Float64Array(n * 2);
  yBuf = new Float64Array(n * 2);
  ySel = new Float64Array(n * 2);
  gxBuf = new Float64Array(n * 2);
  gfBuf = new Float64Array(n * 2);
  cellBuf = new Int32Array(n * 2);
  bucketBuf = new Int32Array(n * 2);
  weightBuf = new Float64Array(n * 2);
  bestBuf = new Int32Array(n * 2);
}

function ensureBuckets(n: number): void {
  if (mmCount.length >= n) return;
  mmCount = new Int32Array(n * 2);
  mmMin = new Float64Array(n * 2);
  mmMax = new Float64Array(n * 2);
}

/** Pixel rows/columns covered by a COCO-convention box, clipped; null when empty or not finite. */
export function boxPixelRange(
  bbox: readonly number[],
  width: number,
  height: number,
): { u0: number; u1: number; v0: number; v1: number } | null {
  const [x0, y0, x1, y1] = bbox;
  if (![x0, y0, x1, y1].every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  const u0 = Math.max(0, Math.ceil(x0! - 0.5));
  const u1 = Math.min(width - 1, Math.floor(x1! - 0.5));
  const v0 = Math.max(0, Math.ceil(y0! - 0.5));
  const v1 = Math.min(height - 1, Math.floor(y1! - 0.5));
  if (u1 < u0 || v1 < v0) return null;
  return { u0, u1, v0, v1 };
}

export function maskFromBox(
  img: DepthImage,
  k: Pinhole,
  bbox: readonly number[],
  frame: WorldFrame | null,
): BoxMaskResult {
  const range = boxPixelRange(bbox, img.width, img.height);
  if (!range)
    return { pixels: new Int32Array(0), flag: 'box-empty-or-outside-image', supportY: null };
  const { u0, u1, v0, v1 } = range;
  const W = img.width;
  ensurePixels((u1 - u0 + 1) * (v1 - v0 + 1));
  const idx = idxBuf;
  const zs = zBuf;
  const ys = yBuf;
  const aligned = frame !== null && frame.aligned;
  const useFloor = aligned && frame.floorY !== null;
  const R = frame?.rotation ?? [];
  const ty = frame?.translation[1] ?? 0;
  const floorY = frame?.floorY ?? 0;
  let m = 0;
  let zMin = Infinity;
  let zMax = -Infinity;
  // Per column (u - cx) / fx and per row R[4] (v - cy) / fy: the same products as per pixel.
  const cols = u1 - u0 + 1;
  if (colXBuf.length < cols) {
    colXBuf = new Float64Array(cols * 2);
    colWBuf = new Float64Array(cols * 2);
  }
  const rows = v1 - v0 + 1;
  if (rowFirstBuf.length < rows + 1) rowFirstBuf = new Int32Array((rows + 1) * 2);
  const colX = colXBuf;
  const colW = colWBuf;
  const rowFirst = rowFirstBuf;
  const depth = img.depth;
  const r3 = R[3]!;
  const r5 = R[5]!;
  // Centre weight max(0.1, 1 - r^2), r = the pixel's box-normalised Chebyshev distance from the
  // box centre: objects fill the box centre, backgrounds and occluders its rim. 1 - r^2 never
  // increases with r (rounded products and differences are monotone), so it is the smaller of
  // the column's and the row's own values, and the 0.1 floor can be taken on each first.
  const bu = (u0 + u1) / 2;
  const bv = (v0 + v1) / 2;
  const hw = Math.max(1, (u1 - u0) / 2);
  const hh = Math.max(1, (v1 - v0) / 2);
  for (let u = u0; u <= u1; u++) {
    colX[u - u0] = (u - k.cx) / k.fx;
    const ru = Math.abs(u - bu) / hw;
    colW[u - u0] = Math.max(0.1, 1 - ru * ru);
  }
  const weight = weightBuf;
  for (let v = v0; v <= v1; v++) {
    rowFirst[v - v0] = m;
    const ryc = R[4]! * ((v - k.cy) / k.fy);
    const rv = Math.abs(v - bv) / hh;
    const rowW = Math.max(0.1, 1 - rv * rv);
    for (let u = u0; u <= u1; u++) {
      const p = v * W + u;
      const z = depth[p]!;
      if (!(z > 0 && z < Infinity)) continue;
      if (aligned) {
        const x = colX[u - u0]! * z;
        const wy = r3 * x + ryc * z + r5 * z + ty;
        if (useFloor && wy - floorY < floorBand(z)) continue;
        ys[m] = wy;
      }
      weight[m] = Math.min(colW[u - u0]!, rowW);
      idx[m] = p;
      zs[m] = z;
      if (z < zMin) zMin = z;
      if (z > zMax) zMax = z;
      m++;
    }
  }
  rowFirst[rows] = m;
  if (m === 0) return { pixels: new Int32Array(0), flag: 'no-valid-depth-in-box', supportY: null };
  // Counting sort by whole millimetre: per occupied millimetre its count and depth range.
  const mm0 = Math.floor(zMin * 1000);
  const nb = Math.floor(zMax * 1000) - mm0 + 1;
  ensureBuckets(nb);
  mmCount.fill(0, 0, nb);
  const bucket = bucketBuf;
  for (let t = 0; t < m; t++) {
    const b = Math.floor(zs[t]! * 1000) - mm0;
    bucket[t] = b;
    const z = zs[t]!;
    if (mmCount[b]!++ === 0) {
      mmMin[b] = z;
      mmMax[b] = z;
    } else if (z < mmMin[b]!) mmMin[b] = z;
    else if (z > mmMax[b]!) mmMax[b] = z;
  }
  // Clusters: consecutive occupied millimetres split where the depth jumps (last of one to the
  // first of the next) by more than max(5 cm, 4%); mmCount becomes the bucket's cluster id.
  let clusters = 0;
  let prevMax = -1;
  // Each cluster is a range of buckets: its first and last occupied one.
  if (clusterLo.length < nb) {
    clusterLo = new Int32Array(nb * 2);
    clusterHi = new Int32Array(nb * 2);
  }
  for (let b = 0; b < nb; b++) {
    if (mmCount[b] === 0) continue;
    if (prevMax < 0) clusterLo[0] = b;
    else if (mmMin[b]! - prevMax > Math.max(0.05, 0.04 * prevMax)) clusterLo[++clusters] = b;
    clusterHi[clusters] = b;
    prevMax = mmMax[b]!;
    mmCount[b] = clusters;
  }
  clusters++;
  const score = new Float64Array(clusters);
  // Neighbouring pixels mostly share a cluster: a run's score is carried in a local (the same
  // additions in the same order as adding to score[c] pixel by pixel).
  let cur = -1;
  let acc = 0;
  for (let t = 0; t < m; t++) {
    const c = mmCount[bucket[t]!]!;
    if (c !== cur) {
      if (cur >= 0) score[cur] = acc;
      cur = c;
      acc = score[c]!;
    }
    acc += weight[t]!;
  }
  score[cur] = acc;
  let best = 0;
  for (let c = 1; c < clusters; c++) if (score[c]! > score[best]!) best = c;
  // The winning cluster's scratch indices, ascending: every later pass reads only those. With an
  // aligned frame its heights go to ySel and its depths are summed on the way (clusterBase).
  const bLo = clusterLo[best]!;
  const bHi = clusterHi[best]!;
  let n = 0;
  let zSum = 0;
  if (aligned)
    for (let t = 0; t < m; t++) {
      const b = bucket[t]!;
      if (b < bLo || b > bHi) continue;
      bestBuf[n] = t;
      ySel[n++] = ys[t]!;
      zSum += zs[t]!;
    }
  else
    for (let t = 0; t < m; t++) {
      const b = bucket[t]!;
      if (b >= bLo && b <= bHi) bestBuf[n++] = t;
    }
  // The cluster's heights (in ySel), base and band, shared by both support searches.
  const base = aligned ? clusterBase(n, zSum) : null;
  let supportY = base ? supportLayer(n, base, useFloor ? floorY : null, W, v0, k, frame!) : null;
  let below = false;
  if (base && supportY === null && (below = true))
    supportY = supportBelowObject(
      img,
      k,
      () => lowestRows(n, W, u0, u1, v0, rows),
      range,
      frame!,
      base,
      useFloor ? floorY : null,
    );
  if (supportY !== null) {
    const kept = keptPixelsAbove(n, supportY);
    // A support read below the object keeps most of the cluster above it; when it would not, the
    // cluster is not the object standing there (an occluder's top under a mostly hidden object).
    if (!(below && kept < 0.5 * base!.count))
      return { pixels: keptBuf.slice(0, kept), flag: null, supportY };
    supportY = null;
  }
  // The whole cluster, written straight to the result (no scratch copy to slice).
  const pixels = new Int32Array(n);
  for (let j = 0; j < n; j++) pixels[j] = idxBuf[bestBuf[j]!]!;
  return { pixels, flag: null, supportY };
}

let keptBuf = new Int32Array(0);

/**
 * Writes the pixels of the winning cluster (its `n` scratch indices in bestBuf) above the
 * support's band to keptBuf in ascending order; returns their number.
 */
function keptPixelsAbove(n: number, supportY: number): number {
  if (keptBuf.length < n) keptBuf = new Int32Array(n * 2);
  let kept = 0;
  for (let j = 0; j < n; j++) {
    const t = bestBuf[j]!;
    if (yBuf[t]! >= supportY + floorBand(zBuf[t]!)) keptBuf[kept++] = idxBuf[t]!;
  }
  return kept;
}

/** Base of a cluster (BaseOfCluster) and its median height. */
interface ClusterHeights extends BaseOfCluster {
  mid: number;
}

/**
 * World height of a supporting surface under the object in the winning cluster (its `n` points,
 * scratch indices in bestBuf), or null. Candidate layers are scanned upwards in quarter-band steps
 * from the lowest 1% of heights to the cluster's median (a support's top is not always the bottom
 * of the cluster: its own front face, continuous in depth with its top edge, can hang below it). A
 * layer (a half-band slab) is a support when it is flat (SUPPORT_PEAK_RATIO times the half band
 * above it), SUPPORT_MIN_ABOVE of the points lie more than 1.5 bands above it (the object), at most
 * SUPPORT_MAX_BELOW below it, and SUPPORT_MIN_OUTSIDE of the points of the slab lie outside the
 * object's footprint (the ground-plane cells, 2 pixel footprints wide, of the points above it,
 * grown by one cell): the support shows beside and in front of the object's base, while the
 * object's own bottom edge lies under its vertical faces. The lowest such layer wins. With a known
 * floor it must lie clearly above the floor band (an object standing on the floor starts where the
 * floor band was cut).
 */
function supportLayer(
  n: number,
  base: ClusterHeights,
  floorY: number | null,
  W: number,
  v0: number,
  k: Pinhole,
  frame: WorldFrame,
): number | null {
  const { band, y: yLo, mid: yMid } = base;
  // Counts per quarter band from yLo: a slab, the half band above it and the rest are sums of them.
  const q = band / 4;
  const nq = Math.min(4096, Math.ceil((yMid - yLo) / q) + 8);
  if (hist.length < nq) hist = new Int32Array(nq * 2);
  hist.fill(0, 0, nq);
  let below = 0;
  let inHist = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((ySel[i]! - yLo) / q);
    if (b < 0) below++;
    else if (b < nq) {
      hist[b]!++;
      inHist++;
    }
  }
  let above = n - below - inHist;
  for (let j = 8; j < nq; j++) above += hist[j]!;
  let grid: { cw: number; ch: number } | null = null;
  for (let b = 0; b + 8 <= nq; b++) {
    if (b > 0) above -= hist[b + 7]!;
    // Slab: quarters b, b+1 (half band) centred on c; above it: b+2, b+3; the object: from b+8.
    const c = yLo + (b + 1) * q;
    if (below > SUPPORT_MAX_BELOW * n || above < SUPPORT_MIN_ABOVE * n) return null;
    const peak = hist[b]! + hist[b + 1]!;
    if (
      (floorY === null || c - floorY >= 2 * band) &&
      peak >= SUPPORT_MIN_OUTSIDE * n &&
      peak >= SUPPORT_PEAK_RATIO * (hist[b + 2]! + hist[b + 3]!) &&
      outsideFootprint(n, c, band, (grid ??= groundCells(n, W, v0, k, frame))) >=
        SUPPORT_MIN_OUTSIDE * n
    )
      return c;
    below += hist[b]!;
  }
  return null;
}

/**
 * Base height (1% height quantile), median height and floor band (at the mean depth, from the
 * depths' sum) of the winning cluster (`n` points, heights in ySel); null under 50 points.
 */
function clusterBase(n: number, zSum: number): ClusterHeights | null {
  if (n < 50) return null;
  // The median first: quickselect leaves the smaller half in ySel[0..mid), where the 1% value is
  // then selected (the same values, ySel's order aside; the histogram does not depend on it).
  const mid = (n - 1) >> 1;
  const yMid = selectKth(ySel, n, mid);
  const k1 = Math.floor(0.01 * (n - 1));
  return {
    y: k1 < mid ? selectKth(ySel, mid, k1) : selectKth(ySel, n, k1),
    band: floorBand(zSum / n),
    count: n,
    mid: yMid,
  };
}

let lowestBuf = new Int32Array(0);

/**
 * Lowest image row of the winning cluster in each column u0..u1 (-1: none), in a reused buffer.
 * Its pixels ascend row by row (rowFirstBuf: each box row's first scratch index from row v0).
 */
function lowestRows(
  n: number,
  W: number,
  u0: number,
  u1: number,
  v0: number,
  rows: number,
): Int32Array {
  const cols = u1 - u0 + 1;
  if (lowestBuf.length < cols) lowestBuf = new Int32Array(cols * 2);
  const lowest = lowestBuf.subarray(0, cols);
  lowest.fill(-1);
  // From the bottom up (rows only grow along the list): the first row met in a column is its
  // lowest, and once every column has one, nothing above can change them.
  let left = cols;
  for (let j = n - 1, r = rows - 1; j >= 0 && left > 0; j--) {
    const t = bestBuf[j]!;
    while (t < rowFirstBuf[r]!) r--;
    const v = v0 + r;
    const i = idxBuf[t]! - v * W - u0;
    if (lowest[i] === -1) {
      lowest[i] = v;
      left--;
    }
  }
  return lowest;
}

let cells = new Uint8Array(0);

/**
 * Ground-plane cell (2 pixel footprints wide, one empty cell of margin) of each cluster point, in
 * cellBuf (by position in bestBuf); returns the grid's width and height.
 */
function groundCells(
  n: number,
  W: number,
  v0: number,
  k: Pinhole,
  frame: WorldFrame,
): { cw: number; ch: number } {
  const R = frame.rotation;
  let x0 = Infinity;
  let x1 = -Infinity;
  let f0 = Infinity;
  let f1 = -Infinity;
  let zs = 0;
  for (let j = 0, r = 0; j < n; j++) {
    const t = bestBuf[j]!;
    while (t >= rowFirstBuf[r + 1]!) r++;
    const p = idxBuf[t]!;
    const v = v0 + r;
    const z = zBuf[t]!;
    const x = ((p - v * W - k.cx) / k.fx) * z;
    const y = ((v - k.cy) / k.fy) * z;
    // (right, forward) ground coordinates
    const gx = R[0]! * x + R[1]! * y + R[2]! * z;
    const gf = R[6]! * x + R[7]! * y + R[8]! * z;
    gxBuf[j] = gx;
    gfBuf[j] = gf;
    if (gx < x0) x0 = gx;
    if (gx > x1) x1 = gx;
    if (gf < f0) f0 = gf;
    if (gf > f1) f1 = gf;
    zs += z;
  }
  const cell = (2 * (zs / n)) / ((k.fx + k.fy) / 2);
  const cw = Math.min(1024, Math.floor((x1 - x0) / cell) + 3);
  const ch = Math.min(1024, Math.floor((f1 - f0) / cell) + 3);
  for (let j = 0; j < n; j++)
    cellBuf[j] =
      Math.min(ch - 2, Math.floor((gfBuf[j]! - f0) / cell) + 1) * cw +
      Math.min(cw - 2, Math.floor((gxBuf[j]! - x0) / cell) + 1);
  return { cw, ch };
}

/** Points of the slab |y - c| < band / 2 whose ground cell has no point over c + band nearby. */
function outsideFootprint(
  n: number,
  c: number,
  band: number,
  grid: { cw: number; ch: number },
): number {
  const { cw, ch } = grid;
  if (cells.length < cw * ch) cells = new Uint8Array(cw * ch * 2);
  cells.fill(0, 0, cw * ch);
  for (let j = 0; j < n; j++) if (yBuf[bestBuf[j]!]! > c + band) cells[cellBuf[j]!] = 1;
  let outside = 0;
  for (let j = 0; j < n; j++) {
    if (Math.abs(yBuf[bestBuf[j]!]! - c) >= band / 2) continue;
    const i = cellBuf[j]!;
    if (
      !cells[i - cw - 1] &&
      !cells[i - cw] &&
      !cells[i - cw + 1] &&
      !cells[i - 1] &&
      !cells[i] &&
      !cells[i + 1] &&
      !cells[i + cw - 1] &&
      !cells[i + cw] &&
      !cells[i + cw + 1]
    )
      outside++;
  }
  return outside;
}
