// Schemas of the review API (issue 7): editable objects with versions and masks, QA as the review
// queue shows it (revision, measurement), warnings, the audit log and the undo/redo state.
import { z } from 'zod';
import { QaPair, SceneObject } from './entities';

const Id = z.number().int();

/** COCO RLE (`size` = [height, width]; `counts` compressed string or run list). */
export const MaskRle = z.object({
  size: z.tuple([Id.nonnegative(), Id.nonnegative()]),
  counts: z.union([z.string(), z.array(Id.nonnegative())]),
});
export type MaskRle = z.infer<typeof MaskRle>;

export const ObjectExclusion = z.enum(['background', 'unsure']);
export type ObjectExclusion = z.infer<typeof ObjectExclusion>;

/** How a reviewer made a mask (named in the audit log). */
export const MaskTool = z.enum(['brush', 'eraser', 'polygon', 'refine']);

/** A click prompting the segmentation model: on the object (positive) or not (negative). */
export const PromptPoint = z.object({
  x: z.number().finite(),
  y: z.number().finite(),
  positive: z.boolean(),
});
export type PromptPoint = z.infer<typeof PromptPoint>;

/** Whether click-to-refine can run, and with which model; `reason` says why not. */
export const SegmenterStatus = z.object({
  available: z.boolean(),
  model: z.string().nullable(),
  /** The model takes clicks (positive/negative points) besides the box. */
  points: z.boolean(),
  reason: z.string().nullable(),
});
export type SegmenterStatus = z.infer<typeof SegmenterStatus>;

/** A mask the segmentation model proposes (not stored until the reviewer applies it). */
export const MaskProposal = z.object({
  mask: MaskRle,
  area: Id.nonnegative(),
  /** The model's predicted IoU of the mask. */
  score: z.number(),
  model: z.string(),
  tookMs: z.number().nonnegative(),
});
export type MaskProposal = z.infer<typeof MaskProposal>;

export const EditableObject = SceneObject.extend({
  /** Sent back with an edit; a stale one is refused (another window edited the object). */
  version: Id.positive(),
  mask: MaskRle.nullable(),
  /** Distinguishing attributes a reviewer added ("red", "on the left"). */
  attributes: z.array(z.string()),
  /** Taken out of QA by a reviewer, and why; null = in QA. */
  excluded: ObjectExclusion.nullable(),
});
export type EditableObject = z.infer<typeof EditableObject>;

export const ReviewWarning = z.object({
  code: z.enum([
    'answer-disagrees',
    'answer-unreadable',
    'ambiguous-referent',
    'contradicts-geometry',
    'facts-changed',
    'geometry-pending',
  ]),
  message: z.string(),
});
export type ReviewWarning = z.infer<typeof ReviewWarning>;

/** How the machine value was obtained: question type, spoken form and the facts it read. */
export const QaMeasurement = z.object({
  type: z.string(),
  valueType: z.string().nullable(),
  spoken: z.string().nullable(),
  /** Rounding step of the spoken length, metres. */
  step: z.number().nullable(),
  steps: z.array(z.string()),
  dependsOn: z.array(Id),
});

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** A point a QA was measured at: world frame (m) and its image pixel (null: behind the camera). */
export const EvidencePoint = z.object({
  objectId: Id.nullable(),
  role: z.string(),
  world: Vec3,
  pixel: z.tuple([z.number(), z.number()]).nullable(),
});
export type EvidencePoint = z.infer<typeof EvidencePoint>;

/**
 * The measured numbers behind a QA, read from its scene graph (spatial/qa/evidence.ts, defined in
 * spatial/scene/DEFINITIONS.md): azimuths seen from the camera for left/right, and for metric
 * answers the value, unit and the two points measured between.
 */
