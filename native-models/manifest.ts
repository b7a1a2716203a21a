// A model manifest: what a model is, which files make it, what its ONNX graph must declare and how
// images are prepared for it. Built-in entries live in catalogue.ts; users may bring their own JSON.
import { z } from 'zod';

export const modelTasks = [
  'scene-filter',
  'detection',
  'segmentation',
  'depth',
  'calibration',
] as const;
export type ModelTask = (typeof modelTasks)[number];

export const tensorDtypes = ['float32', 'float16', 'int64', 'int32', 'uint8', 'bool'] as const;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');

export const modelFileSchema = z.object({
  /** Path inside the model's folder, e.g. "onnx/model.onnx". */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'a relative path'),
  /** null: no hosted file is known; the model must be imported from a local export. */
  url: z.url().nullable(),
  size: z.number().int().positive().nullable(),
  sha256: sha256Schema.nullable(),
  /**
   * The commit the URL is pinned to (40 hex), when a source we read shows the file at that commit;
   * null: the URL follows a branch (main, "boxes") and may change under us — shown as "unpinned".
   */
  revision: z
    .string()
    .regex(/^[0-9a-f]{40}$/, 'a 40-hex commit')
    .nullable()
    .default(null),
  /** The size as the hosting page rounds it ("151 MB"), for people, when the exact size is unknown. */
  approxSize: z.string().nullable().default(null),
  license: z.string().min(1),
  /** Which ONNX graph of the model this file is (e.g. "text", "vision", "encoder"); null for aux files. */
  graph: z.string().nullable().default(null),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

/** A dimension: fixed size, or a symbolic name ("batch", "height"). */
export const dimSchema = z.union([z.number().int().nonnegative(), z.string().min(1)]);

export const tensorSpecSchema = z.object({
  /** null: the name is not known from a source we read; matched by position instead. */
  name: z.string().min(1).nullable(),
  dtype: z.enum(tensorDtypes),
  shape: z.array(dimSchema),
  /**
   * A tensor some exports of the model declare and others do not: an input fed only when
   * declared, an output read only when present.
   */
  optional: z.boolean().default(false),
  /** Other names the same tensor has in other exports (e.g. "pred_depth"); tried after `name`. */
  aliases: z.array(z.string().min(1)).default([]),
  /** Ranks accepted besides shape.length (e.g. [3] for a (B,H,W) map declared (B,1,H,W)). */
  otherRanks: z.array(z.number().int().positive()).default([]),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

export const graphContractSchema = z.object({
  /** Matches ModelFile.graph; the file path when the model has a single graph. */
  graph: z.string().min(1),
  file: z.string().min(1),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
});
export type GraphContract = z.infer<typeof graphContractSchema>;

export const preprocessingSchema = z.object({
  /** How the network input size is chosen from the image. */
  resize: z.enum([
    'keep-aspect-multiple', // DPT: scale closest to 1 for both axes, round each side to a multiple
    'lower-bound-multiple', // upstream Depth Anything: both sides at least `size`, multiples, aspect kept
    'shortest-edge', // shortest side to `size`, long side capped at `maxSize`
    'longest-edge', // long side to `size` (SAM), then pad
    'stretch', // stretch to size × size
    'fixed', // fixed size, aspect kept, padded (Metric3D official)
  ]),
  size: z.number().int().positive(),
  maxSize: z.number().int().positive().nullable().default(null),
  multipleOf: z.number().int().positive().nullable().default(null),
  interpolation: z.enum(['bilinear', 'bicubic']),
  /** Applied after scaling pixels to [0,1] (or to 0–255 when rescale is false). */
  mean: z.tuple([z.number(), z.number(), z.number()]).nullable(),
  std: z.tuple([z.number(), z.number(), z.number()]).nullable(),
  rescale: z.boolean(),
  pad: z.enum(['none', 'bottom-right', 'center']).default('none'),
  centerCrop: z.number().int().positive().nullable().default(null),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

export const modelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"'),
  task: z.enum(modelTasks),
  displayName: z.string().min(1),
  /** Where the export comes from (repository / release) — for people, not code. */
  source: z.string().min(1),
  files: z.array(modelFileSchema).min(1),
  contracts: z.array(graphContractSchema).min(1),
  preprocessing: preprocessingSchema.nullable(),
  /** false when any file's size/sha256 is not known from a source we read (never invented). */
  verifiedChecksum: z.boolean(),
  /** Facts an adapter needs that are not in the graph (e.g. units, max depth), and caveats. */
  notes: z.array(z.string()).default([]),
  /** Model-specific constants, e.g. { maxDepth: 20 }. */
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type ModelManifestInput = z.input<typeof modelManifestSchema>;

export function parseManifest(raw: unknown, where = 'manifest'): ModelManifest {
  const result = modelManifestSchema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    const at = first?.path.length ? ` at ${first.path.join('.')}` : '';
    throw new Error(`invalid ${where}${at}: ${first?.message ?? 'unknown error'}`);
  }
  const m = result.data;
  const files = new Set(m.files.map((f) => f.path));
  for (const c of m.contracts) {
    if (!files.has(c.file)) {
      throw new Error(`invalid ${where}: contract "${c.graph}" names file ${c.file}, not listed`);
    }
  }
  for (const f of m.files) {
    // A pinned file whose URL names another ref would download something else than the pin says.
    if (f.revision && f.url && !f.url.includes(f.revision)) {
      throw new Error(
        `invalid ${where}: ${f.path} is pinned to ${f.revision} but its URL is ${f.url}`,
      );
    }
  }
  if (m.verifiedChecksum && m.files.some((f) => f.sha256 === null)) {
    throw new Error(`invalid ${where}: verifiedChecksum is true but a file has no sha256`);
  }
  return m;
}
