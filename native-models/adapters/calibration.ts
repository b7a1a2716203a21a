// Camera calibration for one image: focal length from EXIF, else from GeoCalib's fields when that
// model is installed, else a default field of view; roll and pitch from GeoCalib when installed.
//
// EXIF (spatial/camera.ts focalFromExif, the import path's rule, so both agree):
//   FocalLengthIn35mmFilm f35 → fx = fy = f35 · max(W, H) / 36  (the long side maps to the 36 mm
//   side of a 36 × 24 mm frame; exact for 3:2, ≈ 4% from the diagonal rule on 4:3 phones —
//   onnx-models.md §6 step 2); else FocalLength mm × FocalPlaneXResolution; principal point at the
//   centre. Default: 60° horizontal field of view, fx = (W/2) / tan(30°).
//
// GeoCalib (mprib/geocalib-fields-onnx, network stage only; onnx-models.md §6): input (1,3,h,w)
// RGB in [0,1] prepared as upstream's ImagePreprocessor({resize: 320, edge_divisible_by: 32})
// does (cvg/GeoCalib geocalib/utils.py): short side to 320 keeping aspect (long side truncated,
// bilinear, antialiased), then a centre crop of each side down to a multiple of 32 — not a stretch
// (a 4:3 photo would be squashed 2.5 %) → up_field (1,2,h,w) unit image-plane vectors (x right,
// y down [verify]), latitude_field (1,1,h,w) radians, and their confidences, (1,1,h,w) or
// (1,h,w) as upstream returns them. The camera is fitted by damped Gauss–Newton least squares (the Levenberg–Marquardt
// step GeoCalib runs after its network) on, per pixel p with ray d = ((u−cx)/f, (v−cy)/f, 1):
//   latitude(p) = asin(d·g / |d|)
//   up(p)       = normalise(g_x − d_x g_z, g_y − d_y g_z)       (image projection of "up" at p)
// with the up direction in the camera frame (x right, y down, z forward) as upstream's
// Gravity.from_rp (geocalib/gravity.py), so roll and pitch have upstream's signs:
//   g = (−sin roll · cos pitch, −cos roll · cos pitch, sin pitch):
// pitch > 0 when the camera looks above the horizon, roll > 0 when the image's up direction is
// turned towards −x (the camera rolled clockwise as seen from behind it). Residuals are weighted by √confidence (clamped to [0,1]). The focal length is
// fitted only when EXIF gave none. Principal point at the centre (upstream GeoCalib#3).
import {
  focalFromExif,
  intrinsicsFromFov,
  principalPoint,
  type ExifFocal,
} from '../../spatial/camera';
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

export interface CalibrationResult {
  intrinsics: Intrinsics;
  /** Radians; null without GeoCalib. */
  roll: number | null;
  pitch: number | null;
  /** Unit "up" direction in the camera frame (x right, y down, z forward); null without GeoCalib. */
  up: [number, number, number] | null;
  /** Root-mean-square of the weighted residuals of the fit; null without GeoCalib. */
  residual: number | null;
  provider: string | null;
  timings: AdapterTimings;
}

/** Intrinsics from EXIF (see the header for the formula), or null when the tags do not give one. */
export function exifIntrinsics(
  exif: ExifFocal | null | undefined,
  width: number,
  height: number,
  rawWidth = width,
): Intrinsics | null {
  if (!exif) return null;
  const f = focalFromExif(exif, width, height, rawWidth);
  if (f === null) return null;
  const source =
    typeof exif.FocalLengthIn35mmFormat === 'number' ? 'exif-35mm' : 'exif-focal-plane';
  return { fx: f, fy: f, ...principalPoint(width, height), source };
}

export function defaultIntrinsics(width: number, height: number): Intrinsics {
  return { ...intrinsicsFromFov(width, height), source: 'default-fov' };
}

