// A "WebGPU" provider for tests on a GPU-less machine: sessions created for it run on the CPU, until
// the test pulls the device (`lose()`); then every run on it fails as Dawn reports a lost device,
// and creating a new session on it fails as a missing adapter does. Other GPU providers fail to
// load, as they do here.
import type * as Ort from 'onnxruntime-node';

export interface FakeGpu {
  ort: typeof Ort;
  /** Runs that reached the fake GPU (successful or not). */
  runs: number;
  lose(): void;
}

export async function fakeGpu(): Promise<FakeGpu> {
  const real = (await import('onnxruntime-node')) as typeof Ort;
  let alive = true;
  const gpu: FakeGpu = {
    runs: 0,
    lose: () => {
      alive = false;
    },
    ort: {
      ...real,
      InferenceSession: {
        create: async (
          source: string | Uint8Array,
          options: Ort.InferenceSession.SessionOptions,
        ) => {
          const provider = String(options.executionProviders?.[0] ?? 'cpu');
          if (provider === 'cpu') return real.InferenceSession.create(source as string, options);
          if (provider !== 'webgpu') {
            throw new Error(
              `Failed to load shared library libonnxruntime_providers_${provider}.so`,
            );
          }
          if (!alive) throw new Error('Failed to get a WebGPU adapter.');
          const session = await real.InferenceSession.create(source as string, {
            ...options,
            executionProviders: ['cpu'],
          });
          const run = async (...args: unknown[]) => {
            gpu.runs++;
            if (!alive) throw new Error('[WebGPU] Device was lost: the GPU stopped responding');
            return (session.run as (...a: unknown[]) => unknown)(...args);
          };
          return new Proxy(session, {
            get(target, key) {
              if (key === 'run') return run;
              const v: unknown = Reflect.get(target, key, target);
              return typeof v === 'function' ? (v as () => unknown).bind(target) : v;
            },
          });
        },
      },
    } as unknown as typeof Ort,
  };
  return gpu;
}
