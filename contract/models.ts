// The `models` API namespace: the built-in model catalogue, what is installed in the per-user models
// folder, whether it was verified and which execution provider loaded it. Downloads run as jobs of
// the project the UI has open (progress as `job` events, cancel with jobs.cancel).
import { z } from 'zod';

export const ModelTask = z.enum([
  'scene-filter',
  'detection',
  'segmentation',
  'depth',
  'calibration',
]);
export type ModelTask = z.infer<typeof ModelTask>;

export const ModelDevice = z.enum(['auto', 'webgpu', 'cuda', 'cpu', 'dml', 'coreml']);

export const ModelProviderAttempt = z.object({
  provider: z.string(),
  ok: z.boolean(),
  /** Why this provider failed (first line of the runtime's error); null when it loaded. */
  error: z.string().nullable(),
});

export const ModelGraphCheck = z.object({
  graph: z.string(),
  file: z.string(),
  ok: z.boolean(),
  /** Load failure, timeout or crash; null when the file loaded. */
  error: z.string().nullable(),
  /** Contract mismatches (input/output names, dtypes, ranks). */
  problems: z.array(z.string()),
  provider: z.string().nullable(),
  attempts: z.array(ModelProviderAttempt),
});
export type ModelGraphCheck = z.infer<typeof ModelGraphCheck>;

export const ModelFileCheck = z.object({
  path: z.string(),
  ok: z.boolean(),
  /** What differs from the sha256 recorded at install or the manifest's pins; null when it matches. */
  problem: z.string().nullable(),
});

export const ModelVerification = z.object({
  ok: z.boolean(),
  at: z.string(),
  device: ModelDevice,
  graphs: z.array(ModelGraphCheck),
  /** Absent in verifications recorded before file checks existed. */
  files: z.array(ModelFileCheck).optional(),
});
export type ModelVerification = z.infer<typeof ModelVerification>;

export const ModelInfo = z.object({
  id: z.string(),
  task: ModelTask,
  displayName: z.string(),
  source: z.string(),
  licenses: z.array(z.string()),
  /** Every file has a URL: `models.download` can fetch it; otherwise import a local export. */
  downloadable: z.boolean(),
  /** The manifest carries sizes and sha256 for every file. */
  verifiedChecksum: z.boolean(),
  /** Every file's URL names a commit; false shows as "unpinned". */
  pinned: z.boolean(),
  files: z.array(
    z.object({
      path: z.string(),
      /** Exact size the catalogue pins; null when no source gave it. */
      size: z.number().int().nullable(),
      /** The hub's rounded size ("151 MB") when the exact one is unknown. */
      approxSize: z.string().nullable(),
      /** Commit the URL is pinned to; null = unpinned. */
      revision: z.string().nullable(),
      sha256: z.string().nullable(),
      /** sha256 and size recorded at download/import. */
      installedSha256: z.string().nullable(),
      installedSize: z.number().int().nullable(),
      license: z.string(),
      present: z.boolean(),
      partial: z.boolean(),
    }),
  ),
  installed: z.boolean(),
  installedAt: z.string().nullable(),
  installedHow: z.enum(['download', 'import']).nullable(),
  bytesOnDisk: z.number().int().nonnegative(),
  /** The last `models.verify`, kept across restarts; null when never verified since install. */
  verification: ModelVerification.nullable(),
  /** The provider that last loaded the model (verify or a pipeline run); null when never loaded. */
  provider: z.string().nullable(),
  /** The last download, import, verify or load failure; cleared by the next success. */
  lastError: z.object({ operation: z.string(), message: z.string(), at: z.string() }).nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

const ModelRef = z.object({ id: z.string().min(1).max(200) });

export const RecommendedModel = z.object({
  id: z.string(),
  task: ModelTask,
  displayName: z.string(),
  licenses: z.array(z.string()),
  /** Exact where every file's size is pinned (sizeExact), else the hub's rounded sizes summed. */
  bytes: z.number().int().nullable(),
  sizeExact: z.boolean(),
  pinned: z.boolean(),
});

/** The smallest set that makes photos work: detector, box-to-mask, metric depth. */
export const PhotoModelPlan = z.object({
  installed: z.array(z.object({ task: ModelTask, id: z.string() })),
  missingModels: z.array(RecommendedModel),
  /** Needed tasks that no built-in model can download (import a local export). */
  importOnly: z.array(ModelTask),
  totalBytes: z.number().int().nullable(),
});
export type PhotoModelPlan = z.infer<typeof PhotoModelPlan>;

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const modelsApi = {
  list: method(z.object({}), z.object({ modelsDir: z.string(), models: z.array(ModelInfo) })),
  /** Starts a download job in the given project (resumes partial files); returns at once. */
  download: method(
    ModelRef.extend({ projectId: z.string().min(1) }),
    z.object({ jobId: z.string() }),
  ),
  /** Copies a local export (transformers.js folder or one .onnx file) into the models folder. */
  import: method(
    ModelRef.extend({ path: z.string().min(1) }),
    z.object({
      model: ModelInfo,
      copied: z.array(z.object({ from: z.string(), to: z.string() })),
      skipped: z.array(z.string()),
    }),
  ),
  /** Loads each graph in a child process (with a timeout) and checks its declared inputs/outputs. */
  verify: method(
    ModelRef.extend({
      device: ModelDevice.default('auto'),
      timeoutS: z.number().positive().max(600).default(60),
    }),
    z.object({ model: ModelInfo, verification: ModelVerification }),
  ),
  remove: method(ModelRef, z.object({ removed: z.boolean(), bytes: z.number().int() })),
  /** What photos still need: the recommended set and its size and licences. */
  photoPlan: method(z.object({}), PhotoModelPlan),
  /**
   * Downloads the recommended set as one job (progress as `job` events; cancel with jobs.cancel;
   * a partial file resumes on the next call). jobId null when nothing is left to download.
   */
  getForPhotos: method(
    z.object({ projectId: z.string().min(1) }),
    z.object({ jobId: z.string().nullable(), ids: z.array(z.string()) }),
  ),
} as const;