export function upVector(roll: number, pitch: number): [number, number, number] {
  return [-Math.sin(roll) * Math.cos(pitch), -Math.cos(roll) * Math.cos(pitch), Math.sin(pitch)];
}

/** Perspective fields sampled at original-image pixel coordinates. */
export interface FieldSamples {
  u: Float64Array;
  v: Float64Array;
  upX: Float64Array;
  upY: Float64Array;
  latitude: Float64Array;
  upWeight: Float64Array;
  latWeight: Float64Array;
}

/** The fields a camera (roll, pitch, f, centre cx, cy) predicts at pixel (u, v). */
export function predictFields(
  roll: number,
  pitch: number,
  f: number,
  cx: number,
  cy: number,
  u: number,
  v: number,
): { upX: number; upY: number; latitude: number } {
  const out = new Float64Array(3);
  fieldsInto(upVector(roll, pitch), f, cx, cy, u, v, out, 0);
  return { upX: out[0]!, upY: out[1]!, latitude: out[2]! };
}

/**
 * predictFields for a given up vector g, written to out[o..o+2] = upX, upY, latitude. The fit calls
 * it ~10^5 times, so nothing is allocated and lengths use Math.sqrt (Math.hypot is several times
 * slower in V8).
 */
function fieldsInto(
  g: readonly [number, number, number],
  f: number,
  cx: number,
  cy: number,
  u: number,
  v: number,
  out: Float64Array,
  o: number,
): void {
  const dx = (u - cx) / f;
  const dy = (v - cy) / f;
  const len = Math.sqrt(dx * dx + dy * dy + 1);
  const s = (dx * g[0] + dy * g[1] + g[2]) / len;
  const ux = g[0] - dx * g[2];
  const uy = g[1] - dy * g[2];
  const n = Math.sqrt(ux * ux + uy * uy) || 1;
  out[o] = ux / n;
  out[o + 1] = uy / n;
  out[o + 2] = Math.asin(Math.min(1, Math.max(-1, s)));
}

/**
 * Least-squares camera from perspective fields. `focal` fixed when given (from EXIF), else fitted
 * (as log f, so it stays positive). Returns roll, pitch (radians), f and the weighted RMS residual.
 */
