// Metric depth and surface normals with Metric3D v2 (onnx-community/metric3d-vit-small),
// onnx-models.md §4b:
//   pixel_values f32 [1,3,h,w] raw RGB 0–255 (preprocessor_config do_rescale/do_normalize false),
//   size as DPT: keep aspect, scale closest to 1 of 518/H, 518/W, sides rounded to multiples of 14,
//   bicubic → predicted_depth [1,h,w] or [1,1,h,w] in the canonical camera, predicted_normal
//   [1,C,h,w] (C ≥ 3: unit normals in the camera frame, channel 3 a confidence when present;
//   optional: an export without it gives depth only). Output names are the expected ones
//   [verify with `sqw models verify`]; the contract's aliases (upstream pred_depth,
//   prediction_normal, …) are read under whichever name the file declares.
// Canonical camera (hubconf.py; maintainer in YvanYin/Metric3D#141): the network predicts depth for
// a camera of focal length 1000 px, so depth_m = prediction · fx' / 1000 with fx' the focal length
// in NETWORK-INPUT pixels, fx' = fx · (w / W); clamped to [0, 300] m. Depth and normals are resized
// back to the original W × H (bilinear; normals renormalised to unit length).
import { intrinsicsFromFov } from '../../spatial/camera';
import { declaredName } from '../contract-check';
import { dptInputSize } from './depth-anything';
import { resizerFor } from './image-prep';
import {
  checkImage,
  f32,
  ModelAdapterError,
  now,
  openGraph,
  readFloat,
  requireModel,
  type AdapterContext,
  type AdapterTimings,
  type ImageInput,
  type Intrinsics,
} from './runtime';

export interface Metric3dOptions {
  /** Also resize normals to the original size (default true). */
  normals?: boolean;
}

export interface Metric3dResult {
  /** Metres, row-major W × H. */
  depth: Float32Array;
  width: number;
  height: number;
  units: 'metres';
  /** Unit camera-frame normals, interleaved xyz per pixel, W × H; null when not asked/declared. */
  normals: Float32Array | null;
  /** Normal confidence per pixel (channel 3), or null. */
  normalConfidence: Float32Array | null;
  /** The intrinsics the depth was de-canonicalised with (original-image pixels). */
  intrinsics: Intrinsics;
  /** fx' / 1000: the factor applied to the canonical prediction. */
  focalScale: number;
  network: { width: number; height: number };
  provider: string;
  timings: AdapterTimings;
}

/** Canonical prediction → metres: × fx'/1000, fx' the focal length at the network width. */
export function decanonicalise(
  prediction: Float32Array,
  fxOriginal: number,
  originalWidth: number,
  networkWidth: number,
  canonicalFocal = 1000,
  maxDepth = 300,
): { metres: Float32Array; scale: number } {
  const fxNet = fxOriginal * (networkWidth / originalWidth);
  const scale = fxNet / canonicalFocal;
  const metres = new Float32Array(prediction.length);
  for (let i = 0; i < prediction.length; i++) {
    metres[i] = Math.min(Math.max(prediction[i]! * scale, 0), maxDepth);
  }
  return { metres, scale };
}

export class Metric3dDepth {
  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'depth', ['model']);
    const outs = ctx.manifest.contracts[0]!.outputs.map((t) => t.name);
    if (!outs.includes('predicted_normal')) {
      throw new ModelAdapterError(
        ctx.manifest.id,
        'is not a Metric3D export (no predicted_normal)',
      );
    }
  }

  async run(image: ImageInput, options: Metric3dOptions = {}): Promise<Metric3dResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    const { width: W, height: H } = image;
    const intrinsics: Intrinsics = image.intrinsics ?? {
      ...intrinsicsFromFov(W, H),
      source: 'default-fov',
    };
    if (!(intrinsics.fx > 0))
      throw new ModelAdapterError(m.id, `bad focal length ${intrinsics.fx}`);
    const graph = await openGraph(this.ctx, 'model');
    const prep = m.preprocessing;

    const t0 = now();
    const net = dptInputSize(W, H, prep?.size ?? 518, prep?.multipleOf ?? 14);
    const pixels = await resizerFor(this.ctx).chw(
      image.data,
      W,
      H,
      channels,
      net.width,
      net.height,
      'bicubic',
      {
        scale: 1,
        mean: [0, 0, 0],
        std: [1, 1, 1],
      },
    );
    const t1 = now();
    const out = await graph.run({ pixel_values: f32(pixels, [1, 3, net.height, net.width]) });
    const t2 = now();
    const [depthSpec, normalSpec] = graph.contract.outputs;
    const outNames = graph.session.outputNames;
    const depthName = declaredName(depthSpec!, outNames) ?? 'predicted_depth';
    const normalName = normalSpec ? declaredName(normalSpec, outNames) : undefined;
    const depthOut = readFloat(m.id, out, depthName, null);
    const [dh, dw] = depthOut.dims.slice(-2) as [number, number];
    if (
      depthOut.dims.length < 3 ||
      depthOut.dims.length > 4 ||
      depthOut.dims.slice(0, -2).some((d) => d !== 1) ||
      dw !== net.width ||
      dh !== net.height
    ) {
      throw new ModelAdapterError(
        m.id,
        `${depthName} has shape [${depthOut.dims.join(',')}], expected [1,${net.height},${net.width}] or [1,1,${net.height},${net.width}]`,
      );
    }
    const canonical = typeof m.params.canonicalFocal === 'number' ? m.params.canonicalFocal : 1000;
    const maxDepth = typeof m.params.maxDepth === 'number' ? m.params.maxDepth : 300;
    const { metres, scale } = decanonicalise(
      depthOut.data,
      intrinsics.fx,
      W,
      net.width,
      canonical,
      maxDepth,
    );
    const resizer = resizerFor(this.ctx);
    const depth = await resizer.planes(metres, 1, dw, dh, W, H);

    let normals: Float32Array | null = null;
    let normalConfidence: Float32Array | null = null;
    if (options.normals !== false && normalName && out[normalName]) {
      const n = readFloat(m.id, out, normalName, 4);
      const [, C, nh, nw] = n.dims as [number, number, number, number];
      if (C < 3 || nh !== dh || nw !== dw) {
        throw new ModelAdapterError(m.id, `${normalName} has shape [${n.dims.join(',')}]`);
      }
      // Normals and their confidence in one resize call.
      const kept = Math.min(C, 4);
      const planes = await resizer.planes(n.data, kept, nw, nh, W, H);
      const P = W * H;
      normals = new Float32Array(3 * P);
      for (let i = 0; i < P; i++) {
        const x = planes[i]!;
        const y = planes[P + i]!;
        const z = planes[2 * P + i]!;
        const len = Math.sqrt(x * x + y * y + z * z) || 1; // not Math.hypot: several times slower
        normals[i * 3] = x / len;
        normals[i * 3 + 1] = y / len;
        normals[i * 3 + 2] = z / len;
      }
      if (kept === 4) normalConfidence = planes.slice(3 * P, 4 * P);
    }
    const t3 = now();
    return {
      depth,
      width: W,
      height: H,
      units: 'metres',
      normals,
      normalConfidence,
      intrinsics,
      focalScale: scale,
      network: net,
      provider: graph.provider,
      timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 },
    };
  }
}

export function createMetric3d(ctx: AdapterContext): Metric3dDepth {
  return new Metric3dDepth(ctx);
}
