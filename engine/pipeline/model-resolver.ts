// Finds, per model stage, an installed model that has an adapter and wraps it into a ModelStage.
// Plugging in a new adapter = one entry in ADAPTERS. Sessions come from one SessionPool per run,
// so every image of the run reuses the loaded model on the provider the device choice gave.
import { DepthAnythingAdapter } from '../../native-models/adapters/depth-anything';
import { CATALOGUE } from '../../native-models/catalogue';
import type { ResizeMethod } from '../../native-models/adapters/resize-graph';
import type { ModelManifest, ModelTask } from '../../native-models/manifest';
import { installedManifest } from '../../native-models/preprocessor-config';
import type { Device } from '../../native-models/providers';
import { SessionPool } from '../../native-models/session-pool';
import { ModelStore } from '../../native-models/store';
import { STAGE_ADAPTERS, stageAdapterKind } from './model-adapters';
import type { ModelIdentity, ModelStage, ModelStageName, ModelStageResolver } from './model-stage';

export const STAGE_TASK: Record<ModelStageName, ModelTask> = {
  filter: 'scene-filter',
  detect: 'detection',
  segment: 'segmentation',
  depth: 'depth',
  calibrate: 'calibration',
};

export interface AdapterEnv {
  manifest: ModelManifest;
  /** Absolute path of the manifest's first graph file. */
  modelPath: string;
  store: ModelStore;
  pool: SessionPool;
  device: Device;
  identity: ModelIdentity;
  /** Detection vocabulary for this run; empty = the model's default. */
  labels: readonly string[];
  /** Most images per call for models that take batches; null = the default for the provider. */
  maxBatch: number | null;
  /** How adapters resize images and depth maps (AdapterContext.resize). */
  resize: ResizeMethod;
}

export interface AdapterEntry {
  stage: ModelStageName;
  /** Which manifests this adapter runs (by id). */
  matches(manifest: ModelManifest): boolean;
  create(env: AdapterEnv): ModelStage;
}

/** Images per Depth Anything call when the export takes a batch (its batch dimension is symbolic). */
export const DEPTH_MAX_BATCH = 4;

/**
 * The batch a run uses when none was asked for. WebGPU: 1, because the only measurement there
 * (../shared/device/README.md, H100, Depth Anything V2 small) ran batches of 4 and 8 at 2.5x the
 * per-image time of batch 1. Elsewhere 4: on this 2-core CPU batching measured from 6 % faster to
 * 5 % slower than one image per call (bench/PIPELINE-RESULTS.md B, inside the noise), and CUDA,
 * where batches usually pay, is unmeasured.
 */
export function defaultDepthBatch(provider: string): number {
  return provider === 'webgpu' ? 1 : DEPTH_MAX_BATCH;
}

function depthAnythingStage(env: AdapterEnv): ModelStage<'depth'> {
  const adapter = new DepthAnythingAdapter(
    env.manifest,
    env.modelPath,
    env.pool,
    env.device,
    env.resize,
    env.store.filePath(env.manifest, 'config.json'),
  );
  const stage: ModelStage<'depth'> = {
    stage: 'depth',
    model: env.identity,
    async warmUp() {
      const { provider } = await env.pool.get(env.manifest.id, env.modelPath, env.device);
      stage.maxBatch = await adapter.maxBatch(env.maxBatch ?? defaultDepthBatch(provider));
      return provider;
    },
    async run({ image }) {
      const r = await adapter.run(image);
      return {
        output: { metres: r.depth, width: r.width, height: r.height },
        provider: r.provider,
      };
    },
    async runBatch(inputs) {
      const results = await adapter.runBatch(inputs.map((i) => i.image));
      return results.map((r) =>
        r instanceof Error
          ? { error: r.message }
          : { output: { metres: r.depth, width: r.width, height: r.height }, provider: r.provider },
      );
    },
  };
  return stage;
}

/** The adapters the pipeline knows: Depth Anything, then one entry per other adapter kind. */
export const ADAPTERS: AdapterEntry[] = [
  {
    stage: 'depth',
    matches: (m) => m.task === 'depth' && m.id.startsWith('depth-anything-v2-'),
    create: depthAnythingStage,
  },
  ...Object.entries(STAGE_ADAPTERS).map(([kind, a]): AdapterEntry => ({
    stage: a.stage,
    matches: (m) => m.task === STAGE_TASK[a.stage] && stageAdapterKind(m) === kind,
    create: (env) =>
      a.create({
        ctx: {
          manifest: env.manifest,
          store: env.store,
          pool: env.pool,
          device: env.device,
          resize: env.resize,
        },
        identity: env.identity,
        labels: env.labels,
      }),
  })),
];

export interface ResolverOptions {
  modelsDir?: string | null;
  device: Device;
  /** Detection vocabulary; empty or absent = the model's default. */
  labels?: readonly string[];
  /** Most images per call for models that take batches (default: defaultDepthBatch). */
  maxBatch?: number;
  /** Extra manifests (user JSON); searched before the catalogue. */
  manifests?: readonly ModelManifest[];
  adapters?: readonly AdapterEntry[];
  /** Default: SQW_RESIZE when it names a method (benchmarks compare them), else 'graph'. */
  resize?: ResizeMethod;
}

const RESIZE_METHODS: readonly ResizeMethod[] = ['graph', 'exact', 'libvips'];

function resizeFromEnv(): ResizeMethod {
  const v = process.env.SQW_RESIZE as ResizeMethod | undefined;
  return v && RESIZE_METHODS.includes(v) ? v : 'graph';
}

/** A resolver over the models folder, plus the pool to release when the run ends. */
export function createModelResolver(opts: ResolverOptions): {
  resolve: ModelStageResolver;
  pool: SessionPool;
} {
  const store = new ModelStore(opts.modelsDir);
  const pool = new SessionPool();
  const manifests = [...(opts.manifests ?? []), ...CATALOGUE];
  const adapters = opts.adapters ?? ADAPTERS;
  const resolve: ModelStageResolver = async (stage) => {
    const task = STAGE_TASK[stage];
    const installed = manifests.filter((m) => m.task === task && store.state(m).installed);
    if (installed.length === 0)
      return {
        missing: `stage ${stage}: no ${task} model installed; skipped, imported data is used where present`,
      };
    for (const listed of installed) {
      const entry = adapters.find((a) => a.stage === stage && a.matches(listed));
      if (!entry) continue;
      // The installed preprocessor_config.json decides the numbers, not our copy of them.
      const { manifest } = installedManifest(listed, store);
      const contract = manifest.contracts[0]!;
      const record = store.readRecord(manifest.id);
      const identity: ModelIdentity = {
        modelId: manifest.id,
        checksum: record?.files.find((f) => f.path === contract.file)?.sha256 ?? null,
        params: { ...manifest.params, device: opts.device },
      };
      return {
        stage: entry.create({
          manifest,
          modelPath: store.graphPath(manifest),
          store,
          pool,
          device: opts.device,
          identity,
          labels: opts.labels ?? [],
          maxBatch: opts.maxBatch === undefined ? null : Math.max(1, opts.maxBatch),
          resize: opts.resize ?? resizeFromEnv(),
        }),
      };
    }
    return {
      reason: `no adapter for the installed ${task} model`,
      missing: `stage ${stage}: installed ${task} model${installed.length > 1 ? 's' : ''} ${installed.map((m) => m.id).join(', ')} ha${installed.length > 1 ? 've' : 's'} no adapter in this version; skipped`,
    };
  };
  return { resolve, pool };
}