export function fitCamera(
  s: FieldSamples,
  cx: number,
  cy: number,
  init: {
    focal: number;
    fixedFocal: boolean;
    /**
     * Plausible focal lengths (pixels). Fields that do not change across the image (a flat wall, a
     * tight crop) leave the focal length unconstrained and the fit runs it off towards infinity;
     * it stops at the bound instead and says so (`focalAtBound`).
     */
    focalRange?: [number, number];
  },
): { roll: number; pitch: number; focal: number; residual: number; focalAtBound: boolean } {
  const n = s.u.length;
  // Start from the sample nearest the centre.
  let c = 0;
  let bestD = Infinity;
  for (let i = 0; i < n; i++) {
    const d = Math.hypot(s.u[i]! - cx, s.v[i]! - cy);
    if (d < bestD) {
      bestD = d;
      c = i;
    }
  }
  let params = [Math.atan2(s.upX[c]!, -s.upY[c]!), s.latitude[c]!, Math.log(init.focal)];
  const free = init.fixedFocal ? 2 : 3;
  const [logMin, logMax] = init.focalRange
    ? [Math.log(init.focalRange[0]), Math.log(init.focalRange[1])]
    : [-Infinity, Infinity];
  const q = new Float64Array(3);
  const residuals = (p: number[]): Float64Array => {
    const r = new Float64Array(3 * n);
    const f = Math.exp(p[2]!);
    const g = upVector(p[0]!, p[1]!);
    for (let i = 0; i < n; i++) {
      fieldsInto(g, f, cx, cy, s.u[i]!, s.v[i]!, q, 0);
      r[3 * i] = s.latWeight[i]! * (q[2]! - s.latitude[i]!);
      r[3 * i + 1] = s.upWeight[i]! * (q[0]! - s.upX[i]!);
      r[3 * i + 2] = s.upWeight[i]! * (q[1]! - s.upY[i]!);
    }
    return r;
  };
  const cost = (r: Float64Array) => r.reduce((a, x) => a + x * x, 0);
  let r = residuals(params);
  let e = cost(r);
  let lambda = 1e-3;
  for (let iter = 0; iter < 50; iter++) {
    // Numeric Jacobian (3 parameters: central differences are cheap and exact enough).
    const J: Float64Array[] = [];
    for (let k = 0; k < free; k++) {
      const h = 1e-6;
      const plus = [...params];
      const minus = [...params];
      plus[k]! += h;
      minus[k]! -= h;
      const rp = residuals(plus);
      const rm = residuals(minus);
      J.push(rp.map((x, i) => (x - rm[i]!) / (2 * h)));
    }
    const A = Array.from({ length: free }, (_, a) =>
      Array.from({ length: free }, (_, b) => J[a]!.reduce((sum, x, i) => sum + x * J[b]![i]!, 0)),
    );
    const g = Array.from({ length: free }, (_, a) =>
      J[a]!.reduce((sum, x, i) => sum + x * r[i]!, 0),
    );
    let improved = false;
    for (let tries = 0; tries < 10; tries++) {
      const M = A.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) + 1e-12 : v)));
      const step = solve(
        M,
        g.map((x) => -x),
      );
      const next = [...params];
      for (let k = 0; k < free; k++) next[k]! += step[k]!;
      next[2] = Math.min(logMax, Math.max(logMin, next[2]!));
      const rn = residuals(next);
      const en = cost(rn);
      if (en < e) {
        params = next;
        r = rn;
        const gain = e - en;
        e = en;
        lambda = Math.max(lambda / 10, 1e-9);
        // Stop when a step gains less than 1e-10 of the cost: further steps only polish noise.
        improved = gain > 1e-10 * (e + gain) && gain > 1e-300;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return {
    roll: params[0]!,
    pitch: params[1]!,
    focal: Math.exp(params[2]!),
    residual: Math.sqrt(e / Math.max(1, 3 * n)),
    focalAtBound: free === 3 && (params[2]! <= logMin || params[2]! >= logMax),
  };
}

/** Gaussian elimination with partial pivoting for the tiny normal equations. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let k = i + 1; k < n; k++) if (Math.abs(M[k]![i]!) > Math.abs(M[p]![i]!)) p = k;
    [M[i], M[p]] = [M[p]!, M[i]!];
    const d = M[i]![i]! || 1e-18;
    for (let k = i + 1; k < n; k++) {
      const f = M[k]![i]! / d;
      for (let j = i; j <= n; j++) M[k]![j]! -= f * M[i]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= M[i]![j]! * x[j]!;
    x[i] = s / (M[i]![i]! || 1e-18);
  }
  return x;
}

/**
 * GeoCalib's network input, as upstream's ImagePreprocessor: the image resized so its short side
 * is 320 (long side int()-truncated, get_new_image_size), then centre-cropped so both sides are
 * multiples of 32 (fit_to_multiple with crop: the odd pixel comes off the left/top).
 */
export function geocalibInputSize(
  width: number,
  height: number,
): {
  width: number;
  height: number;
  resized: { width: number; height: number };
  left: number;
  top: number;
} {
  const aspect = width / height;
  const resized =
    aspect < 1
      ? { width: 320, height: Math.trunc(320 / aspect) }
      : { width: Math.trunc(320 * aspect), height: 320 };
  const net = (v: number) => Math.max(32, Math.floor(v / 32) * 32);
  const w = net(resized.width);
  const h = net(resized.height);
  // Upstream pads by (w // 32)·32 − w (negative) split pad_l = pad // 2 (floor): left gets the ceil.
  return {
    width: w,
    height: h,
    resized,
    left: Math.ceil((resized.width - w) / 2),
    top: Math.ceil((resized.height - h) / 2),
  };
}

