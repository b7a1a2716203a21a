// The workstation's one API, as a map of namespaces -> methods -> {input, output} schemas, and the
// events the engine pushes. Both transports (Electron IPC and loopback HTTP+WebSocket) carry exactly
// this; the engine validates every input and output against it, the renderer gets typed proxies.
import { z } from 'zod';
import {
  BatchSummary,
  ExecutionProviderReport,
  ImageDetail,
  ImageStatus,
  ImageSummary,
  ImportIssue,
  Job,
  JobImageError,
  ProjectSummary,
  QaPair,
  ReviewDecision,
  ReviewDecisionKind,
  SceneGraphView,
  SceneObject,
  SceneRelation,
  StageRun,
} from './entities';
import { BoxXYXY, QaStatus } from './entities';
import {
  AuditEntry,
  BulkDecisionResult,
  DecisionResult,
  EditResult,
  HistoryState,
  LabelEditResult,
  ObjectExclusion,
  MaskProposal,
  MaskRle,
  MaskTool,
  PromptPoint,
  ReviewImage,
  SegmenterStatus,
  ReviewQa,
  UndoResult,
} from './review';
import { claimsApi } from './claims';
import { exportsApi } from './exports';
import { modelsApi } from './models';
import { PointCloudInfo } from './point-cloud';

const ProjectRef = z.object({ projectId: z.string().min(1) });
const ImageRef = ProjectRef.extend({ imageId: z.number().int().positive() });

/** The batch view's filters; every one given must hold (AND). */
const ImageFilter = ProjectRef.extend({
  batchId: z.number().int().optional(),
  /** Substring of the image's relative path. */
  search: z.string().max(500).optional(),
  /** Has an object with exactly this label. */
  label: z.string().min(1).max(200).optional(),
  /** Has an ambiguous object (several objects share its label and nothing tells them apart). */
  ambiguous: z.boolean().optional(),
  /** Has a QA pair of this family. */
  qaFamily: z.string().min(1).max(200).optional(),
  /** Has a QA pair whose facts changed after it was reviewed (status 'changed'). */
  changedAfterEdit: z.boolean().optional(),
  /** Has a review decision by this reviewer. */
  reviewer: z.string().min(1).max(200).optional(),
});
const Reviewer = z.string().min(1).max(200);
/** An object as the client last saw it: an edit against an older version is refused. */
const ObjectVersion = z.object({
  objectId: z.number().int().positive(),
  expectedVersion: z.number().int().positive(),
});
const ObjectVersionRef = ProjectRef.merge(ObjectVersion);
/** A distinguishing attribute as a reviewer types it; the engine checks the rest. */
const Attribute = z.string().min(1).max(64);

