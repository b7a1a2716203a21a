// Which range-noise preset an image's depth was imported with (`sqw import --depth-sensor NAME`,
// stored in its depth_json as `noisePreset`); null: none given, or model depth written since
// (the scene build then estimates the noise per object from the map itself).
import type { ImageRow } from '../../db/repositories/images';

export function depthNoisePreset(image: Pick<ImageRow, 'depthBlob' | 'depthJson'>): string | null {
  if (!image.depthBlob || !image.depthJson) return null;
  try {
    const info = JSON.parse(image.depthJson) as { source?: string; noisePreset?: unknown };
    return info.source !== 'model' && typeof info.noisePreset === 'string'
      ? info.noisePreset
      : null;
  } catch {
    return null;
  }
}
