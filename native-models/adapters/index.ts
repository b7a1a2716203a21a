// The adapters' uniform entry points. Each is created from an AdapterContext (manifest + model store +
// session pool + device) and runs on one ImageInput (decoded upright RGB/RGBA, optional intrinsics);
// results are plain typed data in original-image pixels: boxes with labels and scores, COCO RLE
// masks at the original size, depth in metres at the original size, intrinsics with their source.
// Every failure is a ModelAdapterError (or TokenizerError) whose message starts "model <id>: ".
import type { ModelManifest } from '../manifest';
import { createClipSceneFilter } from './clip';
import { createDepthAnything } from './depth-anything';
import { createGeoCalib } from './calibration';
import { createGroundingDino } from './grounding-dino';
import { createMetric3d } from './metric3d';
import { createOwlv2 } from './owlv2';
import { ModelAdapterError, type AdapterContext } from './runtime';
import { createSam } from './sam';
import { createSlimSam } from './slimsam';

export { calibrate, defaultIntrinsics, exifIntrinsics } from './calibration';
export type { CalibrationResult, GeoCalibCalibrator } from './calibration';
export type { ClipSceneFilter, SceneFilterOptions, SceneFilterResult } from './clip';
export type { DepthResult } from './depth-anything';
export type { DetectOptions, DetectResult, GroundingDinoDetector } from './grounding-dino';
export type { Metric3dDepth, Metric3dOptions, Metric3dResult } from './metric3d';
export type { OwlDetectOptions, OwlDetectResult, Owlv2Detector } from './owlv2';
export type { BoxMask, PromptClick, SamSegmenter, SegmentOptions, SegmentResult } from './sam';
export type { SlimSamSegmenter } from './slimsam';
export type { BoxXYXY, Detection } from './boxes';
export { ModelAdapterError } from './runtime';
export type { AdapterContext, AdapterTimings, ImageInput, Intrinsics } from './runtime';
export {
  createClipSceneFilter,
  createDepthAnything,
  createGeoCalib,
  createGroundingDino,
  createMetric3d,
  createOwlv2,
  createSam,
  createSlimSam,
};

/** Which adapter runs a manifest: decided by its task and the graph contract it declares. */
export type AdapterKind =
  | 'clip'
  | 'grounding-dino'
  | 'owlv2'
  | 'sam'
  | 'slimsam'
  | 'depth-anything'
  | 'metric3d'
  | 'geocalib';

export function adapterKind(manifest: ModelManifest): AdapterKind {
  const names = new Set(
    manifest.contracts.flatMap((c) => [...c.inputs, ...c.outputs].map((t) => t.name)),
  );
  switch (manifest.task) {
    case 'scene-filter':
      return 'clip';
    case 'detection':
      return names.has('pixel_mask') ? 'grounding-dino' : 'owlv2';
    case 'segmentation':
      if (names.has('orig_im_size')) return 'sam';
      if (names.has('input_boxes')) return 'slimsam';
      break;
    case 'depth':
      return names.has('predicted_normal') ? 'metric3d' : 'depth-anything';
    case 'calibration':
      return 'geocalib';
  }
  throw new ModelAdapterError(manifest.id, 'no adapter runs this model');
}

/** Creates the adapter for `ctx.manifest` (throws a ModelAdapterError naming the model). */
export function createAdapter(ctx: AdapterContext) {
  switch (adapterKind(ctx.manifest)) {
    case 'clip':
      return { kind: 'clip' as const, adapter: createClipSceneFilter(ctx) };
    case 'grounding-dino':
      return { kind: 'grounding-dino' as const, adapter: createGroundingDino(ctx) };
    case 'owlv2':
      return { kind: 'owlv2' as const, adapter: createOwlv2(ctx) };
    case 'sam':
      return { kind: 'sam' as const, adapter: createSam(ctx) };
    case 'slimsam':
      return { kind: 'slimsam' as const, adapter: createSlimSam(ctx) };
    case 'depth-anything':
      return { kind: 'depth-anything' as const, adapter: createDepthAnything(ctx) };
    case 'metric3d':
      return { kind: 'metric3d' as const, adapter: createMetric3d(ctx) };
    case 'geocalib':
      return { kind: 'geocalib' as const, adapter: createGeoCalib(ctx) };
  }
}
