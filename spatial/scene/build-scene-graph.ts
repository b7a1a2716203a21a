// One image -> SceneGraph: frame, per-object points (mask, else the dominant depth cluster of the 2D
// box), clean-up, boxes, measurements and relations. Problems with one object flag that object
// (quality.ok = false, reasons in quality.flags) and never produce NaN; only input that makes the
// whole image meaningless (wrong raster size, bad intrinsics) throws SceneInputError.
import type { Pinhole } from '../camera';
import { liftTransformedInto, type DepthImage } from '../geometry/lift';
import {
  rlePixelIndices,
  encodeRlePixels,
  maskPixelIndices,
  MaskError,
  type CocoRle,
} from '../geometry/mask-rle';
import { selectKth } from '../geometry/select';
import {
  depthErrorPreset,
  UnknownDepthErrorPreset,
  type DepthErrorModel,
  type DepthErrorPreset,
} from '../depth-error';
import { floorBand, maskFromBox } from './box-to-mask';
import { estimateFrame, type FrameOptions, type GravityHint } from './gravity-frame';
import { cleanObjectCloud, type CleanupOptions } from './object-cloud';
import {
  baseCutHeight,
  MIN_TOP_ROWS,
  topFaceRowSpacing,
  cameraCentre,
  emptyGeometry,
  meanOf,
  measureObject,
  type ObjectGeometry,
} from './measurements';
import { extentStatuses, hiddenEnds, outlineSides } from './extent-status';
import { denoisedObjectPoints } from './noise-aware';
import { relateNodes } from './relations';
import { separateStackedObjects } from './stacked-objects';
import type {
  ExtentStatuses,
  HiddenEnds,
  MaskProvenance,
  SceneGraph,
  SceneNode,
  WorldFrame,
} from './scene-graph';

export class SceneInputError extends Error {}

export type ObjectMask =
  | { rle: CocoRle }
  /** Row-major, non-zero = inside, same size as the depth map. */
  | { bitmap: Uint8Array; width: number; height: number };

export interface SceneObjectInput {
  id: number;
  label: string;
  attributes?: string[];
  /** A reviewer's exclusion from QA, carried onto the node unchanged. */
  excluded?: 'background' | 'unsure' | null;
  /** [x0, y0, x1, y1] in depth-map pixels, COCO convention (pixel u spans [u, u+1)). */
  bbox2d: [number, number, number, number];
  mask?: ObjectMask | null;
  maskRef?: string | null;
  maskProvenance?: MaskProvenance | null;
}

export interface SceneInput {
  /** Metres, row-major width * height; 0 or NaN = missing. */
  depth: Float32Array;
  width: number;
  height: number;
  intrinsics: Pinhole & { source?: string };
  objects: SceneObjectInput[];
  gravity?: GravityHint | null;
  /**
   * Range noise of the depth map (sensor preset or model); absent: estimated per object from its
   * pixels. Extents are measured on points with that noise reduced (DEFINITIONS.md). An unknown
   * preset name throws SceneInputError.
   */
  depthError?: DepthErrorModel | DepthErrorPreset | null;
  options?: { frame?: FrameOptions; cleanup?: CleanupOptions };
}

export interface SceneBuild {
  graph: SceneGraph;
  /** Masks derived from boxes (provenance depth-cluster), by object id, for storage. */
  derivedMasks: Map<number, CocoRle>;
  /** Image-level notes (e.g. 'no-floor', 'depth-implausible-range'). */
  notes: string[];
  /** The range-noise model the extents used, or null when it was estimated per object. */
  depthError: DepthErrorModel | null;
}

/** Median valid depth above this (m) means the map is almost surely in mm read as metres. */
export const MAX_PLAUSIBLE_MEDIAN_DEPTH = 100;

const BLOCKING_FLAGS = new Set([
  'no-valid-depth',
  'too-few-points',
  'too-few-points-after-cleanup',
  'no-main-cluster',
  'depth-implausible-range',
  'box-empty-or-outside-image',
  'no-valid-depth-in-box',
  'mask-empty',
  'no-mask-or-box',
]);

