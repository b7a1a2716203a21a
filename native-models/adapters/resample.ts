// Separable image resampling with precomputed weights, following PIL's ImagingResample (which the
// Python HF image processors use): pixel centres at +0.5, triangle (bilinear) or Keys cubic with
// a = -0.5 (bicubic), and the kernel widened by the scale factor when shrinking (antialiasing).
// Values stay float between the passes (PIL rounds to uint8 after each pass: ≤ 0.5/255 apart).

export type Filter = 'bilinear' | 'bicubic';

interface Weights {
  start: Int32Array;
  count: Int32Array;
  /** ksize weights per output index. */
  w: Float32Array;
  ksize: number;
}

function kernel(filter: Filter, x: number): number {
  const ax = Math.abs(x);
  if (filter === 'bilinear') return ax < 1 ? 1 - ax : 0;
  const a = -0.5;
  if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
  return 0;
}

const cache = new Map<string, Weights>();

export function resampleWeights(inSize: number, outSize: number, filter: Filter): Weights {
  const key = `${inSize}:${outSize}:${filter}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = (filter === 'bilinear' ? 1 : 2) * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float32Array(outSize * ksize);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const v = kernel(filter, (x + xmin - center + 0.5) / filterScale);
      w[i * ksize + x] = v;
      sum += v;
    }
    if (sum !== 0) for (let x = 0; x < xmax; x++) w[i * ksize + x]! /= sum;
    start[i] = xmin;
    count[i] = xmax;
  }
  const r = { start, count, w, ksize };
  if (cache.size > 64) cache.clear();
  cache.set(key, r);
  return r;
}

/**
 * Resize interleaved 8-bit pixels (3 or 4 channels; alpha ignored) and write float32 CHW RGB:
 * value = (p · scale − mean[c]) / std[c]. The network input of most vision exports.
 * `pad` places the image at the top-left of a virtual padW × padH canvas filled with the raw pixel
 * value `pad.value` before resizing (OWLv2's Python processor pads to a square, then resizes).
 */
export function resizeToChw(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  outW: number,
  outH: number,
  filter: Filter,
  norm: { scale: number; mean: readonly number[]; std: readonly number[] },
  pad?: { width: number; height: number; value: number },
): Float32Array {
  const inW = pad?.width ?? width;
  const inH = pad?.height ?? height;
  const padValue = pad?.value ?? 0;
  const wx = resampleWeights(inW, outW, filter);
  const wy = resampleWeights(inH, outH, filter);
  const xs = wx.start;
  const xn = wx.count;
  const xw = wx.w;
  const xk = wx.ksize;
  // Taps past the real columns read the virtual padding: precompute, per output column, how many
  // taps are real and the padding's total weight, so the inner loop has no branch.
  const realN = new Int32Array(outW);
  const padX = new Float32Array(outW);
  for (let x = 0; x < outW; x++) {
    const s = xs[x]!;
    const n = xn[x]!;
    const real = Math.max(0, Math.min(n, width - s));
    realN[x] = real;
    let pw = 0;
    for (let k = real; k < n; k++) pw += xw[x * xk + k]!;
    padX[x] = pw * padValue;
  }
  // Horizontal pass over the real rows: planar per channel, height × outW.
  const plane = outW * height;
  const tmp = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    const o0 = y * outW;
    for (let x = 0; x < outW; x++) {
      const n = realN[x]!;
      const wo = x * xk;
      const pv = padX[x]!;
      let r = pv;
      let g = pv;
      let b = pv;
      let p = row + xs[x]! * channels;
      for (let k = 0; k < n; k++, p += channels) {
        const wk = xw[wo + k]!;
        r += wk * src[p]!;
        g += wk * src[p + 1]!;
        b += wk * src[p + 2]!;
      }
      tmp[o0 + x] = r;
      tmp[plane + o0 + x] = g;
      tmp[2 * plane + o0 + x] = b;
    }
  }
  // Vertical pass: each output row is a weighted sum of a few rows of tmp, then normalisation.
  const out = new Float32Array(3 * outW * outH);
  const outPlane = outW * outH;
  const ys = wy.start;
  const yn = wy.count;
  const yw = wy.w;
  const yk = wy.ksize;
  for (let c = 0; c < 3; c++) {
    const a = norm.scale / norm.std[c]!;
    const bias = -norm.mean[c]! / norm.std[c]!;
    const base = c * plane;
    for (let y = 0; y < outH; y++) {
      const s = ys[y]!;
      const n = yn[y]!;
      const wo = y * yk;
      // Rows past the image are the virtual padding: always the last taps (top-left anchored).
      const real = Math.max(0, Math.min(n, height - s));
      let padWeight = 0;
      for (let k = real; k < n; k++) padWeight += yw[wo + k]!;
      weightedRows(
        tmp,
        base + s * outW,
        outW,
        yw,
        wo,
        real,
        out,
        c * outPlane + y * outW,
        a,
        padWeight * padValue * a + bias,
      );
    }
  }
  return out;
}

/** Three planes of width × height (CHW) → interleaved RGB (HWC). */
export function chwToHwc(chw: Float32Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const hwc = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    hwc[i * 3] = chw[i]!;
    hwc[i * 3 + 1] = chw[plane + i]!;
    hwc[i * 3 + 2] = chw[2 * plane + i]!;
  }
  return hwc;
}

/** Resize one float plane (a depth map). Bilinear never overshoots, so depth stays in range. */
export function resizePlane(
  src: Float32Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
  filter: Filter = 'bilinear',
): Float32Array {
  if (width === outW && height === outH) return src.slice();
  const wx = resampleWeights(width, outW, filter);
  const wy = resampleWeights(height, outH, filter);
  const xs = wx.start;
  const xn = wx.count;
  const xw = wx.w;
  const xk = wx.ksize;
  const tmp = new Float32Array(outW * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const o0 = y * outW;
    for (let x = 0; x < outW; x++) {
      const s = row + xs[x]!;
      const n = xn[x]!;
      const wo = x * xk;
      let v = 0;
      for (let k = 0; k < n; k++) v += xw[wo + k]! * src[s + k]!;
      tmp[o0 + x] = v;
    }
  }
  const out = new Float32Array(outW * outH);
  const ys = wy.start;
  const yn = wy.count;
  const yw = wy.w;
  const yk = wy.ksize;
  for (let y = 0; y < outH; y++) {
    weightedRows(tmp, ys[y]! * outW, outW, yw, y * yk, yn[y]!, out, y * outW, 1, 0);
  }
  return out;
}

/**
 * out[o + x] = (Σ_k w[wo + k] · src[from + k·stride + x]) · a + b for x < stride. Each output is
 * summed in registers and written once: accumulating into the output row instead (a read-modify-
 * write per tap) was 2.5× slower. Up to four taps (every enlargement) are unrolled.
 */
function weightedRows(
  src: Float32Array,
  from: number,
  stride: number,
  w: Float32Array,
  wo: number,
  n: number,
  out: Float32Array,
  o: number,
  a: number,
  b: number,
): void {
  const r0 = from;
  const r1 = r0 + stride;
  const r2 = r1 + stride;
  const r3 = r2 + stride;
  // Only the taps in use: the last row's weights end the array.
  const w0 = n > 0 ? w[wo]! : 0;
  const w1 = n > 1 ? w[wo + 1]! : 0;
  const w2 = n > 2 ? w[wo + 2]! : 0;
  const w3 = n > 3 ? w[wo + 3]! : 0;
  switch (n) {
    case 0:
      for (let x = 0; x < stride; x++) out[o + x] = b;
      return;
    case 1:
      for (let x = 0; x < stride; x++) out[o + x] = w0 * src[r0 + x]! * a + b;
      return;
    case 2:
      for (let x = 0; x < stride; x++) {
        out[o + x] = (w0 * src[r0 + x]! + w1 * src[r1 + x]!) * a + b;
      }
      return;
    case 3:
      for (let x = 0; x < stride; x++) {
        out[o + x] = (w0 * src[r0 + x]! + w1 * src[r1 + x]! + w2 * src[r2 + x]!) * a + b;
      }
      return;
    case 4:
      for (let x = 0; x < stride; x++) {
        out[o + x] =
          (w0 * src[r0 + x]! + w1 * src[r1 + x]! + w2 * src[r2 + x]! + w3 * src[r3 + x]!) * a + b;
      }
      return;
    default:
      for (let x = 0; x < stride; x++) {
        let v = 0;
        for (let k = 0, r = r0 + x; k < n; k++, r += stride) v += w[wo + k]! * src[r]!;
        out[o + x] = v * a + b;
      }
  }
}
