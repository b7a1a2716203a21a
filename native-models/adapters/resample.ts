// Separable image resampling with precomputed weights, following Pillow's ImagingResample
// (src/libImaging/Resample.c), which the Python HF image processors run on the uint8 image: pixel
// centres at +0.5, triangle (bilinear) or Keys cubic with a = -0.5 (bicubic), and the kernel widened
// by the scale factor when shrinking (antialiasing). For 8-bit input it is Pillow's 8-bit pipeline
// bit for bit: coefficients as 22-bit fixed point, the horizontal pass first, and each pass rounded
// and clipped to 0–255 (bicubic overshoot at sharp edges is clipped, not carried on). The float
// pipeline (OWLv2's processor resizes a float image; depth maps) keeps floats between the passes.

export type Filter = 'bilinear' | 'bicubic';

/**
 * How values travel through the two passes: 'uint8' is Pillow's 8-bit resample (rounded and
 * clipped after each pass), 'float' keeps float sums throughout.
 */
export type Precision = 'uint8' | 'float';

/** Pillow's PRECISION_BITS (32 − 8 − 2): 8 bits of result, two of headroom for overshoot. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Weights {
  start: Int32Array;
  count: Int32Array;
  /** ksize weights per output index. */
  w: Float32Array;
  /** The same as Pillow's fixed-point coefficients (normalize_coeffs_8bpc). */
  k: Int32Array;
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

