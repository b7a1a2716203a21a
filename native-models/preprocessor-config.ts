// Preprocessing read from a model's own `preprocessor_config.json` (the HF image-processor file the
// export ships), so a pinned file — not our copy of it in the catalogue — decides the numbers. The
// catalogue keeps the rule family (`resize`, padding, crop) and the fallbacks for keys a file
// lacks; a file that says something our rule cannot express is reported, not silently ignored.
import { existsSync, readFileSync } from 'node:fs';
import type { ModelManifest, Preprocessing } from './manifest';
import type { ModelStore } from './store';

export const PREPROCESSOR_CONFIG = 'preprocessor_config.json';

export interface PreprocessingFromFile {
  preprocessing: Preprocessing;
  /** Keys the file set to a value other than the catalogue's ("image_mean: [...] (catalogue [...])"). */
  changed: string[];
}

type Json = Record<string, unknown>;

const triple = (v: unknown): [number, number, number] | null =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')
    ? (v as [number, number, number])
    : null;

/** PIL resample codes as the HF processors write them: 2 bilinear, 3 bicubic. */
const RESAMPLE: Record<number, Preprocessing['interpolation']> = { 2: 'bilinear', 3: 'bicubic' };

function sizeFrom(json: Json, rule: Preprocessing['resize']): number | null {
  const s = json.size;
  if (typeof s === 'number') return s;
  if (!s || typeof s !== 'object') return null;
  const o = s as Json;
  if (rule === 'shortest-edge' && typeof o.shortest_edge === 'number') return o.shortest_edge;
  if (rule === 'longest-edge' && typeof o.longest_edge === 'number') return o.longest_edge;
  if (typeof o.height === 'number' && o.height === o.width) return o.height;
  return null;
}

/** The catalogue's preprocessing with every value the file states in its place. */
export function preprocessingFromConfig(base: Preprocessing, json: Json): PreprocessingFromFile {
  const next: Preprocessing = { ...base };
  const changed: string[] = [];
  const set = <K extends keyof Preprocessing>(key: K, value: Preprocessing[K], label: string) => {
    if (JSON.stringify(next[key]) !== JSON.stringify(value)) {
      changed.push(`${label}: ${JSON.stringify(value)} (catalogue ${JSON.stringify(next[key])})`);
      next[key] = value;
    }
  };
  if (json.do_normalize === false) {
    set('mean', null, 'do_normalize');
    set('std', null, 'do_normalize');
  } else {
    const mean = triple(json.image_mean);
    const std = triple(json.image_std);
    if (mean) set('mean', mean, 'image_mean');
    if (std) set('std', std, 'image_std');
  }
  if (typeof json.do_rescale === 'boolean') set('rescale', json.do_rescale, 'do_rescale');
  if (typeof json.resample === 'number' && RESAMPLE[json.resample]) {
    set('interpolation', RESAMPLE[json.resample]!, 'resample');
  }
  const size = sizeFrom(json, base.resize);
  if (size !== null) set('size', size, 'size');
  if (base.resize === 'shortest-edge' && json.size && typeof json.size === 'object') {
    const longest = (json.size as Json).longest_edge;
    if (typeof longest === 'number') set('maxSize', longest, 'size.longest_edge');
  }
  if (typeof json.ensure_multiple_of === 'number' && base.multipleOf !== null) {
    set('multipleOf', json.ensure_multiple_of, 'ensure_multiple_of');
  }
  return { preprocessing: next, changed };
}

/**
 * The manifest as the installed files describe it: preprocessing from the model folder's
 * `preprocessor_config.json` when the manifest lists one and it is there. An unreadable file is an
 * error (the pinned file is what the model was exported with; guessing past it is what this avoids).
 */
export function installedManifest(
  manifest: ModelManifest,
  store: ModelStore,
): { manifest: ModelManifest; changed: string[] } {
  if (!manifest.preprocessing || !manifest.files.some((f) => f.path === PREPROCESSOR_CONFIG)) {
    return { manifest, changed: [] };
  }
  const path = store.filePath(manifest, PREPROCESSOR_CONFIG);
  if (!existsSync(path)) return { manifest, changed: [] };
  let json: Json;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (err) {
    throw new Error(
      `model ${manifest.id}: ${PREPROCESSOR_CONFIG} is not valid JSON (${(err as Error).message}); download or import the model again`,
    );
  }
  const r = preprocessingFromConfig(manifest.preprocessing, json);
  return { manifest: { ...manifest, preprocessing: r.preprocessing }, changed: r.changed };
}
