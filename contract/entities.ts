// Domain entities as runtime schemas: the one source of truth for the types that cross a process
// boundary (engine <-> renderer over IPC or HTTP). Types are inferred from the schemas.
import { z } from 'zod';

export const IntrinsicsSource = z.enum(['given', 'exif', 'model', 'default-fov']);
export type IntrinsicsSource = z.infer<typeof IntrinsicsSource>;

/** Pinhole intrinsics in pixels of the upright (EXIF-oriented) image. */
export const Intrinsics = z.object({
  fx: z.number().positive(),
  fy: z.number().positive(),
  cx: z.number(),
  cy: z.number(),
  source: IntrinsicsSource,
});
export type Intrinsics = z.infer<typeof Intrinsics>;

export const ImageStatus = z.enum([
  'pending',
  'processing',
  'needs-review',
  'in-review',
  'approved',
  'rejected',
  'failed',
]);
export type ImageStatus = z.infer<typeof ImageStatus>;

export const ProjectSummary = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  createdAt: z.string(),
  imageCount: z.number().int().nonnegative(),
  batchCount: z.number().int().nonnegative(),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const BatchSummary = z.object({
  id: z.number().int(),
  sourceFolder: z.string(),
  depthFolder: z.string().nullable(),
  depthEncoding: z.string().nullable(),
  createdAt: z.string(),
  imported: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  withDepth: z.number().int().nonnegative(),
  imageCount: z.number().int().nonnegative(),
});
export type BatchSummary = z.infer<typeof BatchSummary>;

export const DepthInfo = z.object({
  source: z.enum(['sensor', 'model']),
  encoding: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  validRatio: z.number().min(0).max(1),
  minMeters: z.number().nullable(),
  maxMeters: z.number().nullable(),
  /**
   * Range-noise preset: given at import (kinect-v1, realsense-d435, tum, redwood, ...) for sensor
   * depth, the depth model's (metric3d-v2, depth-anything-metric-indoor) for model depth; if any.
   */
  noisePreset: z.string().optional(),
});
export type DepthInfo = z.infer<typeof DepthInfo>;