/** `mm`, `tum`, `sun`, `nyu` or `scale:K` (metres = raw / K); see spatial/depth-encoding.ts. */
export const DepthEncodingName = z
  .string()
  .regex(/^(mm|tum|sun|nyu|scale:(?=[0-9.])[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?)$/i, {
    message: 'depth encoding must be mm, tum, sun, nyu or scale:K with K a positive number',
  });

export const IntrinsicsInput = z.object({
  fx: z.number().positive(),
  fy: z.number().positive(),
  cx: z.number(),
  cy: z.number(),
});

export const ImportRequest = ProjectRef.extend({
  folder: z.string().min(1),
  depthFolder: z.string().min(1).optional(),
  depthEncoding: DepthEncodingName.optional(),
  /** Range-noise preset of the depth maps (spatial/depth-error.ts); unknown names are refused. */
  depthSensor: z.string().min(1).optional(),
  intrinsics: IntrinsicsInput.optional(),
  /** A COCO instances file whose boxes and masks are attached after the images are imported. */
  annotations: z.string().min(1).optional(),
});
export type ImportRequest = z.infer<typeof ImportRequest>;

export const ImportResult = z.object({
  batchId: z.number().int(),
  imported: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  withDepth: z.number().int().nonnegative(),
  issues: z.array(ImportIssue),
  /** Present when the request named an annotations file. */
  annotations: z
    .object({
      imagesMatched: z.number().int().nonnegative(),
      objectsAdded: z.number().int().nonnegative(),
      alreadyPresent: z.number().int().nonnegative(),
      issues: z.array(ImportIssue),
    })
    .optional(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const PipelineStage = z.enum([
  'filter',
  'detect',
  'segment',
  'depth',
  'calibrate',
  'lift',
  'graph',
  'qa',
]);

const StageSummary = z.object({
  done: z.number().int().nonnegative(),
  skipped: z.record(z.string(), z.number().int().nonnegative()),
  failed: z.array(z.object({ image: z.string(), reason: z.string() })),
});

/** Where model stages run; `auto` tries the platform GPU, then WebGPU, then CPU. */
export const PipelineDevice = z.enum(['auto', 'webgpu', 'cuda', 'cpu']);

/**
 * A pipeline run's end summary. `failed` lists at most 100 images per stage (the full list, with
 * reasons, is jobs.errors); `failedTotal` counts them all.
 */
export const PipelineSummary = z.object({
  images: z.number().int().nonnegative(),
  notices: z.array(z.string()),
  stages: z.partialRecord(
    PipelineStage,
    StageSummary.extend({ failedTotal: z.number().int().nonnegative().optional() }),
  ),
  interrupted: z.boolean(),
  /** Execution provider per model stage that ran, e.g. { depth: 'cpu' }. */
  providers: z.record(z.string(), z.string()).optional(),
  elapsedMs: z.number().nonnegative().optional(),
  /** Time the inference lane ran models (its busy share is this over elapsedMs). */
  inferenceBusyMs: z.number().nonnegative().optional(),
  /** Model calls each inference thread served, when the run used more than one. */
  inferenceThreadCalls: z.array(z.number().int().nonnegative()).optional(),
  /** Images per model call of stages that take batches, e.g. { depth: [1, 4, 3] }. */
  batches: z.record(z.string(), z.array(z.number().int().positive())).optional(),
});
export type PipelineSummary = z.infer<typeof PipelineSummary>;

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const api = {
  system: {
    info: method(
      z.object({}),
      z.object({
        version: z.string(),
        transport: z.enum(['ipc', 'http']),
        executionProviders: ExecutionProviderReport,
      }),
    ),
  },
  projects: {
    list: method(z.object({}), z.array(ProjectSummary)),
    open: method(z.object({ path: z.string().min(1) }), ProjectSummary),
    create: method(
      z.object({ path: z.string().min(1), name: z.string().min(1).max(200) }),
      ProjectSummary,
    ),
  },
  batches: {
    list: method(ProjectRef, z.array(BatchSummary)),
    issues: method(ProjectRef.extend({ batchId: z.number().int() }), z.array(ImportIssue)),
  },
  images: {
    list: method(
      ImageFilter.extend({
        status: ImageStatus.optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(200),
      }),
      z.object({ total: z.number().int().nonnegative(), items: z.array(ImageSummary) }),
    ),
    /** Images per status for the same filters (status itself left out), for the batch view's counts. */
    counts: method(
      ImageFilter,
      z.object({
        total: z.number().int().nonnegative(),
        byStatus: z.record(ImageStatus, z.number().int().nonnegative()),
      }),
    ),
    /** The values the batch view's filters offer: labels, QA families and reviewers in use. */
    filterOptions: method(
      ProjectRef.extend({ batchId: z.number().int().optional() }),
      z.object({
        labels: z.array(z.string()),
        families: z.array(z.string()),
        reviewers: z.array(z.string()),
      }),
    ),
    get: method(ImageRef, ImageDetail),
  },
  imports: {
    /** Starts an import job and returns at once; progress arrives as `job` events. */
    start: method(ImportRequest, z.object({ jobId: z.string() })),
    result: method(ProjectRef.extend({ jobId: z.string() }), ImportResult.nullable()),
  },
  pipeline: {
    /** Starts a run over the project's images and returns at once; progress arrives as `job` events. */
    start: method(
      ProjectRef.extend({
        stages: z.array(PipelineStage).min(1).default(['segment', 'lift', 'graph', 'qa']),
        onlyPending: z.boolean().default(false),
        seed: z.string().min(1).max(100).default('1'),
        device: PipelineDevice.default('auto'),
        /** What the detect stage looks for; empty = the detection model's default vocabulary. */
        labels: z.array(z.string().trim().min(1).max(100)).max(500).default([]),
      }),
      z.object({ jobId: z.string() }),
    ),
    result: method(ProjectRef.extend({ jobId: z.string() }), PipelineSummary.nullable()),
    /** Each stage's stored result for one image, with its provenance. */
    imageStages: method(ImageRef, z.array(StageRun)),
  },
  scene: {
    /** The image's scene graph, or null before the graph stage has run for it. */
    get: method(ImageRef, SceneGraphView.nullable()),
    /**
     * Lifts (or takes from the cache) the image's point cloud, subsampled to at most `maxPoints`,
     * and describes it; the arrays themselves are the image's 'point-cloud' blob (contract/point-cloud.ts).
     */
    pointCloud: method(
      ImageRef.extend({
        maxPoints: z.number().int().min(1000).max(4_000_000).default(300_000),
      }),
      PointCloudInfo,
    ),
    /** Edges of the image's scene graph touching the given objects (between them when two or more). */
    relations: method(
      ImageRef.extend({ objectIds: z.array(z.number().int()).max(50) }),
      z.array(SceneRelation),
    ),
  },
  jobs: {
    list: method(ProjectRef, z.array(Job)),
    get: method(ProjectRef.extend({ jobId: z.string() }), Job),
    cancel: method(ProjectRef.extend({ jobId: z.string() }), Job),
    /** Stops a running pipeline job after the images in flight; resume continues it. */
    pause: method(ProjectRef.extend({ jobId: z.string() }), Job),
    /** Continues a paused or interrupted pipeline job where it stopped. */
    resume: method(ProjectRef.extend({ jobId: z.string() }), Job),
    /** Puts a finished pipeline job's failed images back in its queue and runs them again. */
    retryFailed: method(ProjectRef.extend({ jobId: z.string() }), Job),
    /** A job's per-image failures with stage and reason, a page at a time. */
    errors: method(
      ProjectRef.extend({
        jobId: z.string(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(200),
      }),
      z.object({ total: z.number().int().nonnegative(), items: z.array(JobImageError) }),
    ),
  },
  objects: {
    list: method(ImageRef, z.array(SceneObject)),
    /** Review edits (contract/review.ts): each is an undoable command in the audit log. */
    create: method(
      ImageRef.extend({ box: BoxXYXY, label: z.string().min(1).max(200), reviewer: Reviewer }),
      EditResult,
    ),
    /** Move/resize and/or relabel; `expectedVersion` is the version the edit was made against. */
    update: method(
      ProjectRef.extend({
        objectId: z.number().int().positive(),
        expectedVersion: z.number().int().positive(),
        box: BoxXYXY.optional(),
        label: z.string().min(1).max(200).optional(),
        reviewer: Reviewer,
      }),
      EditResult,
    ),
    delete: method(
      ProjectRef.extend({
        objectId: z.number().int().positive(),
        expectedVersion: z.number().int().positive(),
        reviewer: Reviewer,
      }),
      EditResult,
    ),
    /** Takes an object out of QA ('background', 'unsure'); `reason` null puts it back. */
    exclude: method(
      ObjectVersionRef.extend({ reason: ObjectExclusion.nullable(), reviewer: Reviewer }),
      EditResult,
    ),
    /** Replaces an object's distinguishing attributes (colour, "on the left", free text). */
    setAttributes: method(
      ObjectVersionRef.extend({
        attributes: z.array(Attribute).max(3),
        reviewer: Reviewer,
      }),
      EditResult,
    ),
    /**
     * The object a shared name means: each other object of its group is excluded or gets an
     * attribute, in one undoable command.
     */
    pickReferent: method(
      ObjectVersionRef.extend({
        attribute: Attribute.optional(),
        others: z
          .array(
            z.union([
              ObjectVersion.extend({ exclude: ObjectExclusion }).strict(),
              ObjectVersion.extend({ attribute: Attribute }).strict(),
            ]),
          )
          .max(100),
        reviewer: Reviewer,
      }),
      EditResult,
    ),
    /**
     * The reviewer's mask (COCO RLE at the image's size) replaces the object's; the box becomes its
     * extent and the image's graph and QA are re-derived. Kept by later re-derivations and runs.
     */
    setMask: method(
      ProjectRef.extend({
        objectId: z.number().int().positive(),
        expectedVersion: z.number().int().positive(),
        mask: MaskRle,
        tool: MaskTool,
        reviewer: Reviewer,
      }),
      EditResult,
    ),
    /** Splits an object that is two: it keeps the first box, a new object takes the second. */
    split: method(
      ObjectVersionRef.extend({ boxes: z.tuple([BoxXYXY, BoxXYXY]), reviewer: Reviewer }),
      EditResult,
    ),
    /** Merges `merged` into `kept` (one thing detected twice): union of boxes and masks. */
    merge: method(
      ProjectRef.extend({ kept: ObjectVersion, merged: ObjectVersion, reviewer: Reviewer }),
      EditResult,
    ),
    /** Whether click-to-refine can run: an installed segmentation model (SAM, SlimSAM). */
    segmenter: method(ProjectRef, SegmenterStatus),
    /** Runs the segmentation model on the object's box and the clicks; stores nothing. */
    refineMask: method(
      ProjectRef.extend({
        objectId: z.number().int().positive(),
        points: z.array(PromptPoint).max(64).default([]),
      }),
      MaskProposal,
    ),
  },
  qa: {
    list: method(ImageRef, z.array(QaPair)),
    /** QA across the project or a batch for review: 'changed' first, then proposed, then the rest. */
    queue: method(
      ProjectRef.extend({
        batchId: z.number().int().optional(),
        imageId: z.number().int().positive().optional(),
        family: z.string().min(1).max(200).optional(),
        statuses: z.array(QaStatus).max(5).optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(200),
      }),
      z.object({
        total: z.number().int().nonnegative(),
        items: z.array(ReviewQa),
        families: z.array(z.string()),
        /** Live objects of the images on this page (labels and colours of the chips). */
        objects: z.array(
          z.object({
            imageId: z.number().int(),
            id: z.number().int(),
            label: z.string(),
          }),
        ),
      }),
    ),
  },
  labels: {
    /** Labels in use with their object counts, most used first (relabel autocomplete). */
    vocabulary: method(
      ProjectRef,
      z.array(z.object({ label: z.string(), count: z.number().int().nonnegative() })),
    ),
    /** Renames a label on every object of the project; a name already in use merges the two. */
    rename: method(
      ProjectRef.extend({
        from: z.string().min(1).max(200),
        to: z.string().min(1).max(200),
        reviewer: Reviewer,
      }),
      LabelEditResult,
    ),
    merge: method(
      ProjectRef.extend({
        from: z.array(z.string().min(1).max(200)).min(1).max(100),
        into: z.string().min(1).max(200),
        reviewer: Reviewer,
      }),
      LabelEditResult,
    ),
  },
  audit: {
    /** Audit log, newest first; `imageId` keeps entries that touched that image. */
    list: method(
      ProjectRef.extend({
        imageId: z.number().int().positive().optional(),
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().positive().max(1000).default(100),
      }),
      z.array(AuditEntry),
    ),
  },
  reviews: {
    record: method(
      ProjectRef.extend({
        qaId: z.number().int().positive(),
        decision: ReviewDecisionKind,
        reason: z.string().max(2000).optional(),
        editedAnswer: z.string().max(2000).optional(),
        reviewer: z.string().min(1).max(200),
      }),
      ReviewDecision,
    ),
    list: method(ProjectRef.extend({ qaId: z.number().int().positive() }), z.array(ReviewDecision)),
    /** One image's objects (with masks and versions), QA, ambiguous objects and `reviewer`'s undo state. */
    image: method(ImageRef.extend({ reviewer: Reviewer.optional() }), ReviewImage),
    /**
     * Approve, reject (reason required), edit (new answer, checked against the geometry) or skip.
     * With warnings and no `confirmWarnings` nothing is written and the warnings come back.
     */
    decide: method(
      ProjectRef.extend({
        qaId: z.number().int().positive(),
        decision: ReviewDecisionKind,
        reason: z.string().max(2000).optional(),
        editedAnswer: z.string().max(2000).optional(),
        expectedRevision: z.string().max(64).optional(),
        confirmWarnings: z.boolean().default(false),
        reviewer: Reviewer,
      }),
      DecisionResult,
    ),
    /** One decision for every open QA of a family in an image or batch (one undo step). */
    bulk: method(
      ProjectRef.extend({
        family: z.string().min(1).max(200),
        imageId: z.number().int().positive().optional(),
        batchId: z.number().int().optional(),
        decision: z.enum(['approve', 'reject', 'skip']),
        reason: z.string().max(2000).optional(),
        confirmWarnings: z.boolean().default(false),
        reviewer: Reviewer,
      }),
      BulkDecisionResult,
    ),
    undo: method(ProjectRef.extend({ reviewer: Reviewer }), UndoResult),
    redo: method(ProjectRef.extend({ reviewer: Reviewer }), UndoResult),
    /** `reviewer`'s own undo/redo state (each reviewer undoes their own commands). */
    history: method(ProjectRef.extend({ reviewer: Reviewer.optional() }), HistoryState),
  },
  /** Perception models in the per-user models folder (see contract/models.ts). */
  models: modelsApi,
  /** Dataset exports: jobs that write a verified dataset, and the record of each (contract/exports.ts). */
  exports: exportsApi,
  /** Slices of the review queue held by one reviewer at a time (contract/claims.ts). */
  claims: claimsApi,
} as const;

export type Api = typeof api;
export type Namespace = keyof Api;
export type MethodName = {
  [N in Namespace]: `${N & string}.${keyof Api[N] & string}`;
}[Namespace];

type Lookup<M extends string> = M extends `${infer N}.${infer F}`
  ? N extends Namespace
    ? F extends keyof Api[N]
      ? Api[N][F]
      : never
    : never
  : never;

export type MethodInput<M extends MethodName> = z.input<Lookup<M>['input'] & z.ZodType>;
export type MethodOutput<M extends MethodName> = z.output<Lookup<M>['output'] & z.ZodType>;

/** The service shape the engine implements: each method takes validated input. */
export type ApiHandlers = {
  [N in Namespace]: {
    [F in keyof Api[N]]: Api[N][F] extends { input: infer I; output: infer O }
      ? I extends z.ZodType
        ? O extends z.ZodType
          ? (input: z.output<I>) => Promise<z.input<O>>
          : never
        : never
      : never;
  };
};

/** The client shape the renderer calls: each method takes the schema's input type. */
export type ApiClient = {
  [N in Namespace]: {
    [F in keyof Api[N]]: Api[N][F] extends { input: infer I; output: infer O }
      ? I extends z.ZodType
        ? O extends z.ZodType
          ? (input: z.input<I>) => Promise<z.output<O>>
          : never
        : never
      : never;
  };
};

export function lookupMethod(name: string): { input: z.ZodType; output: z.ZodType } | undefined {
  const [ns, fn, ...rest] = name.split('.');
  if (!ns || !fn || rest.length > 0) return undefined;
  if (!Object.hasOwn(api, ns)) return undefined;
  const group = api[ns as Namespace] as Record<string, { input: z.ZodType; output: z.ZodType }>;
  if (!Object.hasOwn(group, fn)) return undefined;
  return group[fn];
}

export const methodNames: string[] = Object.entries(api).flatMap(([ns, group]) =>
  Object.keys(group).map((fn) => `${ns}.${fn}`),
);

export const EngineEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('job'),
    projectId: z.string(),
    job: Job,
    current: z.string().nullable(),
  }),
  z.object({
    type: z.literal('images-changed'),
    projectId: z.string(),
    batchId: z.number().int(),
    /** Set when one image changed (re-derived after an edit), so views of it reload. */
    imageId: z.number().int().optional(),
  }),
  /** A review command (decision, edit, undo, redo) committed, and who did it. */
  z.object({
    type: z.literal('review'),
    projectId: z.string(),
    actor: z.string(),
    command: z.string(),
    target: z.string(),
    op: z.enum(['do', 'undo', 'redo', 'log']).nullable(),
    entryId: z.number().int(),
    imageIds: z.array(z.number().int()),
  }),
  /** A claim on a slice of the queue was taken, extended or released (claims.list has the rest). */
  z.object({
    type: z.literal('claims-changed'),
    projectId: z.string(),
    holder: z.string(),
    claimId: z.number().int(),
    change: z.enum(['taken', 'released']),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
