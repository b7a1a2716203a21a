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

export const JobStatus = z.enum(['queued', 'running', 'paused', 'done', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

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

export const QaStatus = z.enum(['proposed', 'approved', 'rejected', 'edited', 'changed']);

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
