// The model stages' rules for one image, with no database: when a stage has nothing to do, how a
// model's failure is said, and which outputs are refused. The desktop's image run (image-run.ts)
// and a team worker (engine/team/model-stages.ts) decide and record them alike.
import type { ImageRow } from '../../db/store/rows';
import { DETECTED_OBJECTS_PER_IMAGE } from '../../db/store/object-id-blocks';
import { segmentSkipReason } from './cpu-stages';
import type { ModelStageName, StageObject, StageOutputs } from './model-stage';

/** The model stages in the order an image goes through them. */
export const MODEL_STAGE_ORDER = ['filter', 'detect', 'segment', 'depth', 'calibrate'] as const;

const KNOWN_INTRINSICS = new Set(['given', 'exif']);

/** Where an image's stored depth came from: a sensor (imported), a depth model, or none. */
export function depthSource(
  depthBlob: string | null,
  depthJson: string | null,
): 'sensor' | 'model' | null {
  if (!depthBlob) return null;
  try {
    const info = depthJson ? (JSON.parse(depthJson) as { source?: string }) : null;
    return info?.source === 'model' ? 'model' : 'sensor';
  } catch {
    return 'sensor';
  }
}

export interface SkipInput {
  /** The image's objects at this point of the run. */
  objects: readonly StageObject[];
  /** Whether any stored object was imported (a COCO file) rather than detected. */
  importedObjects: boolean;
  depthSource: 'sensor' | 'model' | null;
  /** The stored model depth was made by this run (a resumed or repeated image). */
  modelDepthFromThisRun: boolean;
  intrinsicsSource: string;
}

/** Why a model stage has nothing to do for the image, or null when it should run. */
export function modelSkipReason(stage: ModelStageName, s: SkipInput): string | null {
  switch (stage) {
    case 'detect':
      if (s.objects.length === 0) return null;
      return s.importedObjects ? 'imported boxes present' : 'objects present';
    case 'segment':
      return segmentSkipReason(s.objects);
    case 'depth':
      if (s.depthSource === 'sensor') return 'sensor depth present';
      return s.depthSource === 'model' && s.modelDepthFromThisRun
        ? 'model depth from this job'
        : null;
    case 'calibrate':
      return KNOWN_INTRINSICS.has(s.intrinsicsSource) ? 'known intrinsics' : null;
    default:
      return null;
  }
}

/** A model's failure as its stage record says it; adapter errors already start "model <id>: ". */
export function modelFailureReason(modelId: string, message: string): string {
  return `${modelId}: ${message.startsWith(`model ${modelId}: `) ? message.slice(modelId.length + 8) : message}`;
}

/** Refuses a depth map that does not cover the image pixel for pixel. */
export function checkDepthOutput(
  o: StageOutputs['depth'],
  image: { width: number; height: number },
): void {
  if (o.width !== image.width || o.height !== image.height)
    throw new Error(`depth is ${o.width}x${o.height}, image is ${image.width}x${image.height}`);
}

/** Refuses intrinsics no camera has (non-positive or non-finite focal lengths, NaN centre). */
export function checkIntrinsicsOutput(o: StageOutputs['calibrate']): void {
  if (
    ![o.fx, o.fy].every((v) => Number.isFinite(v) && v > 0) ||
    ![o.cx, o.cy].every(Number.isFinite)
  )
    throw new Error(`implausible intrinsics ${JSON.stringify(o)}`);
}

/**
 * What the model stages start from: the image's stored objects (with whether each has a mask) and
 * its stored intrinsics, which the stages then replace as they run.
 */
export function stageStart(
  stored: ReadonlyArray<{
    id: number;
    label: string;
    score: number | null;
    box: [number, number, number, number];
    maskRle: string | null;
  }>,
  image: Pick<ImageRow, 'fx' | 'fy' | 'cx' | 'cy' | 'intrinsicsSource'>,
): {
  objects: StageObject[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
} {
  return {
    objects: stored.map((o) => ({
      id: o.id,
      label: o.label,
      score: o.score,
      box: o.box,
      hasMask: Boolean(o.maskRle),
    })),
    intrinsics: {
      fx: image.fx,
      fy: image.fy,
      cx: image.cx,
      cy: image.cy,
      source: image.intrinsicsSource,
    },
  };
}

/**
 * The detections an image stores: all of them, or beyond the per-image cap (the size of its block
 * of object ids, db/store/object-id-blocks.ts) the top-scoring ones, in the detector's order; `note`
 * says so for the stage's record.
 */
export function detectionsToStore<T extends { score: number | null }>(
  detections: readonly T[],
): { kept: T[]; note: string | null } {
  const cap = DETECTED_OBJECTS_PER_IMAGE;
  if (detections.length <= cap) return { kept: [...detections], note: null };
  const keep = new Set(
    detections
      .map((d, i) => ({ i, score: d.score ?? -Infinity }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, cap)
      .map((d) => d.i),
  );
  return {
    kept: detections.filter((_, i) => keep.has(i)),
    note: `kept the ${cap} top-scoring of ${detections.length} detections (at most ${cap} objects are detected per image)`,
  };
}

/**
 * The ids of an image's detected objects: its reserved block's, in the detector's order; null
 * when the run reserved it none (the image had objects when the run started), and the ids then
 * come from the database as the objects are stored.
 */
export function blockObjectIds(
  firstObjectId: number | null | undefined,
  n: number,
): number[] | null {
  if (firstObjectId === null || firstObjectId === undefined) return null;
  return Array.from({ length: n }, (_, i) => firstObjectId + i);
}