function validate(input: SceneInput): void {
  const { width, height, depth, intrinsics: k } = input;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new SceneInputError(`image size must be positive integers, got ${width}x${height}`);
  if (!(depth instanceof Float32Array) || depth.length !== width * height)
    throw new SceneInputError(
      `depth must be a Float32Array of ${width}x${height} = ${width * height} metres, got length ${depth?.length}`,
    );
  for (const key of ['fx', 'fy', 'cx', 'cy'] as const)
    if (!Number.isFinite(k[key])) throw new SceneInputError(`intrinsics.${key} is not a number`);
  if (!(k.fx > 0 && k.fy > 0)) throw new SceneInputError('intrinsics fx and fy must be positive');
}

// The sampled depths, in a reused typed array (not a JS array copied into one per frame).
let medianScratch = new Float64Array(0);

function medianValidDepth(depth: Float32Array): number | null {
  const step = Math.max(1, Math.floor(depth.length / 4096));
  // Every step-th depth; or, when none of those is valid, the first 65 valid ones.
  const cap = Math.max(Math.ceil(depth.length / step), 65);
  if (medianScratch.length < cap) medianScratch = new Float64Array(cap);
  const vals = medianScratch;
  let n = 0;
  for (let i = 0; i < depth.length; i += step) {
    const z = depth[i]!;
    if (z > 0 && z < Infinity) vals[n++] = z;
  }
  if (n === 0) {
    for (let i = 0; i < depth.length; i++) {
      const z = depth[i]!;
      if (z > 0 && z < Infinity) vals[n++] = z;
      if (n > 64) break;
    }
  }
  if (n === 0) return null;
  return selectKth(vals, n, n >> 1);
}

/** Mask pixels of an object: its mask, else the depth cluster of its box. */
function objectPixels(
  obj: SceneObjectInput,
  img: DepthImage,
  k: Pinhole,
  frame: WorldFrame,
  flags: string[],
): {
  pixels: Int32Array;
  provenance: MaskProvenance | null;
  derived: boolean;
  supportY?: number | null;
} {
  if (obj.mask) {
    try {
      let px: Int32Array | null = null;
      if ('rle' in obj.mask) {
        const [h, w] = obj.mask.rle.size;
        if (w !== img.width || h !== img.height) flags.push(`mask-size-mismatch:${w}x${h}`);
        else px = rlePixelIndices(obj.mask.rle);
      } else if (
        obj.mask.width !== img.width ||
        obj.mask.height !== img.height ||
        obj.mask.bitmap.length !== img.width * img.height
      )
        flags.push(`mask-size-mismatch:${obj.mask.width}x${obj.mask.height}`);
      else px = maskPixelIndices(obj.mask.bitmap);
      if (px) {
        if (px.length > 0)
          return { pixels: px, provenance: obj.maskProvenance ?? 'imported', derived: false };
        flags.push('mask-empty');
      }
    } catch (e) {
      if (!(e instanceof MaskError)) throw e;
      flags.push('mask-invalid');
    }
    flags.push('mask-ignored-box-used');
  }
  const b = obj.bbox2d;
  if (!Array.isArray(b) || b.length !== 4) {
    flags.push('no-mask-or-box');
    return { pixels: new Int32Array(0), provenance: null, derived: false };
  }
  if (!(b[2] > b[0] && b[3] > b[1])) {
    flags.push('zero-area-box');
    flags.push('no-mask-or-box');
    return { pixels: new Int32Array(0), provenance: null, derived: false };
  }
  const r = maskFromBox(img, k, b, frame);
  if (r.flag) flags.push(r.flag);
  return { pixels: r.pixels, provenance: 'depth-cluster', derived: true, supportY: r.supportY };
}

/**
 * Box-derived masks lose the band just above the floor or a supporting surface (box-to-mask drops
 * it): an object whose lowest point lies within that band (+1.5 cm) stands on it, so its boxes
 * reach down to it. Returns whether it snapped.
 */
function snapBase(
  g: ObjectGeometry,
  planeY: number,
  floorY: number | null,
  range: number,
  flags: string[],
  flag: string,
): boolean {
  const gap = g.aabb.min[1] - planeY;
  if (gap <= 0 || gap > floorBand(range) + 0.015) return false;
  g.aabb.min[1] = planeY;
  g.extent.height = g.aabb.max[1] - planeY;
  g.obb.extent[1] = g.extent.height;
  g.obb.center[1] = (g.aabb.max[1] + planeY) / 2;
  if (g.elevation !== null && floorY !== null) g.elevation = planeY - floorY;
  flags.push(flag);
  return true;
}

