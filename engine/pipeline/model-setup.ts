// Which model stages a run can use, said once per stage when it cannot. Installed models run in the
// inference worker (one thread for all model stages); an injected resolver's stages run in the
// owning thread. A model that cannot load is skipped with its reason, never retried per image.
import type { Device } from '../../native-models/providers';
import { InferenceWorker } from './inference-worker-client';
import { createModelResolver } from './model-resolver';
import {
  MODEL_STAGE_NAMES,
  type ModelStage,
  type ModelStageName,
  type ModelStageResolver,
} from './model-stage';

export interface ModelSetup {
  models: Partial<Record<ModelStageName, ModelStage>>;
  /** Short per-image skip reason of each wanted stage without a usable model. */
  missing: Partial<Record<ModelStageName, string>>;
  notices: string[];
  providers: Record<string, string>;
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
  },
): Promise<ModelSetup> {
  const setup: ModelSetup = {
    models: {},
    missing: {},
    notices: [],
    providers: {},
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
  let worker: InferenceWorker | null = null;
  if (!inThread && usable.length > 0) {
    try {
      const started = await InferenceWorker.start(
        opts.modelsDir ?? null,
        opts.device,
        usable,
        opts.labels ?? [],
        opts.maxBatch,
      );
      worker = started.worker;
      for (const stage of usable) {
        const f = found.get(stage) as { stage: ModelStage };
        const ready = started.stages[stage];
        if (ready?.ok) {
          if (ready.provider) setup.providers[stage] = ready.provider;
          found.set(stage, { stage: worker.stage(stage, f.stage.model, ready.maxBatch) });
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
    } catch (err) {
      for (const stage of usable) {
        const f = found.get(stage) as { stage: ModelStage };
        found.set(stage, loadFailure(stage, f.stage.model.modelId, (err as Error).message));
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
  setup.close = async () => {
    for (const m of Object.values(setup.models)) await m.close?.();
    await worker?.close();
    await local?.pool.release();
  };
  return setup;
}
