// What every adapter shares: the image it takes, the context it is created from, opening a graph
// (session from the pool + contract check, with errors that name the model and the file) and
// reading outputs (dtype, rank and NaN checks).
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { checkContract, describeSession } from '../contract-check';
import type { GraphContract, ModelManifest, ModelTask } from '../manifest';
import type { Device } from '../providers';
import { ModelLoadError, type OrtSession, type SessionPool } from '../session-pool';
import type { ModelStore } from '../store';
import type { ImageResizer, ResizeMethod } from './resize-graph';

/** Pinhole intrinsics in the pixels of the image they go with. */
export interface Intrinsics {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** Where they came from: "sensor", "exif-35mm", "geocalib", "default-fov", … */
  source: string;
}

/** Decoded upright pixels (EXIF orientation applied), row-major, interleaved. */
export interface ImageInput {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA, alpha ignored); default 3. */
  channels?: 3 | 4;
  intrinsics?: Intrinsics;
}

export interface AdapterTimings {
  preMs: number;
  inferMs: number;
  postMs: number;
}

/** Everything an adapter is created from. */
export interface AdapterContext {
  manifest: ModelManifest;
  store: ModelStore;
  pool: SessionPool;
  device?: Device;
  /**
   * How images are resized for the network and results back to the image: 'graph' (default, for
   * speed) runs ONNX Resize graphs on the model's provider, Pillow's arithmetic in float (up to ~20
   * levels off Pillow's 8-bit resample at sharp bicubic edges), checked against the JS resampler's
   * float pipeline on first use (the JS resampler replaces them if they disagree); 'exact' is the
   * JS resampler, Pillow's 8-bit resample bit for bit (the processors' pixel_values); 'libvips'
   * shrinks with sharp, 10–50× faster but up to ~13 levels off on fine detail (image-prep.test.ts).
   * A resizer object is used as given.
   */
  resize?: ResizeMethod | ImageResizer;
}

/** A failure of a model on an input, always naming the model. */
export class ModelAdapterError extends Error {
  override name = 'ModelAdapterError';
  constructor(
    readonly modelId: string,
    readonly problem: string,
  ) {
    super(`model ${modelId}: ${problem}`);
  }
}

/** Refuse a manifest of another task or without the graphs this adapter runs. */
export function requireModel(manifest: ModelManifest, task: ModelTask, graphs: string[]): void {
  if (manifest.task !== task) {
    throw new ModelAdapterError(manifest.id, `is a ${manifest.task} model, not a ${task} model`);
  }
  const have = manifest.contracts.map((c) => c.graph);
  const missing = graphs.filter((g) => !have.includes(g));
  if (missing.length) {
    throw new ModelAdapterError(
      manifest.id,
      `has no ${missing.join(', ')} graph (has ${have.join(', ')}): not a model this adapter runs`,
    );
  }
}

export function checkImage(modelId: string, image: ImageInput): 3 | 4 {
  const channels = image.channels ?? 3;
  if (!(image.width > 0 && image.height > 0) || !Number.isInteger(image.width * image.height)) {
    throw new ModelAdapterError(modelId, `bad image size ${image.width}×${image.height}`);
  }
  if (image.data.length < image.width * image.height * channels) {
    throw new ModelAdapterError(
      modelId,
      `image buffer too short: ${image.data.length} bytes for ${image.width}×${image.height}×${channels}`,
    );
  }
  return channels;
}

export const ort = (): typeof Ort =>
  createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;

export type OrtTensor = Ort.Tensor;

export function f32(data: Float32Array, dims: number[]): Ort.Tensor {
  return new (ort().Tensor)('float32', data, dims);
}

export function i64(data: ArrayLike<number> | BigInt64Array, dims: number[]): Ort.Tensor {
  const values =
    data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
  return new (ort().Tensor)('int64', values, dims);
}

/** An open graph: its session, the provider that loaded it, and its contract. */
export interface OpenGraph {
  session: OrtSession;
  provider: string;
  contract: GraphContract;
  /** Whether the session declares an input (optional contract inputs). */
  has(input: string): boolean;
  run(feeds: Record<string, Ort.Tensor>): Promise<Record<string, Ort.Tensor>>;
}

