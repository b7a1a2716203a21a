// Which model stages a run can use, said once per stage when it cannot. Installed models run in the
// inference workers (one thread by default, each loading every model stage); an injected
// resolver's stages run in the owning thread. A model that cannot load is skipped with its reason,
// never retried per image.
import type { Device } from '../../native-models/providers';
import { InferenceWorker, workerStage } from './inference-worker-client';
import { createModelResolver } from './model-resolver';
import {
  MODEL_STAGE_NAMES,
  type ModelStage,
  type ModelStageName,
  type ModelStageResolver,
} from './model-stage';

/** Providers whose sessions must not run from two inference threads at once. */
const THREAD_UNSAFE = new Set(['webgpu']);

/** The first provider a loaded stage runs on that two inference threads must not share. */
export function threadUnsafeProvider(
  readies: readonly Partial<Record<string, { ok?: boolean; provider?: string | null }>>[],
): string | null {
  for (const r of readies) {
    for (const stage of Object.values(r)) {
      if (stage?.ok && stage.provider && THREAD_UNSAFE.has(stage.provider)) return stage.provider;
    }
  }
  return null;
}

export interface ModelSetup {
  models: Partial<Record<ModelStageName, ModelStage>>;
  /** Short per-image skip reason of each wanted stage without a usable model. */
  missing: Partial<Record<ModelStageName, string>>;
  notices: string[];
  providers: Record<string, string>;
  /** Requests each inference thread answered (empty when models run in the owning thread). */
  threadCalls(): number[];
  close(): Promise<void>;
}

type Found = Awaited<ReturnType<ModelStageResolver>>;

function loadFailure(stage: ModelStageName, modelId: string, message: string): Found {
  return {
    missing: `stage ${stage}: model ${modelId} could not load: ${message}; skipped`,
    reason: `model ${modelId} could not load`,
  };
}

export async function setUpModels(
  wanted: ReadonlySet<string>,
  opts: {
    resolver?: ModelStageResolver;
    modelsDir?: string | null;
    device: Device;
    labels?: readonly string[];
    /** Run installed models in the owning thread instead of the inference worker. */
    inThread?: boolean;
    maxBatch?: number;
    /** Inference threads, each with its own sessions of every model (default 1). */
    threads?: number;
  },
): Promise<ModelSetup> {
  const setup: ModelSetup = {
    models: {},
    missing: {},
    notices: [],
    providers: {},
    threadCalls: () => [],
    close: async () => {},
  };
  const stages = MODEL_STAGE_NAMES.filter((s) => wanted.has(s));
  const inThread = Boolean(opts.resolver) || Boolean(opts.inThread);
  const local = opts.resolver
    ? null
    : createModelResolver({
        modelsDir: opts.modelsDir,
        device: opts.device,
        labels: opts.labels,
        maxBatch: opts.maxBatch,
      });
  const resolve = opts.resolver ?? local!.resolve;
  const found = new Map<ModelStageName, Found>();
  for (const stage of stages) {
    try {
      found.set(stage, await resolve(stage));
    } catch (err) {
      found.set(stage, {
        missing: `stage ${stage}: model unusable: ${(err as Error).message}; skipped`,
      });
    }
  }
  const usable = stages.filter((s) => 'stage' in found.get(s)!);
  let workers: InferenceWorker[] = [];
  if (!inThread && usable.length > 0) {
    const start = () =>
      InferenceWorker.start(
        opts.modelsDir ?? null,
        opts.device,
        usable,
        opts.labels ?? [],
        opts.maxBatch,
      );
    const asked = Math.max(1, opts.threads ?? 1);
    // The first thread alone: its warm-up tells which provider the models landed on, and on one
    // that two threads must not share (ORT-node 1.30's WebGPU crashed the process when two
    // threads ran sessions at once, even the warm-ups: bench/MODELS-RESULTS.md) no second starts.
    const started = [(await Promise.allSettled([start()]))[0]!];
    const first = started[0]!.status === 'fulfilled' ? started[0]!.value.stages : null;
    const unsafe = first ? threadUnsafeProvider([first]) : null;
    if (asked > 1 && unsafe) {
      setup.notices.push(
        `${asked} inference threads asked for, but models run on ${unsafe}, where two threads at once crash ONNX Runtime; running on 1`,
      );
    } else if (asked > 1) {
      started.push(...(await Promise.allSettled(Array.from({ length: asked - 1 }, start))));
    }
    workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.worker] : []));
    const readies = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stages] : []));
    const failed = started.find((s) => s.status === 'rejected');
    const why = failed ? ((failed.reason as Error).message ?? String(failed.reason)) : '';
    if (failed && workers.length > 0) {
      setup.notices.push(
        `${started.length - workers.length} of ${started.length} inference threads could not start (${why}); running on ${workers.length}`,
      );
    }
    for (const stage of usable) {
      const f = found.get(stage) as { stage: ModelStage };
      // A stage runs on the threads that loaded it (a second copy may not fit in GPU memory).
      const on = workers.filter((_, i) => readies[i]![stage]?.ok);
      const ready = readies.map((r) => r[stage]).find((r) => r?.ok) ?? readies[0]?.[stage];
      if (ready?.ok) {
        if (ready.provider) setup.providers[stage] = ready.provider;
        found.set(stage, { stage: workerStage(on, stage, f.stage.model, ready.maxBatch) });
      } else if (!ready && failed) {
        found.set(stage, loadFailure(stage, f.stage.model.modelId, why));
      } else if (ready && 'loadError' in ready) {
        found.set(stage, loadFailure(stage, f.stage.model.modelId, ready.loadError));
      } else {
        found.set(stage, {
          missing:
            ready?.missing ?? `stage ${stage}: the inference worker did not load it; skipped`,
          reason: ready?.reason ?? undefined,
        });
      }
    }
  } else {
    for (const stage of usable) {
      const f = found.get(stage) as { stage: ModelStage };
      if (!f.stage.warmUp) continue;
      try {
        setup.providers[stage] = await f.stage.warmUp();
      } catch (err) {
        found.set(stage, loadFailure(stage, f.stage.model.modelId, (err as Error).message));
      }
    }
  }
  for (const stage of stages) {
    const f = found.get(stage)!;
    if ('stage' in f) {
      setup.models[stage] = f.stage;
      continue;
    }
    // The notice says it once with the details; each image records the short reason.
    setup.missing[stage] = f.reason ?? 'no model installed';
    setup.notices.push(
      stage === 'segment'
        ? `${f.missing.replace(/; skipped.*$/, '')}; masks come from depth clusters in the graph pass`
        : f.missing,
    );
  }
  setup.threadCalls = () => workers.map((w) => w.served);
  setup.close = async () => {
    for (const m of Object.values(setup.models)) await m.close?.();
    await Promise.all(workers.map((w) => w.close()));
    await local?.pool.release();
  };
  return setup;
}
