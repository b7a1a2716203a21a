// Ground-plane footprint: convex hull (Andrew's monotone chain) and the minimum-area enclosing
// rectangle by rotating calipers (one edge of the optimal rectangle is collinear with a hull edge).

/**
 * Indices of the points that can be hull vertices: all but those strictly inside the quadrilateral
 * of the extreme points in x and y (Akl-Toussaint), which can never be on the hull.
 */
function hullCandidates(xy: ArrayLike<number>, count: number): Int32Array {
  let a = 0; // min x
  let b = 0; // min y
  let c = 0; // max x
  let d = 0; // max y
  for (let i = 1; i < count; i++) {
    const x = xy[i * 2]!;
    const y = xy[i * 2 + 1]!;
    if (x < xy[a * 2]!) a = i;
    if (x > xy[c * 2]!) c = i;
    if (y < xy[b * 2 + 1]!) b = i;
    if (y > xy[d * 2 + 1]!) d = i;
  }
  // Counter-clockwise a -> b -> c -> d; a point strictly left of all four edges is inside.
  const q = [a, b, c, d];
  const out = new Int32Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const x = xy[i * 2]!;
    const y = xy[i * 2 + 1]!;
    let inside = true;
    for (let e = 0; e < 4 && inside; e++) {
      const o = q[e]!;
      const t = q[(e + 1) & 3]!;
      const ox = xy[o * 2]!;
      const oy = xy[o * 2 + 1]!;
      if ((xy[t * 2]! - ox) * (y - oy) - (xy[t * 2 + 1]! - oy) * (x - ox) <= 0) inside = false;
    }
    if (!inside) out[n++] = i;
  }
  return out.subarray(0, n);
}

/** a before b in (x, then y) order. */
function before(xy: ArrayLike<number>, a: number, b: number): boolean {
  const ax = xy[a * 2]!;
  const bx = xy[b * 2]!;
  return ax < bx || (ax === bx && xy[a * 2 + 1]! < xy[b * 2 + 1]!);
}

/**
 * Sorts point indices by (x, y) in place: quicksort (median of three) with insertion sort for
 * short ranges. Points equal in both coordinates may come in any order; the hull does not depend
 * on it. Faster than Array.prototype.sort with a comparator closure on these small arrays.
 */
function sortByXy(xy: ArrayLike<number>, idx: Int32Array): void {
  const stack: number[] = [0, idx.length - 1];
  while (stack.length > 0) {
    let hi = stack.pop()!;
    let lo = stack.pop()!;
    while (hi - lo > 16) {
      const mid = (lo + hi) >> 1;
      // Median of three into idx[mid], then Hoare partition around its value.
      if (before(xy, idx[mid]!, idx[lo]!)) swap(idx, mid, lo);
      if (before(xy, idx[hi]!, idx[lo]!)) swap(idx, hi, lo);
      if (before(xy, idx[hi]!, idx[mid]!)) swap(idx, hi, mid);
      const pivot = idx[mid]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (before(xy, idx[i]!, pivot)) i++;
        while (before(xy, pivot, idx[j]!)) j--;
        if (i <= j) swap(idx, i++, j--);
      }
      // Recurse (via the stack) into the smaller side, loop on the larger.
      if (j - lo < hi - i) {
        stack.push(lo, j);
        lo = i;
      } else {
        stack.push(i, hi);
        hi = j;
      }
    }
    for (let i = lo + 1; i <= hi; i++) {
      const v = idx[i]!;
      let j = i - 1;
      while (j >= lo && before(xy, v, idx[j]!)) {
        idx[j + 1] = idx[j]!;
        j--;
      }
      idx[j + 1] = v;
    }
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Counter-clockwise hull of 2D points (interleaved xy), as interleaved xy. */
export function convexHull(xy: ArrayLike<number>, count: number): number[] {
  const idx = hullCandidates(xy, count);
  sortByXy(xy, idx);
  const crossAt = (o: number, a: number, b: number): number =>
    (xy[a * 2]! - xy[o * 2]!) * (xy[b * 2 + 1]! - xy[o * 2 + 1]!) -
    (xy[a * 2 + 1]! - xy[o * 2 + 1]!) * (xy[b * 2]! - xy[o * 2]!);
  const lower: number[] = [];
  for (let t = 0; t < idx.length; t++) {
    const p = idx[t]!;
    while (lower.length >= 2 && crossAt(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: number[] = [];
  for (let t = idx.length - 1; t >= 0; t--) {
    const p = idx[t]!;
    while (upper.length >= 2 && crossAt(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  const hull = lower.concat(upper);
  const out: number[] = [];
  for (const p of hull) out.push(xy[p * 2]!, xy[p * 2 + 1]!);
  return out;
}

export interface Rect2 {
  /** Unit direction of the rectangle's first side. */
  angle: number;
  /** Side lengths along angle and angle + 90 degrees. */
  size: [number, number];
  center: [number, number];
}

/** Minimum-area rectangle around 2D points; null for an empty set. */
export function minAreaRect(xy: ArrayLike<number>, count: number): Rect2 | null {
  if (count === 0) return null;
  const hull = count > 2 ? convexHull(xy, count) : Array.from(xy).slice(0, count * 2);
  const h = hull.length / 2;
  if (h < 3) {
    const x0 = hull[0]!;
    const y0 = hull[1]!;
    const x1 = hull[(h - 1) * 2]!;
    const y1 = hull[(h - 1) * 2 + 1]!;
    const len = Math.hypot(x1 - x0, y1 - y0);
    return {
      angle: len > 0 ? Math.atan2(y1 - y0, x1 - x0) : 0,
      size: [len, 0],
      center: [(x0 + x1) / 2, (y0 + y1) / 2],
    };
  }
  let best: Rect2 | null = null;
  let bestArea = Infinity;
  for (let e = 0; e < h; e++) {
    const ax = hull[e * 2]!;
    const ay = hull[e * 2 + 1]!;
    const bx = hull[((e + 1) % h) * 2]!;
    const by = hull[((e + 1) % h) * 2 + 1]!;
    const len = Math.hypot(bx - ax, by - ay);
    if (len === 0) continue;
    const ux = (bx - ax) / len;
    const uy = (by - ay) / len;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (let t = 0; t < h; t++) {
      const px = hull[t * 2]!;
      const py = hull[t * 2 + 1]!;
      const pu = px * ux + py * uy;
      const pv = -px * uy + py * ux;
      if (pu < minU) minU = pu;
      if (pu > maxU) maxU = pu;
      if (pv < minV) minV = pv;
      if (pv > maxV) maxV = pv;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = {
        angle: Math.atan2(uy, ux),
        size: [maxU - minU, maxV - minV],
        center: [cu * ux - cv * uy, cu * uy + cv * ux],
      };
    }
  }
  return best;
}
