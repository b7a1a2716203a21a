// The lane model stages run in: at most `slots` calls at once (one per inference thread), so each
// thread's inference has the accelerator (or ORT's CPU thread pool) to itself, while later images'
// decoding proceeds in parallel (sharp decodes on libuv threads) and is ready when their turn comes:
// prefetch. Stages that take batches get the images that queued for them while the lane was busy,
// in one call (up to the stage's maxBatch).
import type { ModelStage, ModelStageInput, ModelStageName, StageResult } from './model-stage';

interface Waiting {
  input: ModelStageInput;
  resolve(r: StageResult): void;
  reject(e: Error): void;
}

export class InferenceLane {
  private active = 0;
  private readonly queued: Array<() => void> = [];
  private busySince = 0;
  private readonly waiting = new Map<ModelStage, Waiting[]>();
  /** Time at least one call was running (busy share = busyMs / wall time). */
  busyMs = 0;
  calls = 0;
  /** Images per call of batched stages, by stage (for the run summary and benchmarks). */
  readonly batchSizes: Partial<Record<ModelStageName, number[]>> = {};

  constructor(private readonly slots = 1) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Starts a microtask later at the earliest, so images queued in the same tick share a batch.
    await new Promise<void>((start) => {
      this.queued.push(start);
      queueMicrotask(() => this.startQueued());
    });
    try {
      return await fn();
    } finally {
      this.calls++;
      if (--this.active === 0) this.busyMs += performance.now() - this.busySince;
      this.startQueued();
    }
  }

  private startQueued(): void {
    while (this.active < this.slots && this.queued.length > 0) {
      if (this.active++ === 0) this.busySince = performance.now();
      this.queued.shift()!();
    }
  }

  /** Runs `stage` on one image: alone, or with others waiting for the same stage. */
  runStage<S extends ModelStageName>(
    stage: ModelStage<S>,
    input: ModelStageInput,
  ): Promise<StageResult<S>> {
    const max = stage.maxBatch ?? 1;
    if (!stage.runBatch || max <= 1) return this.run(() => stage.run(input));
    return new Promise<StageResult<S>>((resolve, reject) => {
      let queue = this.waiting.get(stage as ModelStage);
      const first = !queue || queue.length === 0;
      if (!queue) this.waiting.set(stage as ModelStage, (queue = []));
      queue.push({ input, resolve: resolve as Waiting['resolve'], reject });
      if (first) this.scheduleBatch(stage, queue, max);
    });
  }

  /** One lane turn for the stage: takes what has queued by then (up to max), the rest queues again. */
  private scheduleBatch<S extends ModelStageName>(
    stage: ModelStage<S>,
    queue: Waiting[],
    max: number,
  ): void {
    void this.run(async () => {
      const batch = queue.splice(0, max);
      if (queue.length > 0) this.scheduleBatch(stage, queue, max);
      const name: ModelStageName = stage.stage;
      (this.batchSizes[name] ??= []).push(batch.length);
      try {
        const results = await stage.runBatch!(batch.map((w) => w.input));
        batch.forEach((w, i) => {
          const r = results[i];
          if (!r) w.reject(new Error(`${stage.model.modelId}: no result for this image`));
          else if ('error' in r) w.reject(new Error(r.error));
          else w.resolve(r);
        });
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
      }
    });
  }
}