function safeBbox(b: unknown): [number, number, number, number] {
  const a = Array.isArray(b) ? b : [];
  const f = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return [f(a[0]), f(a[1]), f(a[2]), f(a[3])];
}

// Per-object world points live only while their object is measured: one reused buffer instead of
// two fresh arrays per object (allocation and the GC pressure of their backing stores).
let liftXyz = new Float32Array(0);
let liftPixels = new Int32Array(0);

function liftObject(
  img: DepthImage,
  k: Pinhole,
  pixels: Int32Array,
  frame: WorldFrame,
): { xyz: Float32Array; pixels: Int32Array; count: number } {
  if (liftPixels.length < pixels.length) {
    liftPixels = new Int32Array(pixels.length * 2);
    liftXyz = new Float32Array(pixels.length * 6);
  }
  const count = liftTransformedInto(
    img,
    k,
    pixels,
    frame.rotation,
    frame.translation,
    liftXyz,
    liftPixels,
  );
  return { xyz: liftXyz, pixels: liftPixels, count };
}

let identity = new Int32Array(0);

function identityOf(n: number): Int32Array {
  if (identity.length < n) identity = Int32Array.from({ length: n * 2 }, (_, i) => i);
  return identity.subarray(0, n);
}

export function buildScene(input: SceneInput): SceneBuild {
  validate(input);
  const errorModel = resolveDepthError(input.depthError);
  const { width, height, depth, intrinsics } = input;
  const k: Pinhole = { fx: intrinsics.fx, fy: intrinsics.fy, cx: intrinsics.cx, cy: intrinsics.cy };
  const img: DepthImage = { depth, width, height };
  const notes: string[] = [];
  const imageFlags: string[] = [];
  const median = medianValidDepth(depth);
  let frame: WorldFrame;
  if (median === null) {
    imageFlags.push('no-valid-depth');
    notes.push('no-valid-depth');
    frame = estimateFrame(
      { depth: new Float32Array(0), width: 0, height: 0 },
      k,
      input.gravity,
    ).frame;
  } else if (median > MAX_PLAUSIBLE_MEDIAN_DEPTH) {
    // Millimetres read as metres (or similar): no geometry from this map is trustworthy.
    imageFlags.push('depth-implausible-range');
    notes.push(
      `depth-implausible-range: median ${median.toFixed(0)} m (millimetres read as metres?)`,
    );
    frame = estimateFrame(
      { depth: new Float32Array(0), width: 0, height: 0 },
      k,
      input.gravity,
    ).frame;
  } else {
    const fr = estimateFrame(img, k, input.gravity, input.options?.frame);
    frame = fr.frame;
    notes.push(...fr.notes);
  }
  const cam = cameraCentre(frame);
  const derivedMasks = new Map<number, CocoRle>();
  const nodes: SceneNode[] = [];
  const objectFlags = input.objects.map(() => [...imageFlags]);
  const found = input.objects.map((obj, i) => objectPixels(obj, img, k, frame, objectFlags[i]!));
  // An object standing on another is dropped from the support's box-derived mask.
  const separated = separateStackedObjects(
    found.map((f, i) => ({ ...f, bbox: input.objects[i]!.bbox2d })),
    img,
    k,
    frame,
  );
  for (let i = 0; i < input.objects.length; i++) {
    const obj = input.objects[i]!;
    const flags = objectFlags[i]!;
    let geom: ObjectGeometry = emptyGeometry();
    let provenance: MaskProvenance | null = obj.maskProvenance ?? null;
    let extentStatus: ExtentStatuses | undefined;
    let ends: HiddenEnds | undefined;
    const { provenance: prov, derived, supportY } = found[i]!;
    const pixels = separated[i]!;
    if (prov) provenance = prov;
    if (derived && pixels.length > 0)
      derivedMasks.set(obj.id, encodeRlePixels(pixels, width, height));
    if (pixels.length > 0 && imageFlags.length === 0) {
      const pts = liftObject(img, k, pixels, frame);
      const clean = cleanObjectCloud(
        pts.xyz,
        pts.count,
        cam,
        (k.fx + k.fy) / 2,
        input.options?.cleanup,
      );
      flags.push(...clean.flags);
      if (clean.kept.length > 0) {
        const dn = denoisedObjectPoints(
          img,
          k,
          frame,
          pts.pixels,
          clean.kept,
          clean.medianRange,
          errorModel,
        );
        // Box-derived masks lost the band above the floor / support: the points just above it
        // are a biased sample (measurements.ts baseCutHeight).
        const planeY = supportY ?? (frame.aligned ? frame.floorY : null);
        const baseCut =
          derived && planeY !== null
            ? baseCutHeight(dn.xyz, dn.count, planeY, floorBand(clean.medianRange), dn.sigma, cam)
            : null;
        geom = measureObject(
          dn.xyz,
          identityOf(dn.count),
          clean.voxelXyz,
          clean.voxelCount,
          frame,
          baseCut ?? -Infinity,
        );
        // The boxes come from the points an extreme can come from; the count and the centroid
        // from every cleaned point.
        geom.numPoints = clean.kept.length;
        geom.centroid = meanOf(pts.xyz, clean.kept);
        const sides = outlineSides({
          depth,
          width,
          height,
          pixels: dn.pixels,
          count: dn.pixels.length,
          // Same split as the box -> mask depth clusters, and never inside the noise.
          gate: (z) => Math.max(0.05, 0.04 * z, 3 * dn.sigma),
        });
        // Depth is seen on the top face, sampled by ever sparser rows towards its far edge: a
        // face seen across fewer than MIN_TOP_ROWS rows only bounds it.
        const spacing = frame.aligned ? topFaceRowSpacing(geom, frame, (k.fx + k.fy) / 2) : null;
        extentStatus = extentStatuses(
          sides,
          spacing !== null && spacing * MIN_TOP_ROWS <= geom.extent.depth,
        );
        ends = hiddenEnds(sides, extentStatus);
      }
      if (derived && clean.kept.length > 0) {
        const onFloor =
          frame.floorY !== null &&
          snapBase(
            geom,
            frame.floorY,
            frame.floorY,
            clean.medianRange,
            flags,
            'base-snapped-to-floor',
          );
        // A removed bottom layer within the floor band is floor left over, not a support.
        if (
          !onFloor &&
          supportY != null &&
          (frame.floorY === null || supportY - frame.floorY > floorBand(clean.medianRange) + 0.015)
        )
          snapBase(
            geom,
            supportY,
            frame.floorY,
            clean.medianRange,
            flags,
            'base-snapped-to-support',
          );
      }
    } else if (pixels.length === 0 && !flags.some((f) => BLOCKING_FLAGS.has(f)))
      flags.push('no-valid-depth');
    const finite = [
      ...geom.centroid,
      ...geom.aabb.min,
      ...geom.aabb.max,
      ...geom.obb.center,
      ...geom.obb.extent,
      geom.obb.yaw,
      geom.distanceFromCamera,
      geom.elevation ?? 0,
    ].every(Number.isFinite);
    if (!finite) {
      flags.push('non-finite-geometry');
      geom = emptyGeometry();
    }
    const ok = finite && !flags.some((f) => BLOCKING_FLAGS.has(f));
    nodes.push({
      id: obj.id,
      label: obj.label,
      attributes: obj.attributes ?? [],
      ...(obj.excluded ? { excluded: obj.excluded } : {}),
      bbox2d: safeBbox(obj.bbox2d),
      maskRef: obj.maskRef ?? null,
      maskProvenance: provenance,
      centroid: geom.centroid,
      aabb: geom.aabb,
      obb: geom.obb,
      extent: geom.extent,
      ...(extentStatus ? { extentStatus } : {}),
      ...(ends ? { hiddenEnds: ends } : {}),
      numPoints: geom.numPoints,
      elevation: ok ? geom.elevation : null,
      distanceFromCamera: geom.distanceFromCamera,
      quality: { ok, flags },
    });
  }
  const graph: SceneGraph = {
    width,
    height,
    intrinsics: { ...k, source: intrinsics.source ?? 'given' },
    frame,
    nodes,
    edges: relateNodes(nodes, frame),
  };
  return { graph, derivedMasks, notes, depthError: errorModel };
}

function resolveDepthError(e: SceneInput['depthError']): DepthErrorModel | null {
  if (typeof e !== 'string') return e ?? null;
  try {
    return depthErrorPreset(e);
  } catch (err) {
    if (err instanceof UnknownDepthErrorPreset) throw new SceneInputError(err.message);
    throw err;
  }
}

export function buildSceneGraph(input: SceneInput): SceneGraph {
  return buildScene(input).graph;
}
