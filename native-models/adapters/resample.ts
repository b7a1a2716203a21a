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
): Float32Array {
  const wx = resampleWeights(width, outW, filter);
  const wy = resampleWeights(height, outH, filter);
  // Horizontal pass: height rows × outW × 3, planar per channel.
  const plane = outW * height;
  const tmp = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < outW; x++) {
      const s = wx.start[x]!;
      const n = wx.count[x]!;
      const wo = x * wx.ksize;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < n; k++) {
        const wk = wx.w[wo + k]!;
        const p = row + (s + k) * channels;
        r += wk * src[p]!;
        g += wk * src[p + 1]!;
        b += wk * src[p + 2]!;
      }
      const o = y * outW + x;
      tmp[o] = r;
      tmp[plane + o] = g;
      tmp[2 * plane + o] = b;
    }
  }
  // Vertical pass + normalisation into CHW.
  const out = new Float32Array(3 * outW * outH);
  const outPlane = outW * outH;
  for (let c = 0; c < 3; c++) {
    const a = norm.scale / norm.std[c]!;
    const bias = -norm.mean[c]! / norm.std[c]!;
    const base = c * plane;
    for (let y = 0; y < outH; y++) {
      const s = wy.start[y]!;
      const n = wy.count[y]!;
      const wo = y * wy.ksize;
      const o = c * outPlane + y * outW;
      for (let x = 0; x < outW; x++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += wy.w[wo + k]! * tmp[base + (s + k) * outW + x]!;
        out[o + x] = v * a + bias;
      }
    }
  }
  return out;
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
  const tmp = new Float32Array(outW * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < outW; x++) {
      const s = wx.start[x]!;
      const n = wx.count[x]!;
      const wo = x * wx.ksize;
      let v = 0;
      for (let k = 0; k < n; k++) v += wx.w[wo + k]! * src[row + s + k]!;
      tmp[y * outW + x] = v;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const s = wy.start[y]!;
    const n = wy.count[y]!;
    const wo = y * wy.ksize;
    for (let x = 0; x < outW; x++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += wy.w[wo + k]! * tmp[(s + k) * outW + x]!;
      out[y * outW + x] = v;
    }
  }
  return out;
}