export const ImageSummary = z.object({
  id: z.number().int(),
  batchId: z.number().int(),
  fileName: z.string(),
  relPath: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  status: ImageStatus,
  hasDepth: z.boolean(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const ImageDetail = ImageSummary.extend({
  sourcePath: z.string(),
  sha256: z.string(),
  bytes: z.number().int().nonnegative(),
  format: z.string(),
  orientation: z.number().int().min(1).max(8),
  exif: z.record(z.string(), z.unknown()).nullable(),
  intrinsics: Intrinsics,
  depth: DepthInfo.nullable(),
  createdAt: z.string(),
});
export type ImageDetail = z.infer<typeof ImageDetail>;

export const ImportIssue = z.object({
  path: z.string(),
  kind: z.enum(['skipped', 'failed', 'warning']),
  reason: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;

/** `interrupted`: the process running it died (kill, power loss); a pipeline job resumes from there. */
export const JobStatus = z.enum([
  'queued',
  'running',
  'paused',
  'interrupted',
  'done',
  'failed',
  'cancelled',
]);
export type JobStatus = z.infer<typeof JobStatus>;

/** Per-stage image counts of a pipeline job, in pipeline order. */
export const JobStageCounts = z.object({
  stage: z.string(),
  done: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type JobStageCounts = z.infer<typeof JobStageCounts>;

/** Live progress of a pipeline job (imports report only the Job counters). */
export const JobProgress = z.object({
  stages: z.array(JobStageCounts),
  /** The image being worked on (relative path), null between images. */
  current: z.string().nullable(),
  /** Seconds left at the recent rate; null until enough images finished to tell. */
  etaSeconds: z.number().nonnegative().nullable(),
  imagesPerSecond: z.number().nonnegative().nullable(),
  /** Execution provider per model stage that loaded a model, e.g. { depth: 'cpu' }. */
  providers: z.record(z.string(), z.string()),
  /** Said once per run, e.g. "stage detect: no model installed; ...". */
  notices: z.array(z.string()),
});
export type JobProgress = z.infer<typeof JobProgress>;

/** One image's failure in a job, with the stage and the reason. */
export const JobImageError = z.object({
  imageId: z.number().int(),
  image: z.string(),
  stage: z.string(),
  reason: z.string(),
});
export type JobImageError = z.infer<typeof JobImageError>;

/** One image's result for one stage, with provenance (model id + checksum, provider, parameters). */
export const StageRun = z.object({
  stage: z.string(),
  status: z.enum(['done', 'skipped', 'failed']),
  reason: z.string().nullable(),
  provenance: z.record(z.string(), z.unknown()).nullable(),
  tookMs: z.number().nullable(),
});
export type StageRun = z.infer<typeof StageRun>;

export const Job = z.object({
  id: z.string(),
  kind: z.string(),
  status: JobStatus,
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  message: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Pipeline jobs: per-stage counts, current image, ETA, providers. Absent for imports. */
  progress: JobProgress.nullable().optional(),
});
export type Job = z.infer<typeof Job>;

export const BoxXYXY = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const ObjectProvenance = z.enum(['model', 'human', 'imported']);

export const SceneObject = z.object({
  id: z.number().int(),
  imageId: z.number().int(),
  label: z.string(),
  score: z.number().nullable(),
  box: BoxXYXY,
  provenance: ObjectProvenance,
  maskProvenance: z.enum(['model', 'depth-cluster', 'imported', 'human']).nullable(),
});
export type SceneObject = z.infer<typeof SceneObject>;

export const QaStatus = z.enum([
  'proposed',
  'approved',
  'rejected',
  'edited',
  'changed',
  // Its facts vanished (an object deleted): kept with its decision, not exported or decidable.
  'orphaned',
]);

export const QaPair = z.object({
  id: z.number().int(),
  imageId: z.number().int(),
  family: z.string(),
  question: z.string(),
  answer: z.string(),
  status: QaStatus,
  kind: z.enum(['qualitative', 'quantitative', 'multi-hop']).nullable(),
  /** Object ids the pair is about, in placeholder order. */
  subjects: z.array(z.number().int()),
  /** Machine value (metres, boolean, clock hour, object id(s), count); null for a tie or legacy rows. */
  value: z.unknown(),
  unit: z.string().nullable(),
});
export type QaPair = z.infer<typeof QaPair>;

export const ReviewDecisionKind = z.enum(['approve', 'reject', 'edit', 'skip']);

export const ReviewDecision = z.object({
  id: z.number().int(),
  qaId: z.number().int(),
  decision: ReviewDecisionKind,
  reason: z.string().nullable(),
  editedAnswer: z.string().nullable(),
  reviewer: z.string(),
  createdAt: z.string(),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const ExecutionProviderReport = z.object({
  available: z.array(z.string()),
  runtimeVersion: z.string().nullable(),
  error: z.string().nullable(),
});

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** What the UI shows of a scene graph: the frame, each object's 3D facts, ambiguous objects. */
export const SceneGraphView = z.object({
  frame: z.object({
    gravitySource: z.string(),
    aligned: z.boolean(),
    cameraHeight: z.number().nullable(),
    /** What cameraHeight refers to: the floor or a support plane seen from above (perhaps a table top). */
    heightAbove: z.enum(['floor', 'support-plane']).nullable(),
    /** Camera -> world, p_w = R p_c + t (R row-major 3x3, det -1: the world is y-up). */
    rotation: z.array(z.number()).length(9),
    translation: Vec3,
    /** Floor plane y = floorY in the world frame; null when no floor was found. */
    floorY: z.number().nullable(),
  }),
  nodes: z.array(
    z.object({
      id: z.number().int(),
      label: z.string(),
      centroid: Vec3,
      extent: z.object({ width: z.number(), height: z.number(), depth: z.number() }),
      elevation: z.number().nullable(),
      distanceFromCamera: z.number(),
      numPoints: z.number().int().nonnegative(),
      quality: z.object({ ok: z.boolean(), flags: z.array(z.string()) }),
      /** World-frame boxes for the 3D viewer; `obb.corners` are its 8 corners (bottom 4, then top 4). */
      aabb: z.object({ min: Vec3, max: Vec3 }),
      obb: z.object({
        center: Vec3,
        extent: Vec3,
        yaw: z.number(),
        corners: z.array(Vec3).length(8),
      }),
    }),
  ),
  relationCount: z.number().int().nonnegative(),
  notes: z.array(z.string()),
  ambiguities: z.array(
    z.object({
      nodeId: z.number().int(),
      label: z.string(),
      group: z.array(z.number().int()),
      reason: z.string(),
    }),
  ),
});
export type SceneGraphView = z.infer<typeof SceneGraphView>;

/** One scene-graph edge ("subject <predicate> object"), with its value for metric predicates. */
export const SceneRelation = z.object({
  subject: z.number().int(),
  object: z.number().int(),
  predicate: z.string(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
});
export type SceneRelation = z.infer<typeof SceneRelation>;
