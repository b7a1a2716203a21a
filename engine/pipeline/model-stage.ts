// The seam between the pipeline and the perception runtime: one ModelStage per model stage. An
// adapter (native-models/adapters/*) is wrapped into a ModelStage that turns a decoded image into
// that stage's output; the pipeline decides when to skip it, runs it in the inference lane and
// writes the output with provenance in the image's transaction. Adapters never touch the database.
import type { CocoRle } from '../../spatial/geometry/mask-rle';

/** Decoded, upright RGB pixels (EXIF orientation applied), as the adapters take them. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

export interface StageObject {
  /** Database id, or a negative placeholder for an object detected in this run (not stored yet). */
  id: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
  /** true when a mask is already stored or was produced earlier in this run. */
  hasMask: boolean;
}

/** What each model stage produces for one image. */
export interface StageOutputs {
  /** Scene filter: false drops the image from the later stages (with the reason). */
  filter: { keep: boolean; score: number; reason: string };
  /** Boxes in upright-image pixels, [x0, y0, x1, y1]. */
  detect: {
    objects: Array<{ label: string; score: number; box: [number, number, number, number] }>;
  };
  /** Masks for objects that had none, by StageObject.id, COCO RLE at image size. */
  segment: { masks: Array<{ objectId: number; rle: CocoRle }> };
  /** Metres, row-major width × height at the image size; 0 or NaN = missing. */
  depth: { metres: Float32Array; width: number; height: number };
  /** Pinhole intrinsics in upright-image pixels. */
  calibrate: { fx: number; fy: number; cx: number; cy: number };
}

export type ModelStageName = keyof StageOutputs;
export const MODEL_STAGE_NAMES: readonly ModelStageName[] = [
  'filter',
  'detect',
  'segment',
  'depth',
  'calibrate',
];

export interface ModelStageInput {
  imageId: number;
  image: DecodedImage;
  /** The image's objects at this point of the run (stored, or detected earlier in it). */
  objects: readonly StageObject[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
}

/** Recorded with every result of the stage (stage_runs.provenance_json). */
export interface ModelIdentity {
  modelId: string;
  /** sha256 of the model's graph file from its install record; null when not recorded. */
  checksum: string | null;
  /** Parameters that change the output (thresholds, prompts, max depth). */
  params: Record<string, unknown>;
}

export interface StageResult<S extends ModelStageName = ModelStageName> {
  output: StageOutputs[S];
  provider: string;
}

export interface ModelStage<S extends ModelStageName = ModelStageName> {
  readonly stage: S;
  readonly model: ModelIdentity;
  /** Runs the model on one image; `provider` is the execution provider that actually ran it. */
  run(input: ModelStageInput): Promise<{ output: StageOutputs[S]; provider: string }>;
  /**
   * Models that take several images per call: the inference lane gathers up to `maxBatch`
   * waiting images of this stage into one call. One result per input, in order; an image that
   * fails gets its error only.
   */
  runBatch?(inputs: ModelStageInput[]): Promise<Array<StageResult<S> | { error: string }>>;
  /** Largest batch runBatch takes (known after warmUp); absent or 1 = one image per call. */
  maxBatch?: number;
  /**
   * Loads the model before the first image and returns the provider it loaded on, so a model that
   * cannot load (wrong file, GPU asked for and missing) is said once instead of failing every image.
   */
  warmUp?(): Promise<string>;
  /** Releases sessions at the end of the run. */
  close?(): Promise<void>;
}

/** Builds a stage's ModelStage when a model for it is installed, else says why not (said once). */
export type ModelStageResolver = (
  stage: ModelStageName,
) => Promise<{ stage: ModelStage } | { missing: string; reason?: string }>;
