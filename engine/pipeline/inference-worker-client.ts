// The owning thread's side of the inference worker: starts it, loads the installed models there and
// hands back ModelStages whose run() is a request to the worker. Used for installed models (the
// default); injected resolvers (tests, embedders) run their stages in the owning thread instead.
import { Worker } from 'node:worker_threads';
import type { Device } from '../../native-models/providers';
import type {
  ModelIdentity,
  ModelStage,
  ModelStageInput,
  ModelStageName,
  StageResult,
} from './model-stage';

export type WorkerRequest =
  | {
      type: 'init';
      modelsDir: string | null;
      device: Device;
      stages: ModelStageName[];
      labels: string[];
      maxBatch?: number;
    }
  | { type: 'run'; id: number; stage: ModelStageName; input: ModelStageInput }
  | { type: 'runBatch'; id: number; stage: ModelStageName; inputs: ModelStageInput[] }
  | { type: 'close' };

type StageReady =
  | { ok: true; provider: string | null; maxBatch?: number }
  | { ok: false; missing: string; reason: string | null }
  | { ok: false; loadError: string };

export type WorkerReply =
  | { type: 'ready'; stages: Partial<Record<ModelStageName, StageReady>> }
  | { type: 'fatal'; error: string }
  | { type: 'result'; id: number; output?: unknown; provider?: string; error?: string };

const WORKER_URL = new URL('./workers/inference-worker.mjs', import.meta.url);

export class InferenceWorker {
  private readonly worker = new Worker(WORKER_URL);
  private readonly pending = new Map<
    number,
    { resolve(r: { output: unknown; provider: string }): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private dead: Error | null = null;
  private readyWaiter: {
    resolve(s: Partial<Record<ModelStageName, StageReady>>): void;
    reject(e: Error): void;
  } | null = null;

  private constructor() {
    this.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') this.readyWaiter?.resolve(m.stages);
      else if (m.type === 'fatal') this.readyWaiter?.reject(new Error(m.error));
      else {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        this.served++;
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve({ output: m.output, provider: m.provider ?? 'unknown' });
      }
    });
    this.worker.on('error', (err) =>
      this.fail(new Error(`inference worker crashed: ${err.message}`)),
    );
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`inference worker exited with code ${code}`));
    });
  }

  /** Starts the worker and loads `stages` there; per stage: loaded (with provider) or why not. */
  static async start(
    modelsDir: string | null,
    device: Device,
    stages: ModelStageName[],
    labels: readonly string[] = [],
    maxBatch?: number,
  ): Promise<{ worker: InferenceWorker; stages: Partial<Record<ModelStageName, StageReady>> }> {
    const worker = new InferenceWorker();
    const ready = new Promise<Partial<Record<ModelStageName, StageReady>>>((resolve, reject) => {
      worker.readyWaiter = { resolve, reject };
    });
    worker.worker.postMessage({
      type: 'init',
      modelsDir,
      device,
      stages,
      labels: [...labels],
      maxBatch,
    } satisfies WorkerRequest);
    try {
      return { worker, stages: await ready };
    } catch (err) {
      await worker.close();
      throw err;
    }
  }

  /** Requests sent and not answered yet. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Requests answered (results and errors alike). */
  served = 0;

  run(stage: ModelStageName, input: ModelStageInput): Promise<StageResult> {
    return this.request({ type: 'run', stage, input }) as Promise<StageResult>;
  }

  runBatch(
    stage: ModelStageName,
    inputs: ModelStageInput[],
  ): Promise<Array<StageResult | { error: string }>> {
    return this.request({ type: 'runBatch', stage, inputs }).then(
      (r) => r.output as Array<StageResult | { error: string }>,
    );
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    // A worker stuck in native code is terminated after a grace period.
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private request(
    msg:
      | { type: 'run'; stage: ModelStageName; input: ModelStageInput }
      | { type: 'runBatch'; stage: ModelStageName; inputs: ModelStageInput[] },
  ): Promise<{ output: unknown; provider: string }> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id } satisfies WorkerRequest);
    });
  }

  private fail(err: Error): void {
    this.dead = err;
    this.readyWaiter?.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * A ModelStage whose runs go to the worker (of those that loaded its model) with the fewest
 * requests waiting: with several inference threads, one thread's pre/post-processing overlaps
 * another's inference (onnxruntime-node runs block their own thread).
 */
export function workerStage<S extends ModelStageName>(
  workers: ReadonlyArray<Pick<InferenceWorker, 'waiting' | 'run' | 'runBatch'>>,
  stage: S,
  model: ModelIdentity,
  maxBatch = 1,
): ModelStage<S> {
  const pick = () => workers.reduce((a, b) => (b.waiting < a.waiting ? b : a));
  return {
    stage,
    model,
    run: (input) => pick().run(stage, input) as Promise<StageResult<S>>,
    ...(maxBatch > 1
      ? {
          maxBatch,
          runBatch: (inputs: ModelStageInput[]) =>
            pick().runBatch(stage, inputs) as Promise<Array<StageResult<S> | { error: string }>>,
        }
      : {}),
  };
}
