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
  ProjectSummary,
  QaPair,
  ReviewDecision,
  ReviewDecisionKind,
  SceneGraphView,
  SceneObject,
} from './entities';

const ProjectRef = z.object({ projectId: z.string().min(1) });
const ImageRef = ProjectRef.extend({ imageId: z.number().int().positive() });

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

export const PipelineSummary = z.object({
  images: z.number().int().nonnegative(),
  notices: z.array(z.string()),
  stages: z.object({ graph: StageSummary.optional(), qa: StageSummary.optional() }),
  interrupted: z.boolean(),
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
      ProjectRef.extend({
        batchId: z.number().int().optional(),
        status: ImageStatus.optional(),
        search: z.string().max(500).optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(200),
      }),
      z.object({ total: z.number().int().nonnegative(), items: z.array(ImageSummary) }),
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
      }),
      z.object({ jobId: z.string() }),
    ),
    result: method(ProjectRef.extend({ jobId: z.string() }), PipelineSummary.nullable()),
  },
  scene: {
    /** The image's scene graph, or null before the graph stage has run for it. */
    get: method(ImageRef, SceneGraphView.nullable()),
  },
  jobs: {
    list: method(ProjectRef, z.array(Job)),
    get: method(ProjectRef.extend({ jobId: z.string() }), Job),
    cancel: method(ProjectRef.extend({ jobId: z.string() }), Job),
  },
  objects: {
    list: method(ImageRef, z.array(SceneObject)),
  },
  qa: {
    list: method(ImageRef, z.array(QaPair)),
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
  },
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
  z.object({ type: z.literal('images-changed'), projectId: z.string(), batchId: z.number().int() }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
