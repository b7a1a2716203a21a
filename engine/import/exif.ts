// The EXIF tags the workstation uses (camera, capture time, focal length data, orientation), reduced to
// JSON-safe values so they can be stored and sent to the renderer as-is.
import exifr from 'exifr';
import type { ImageFormat } from './header';

export const EXIF_TAGS = [
  'Make',
  'Model',
  'DateTimeOriginal',
  'FocalLength',
  'FocalLengthIn35mmFormat',
  'FocalPlaneXResolution',
  'FocalPlaneResolutionUnit',
  'ExifImageWidth',
  'Orientation',
];

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    // Camera strings are often NUL-padded.
    const s = v.replace(/\0+$/, '').trim();
    return s.length > 0 && s.length <= 256 ? s : undefined;
  }
  if (
    Array.isArray(v) &&
    v.length <= 16 &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x))
  )
    return v;
  return undefined;
}

/** Picked EXIF tags, or null when there are none or the metadata cannot be parsed (not an import error). */
export async function readExif(
  buf: Uint8Array,
  format: ImageFormat,
): Promise<Record<string, unknown> | null> {
  if (format === 'ppm' || format === 'pgm') return null;
  let raw: Record<string, unknown> | undefined;
  try {
    // Raw values: numeric codes (not "Rotate 90 CW") and date strings as written, no local-time Date.
    raw = (await exifr.parse(buf, {
      pick: EXIF_TAGS,
      translateValues: false,
      reviveValues: false,
    })) as Record<string, unknown> | undefined;
  } catch {
    return null;
  }
  if (!raw) return null;
  const out: Record<string, unknown> = {};
  for (const tag of EXIF_TAGS) {
    const v = jsonSafe(raw[tag]);
    if (v !== undefined) out[tag] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}
