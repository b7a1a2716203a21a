// Runtime schemas of the exported records, with the field names their readers use (see FORMATS.md
// for the sources): tests validate every export against them, and `sqw eval` reads bench files
// through BenchRecord.
import { z } from 'zod';

const CompressedRle = z.object({
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.string(),
});
const XyxyBox = z.array(z.number()).length(4);
const Turn = z.object({ from: z.enum(['human', 'gpt']), value: z.string() });
const MachineAnswer = z.object({
  value: z.unknown(),
  unit: z.string().nullable(),
  value_type: z.enum(['meters', 'boolean', 'oclock', 'object', 'objects', 'count', 'same']),
});
const QaInfo = MachineAnswer.extend({
  id: z.string(),
  family: z.string(),
  type: z.string(),
  kind: z.enum(['qualitative', 'quantitative', 'multi-hop']),
  status: z.string(),
});

/** OSD / LazySupervisedSpatialDataset: filename, conversations, rle, bbox (one per `<mask>`). */
export const SpatialRgptRecord = z.object({
  id: z.string(),
  filename: z.string().min(1),
  image: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  conversations: z.array(Turn).min(2),
  rle: z.array(CompressedRle),
  bbox: z.array(XyxyBox),
  qa: z.array(QaInfo),
});

/** SpatialRGPT-Bench (fields read by llava/eval/eval_spatial.py) plus our machine ground truth. */
export const BenchRecord = z.object({
  id: z.string().min(1),
  image_info: z.object({
    file_path: z.string().min(1),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
  }),
  text_q: z.string(),
  qa_info: z.object({
    type: z.enum(['qualitative', 'quantitative']),
    category: z.string(),
  }),
  conversations: z.array(Turn).length(2),
  rle: z.array(CompressedRle),
  bbox: z.array(XyxyBox),
  ground_truth: MachineAnswer.extend({
    family: z.string(),
    kind: z.string(),
    /** For object answers: the turn-local region index ("Region [j]") of each answer object. */
    regions: z.array(z.number().int().nullable()).optional(),
    region_labels: z.array(z.string()),
    display_system: z.enum(['metric', 'imperial']).optional(),
  }),
});
export type BenchRecord = z.infer<typeof BenchRecord>;

/** LLaVA / ShareGPT conversation line. */
export const LlavaRecord = z.object({
  id: z.string(),
  image: z.string().min(1),
  depth: z.string().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  conversations: z.array(Turn).min(2),
  regions: z.array(z.unknown()).optional(),
  qa: z.array(QaInfo),
});

const Content = z.object({
  index: z.number().int().nullable(),
  text: z.string().nullable(),
  type: z.enum(['image', 'text']),
});

/** Hugging Face imagefolder metadata.jsonl line. */
export const HfRecord = z.object({
  file_name: z.string().min(1),
  image_id: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  depth_file: z.string().nullable(),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.array(Content) })),
  qa: z.array(QaInfo.omit({ value: true }).extend({ value_json: z.string() })),
  objects: z.array(
    z.object({ id: z.number().int(), label: z.string(), bbox: z.array(z.number()) }),
  ),
  regions: z.array(z.unknown()).optional(),
});

/** COCO instances as pycocotools' COCO() and annToRLE read them. */
export const CocoInstances = z.object({
  info: z.object({ description: z.string(), version: z.string(), date_created: z.string() }),
  licenses: z.array(z.unknown()),
  categories: z.array(
    z.object({
      id: z.number().int().positive(),
      name: z.string().min(1),
      supercategory: z.string(),
    }),
  ),
  images: z.array(
    z.object({
      id: z.number().int(),
      file_name: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
    }),
  ),
  annotations: z.array(
    z.object({
      id: z.number().int().positive(),
      image_id: z.number().int(),
      category_id: z.number().int().positive(),
      bbox: z.array(z.number()).length(4),
      area: z.number().nonnegative(),
      iscrowd: z.literal(0),
      segmentation: z.union([
        z.object({
          size: z.tuple([z.number().int(), z.number().int()]),
          counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
        }),
        z.array(z.array(z.number()).min(6)),
      ]),
      score: z.number().optional(),
    }),
  ),
});

/** qa-jsonl line. */
export const QaJsonlRecord = MachineAnswer.extend({
  id: z.string(),
  fact_id: z.string().nullable(),
  image: z.string(),
  image_id: z.number().int(),
  family: z.string(),
  type: z.string(),
  kind: z.string(),
  question: z.string(),
  answer: z.string(),
  subjects: z.array(z.number().int()),
  naming: z.enum(['region', 'expression']),
  status: z.string(),
  steps: z.array(z.unknown()).optional(),
});

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** scenegraph file (one per image). */
const ExtentStatus = z.enum(['observed', 'occluded', 'image-border']);

export const SceneGraphRecord = z.object({
  /**
   * 4 (issue 20): hidden_ends added; 3 (issue 20): camera_height also above a support plane (frame.height_above says which), notes
   * added; 2 (issue 20): extents measured on noise-reduced points, extent_status added.
   */
  format_version: z.literal(4),
  image: z.string(),
  image_path: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  intrinsics: z.object({
    fx: z.number(),
    fy: z.number(),
    cx: z.number(),
    cy: z.number(),
    source: z.string(),
  }),
  frame: z.object({
    gravity_source: z.string(),
    aligned: z.boolean(),
    camera_height: z.number().nullable(),
    height_above: z.enum(['floor', 'support-plane']).nullable(),
    rotation: z.array(z.number()).length(9),
    translation: Vec3,
  }),
  /** Image-level notes of the build, e.g. 'no-floor', 'no-support-plane: …'. */
  notes: z.array(z.string()),
  objects: z.array(
    z.object({
      id: z.number().int(),
      label: z.string(),
      bbox_2d: z.array(z.number()).length(4),
      centroid: Vec3,
      extent: z.object({ width: z.number(), height: z.number(), depth: z.number() }),
      extent_status: z
        .object({ width: ExtentStatus, height: ExtentStatus, depth: ExtentStatus })
        .nullable(),
      hidden_ends: z
        .object({
          width: z.array(z.enum(['left', 'right'])),
          height: z.array(z.enum(['top', 'bottom'])),
          depth: z.array(z.enum(['near', 'far'])),
        })
        .nullable(),
      aabb: z.object({ min: Vec3, max: Vec3 }),
      obb: z.object({ center: Vec3, extent: Vec3, yaw: z.number() }),
      num_points: z.number().int().nonnegative(),
      elevation: z.number().nullable(),
      distance_from_camera: z.number(),
      mask_provenance: z.string().nullable(),
      quality: z.object({ ok: z.boolean(), flags: z.array(z.string()) }),
    }),
  ),
  relations: z.array(
    z.object({
      subject: z.number().int(),
      object: z.number().int(),
      predicate: z.string(),
      value: z.number().optional(),
      unit: z.string().optional(),
    }),
  ),
});
