// The `exports` API namespace: dataset exports run as jobs of the project (progress as `job` events),
// and every finished export is recorded in the project. Field meanings: engine/export/FORMATS.md.
import { z } from 'zod';

export const EXPORT_FORMATS = [
  'spatialrgpt',
  'spatialrgpt-bench',
  'llava',
  'hf',
  'coco',
  'scenegraph',
  'qa-jsonl',
] as const;
export const ExportFormat = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormat>;

const Names = z.array(z.string().min(1).max(200)).max(200);

/** What to export and how; everything but format and folder has a default. */
export const ExportOptions = z.object({
  format: ExportFormat,
  outDir: z.string().min(1).max(4096),
  /** Replace a non-empty folder, but only one an earlier export wrote. */
  force: z.boolean().default(false),
  /** QA statuses exported besides approved and edited. */
  include: z
    .array(z.enum(['proposed', 'changed', 'rejected']))
    .max(3)
    .default([]),
  /** Only these QA families / QA about objects with these labels / QA last decided by these reviewers. */
  families: Names.default([]),
  labels: Names.default([]),
  reviewers: Names.default([]),
  /** Images next to the dataset: copied, symbolic links, or not written (records keep the source path). */
  images: z.enum(['copy', 'link', 'none']).default('copy'),
  /** Depth maps: none, 16-bit PNG in millimetres, or OSD's 8-bit 3-channel min-max normalized form. */
  depth: z.enum(['none', 'mm16', 'osd8']).default('none'),
  /** `hf` splits by image: shares and the seed of the hash that assigns them. */
  splits: z
    .object({
      train: z.number().min(0).max(1),
      validation: z.number().min(0).max(1),
      test: z.number().min(0).max(1),
    })
    .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-6, {
      message: 'split shares must add up to 1',
    })
    .default({ train: 0.8, validation: 0.1, test: 0.1 }),
  seed: z.string().min(1).max(100).default('0'),
  /** `coco` masks: pycocotools' compressed counts string, or the uncompressed list. */
  rle: z.enum(['string', 'list']).default('string'),
  /** `llava` and `hf` turns name objects by referring expression or by `<regionN>` token. */
  naming: z.enum(['expression', 'region']).default('expression'),
  /**
   * Phrasings per reviewed fact, rendered at export from the fact as decided (its forms x naming
   * modes the format uses x question and answer templates x unit systems; FORMATS.md): N (default
   * 4) keeps N of them per fact, picked by a hash of `seed` and the phrasing id (the same seed
   * picks the same ones); 'all' writes every one (tens to hundreds per fact).
   */
  phrasingsPerFact: z.union([z.literal('all'), z.number().int().min(1).max(1000)]).default(4),
});
export type ExportOptions = z.output<typeof ExportOptions>;
export type ExportOptionsInput = z.input<typeof ExportOptions>;

export const ExportCounts = z.object({
  images: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  qa: z.number().int().nonnegative(),
  objects: z.number().int().nonnegative(),
  /** QA left out, by reason (e.g. a region with no mask for a region format). */
  skipped: z.record(z.string(), z.number().int().nonnegative()),
});
export type ExportCounts = z.infer<typeof ExportCounts>;

export const ExportResult = ExportCounts.extend({
  id: z.number().int(),
  format: ExportFormat,
  outDir: z.string(),
  /** sha256 of MANIFEST.sha256, which lists the sha256 of every file written. */
  checksum: z.string(),
  seconds: z.number().nonnegative(),
});
export type ExportResult = z.infer<typeof ExportResult>;

export const ExportRecord = z.object({
  id: z.number().int(),
  format: z.string(),
  outDir: z.string(),
  options: z.unknown(),
  counts: z.unknown(),
  checksum: z.string(),
  createdAt: z.string(),
});
export type ExportRecord = z.infer<typeof ExportRecord>;

const Rate = z.number().min(0).max(1);

/** `sqw eval`'s report (engine/eval/score.ts), with the per-item evidence. */
export const EvalReport = z.object({
  categories: z.record(
    z.string(),
    z.union([
      z.object({ n: z.number().int(), accuracy: Rate }),
      z.object({ n: z.number().int(), success_rate: Rate, abs_rel_error: z.number().nullable() }),
      z.object({ n: z.number().int(), success_rate: Rate, error_deg: z.number().nullable() }),
    ]),
  ),
  overall: z.object({
    n: z.number().int(),
    qualitative: z.object({ n: z.number().int(), accuracy: Rate.nullable() }),
    quantitative: z.object({
      n: z.number().int(),
      success_rate: Rate.nullable(),
      abs_rel_error: z.number().nullable(),
    }),
    direction: z.object({
      n: z.number().int(),
      success_rate: Rate.nullable(),
      error_deg: z.number().nullable(),
    }),
  }),
  unparsed: z.array(z.string()),
  items: z.array(
    z.object({
      id: z.string(),
      category: z.string(),
      answer: z.string().nullable(),
      expected: z.unknown(),
      parsed: z.unknown(),
      correct: z.boolean(),
      error: z.number().nullable(),
      status: z.enum(['scored', 'unparsed', 'missing']),
    }),
  ),
});
export type EvalReport = z.infer<typeof EvalReport>;

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

const ProjectRef = z.object({ projectId: z.string().min(1) });

export const exportsApi = {
  /** Starts an export job and returns at once; progress arrives as `job` events. */
  start: method(ProjectRef.extend({ options: ExportOptions }), z.object({ jobId: z.string() })),
  /** The finished export job's result; null while it runs or when it failed (see jobs.get). */
  result: method(ProjectRef.extend({ jobId: z.string() }), ExportResult.nullable()),
  /** Exports recorded in the project, newest first. */
  list: method(ProjectRef, z.array(ExportRecord)),
  /** Scores a predictions file against a spatialrgpt-bench export (what `sqw eval` prints). */
  evaluate: method(
    z.object({
      benchPath: z.string().min(1).max(4096),
      predictionsPath: z.string().min(1).max(4096),
    }),
    EvalReport,
  ),
} as const;