/** The (w × h) window at (left, top) of CHW planes of size pw × ph. */
function cropPlanes(
  data: Float32Array,
  channels: number,
  pw: number,
  ph: number,
  left: number,
  top: number,
  w: number,
  h: number,
): Float32Array {
  const out = new Float32Array(channels * w * h);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const from = c * pw * ph + (y + top) * pw + left;
      out.set(data.subarray(from, from + w), c * w * h + y * w);
    }
  }
  return out;
}

/**
 * A GeoCalib field: (1,C,h,w), or (1,h,w) for a one-channel map (upstream returns confidences
 * as (B,H,W)).
 */
function readField(
  modelId: string,
  out: Parameters<typeof readFloat>[1],
  name: string,
  channels: number,
): { data: Float32Array; dims: [number, number, number, number] } {
  const f = readFloat(modelId, out, name, null);
  const d = f.dims;
  if (d.length === 3 && channels === 1 && d[0] === 1) {
    return { data: f.data, dims: [1, 1, d[1]!, d[2]!] };
  }
  if (d.length === 4 && d[0] === 1 && d[1] === channels) {
    return { data: f.data, dims: d as [number, number, number, number] };
  }
  throw new ModelAdapterError(
    modelId,
    `output ${name} has shape [${d.join(',')}], expected [1,${channels},h,w]${channels === 1 ? ' or [1,h,w]' : ''}`,
  );
}

export class GeoCalibCalibrator {
  constructor(private readonly ctx: AdapterContext) {
    requireModel(ctx.manifest, 'calibration', ['model']);
  }

