// Network-input sizes and tensors for the HF-style image processors the adapters reproduce
// (onnx-models.md §0: resize → rescale → normalise → pad after normalisation, top-left anchored).
import type { Device } from '../providers';
import type { SessionPool } from '../session-pool';
import { chwToHwc, resizeToChw, type Filter } from './resample';
import { graphResizer, jsResizer, type ImageResizer, type ResizeMethod } from './resize-graph';

export type Rgb = readonly [number, number, number];

export const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
export const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];
export const CLIP_MEAN: Rgb = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: Rgb = [0.26862954, 0.26130258, 0.27577711];

/**
 * DETR / Grounding DINO `{shortest_edge, longest_edge}` (HF image_transforms
 * get_size_with_aspect_ratio): the short side to `size` unless the long side would pass `maxSize`,
 * then the long side to `maxSize`; the other side truncated (int()). 640×480 → 1066×800.
 */
export function shortestEdgeSize(
  width: number,
  height: number,
  size: number,
  maxSize: number | null,
): { width: number; height: number } {
  let target = size;
  let raw: number | null = null;
  if (maxSize !== null) {
    const minSide = Math.min(width, height);
    const maxSide = Math.max(width, height);
    if ((maxSide / minSide) * size > maxSize) {
      raw = (maxSize * minSide) / maxSide;
      target = Math.round(raw);
    }
  }
  if ((height <= width && height === target) || (width <= height && width === target)) {
    return { width, height };
  }
  const base = raw ?? target;
  if (width < height) return { width: target, height: Math.trunc((base * height) / width) };
  return { width: Math.trunc((base * width) / height), height: target };
}

/**
 * SAM `ResizeLongestSide` (Meta segment_anything/utils/transforms.py, HF SamImageProcessor
 * _get_preprocess_shape): scale = L / max(h, w), each side int(side · scale + 0.5).
 */
export function longestSideSize(
  width: number,
  height: number,
  longest: number,
): { width: number; height: number } {
  const scale = longest / Math.max(width, height);
  return { width: Math.trunc(width * scale + 0.5), height: Math.trunc(height * scale + 0.5) };
}

/**
 * Resize + normalise into a CHW canvas of canvasW × canvasH, the image at the top-left and the rest
 * filled with `padNormalised` (0 = the mean colour after normalisation, as HF pads).
 */
export async function chwPadded(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  resizeW: number,
  resizeH: number,
  canvasW: number,
  canvasH: number,
  filter: Filter,
  norm: { scale: number; mean: Rgb; std: Rgb },
  padNormalised = 0,
  resizer: ImageResizer = jsResizer,
): Promise<Float32Array> {
  const img = await resizer.chw(src, width, height, channels, resizeW, resizeH, filter, norm);
  if (resizeW === canvasW && resizeH === canvasH) return img;
  const out = new Float32Array(3 * canvasW * canvasH).fill(padNormalised);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < resizeH; y++) {
      const from = c * resizeW * resizeH + y * resizeW;
      out.set(img.subarray(from, from + resizeW), c * canvasW * canvasH + y * canvasW);
    }
  }
  return out;
}

/**
 * resizeToChw with a fast path: when the image is only shrunk, libvips (sharp, multi-threaded SIMD)
 * does the uint8 resize — it agrees with PIL's antialiased reduce to ±1–2 levels (PIL also rounds to
 * uint8 after each pass) and is 10–50× faster than the JS resampler. Enlarging goes through the
 * JS resampler, which matches PIL exactly there and libvips does not (up to ±10 levels measured at
 * 640×480 → 686×518: a different pixel-centre convention when upsampling).
 */
export async function resizeToChwFast(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  outW: number,
  outH: number,
  filter: Filter,
  norm: { scale: number; mean: readonly number[]; std: readonly number[] },
  /** false: always the Pillow-exact JS resampler. */
  fast = false,
): Promise<Float32Array> {
  const shrinking = outW <= width && outH <= height && (outW < width || outH < height);
  if (!fast || !shrinking)
    return resizeToChw(src, width, height, channels, outW, outH, filter, norm);
  const { default: sharp } = await import('sharp');
  const resized = await sharp(src, { raw: { width, height, channels } })
    .resize(outW, outH, { kernel: filter === 'bicubic' ? 'cubic' : 'linear', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const px = resized.data;
  const stride = resized.info.channels;
  const plane = outW * outH;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const a = norm.scale / norm.std[c]!;
    const b = -norm.mean[c]! / norm.std[c]!;
    const o = c * plane;
    for (let i = 0, p = c; i < plane; i++, p += stride) out[o + i] = px[p]! * a + b;
  }
  return out;
}

/** libvips for the shrinking 8-bit input step (not padded); the JS resampler for the rest. */
export const libvipsResizer: ImageResizer = {
  chw: (src, width, height, channels, outW, outH, filter, norm, pad, precision) =>
    pad || precision === 'float'
      ? jsResizer.chw(src, width, height, channels, outW, outH, filter, norm, pad, precision)
      : resizeToChwFast(src, width, height, channels, outW, outH, filter, norm, true),
  hwc: async (...args) => chwToHwc(await libvipsResizer.chw(...args), args[4], args[5]),
  planes: jsResizer.planes,
  masks: jsResizer.masks,
};

/** The resizer an adapter context asks for: by default the resize graphs on the model's device. */
export function resizerFor(ctx: {
  pool: SessionPool;
  device?: Device;
  resize?: ResizeMethod | ImageResizer;
}): ImageResizer {
  if (typeof ctx.resize === 'object') return ctx.resize;
  switch (ctx.resize ?? 'graph') {
    case 'graph':
      return graphResizer(ctx.pool, ctx.device ?? 'auto');
    case 'libvips':
      return libvipsResizer;
    case 'exact':
      return jsResizer;
  }
}
