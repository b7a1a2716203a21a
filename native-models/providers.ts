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

/** What a user may ask for with --device. */
export const devices = ['auto', 'webgpu', 'cuda', 'cpu', 'dml', 'coreml'] as const;
export type Device = (typeof devices)[number];

export function parseDevice(value: string): Device {
  if ((devices as readonly string[]).includes(value)) return value as Device;
  throw new Error(`unknown device "${value}" (expected ${devices.join(' | ')})`);
}

/**
 * The execution providers to try, in order. `auto` follows transformers.js (src/utils/devices.js):
 * the platform's native GPU provider first (DirectML on Windows, CUDA on Linux x64, CoreML on
 * macOS), then WebGPU, then CPU. An explicit device is tried alone: asking for a GPU and silently
 * getting the CPU is the failure users complain about most.
 */
export function providerOrder(
  device: Device,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string[] {
  if (device !== 'auto') return [device];
  const native =
    platform === 'win32'
      ? ['dml']
      : platform === 'darwin'
        ? ['coreml']
        : platform === 'linux' && arch === 'x64'
          ? ['cuda']
          : [];
  const webgpu = platform === 'linux' && arch === 'arm64' ? [] : ['webgpu'];
  return [...native, ...webgpu, 'cpu'];
}
