// ONNX Runtime sessions, pooled by (model file, execution provider) and created by trying providers
// in order. Every load records which provider actually loaded the model and why each one before it
// failed, so a GPU that is not used is reported, never silent.
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { buildModel, DataType, scalar } from './onnx-builder';
import { providerOrder, type Device } from './providers';

export type OrtSession = Ort.InferenceSession;
type OrtModule = typeof Ort;

export interface ProviderAttempt {
  provider: string;
  ok: boolean;
  /** Error text of a failed attempt (first line); null when it loaded. */
  error: string | null;
  /** true when the failure was remembered from an earlier model, not retried. */
  cached: boolean;
  ms: number;
}

export interface LoadReport {
  modelId: string;
  file: string;
  device: Device;
  /** The provider that loaded the model; null when none did. */
  provider: string | null;
  attempts: ProviderAttempt[];
}

export interface PooledSession {
  session: OrtSession;
  provider: string;
  report: LoadReport;
}

export class ModelLoadError extends Error {
  constructor(readonly report: LoadReport) {
    super(
      `model ${report.modelId}: could not load ${report.file} on ${report.device}: ` +
        report.attempts.map((a) => `${a.provider}: ${a.error}`).join('; '),
    );
  }
}

export interface SessionPoolOptions {
  /** Injected for tests; defaults to onnxruntime-node. */
  ort?: OrtModule;
  platform?: NodeJS.Platform;
  arch?: string;
  sessionOptions?: Ort.InferenceSession.SessionOptions;
}

/**
 * ORT's worker threads spin after a run, waiting for the next one. With several sessions taking
 * turns (a model, its resize graphs, the next model) and the pipeline's CPU workers on the same
 * cores, that spinning takes the time the next run needs: two sessions alternating on 2 cores ran
 * 12–14 → 9 ms and 18 → 14.5 ms each with it off, using 1.97 → 1.40 cores (bench/MODELS-RESULTS.md).
 */
const QUIET_THREADS: Ort.InferenceSession.SessionOptions = {
  extra: { session: { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } },
};

/** y = x + 1 on four floats: the smallest run that shows a provider still computes. */
const PROBE_GRAPH = buildModel({
  name: 'sqw_provider_probe',
  inputs: [{ name: 'x', elemType: DataType.FLOAT, dims: [4] }],
  outputs: [{ name: 'y', elemType: DataType.FLOAT, dims: [4] }],
  nodes: [{ opType: 'Add', inputs: ['x', 'one'], outputs: ['y'] }],
  initializers: [scalar('one', 1)],
});

export class SessionPool {
  private readonly sessions = new Map<string, Promise<PooledSession>>();
  /** Pool key → each loaded session, so a lost provider's sessions can be dropped. */
  private readonly loaded = new Map<string, PooledSession>();
  /** Provider → error of its first failure in this process (a missing GPU stays missing). */
  private readonly providerFailures = new Map<string, string>();
  private readonly reports = new Map<string, LoadReport>();
  private readonly ortModule: OrtModule | undefined;

  constructor(private readonly opts: SessionPoolOptions = {}) {
    this.ortModule = opts.ort;
  }

  private get ort(): OrtModule {
    return this.ortModule ?? (createRequire(import.meta.url)('onnxruntime-node') as OrtModule);
  }

  /** A session for `file`, reused when the same file was loaded before with the same device. */
  get(modelId: string, file: string, device: Device = 'auto'): Promise<PooledSession> {
    return this.pooled(file, modelId, file, device);
  }

  /**
   * A session for a graph built in memory (the resize graphs), pooled by `modelId`: the same
   * providers in the same order as a model file, and the same load report.
   */
  getGraph(modelId: string, graph: Uint8Array, device: Device = 'auto'): Promise<PooledSession> {
    return this.pooled(`memory:${modelId}`, modelId, graph, device);
  }

  private pooled(
    name: string,
    modelId: string,
    source: string | Uint8Array,
    device: Device,
  ): Promise<PooledSession> {
    const key = `${name}\u0000${device}`;
    let p = this.sessions.get(key);
    if (!p) {
      const loading = this.load(modelId, name, source, device);
      p = loading;
      this.sessions.set(key, p);
      // A failed load is not pooled: the next call tries again.
      p.then(
        (s) => this.sessions.get(key) === loading && this.loaded.set(key, s),
        () => this.sessions.get(key) === loading && this.sessions.delete(key),
      );
    }
    return p;
  }