export const QaEvidence = z.object({
  camera: Vec3,
  azimuths: z.array(
    z.object({
      objectId: Id,
      degrees: z.number(),
      lateral: z.number(),
      centre: EvidencePoint,
      span: z.tuple([EvidencePoint, EvidencePoint]),
    }),
  ),
  comparisons: z.array(
    z.object({
      subject: Id,
      object: Id,
      difference: z.number(),
      margin: z.number(),
      stated: z.enum(['left_of', 'right_of']).nullable(),
    }),
  ),
  lengths: z.array(
    z.object({
      measure: z.string(),
      value: z.number(),
      unit: z.enum(['m', 'oclock']),
      from: EvidencePoint,
      to: EvidencePoint,
      note: z.string().optional(),
    }),
  ),
});
export type QaEvidence = z.infer<typeof QaEvidence>;

export const ReviewQa = QaPair.extend({
  revision: z.string(),
  batchId: Id,
  fileName: z.string(),
  naming: z.string().nullable(),
  measurement: QaMeasurement.nullable(),
  /** Null when the image has no scene graph or the graph lacks the QA's objects. */
  evidence: QaEvidence.nullable(),
  /** The fact this card stands for: a decision on it applies to all its phrasings. */
  factId: z.string().nullable().optional(),
  /** Live phrasings of the fact (this one included); exports render N per reviewed fact. */
  phrasings: z.number().int().nonnegative().optional(),
  /** Why approving (or editing) is refused until the reviewer resolves a name; null = not blocked. */
  blocked: z.string().nullable(),
});
export type ReviewQa = z.infer<typeof ReviewQa>;

export const AmbiguousObject = z.object({
  nodeId: Id,
  label: z.string(),
  group: z.array(Id),
  reason: z.string(),
  candidates: z.array(z.object({ objectId: Id, expression: z.string().nullable() })),
});
export type AmbiguousObject = z.infer<typeof AmbiguousObject>;

export const HistoryState = z.object({
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  nextUndo: z.object({ id: Id, command: z.string(), target: z.string() }).nullable(),
  nextRedo: z.object({ id: Id, command: z.string(), target: z.string() }).nullable(),
});
export type HistoryState = z.infer<typeof HistoryState>;

/** Everything the review canvas and queue need for one image, in one call. */
export const ReviewImage = z.object({
  imageId: Id,
  objects: z.array(EditableObject),
  qa: z.array(ReviewQa),
  ambiguous: z.array(AmbiguousObject),
  /** The referring expression each object is exported under now (null: none is unique). */
  names: z.array(z.object({ objectId: Id, expression: z.string().nullable() })),
  /** Objects were edited after the scene graph was built; graph and QA are being re-derived. */
  geometryPending: z.boolean(),
  history: HistoryState,
});
export type ReviewImage = z.infer<typeof ReviewImage>;

export const AuditEntry = z.object({
  id: Id,
  actor: z.string(),
  command: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: z.string(),
  op: z.enum(['do', 'undo', 'redo', 'log']).nullable(),
  refId: Id.nullable(),
  imageIds: z.array(Id),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const EditResult = z.object({
  /** The object after the edit (deleted: null). */
  object: EditableObject.nullable(),
  entryId: Id,
  history: HistoryState,
});

export const DecisionResult = z.object({
  applied: z.boolean(),
  warnings: z.array(ReviewWarning),
  /** Refused whatever the confirmation, and why (an ambiguous name); null otherwise. */
  blocked: z.string().nullable(),
  qa: ReviewQa.nullable(),
  entryId: Id.nullable(),
  history: HistoryState,
});
export type DecisionResult = z.infer<typeof DecisionResult>;

export const BulkDecisionResult = z.object({
  applied: Id.nonnegative(),
  warnings: z.array(z.object({ qaId: Id, warnings: z.array(ReviewWarning) })),
  entryId: Id.nullable(),
  history: HistoryState,
});

export const LabelEditResult = z.object({
  changed: Id.nonnegative(),
  merged: z.boolean(),
  entryId: Id,
  history: HistoryState,
});

export const UndoResult = z.object({ entry: AuditEntry.nullable(), history: HistoryState });
