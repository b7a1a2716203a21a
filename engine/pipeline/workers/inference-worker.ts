// The inference worker: hosts the run's model stages (sessions, adapters' pre/post-processing) in
// one thread, so model work never blocks the owning thread's database writes and progress. It
// answers one request at a time (the owning thread's InferenceLane sends one at a time).
import { parentPort } from 'node:worker_threads';
import type { Device } from '../../../native-models/providers';
import { createModelResolver } from '../model-resolver';
import type { ModelStage, ModelStageInput, ModelStageName } from '../model-stage';
import type { WorkerReply, WorkerRequest } from '../inference-worker-client';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');
const stages = new Map<ModelStageName, ModelStage>();
let release: (() => Promise<void>) | null = null;

async function init(
  modelsDir: string | null,
  device: Device,
  wanted: ModelStageName[],
  labels: string[],
  maxBatch: number | undefined,
) {
  const r = createModelResolver({ modelsDir, device, labels, maxBatch });
  release = () => r.pool.release();
  const out: Extract<WorkerReply, { type: 'ready' }>['stages'] = {};
  for (const stage of wanted) {
    try {
      const found = await r.resolve(stage);
      if (!('stage' in found)) {
        out[stage] = { ok: false, missing: found.missing, reason: found.reason ?? null };
        continue;
      }
      const provider = found.stage.warmUp ? await found.stage.warmUp() : null;
      stages.set(stage, found.stage);
      const maxBatch = found.stage.runBatch ? (found.stage.maxBatch ?? 1) : 1;
      out[stage] = { ok: true, provider, ...(maxBatch > 1 ? { maxBatch } : {}) };
    } catch (err) {
      out[stage] = { ok: false, loadError: (err as Error).message };
    }
  }
  return out;
}

/**
 * Posts a run's result (or its error) for request `id`, transferring the depth maps among
 * `outputs(result)` instead of copying them (views may share one buffer: each goes once).
 */
function reply<R extends { output: unknown; provider: string }>(
  id: number,
  run: Promise<R>,
  outputs: (r: R) => unknown[],
): void {
  run.then(
    (r) => {
      const transfer = new Set<ArrayBuffer>();
      for (const o of outputs(r)) {
        const metres = (o as { metres?: Float32Array } | null)?.metres;
        if (metres) transfer.add(metres.buffer as ArrayBuffer);
      }
      port!.postMessage(
        { type: 'result', id, output: r.output, provider: r.provider } satisfies WorkerReply,
        [...transfer],
      );
    },
    (err: unknown) =>
      port!.postMessage({
        type: 'result',
        id,
        error: (err as Error).message ?? String(err),
      } satisfies WorkerReply),
  );
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'init') {
    init(msg.modelsDir, msg.device, msg.stages, msg.labels, msg.maxBatch).then(
      (s) => port.postMessage({ type: 'ready', stages: s } satisfies WorkerReply),
      (err: unknown) =>
        port.postMessage({ type: 'fatal', error: (err as Error).message } satisfies WorkerReply),
    );
  } else if (msg.type === 'run') {
    const stage = stages.get(msg.stage);
    reply(
      msg.id,
      stage
        ? stage.run(msg.input as ModelStageInput)
        : Promise.reject(new Error(`no model loaded for stage ${msg.stage}`)),
      (r) => [r.output],
    );
  } else if (msg.type === 'runBatch') {
    const stage = stages.get(msg.stage);
    reply(
      msg.id,
      stage?.runBatch
        ? stage.runBatch(msg.inputs).then((output) => ({ output, provider: '' }))
        : Promise.reject(new Error(`no batched model loaded for stage ${msg.stage}`)),
      (r) => r.output.map((x) => ('output' in x ? x.output : null)),
    );
  } else if (msg.type === 'close') {
    void (release?.() ?? Promise.resolve()).finally(() => port.close());
  }
});