  /** Which provider loaded each model, and why the others failed. */
  loadReports(): LoadReport[] {
    return [...this.reports.values()];
  }

  private async load(
    modelId: string,
    file: string,
    source: string | Uint8Array,
    device: Device,
  ): Promise<PooledSession> {
    const order = providerOrder(device, this.opts.platform, this.opts.arch);
    const attempts: ProviderAttempt[] = [];
    const report: LoadReport = { modelId, file, device, provider: null, attempts };
    this.reports.set(`${modelId}\u0000${file}`, report);
    for (const provider of order) {
      const known = this.providerFailures.get(provider);
      if (known !== undefined && order.length > 1) {
        attempts.push({ provider, ok: false, error: known, cached: true, ms: 0 });
        continue;
      }
      const t0 = performance.now();
      try {
        const options = {
          ...QUIET_THREADS,
          ...this.opts.sessionOptions,
          executionProviders: [provider],
        };
        const session =
          typeof source === 'string'
            ? await this.ort.InferenceSession.create(source, options)
            : await this.ort.InferenceSession.create(source, options);
        attempts.push({
          provider,
          ok: true,
          error: null,
          cached: false,
          ms: performance.now() - t0,
        });
        report.provider = provider;
        return { session, provider, report };
      } catch (err) {
        const error = firstLine(err);
        attempts.push({ provider, ok: false, error, cached: false, ms: performance.now() - t0 });
        if (isProviderFailure(error)) this.providerFailures.set(provider, error);
        else break; // the file itself is bad: other providers will not help
      }
    }
    throw new ModelLoadError(report);
  }

  /**
   * After a run of `failed` failed on `provider`: does the provider still compute? A GPU that was
   * lost (driver reset, device removed, out of memory for good) fails a fresh four-number probe
   * too; then every session on it is dropped and the provider is remembered as failed, so the next
   * load tries the next provider in order (`auto` → CPU) or, for an explicit device, reports that
   * it cannot load. When the probe passes, only `failed` is dropped (a device that reset and came
   * back leaves sessions that no longer run; a bad input costs one reload). Returns why the
   * provider was dropped, or null. Nothing on the CPU is dropped: its failures are the input's.
   */
  async checkAfterFailure(provider: string, failed?: OrtSession): Promise<string | null> {
    if (provider === 'cpu') return null;
    const problem = await this.probe(provider);
    if (problem !== null)
      this.providerFailures.set(provider, `stopped working mid-run: ${problem}`);
    for (const [key, pooled] of this.loaded) {
      if (problem !== null ? pooled.provider !== provider : pooled.session !== failed) continue;
      this.sessions.delete(key);
      this.loaded.delete(key);
      void pooled.session.release().catch(() => undefined);
    }
    return problem;
  }

  /** null when `provider` loads and runs the probe graph correctly, else the first error line. */
  private async probe(provider: string): Promise<string | null> {
    let session: OrtSession | undefined;
    try {
      session = await this.ort.InferenceSession.create(PROBE_GRAPH, {
        ...QUIET_THREADS,
        executionProviders: [provider],
      });
      const x = Float32Array.of(1, 2, 3, 4);
      const out = await session.run({ x: new this.ort.Tensor('float32', x, [4]) });
      const y = out.y?.data as Float32Array | undefined;
      if (!y || y.length !== 4 || y.some((v, i) => v !== x[i]! + 1)) {
        return `${provider} returned wrong values for a test graph`;
      }
      return null;
    } catch (err) {
      return firstLine(err);
    } finally {
      await session?.release().catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.loaded.clear();
    for (const p of all) {
      try {
        await (await p).session.release();
      } catch {
        // a failed load has nothing to release
      }
    }
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // ORT prefixes errors with a source location; keep the informative part.
  const line = msg.split('\n')[0] ?? msg;
  const m =
    /(Failed to get a WebGPU adapter.*|Failed to load shared library.*|backend not found.*)$/.exec(
      line,
    );
  return (m?.[1] ?? line).trim();
}

/** Errors that mean "this provider is unavailable here", as opposed to "this file is broken". */
function isProviderFailure(error: string): boolean {
  return /WebGPU|adapter|shared library|backend not found|provider|CUDA|cudnn|DML|CoreML|Vulkan/i.test(
    error,
  );
}