const checked = new WeakSet<OrtSession>();

/**
 * Open `graph` of the context's model: the file must be installed, load through the pool (which
 * tries providers in order), and declare the manifest's inputs/outputs (names, dtypes, ranks).
 */
export async function openGraph(ctx: AdapterContext, graph: string): Promise<OpenGraph> {
  const m = ctx.manifest;
  const contract = m.contracts.find((c) => c.graph === graph);
  if (!contract) throw new ModelAdapterError(m.id, `has no ${graph} graph`);
  const file = ctx.store.filePath(m, contract.file);
  if (!existsSync(file)) {
    throw new ModelAdapterError(
      m.id,
      `${contract.file} is not installed in ${ctx.store.modelDir(m.id)} (download or import the model)`,
    );
  }
  let pooled;
  try {
    pooled = await ctx.pool.get(m.id, file, ctx.device ?? 'auto');
  } catch (err) {
    const size = statSync(file).size;
    const why =
      err instanceof ModelLoadError ? err.message.replace(/^model [^:]+: /, '') : String(err);
    throw new ModelAdapterError(
      m.id,
      `${contract.file} (${size} bytes) could not be loaded — truncated or not an ONNX file? ${why}`,
    );
  }
  const { session, provider } = pooled;
  if (!checked.has(session)) {
    const report = checkContract(contract, describeSession(session));
    if (!report.ok) {
      throw new ModelAdapterError(m.id, `${contract.file}: ${report.problems.join('; ')}`);
    }
    checked.add(session);
  }
  const names = new Set(session.inputNames);
  return {
    session,
    provider,
    contract,
    has: (input) => names.has(input),
    run: async (feeds) => {
      try {
        return (await session.run(feeds)) as Record<string, Ort.Tensor>;
      } catch (err) {
        throw await runFailure(ctx.pool, m.id, contract.file, { session, provider }, err);
      }
    },
  };
}

/**
 * The error for a failed run of `file` on `provider`. A GPU lost mid-run would fail every later
 * image too, so the pool is asked to check the provider and drop it if it no longer works.
 */
export async function runFailure(
  pool: SessionPool,
  modelId: string,
  file: string,
  ran: { session: OrtSession; provider: string },
  err: unknown,
): Promise<ModelAdapterError> {
  const { provider } = ran;
  const why = `${file} failed to run on ${provider}: ${(err as Error).message.split('\n')[0]}`;
  const lost = await pool.checkAfterFailure(provider, ran.session);
  return new ModelAdapterError(
    modelId,
    lost === null
      ? why
      : `${why}; ${provider} no longer works (${lost}): later images load the model again`,
  );
}

/**
 * A float32 output with the expected rank, every value finite. `rank` null: any rank.
 * `allowNegInfinity`: −∞ is a legitimate "masked" logit (Grounding DINO pads its 256 text positions
 * with −inf); NaN and +∞ are still refused.
 */
export function readFloat(
  modelId: string,
  outputs: Record<string, Ort.Tensor>,
  name: string,
  rank: number | null,
  allowNegInfinity = false,
): { data: Float32Array; dims: number[] } {
  const t = outputs[name];
  if (!t) throw new ModelAdapterError(modelId, `output ${name} is missing`);
  if (t.type !== 'float32') {
    throw new ModelAdapterError(modelId, `output ${name} is ${t.type}, expected float32`);
  }
  const dims = [...t.dims];
  if (rank !== null && dims.length !== rank) {
    throw new ModelAdapterError(
      modelId,
      `output ${name} has shape [${dims.join(',')}], expected rank ${rank}`,
    );
  }
  const data = t.data as Float32Array;
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v) && !(allowNegInfinity && v === -Infinity)) bad++;
  }
  if (bad > 0) {
    throw new ModelAdapterError(
      modelId,
      `produced non-finite values in ${name} (${bad} of ${data.length} are NaN or infinite)`,
    );
  }
  return { data, dims };
}

export const now = (): number => performance.now();
