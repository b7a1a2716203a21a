// Which range-noise preset an image's depth has (its depth_json's `noisePreset`): the sensor's
// given at import (`sqw import --depth-sensor NAME`), or the depth model's when a model wrote the
// depth (depthErrorPresetForModel; model depth replaces the whole depth_json, so a sensor's preset
// never outlives its map); null: none (the scene build then estimates the noise per object).
import type { ImageRow } from '../../db/store/rows';

export function depthNoisePreset(image: Pick<ImageRow, 'depthBlob' | 'depthJson'>): string | null {
  if (!image.depthBlob || !image.depthJson) return null;
  try {
    const info = JSON.parse(image.depthJson) as { noisePreset?: unknown };
    return typeof info.noisePreset === 'string' ? info.noisePreset : null;
  } catch {
    return null;
  }
}