/** precompute_coeffs in double precision, kept as float32 and as 22-bit fixed point. */
export function resampleWeights(inSize: number, outSize: number, filter: Filter): Weights {
  const key = `${inSize}:${outSize}:${filter}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = (filter === 'bilinear' ? 1 : 2) * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  // Pillow multiplies by the reciprocal: the same double here keeps the fixed point identical.
  const ss = 1 / filterScale;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float32Array(outSize * ksize);
  const k = new Int32Array(outSize * ksize);
  const tap = new Float64Array(ksize);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      tap[x] = kernel(filter, (x + xmin - center + 0.5) * ss);
      sum += tap[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const v = sum !== 0 ? tap[x]! / sum : tap[x]!;
      w[i * ksize + x] = v;
      // Rounded half away from zero, as (int)(±0.5 + v · 2^22).
      k[i * ksize + x] = Math.trunc(v < 0 ? v * ONE - 0.5 : v * ONE + 0.5);
    }
    start[i] = xmin;
    count[i] = xmax;
  }
  const r = { start, count, w, k, ksize };
  if (cache.size > 64) cache.clear();
  cache.set(key, r);
  return r;
}

/** Pillow's clip8: the fixed-point sum (with its +0.5 already in) to 0–255. */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** The normalisation every CHW input step ends with: value = (p · scale − mean[c]) / std[c]. */
export interface Norm {
  scale: number;
  mean: readonly number[];
  std: readonly number[];
}

/** OWLv2's square: the image at the top-left of a larger canvas of one raw value. */
export interface RawPad {
  width: number;
  height: number;
  value: number;
}

/**
 * Resize interleaved 8-bit pixels (3 or 4 channels; alpha ignored) and write float32 CHW RGB:
 * value = (p · scale − mean[c]) / std[c]. The network input of most vision exports.
 * `pad` places the image at the top-left of a virtual padW × padH canvas filled with the raw pixel
 * value `pad.value` before resizing (OWLv2's Python processor pads to a square, then resizes).
 * `precision` 'uint8' (default) is Pillow's 8-bit resample, what the PIL-backend processors run;
 * 'float' keeps floats between the passes (OWLv2's processor resizes the rescaled float image).
 */
export function resizeToChw(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  outW: number,
  outH: number,
  filter: Filter,
  norm: Norm,
  pad?: RawPad,
  precision: Precision = 'uint8',
): Float32Array {
  const args = [src, width, height, channels, outW, outH, filter, norm, pad] as const;
  return precision === 'uint8' ? resizeToChw8(...args) : resizeToChwFloat(...args);
}

/**
 * Pillow's 8-bit ImagingResample: horizontal pass (ImagingResampleHorizontal_8bpc) into an 8-bit
 * image, then the vertical pass (ImagingResampleVertical_8bpc), each sum Σ p · k + 2^21 of 22-bit
 * coefficients clipped to 0–255 by clip8; the result normalised through a 256-entry table per
 * channel. With an unchanged axis the coefficients are [0, 2^22, 0]: the pass is the identity, as
 * Pillow skipping it.
 */
function resizeToChw8(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  outW: number,
  outH: number,
  filter: Filter,
  norm: Norm,
  pad?: RawPad,
): Float32Array {
  const inW = pad?.width ?? width;
  const inH = pad?.height ?? height;
  const padValue = pad?.value ?? 0;
  if (pad && (!Number.isInteger(padValue) || padValue < 0 || padValue > 255)) {
    throw new RangeError(`an 8-bit resample pads with a value 0–255, not ${padValue}`);
  }
  const wx = resampleWeights(inW, outW, filter);
  const wy = resampleWeights(inH, outH, filter);
  const xs = wx.start;
  const xn = wx.count;
  const xk = wx.k;
  const xks = wx.ksize;
  // Per output column: the taps on real columns, and the padding's share of the sum (plus
  // Pillow's +0.5) as the accumulator's start, so the inner loop has no branch.
  const realN = new Int32Array(outW);
  const accX = new Float64Array(outW);
  for (let x = 0; x < outW; x++) {
    const s = xs[x]!;
    const n = xn[x]!;
    const real = Math.max(0, Math.min(n, width - s));
    realN[x] = real;
    let pk = 0;
    for (let k = real; k < n; k++) pk += xk[x * xks + k]!;
    accX[x] = pk * padValue + HALF;
  }
  // Horizontal pass over the real rows, into an 8-bit image: planar per channel, height × outW.
  // (Padding rows stay padValue through it: a constant row's sum is off by far less than 0.5.)
  const plane = outW * height;
  const tmp = new Uint8Array(3 * plane);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    const o0 = y * outW;
    for (let x = 0; x < outW; x++) {
      const n = realN[x]!;
      const ko = x * xks;
      const a0 = accX[x]!;
      let r = a0;
      let g = a0;
      let b = a0;
      let p = row + xs[x]! * channels;
      for (let k = 0; k < n; k++, p += channels) {
        const c = xk[ko + k]!;
        r += c * src[p]!;
        g += c * src[p + 1]!;
        b += c * src[p + 2]!;
      }
      tmp[o0 + x] = clip8(r);
      tmp[plane + o0 + x] = clip8(g);
      tmp[2 * plane + o0 + x] = clip8(b);
    }
  }
  // Vertical pass, then each 8-bit value through its channel's normalisation table.
  const out = new Float32Array(3 * outW * outH);
  const outPlane = outW * outH;
  const ys = wy.start;
  const yn = wy.count;
  const yk = wy.k;
  const yks = wy.ksize;
  const lut = new Float32Array(256);
  for (let c = 0; c < 3; c++) {
    const a = norm.scale / norm.std[c]!;
    const bias = -norm.mean[c]! / norm.std[c]!;
    for (let v = 0; v < 256; v++) lut[v] = v * a + bias;
    const base = c * plane;
    for (let y = 0; y < outH; y++) {
      const s = ys[y]!;
      const n = yn[y]!;
      const ko = y * yks;
      // Rows past the image are the virtual padding: always the last taps (top-left anchored).
      const real = Math.max(0, Math.min(n, height - s));
      let pk = 0;
      for (let k = real; k < n; k++) pk += yk[ko + k]!;
      weightedRows8(
        tmp,
        base + s * outW,
        outW,
        yk,
        ko,
        real,
        pk * padValue + HALF,
        lut,
        out,
        c * outPlane + y * outW,
      );
    }
  }
  return out;
}

/** The float pipeline: sums stay float between the passes; values normalised at the end. */
function resizeToChwFloat(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  outW: number,
  outH: number,
  filter: Filter,
  norm: Norm,
  pad?: RawPad,
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

/**
 * weightedRows for the 8-bit pass: out[o + x] = lut[clip8(acc0 + Σ_k k[ko + k] · src[from +
 * k·stride + x])] for x < stride, the sums exact in doubles (|Σ| < 2^31, as Pillow's int).
 */
function weightedRows8(
  src: Uint8Array,
  from: number,
  stride: number,
  k: Int32Array,
  ko: number,
  n: number,
  acc0: number,
  lut: Float32Array,
  out: Float32Array,
  o: number,
): void {
  const r0 = from;
  const r1 = r0 + stride;
  const r2 = r1 + stride;
  const r3 = r2 + stride;
  const k0 = n > 0 ? k[ko]! : 0;
  const k1 = n > 1 ? k[ko + 1]! : 0;
  const k2 = n > 2 ? k[ko + 2]! : 0;
  const k3 = n > 3 ? k[ko + 3]! : 0;
  switch (n) {
    case 0:
      out.fill(lut[clip8(acc0)]!, o, o + stride);
      return;
    case 1:
      for (let x = 0; x < stride; x++) out[o + x] = lut[clip8(acc0 + k0 * src[r0 + x]!)]!;
      return;
    case 2:
      for (let x = 0; x < stride; x++) {
        out[o + x] = lut[clip8(acc0 + k0 * src[r0 + x]! + k1 * src[r1 + x]!)]!;
      }
      return;
    case 3:
      for (let x = 0; x < stride; x++) {
        out[o + x] = lut[clip8(acc0 + k0 * src[r0 + x]! + k1 * src[r1 + x]! + k2 * src[r2 + x]!)]!;
      }
      return;
    case 4:
      for (let x = 0; x < stride; x++) {
        out[o + x] =
          lut[
            clip8(
              acc0 + k0 * src[r0 + x]! + k1 * src[r1 + x]! + k2 * src[r2 + x]! + k3 * src[r3 + x]!,
            )
          ]!;
      }
      return;
    default:
      for (let x = 0; x < stride; x++) {
        let v = acc0;
        for (let i = 0, r = r0 + x; i < n; i++, r += stride) v += k[ko + i]! * src[r]!;
        out[o + x] = lut[clip8(v)]!;
      }
  }
}