  async run(
    image: ImageInput,
    options: { exif?: ExifFocal | null; maxSamples?: number } = {},
  ): Promise<CalibrationResult> {
    const m = this.ctx.manifest;
    const channels = checkImage(m.id, image);
    const { width: W, height: H } = image;
    const graph = await openGraph(this.ctx, 'model');
    const t0 = now();
    const net = geocalibInputSize(W, H);
    const resized = await resizerFor(this.ctx).chw(
      image.data,
      W,
      H,
      channels,
      net.resized.width,
      net.resized.height,
      'bilinear',
      {
        scale: 1 / 255,
        mean: [0, 0, 0],
        std: [1, 1, 1],
      },
    );
    const pixels = cropPlanes(
      resized,
      3,
      net.resized.width,
      net.resized.height,
      net.left,
      net.top,
      net.width,
      net.height,
    );
    const inputName = graph.session.inputNames[0]!;
    const t1 = now();
    const out = await graph.run({ [inputName]: f32(pixels, [1, 3, net.height, net.width]) });
    const t2 = now();
    const up = readField(m.id, out, 'up_field', 2);
    const upConf = readField(m.id, out, 'up_confidence', 1);
    const lat = readField(m.id, out, 'latitude_field', 1);
    const latConf = readField(m.id, out, 'latitude_confidence', 1);
    const [, , fh, fw] = up.dims;
    const same = (d: number[]) => d[2] === fh && d[3] === fw;
    if (!same(upConf.dims) || !same(lat.dims) || !same(latConf.dims)) {
      throw new ModelAdapterError(
        m.id,
        `fields have mismatched shapes: up_field [${up.dims.join(',')}], latitude_field [${lat.dims.join(',')}]`,
      );
    }
    // Samples on a regular sub-grid, mapped to original-image pixel coordinates (undo the crop,
    // then the resize); the long side's int() truncation makes the resize very slightly
    // anisotropic, so up-vector directions are mapped too (÷ scale per axis).
    const plane = fw * fh;
    const stride = Math.max(1, Math.floor(Math.sqrt(plane / (options.maxSamples ?? 600))));
    const idx: number[] = [];
    for (let y = Math.floor(stride / 2); y < fh; y += stride) {
      for (let x = Math.floor(stride / 2); x < fw; x += stride) idx.push(y * fw + x);
    }
    if (fw !== net.width || fh !== net.height) {
      throw new ModelAdapterError(
        m.id,
        `fields are ${fw}×${fh}, expected the input size ${net.width}×${net.height}`,
      );
    }
    const sx = net.resized.width / W;
    const sy = net.resized.height / H;
    const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
    const samples: FieldSamples = {
      u: Float64Array.from(idx, (i) => ((i % fw) + net.left + 0.5) / sx - 0.5),
      v: Float64Array.from(idx, (i) => (Math.floor(i / fw) + net.top + 0.5) / sy - 0.5),
      upX: new Float64Array(idx.length),
      upY: new Float64Array(idx.length),
      latitude: Float64Array.from(idx, (i) => lat.data[i]!),
      upWeight: Float64Array.from(idx, (i) => Math.sqrt(clamp01(upConf.data[i]!))),
      latWeight: Float64Array.from(idx, (i) => Math.sqrt(clamp01(latConf.data[i]!))),
    };
    idx.forEach((i, k) => {
      const x = up.data[i]! / sx;
      const y = up.data[plane + i]! / sy;
      const n = Math.sqrt(x * x + y * y) || 1;
      samples.upX[k] = x / n;
      samples.upY[k] = y / n;
    });
    const { cx, cy } = principalPoint(W, H);
    // A known focal length (sensor/user intrinsics, else EXIF) stays fixed; otherwise it is fitted.
    const known = image.intrinsics ?? exifIntrinsics(options.exif, W, H);
    const start = known?.fx ?? intrinsicsFromFov(W, H).fx;
    // Horizontal fields of view from 150° to 3°: anything outside is a fit gone astray.
    const fovFocal = (deg: number) => W / 2 / Math.tan((deg / 2) * (Math.PI / 180));
    let fit = fitCamera(samples, cx, cy, {
      focal: start,
      fixedFocal: known !== null,
      focalRange: [fovFocal(150), fovFocal(3)],
    });
    // Fields that do not pin the focal length down: keep the default field of view, and fit roll
    // and pitch for it, rather than store a focal length the data does not support.
    const unconstrained = known === null && fit.focalAtBound;
    if (unconstrained) fit = fitCamera(samples, cx, cy, { focal: start, fixedFocal: true });
    const t3 = now();
    const fitted: Intrinsics = unconstrained
      ? defaultIntrinsics(W, H)
      : { fx: fit.focal, fy: fit.focal, cx, cy, source: 'geocalib' };
    return {
      intrinsics: known ?? fitted,
      roll: fit.roll,
      pitch: fit.pitch,
      up: upVector(fit.roll, fit.pitch),
      residual: fit.residual,
      provider: graph.provider,
      timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 },
    };
  }
}

export function createGeoCalib(ctx: AdapterContext): GeoCalibCalibrator {
  return new GeoCalibCalibrator(ctx);
}

/**
 * The calibration stage: GeoCalib when given (EXIF focal kept fixed when present), else EXIF, else
 * the default field of view. `image.intrinsics` (sensor or user-given) always wins for the focal.
 */
export async function calibrate(
  image: ImageInput,
  options: { exif?: ExifFocal | null; geocalib?: GeoCalibCalibrator | null } = {},
): Promise<CalibrationResult> {
  if (options.geocalib) {
    return options.geocalib.run(image, { exif: options.exif });
  }
  const t0 = now();
  const intrinsics =
    image.intrinsics ??
    exifIntrinsics(options.exif, image.width, image.height) ??
    defaultIntrinsics(image.width, image.height);
  return {
    intrinsics,
    roll: null,
    pitch: null,
    up: null,
    residual: null,
    provider: null,
    timings: { preMs: 0, inferMs: 0, postMs: now() - t0 },
  };
}
