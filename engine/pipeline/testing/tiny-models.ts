// Installs generated small models (real exports' input/output names, no weights) into a models
// folder the way `sqw models import` does: files, then the install record with their sha256.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { findManifest } from '../../../native-models/catalogue';
import { ModelStore } from '../../../native-models/store';
import {
  slimSamClickDecoderModel,
  slimSamEncoderModel,
} from '../../../native-models/testing/adapter-models';
import {
  depthAnythingConfig,
  depthAnythingMetricModel,
} from '../../../native-models/testing/test-models';

export const TINY_DEPTH_MODEL = 'depth-anything-v2-metric-indoor-small';

export function installTinyDepthModel(modelsDir: string): { sha256: string } {
  return installTinyModel(modelsDir, TINY_DEPTH_MODEL, {
    [findManifest(TINY_DEPTH_MODEL).contracts[0]!.file]: depthAnythingMetricModel(),
    // As the -hf checkpoints' config: "{}" would read as a relative model (depth-metric.ts).
    'config.json': depthAnythingConfig('metric', 20),
  });
}

export const TINY_SLIMSAM = 'slimsam-77-uniform';

/** The tiny SlimSAM whose clicks add or cut discs (adapter-models.ts), for click-to-refine. */
export function installTinySlimSam(modelsDir: string): void {
  installTinyModel(modelsDir, TINY_SLIMSAM, {
    'onnx/vision_encoder.onnx': slimSamEncoderModel(),
    'onnx/prompt_encoder_mask_decoder.onnx': slimSamClickDecoderModel(),
  });
}

/**
 * Installs catalogue model `id` with the given generated files (path → bytes); its other files are
 * written as "{}". Returns the sha256 of the first graph file.
 */
export function installTinyModel(
  modelsDir: string,
  id: string,
  given: Record<string, Uint8Array | string>,
): { sha256: string } {
  const manifest = findManifest(id);
  const store = new ModelStore(modelsDir);
  const files = manifest.files.map((f) => {
    const g = given[f.path];
    const data =
      typeof g === 'string' ? new TextEncoder().encode(g) : (g ?? new TextEncoder().encode('{}'));
    const path = store.filePath(manifest, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    return {
      path: f.path,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  });
  store.writeRecord({
    id: manifest.id,
    installedAt: new Date().toISOString(),
    how: 'import',
    source: 'generated test model',
    files,
  });
  return { sha256: files.find((f) => f.path === manifest.contracts[0]!.file)!.sha256 };
}
