// Depth error models: the standard deviation of a depth reading as a function of its range,
// sigma(z) = a + b z + c z^2 (metres). Stereo / structured-light sensors grow with z^2 (disparity
// noise), scaled synthetic noise and depth models with z. Extents use it to tell how far the
// noise alone can push the extreme points (DEFINITIONS.md "Noise-aware extents").
import { selectKth } from './geometry/select';

export interface DepthErrorModel {
  /** Where the figures come from ('kinect-v1', 'realsense-d435', 'relative', 'estimated'). */
  name: string;
  a: number;
  b: number;
  c: number;
}

export function depthSigma(m: DepthErrorModel, z: number): number {
  return m.a + z * (m.b + z * m.c);
}

/** sigma = share * z: synthetic noise, or a depth model's per-pixel figure. */
export function relativeDepthError(share: number, name = 'relative'): DepthErrorModel {
  return { name, a: 0, b: share, c: 0 };
}

/** sigma / z of a zero-mean normal error whose mean |error| / z is `absRel` (E|e| = sigma sqrt(2/pi)). */
const fromAbsRel = (absRel: number) => absRel * Math.sqrt(Math.PI / 2);

/**
 * Named error models a depth map can be imported with (`sqw import --depth-sensor NAME`); sources
 * in spatial/scene/DEFINITIONS.md "Noise-aware extents".
 */
export const DEPTH_ERROR_PRESETS = {
  // Kinect v1: 1.425e-3 z^2 m, Khoshelham & Elberink, "Accuracy and Resolution of Kinect Depth
  // Data for Indoor Mapping Applications", Sensors 12(2):1437, 2012 (random error from a few mm
  // at 1 m to about 4 cm at 5 m).
  'kinect-v1': { name: 'kinect-v1', a: 0, b: 0, c: 1.425e-3 },
  // RealSense D435: RMS = z^2 * subpixel / (focal * baseline) (Intel, "Tuning depth cameras for
  // best performance", Grunnet-Jepsen, Sweetser, Woodfill), subpixel 0.08, baseline 0.050 m, focal
  // 447 px (848 px wide, 87 deg HFOV): 1.4 cm at 2 m, inside the datasheet's <= 2% at 2 m.
  'realsense-d435': { name: 'realsense-d435', a: 0, b: 0, c: 0.08 / (447 * 0.05) },
  // TUM RGB-D (Sturm et al. 2012; Kinect v1 and Asus Xtion, both PrimeSense structured light):
  // the axial noise measured by Nguyen, Izadi & Lovell, "Modeling Kinect Sensor Noise for
  // Improved 3D Reconstruction and Tracking", 3DIMPVT 2012: 0.0012 + 0.0019 (z - 0.4)^2 m
  // (surfaces within 60 deg of facing the camera), expanded into a + b z + c z^2.
  tum: { name: 'tum', a: 0.0012 + 0.0019 * 0.16, b: -0.0019 * 0.8, c: 0.0019 },
  // Redwood indoor scenes (Choi, Zhou & Koltun, "Robust Reconstruction of Indoor Scenes", CVPR
  // 2015; PrimeSense-class structured-light sensor): the same Nguyen et al. 2012 model.
  redwood: { name: 'redwood', a: 0.0012 + 0.0019 * 0.16, b: -0.0019 * 0.8, c: 0.0019 },
  // Monocular metric depth models: sigma = AbsRel * sqrt(pi / 2) of the published NYU Depth v2
  // figure (a normal error with that mean absolute relative error). Metric3D v2 ViT-Large, zero
  // shot: AbsRel 0.063 (YvanYin/Metric3D README at eb5b6fa: the zero-shot table, kept there as a
  // markdown comment; the fine-tuned ViT-L row it shows is 0.047); Depth Anything ViT-Large
  // fine-tuned on NYU (metric): AbsRel 0.056 (same README's table, and Depth Anything's
  // metric_depth README).
  'metric3d-v2': relativeDepthError(fromAbsRel(0.063), 'metric3d-v2'),
  'depth-anything-metric-indoor': relativeDepthError(
    fromAbsRel(0.056),
    'depth-anything-metric-indoor',
  ),
} as const satisfies Record<string, DepthErrorModel>;

