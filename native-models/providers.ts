// Which ONNX Runtime execution providers this machine's onnxruntime-node build offers. Loaded lazily
// so the engine starts (and reports why) even when the native binding is missing or broken.
import { createRequire } from 'node:module';

export interface ProviderReport {
  available: string[];
  runtimeVersion: string | null;
  error: string | null;
}

type OrtModule = {
  listSupportedBackends?: () => Array<{ name: string; bundled?: boolean }>;
  env?: { versions?: { common?: string } };
};

export function probeExecutionProviders(load: () => OrtModule = defaultLoad): ProviderReport {
  try {
    const ort = load();
    const backends = ort.listSupportedBackends?.() ?? [];
    return {
      available: backends.map((b) => b.name),
      runtimeVersion: ort.env?.versions?.common ?? null,
      error: null,
    };
  } catch (err) {
    return {
      available: [],
      runtimeVersion: null,
      error: `onnxruntime-node failed to load: ${(err as Error).message}`,
    };
  }
}

function defaultLoad(): OrtModule {
  return createRequire(import.meta.url)('onnxruntime-node') as OrtModule;
}
