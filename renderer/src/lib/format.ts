// Small pure formatting helpers for the UI (unit-tested).

/** Integers as-is, other numbers with up to `digits` decimals (trailing zeros trimmed). */
export function formatNumber(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatMeters(m: number | null | undefined): string {
  if (m === null || m === undefined || !Number.isFinite(m)) return '—';
  return `${m.toFixed(m < 10 ? 2 : 1)} m`;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function shortHash(sha: string, n = 12): string {
  return sha.length > n ? `${sha.slice(0, n)}…` : sha;
}

const ORIENTATIONS: Record<number, string> = {
  1: 'normal',
  2: 'mirrored',
  3: 'rotated 180°',
  4: 'mirrored vertically',
  5: 'mirrored, rotated 90° CCW',
  6: 'rotated 90° CW',
  7: 'mirrored, rotated 90° CW',
  8: 'rotated 90° CCW',
};

export function formatOrientation(o: number): string {
  return `${o} (${ORIENTATIONS[o] ?? 'unknown'})`;
}

/** The last path segment, for long source folders (full path goes in a title tooltip). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/** The last two path segments (`redwood-livingroom/color`), enough to tell batches apart. */
export function shortFolder(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts.slice(-2).join('/') || path;
}

/** Renders an arbitrary EXIF value as short plain text. */
export function exifText(value: unknown, max = 80): string {
  let s: string;
  if (value === null || value === undefined) s = '—';
  else if (typeof value === 'number') s = formatNumber(value, 4);
  else if (typeof value === 'string') s = value;
  else if (typeof value === 'boolean') s = value ? 'yes' : 'no';
  else if (Array.isArray(value) && value.every((v) => typeof v === 'number'))
    s = value.map((v) => formatNumber(v, 4)).join(', ');
  else {
    try {
      s = JSON.stringify(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** EXIF tags worth showing, in display order, with labels. */
export const EXIF_KEY_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['Make', 'Make'],
  ['Model', 'Model'],
  ['LensModel', 'Lens'],
  ['FocalLength', 'Focal length'],
  ['FocalLengthIn35mmFormat', '35mm equiv.'],
  ['FNumber', 'f-number'],
  ['ExposureTime', 'Exposure'],
  ['ISO', 'ISO'],
  ['DateTimeOriginal', 'Taken'],
];

export function pickExif(
  exif: Record<string, unknown> | null,
): Array<{ label: string; value: string }> {
  if (!exif) return [];
  const out: Array<{ label: string; value: string }> = [];
  for (const [key, label] of EXIF_KEY_FIELDS) {
    if (!Object.hasOwn(exif, key)) continue;
    let v = exif[key];
    if (key === 'ExposureTime' && typeof v === 'number' && v > 0 && v < 1)
      v = `1/${Math.round(1 / v)} s`;
    else if (key === 'FocalLength' && typeof v === 'number') v = `${formatNumber(v)} mm`;
    out.push({ label, value: exifText(v) });
  }
  return out;
}

export const DEPTH_ENCODINGS = ['mm', 'tum', 'sun', 'nyu'] as const;

/** Builds the depth encoding string sent to the engine; null + message when invalid. */
export function depthEncodingValue(
  choice: string,
  scale: string,
): { value: string } | { error: string } {
  if ((DEPTH_ENCODINGS as readonly string[]).includes(choice)) return { value: choice };
  if (choice === 'scale') {
    const k = Number(scale.trim());
    if (scale.trim() === '' || !Number.isFinite(k) || k <= 0)
      return { error: 'Scale K must be a positive number (metres = raw / K).' };
    return { value: `scale:${scale.trim()}` };
  }
  return { error: `Unknown depth encoding "${choice}"` };
}

export interface IntrinsicsFields {
  fx: string;
  fy: string;
  cx: string;
  cy: string;
}

/** All four empty -> undefined; all four valid numbers (fx, fy > 0) -> values; else an error. */
export function parseIntrinsics(
  f: IntrinsicsFields,
): { value: { fx: number; fy: number; cx: number; cy: number } | undefined } | { error: string } {
  const raw = [f.fx, f.fy, f.cx, f.cy].map((s) => s.trim());
  if (raw.every((s) => s === '')) return { value: undefined };
  if (raw.some((s) => s === ''))
    return { error: 'Intrinsics need all four of fx, fy, cx, cy (or none).' };
  const [fx, fy, cx, cy] = raw.map(Number) as [number, number, number, number];
  if (![fx, fy, cx, cy].every(Number.isFinite)) return { error: 'Intrinsics must be numbers.' };
  if (fx <= 0 || fy <= 0) return { error: 'fx and fy must be positive.' };
  return { value: { fx, fy, cx, cy } };
}