export type DepthErrorPreset = keyof typeof DEPTH_ERROR_PRESETS;

/**
 * The preset for depth a model wrote, by the model's catalogue id (the depth stage's provenance):
 * the closest published figure for that model family, null where none applies (an outdoor model:
 * the indoor figure says nothing of it). Sources and their gaps in DEFINITIONS.md.
 */
const MODEL_DEPTH_PRESETS: ReadonlyArray<readonly [prefix: string, preset: DepthErrorPreset]> = [
  // metric3d-vit-small: the figure is Metric3D v2 ViT-Large's (no ViT-Small NYU figure found).
  ['metric3d-', 'metric3d-v2'],
  // depth-anything-v2-metric-indoor-small(-release): Depth Anything (v1) ViT-Large fine-tuned on
  // NYU; the v2 indoor models are trained on Hypersim and publish no NYU figure that we found.
  ['depth-anything-v2-metric-indoor-', 'depth-anything-metric-indoor'],
];

export function depthErrorPresetForModel(modelId: string): DepthErrorPreset | null {
  for (const [prefix, preset] of MODEL_DEPTH_PRESETS) if (modelId.startsWith(prefix)) return preset;
  return null;
}

export const DEPTH_ERROR_PRESET_NAMES = Object.keys(DEPTH_ERROR_PRESETS) as DepthErrorPreset[];

export class UnknownDepthErrorPreset extends Error {
  constructor(readonly preset: string) {
    super(
      `unknown depth sensor preset '${preset}': use ${DEPTH_ERROR_PRESET_NAMES.join(', ')} (or none to estimate the noise from the depth map)`,
    );
  }
}

export function isDepthErrorPreset(name: string): name is DepthErrorPreset {
  return Object.prototype.hasOwnProperty.call(DEPTH_ERROR_PRESETS, name);
}

/** The preset's error model; throws UnknownDepthErrorPreset for any other name. */
export function depthErrorPreset(name: string): DepthErrorModel {
  if (!isDepthErrorPreset(name)) throw new UnknownDepthErrorPreset(name);
  return DEPTH_ERROR_PRESETS[name];
}

/**
 * Per-pixel relative noise estimated from the data: along image rows, the second difference
 * z[u-1] - 2 z[u] + z[u+1] of a smooth surface is ~0 while independent noise gives it variance
 * 6 sigma^2; the median absolute value relative to z (divided by 0.6745 sqrt 6) estimates
 * sigma / z robustly (creases and edges are a minority). `pixels`: the object's pixels with
 * valid depth, ascending row-major (neighbours in the list = neighbours in the object). Returns
 * null with fewer than 20 triples.
 */
export function estimateRelativeNoise(
  depth: Float32Array,
  width: number,
  pixels: Int32Array,
  count: number,
): number | null {
  // Every step-th pixel: ~2000 triples give the median to a few percent.
  const step = Math.max(1, Math.floor(count / 2000));
  const ratios = new Float64Array(Math.ceil(count / step));
  let n = 0;
  for (let i = 1; i + 1 < count; i += step) {
    const p = pixels[i]!;
    // Three consecutive pixels of one row, all in the object (pixel list ascending).
    if (pixels[i - 1] !== p - 1 || pixels[i + 1] !== p + 1) continue;
    const u = p % width;
    if (u === 0 || u === width - 1) continue;
    const z = depth[p]!;
    const d2 = depth[p - 1]! - 2 * z + depth[p + 1]!;
    ratios[n++] = Math.abs(d2) / z;
  }
  if (n < 20) return null;
  return selectKth(ratios, n, n >> 1) / (0.6745 * Math.sqrt(6));
}
