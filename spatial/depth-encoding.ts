// Sensor depth encodings: how a raw 16-bit depth value becomes metres. Raw 0 means "missing" in every
// encoding. The importer turns everything into canonical millimetres (uint16, 0 = missing) through a
// 65536-entry lookup table, so per-pixel work is one array read whatever the encoding.

export type DepthEncoding =
  | { kind: 'mm' } // metres = v / 1000 (Redwood, most RealSense/Azure exports)
  | { kind: 'tum' } // metres = v / 5000 (TUM RGB-D)
  | { kind: 'sun' } // SUN RGB-D: 3-bit rotation, then v' / 1000
  | { kind: 'nyu' } // NYU raw Kinect disparity: metres = 351.3 / (1092.5 - v)
  | { kind: 'scale'; scale: number }; // metres = v / scale

export class DepthEncodingError extends Error {}

/** NYU raw disparity beyond this range is noise or the sensor's "no return" code. */
export const NYU_MAX_METERS = 20;

/** Parses `mm`, `tum`, `sun`, `nyu` or `scale:K` (case-insensitive); throws DepthEncodingError otherwise. */
export function parseDepthEncoding(name: string): DepthEncoding {
  const s = name.trim().toLowerCase();
  if (s === 'mm' || s === 'tum' || s === 'sun' || s === 'nyu') return { kind: s };
  const m = /^scale:(.+)$/.exec(s);
  if (m) {
    const k = Number(m[1]);
    if (Number.isFinite(k) && k > 0 && /^[0-9.eE+-]+$/.test(m[1]!))
      return { kind: 'scale', scale: k };
    throw new DepthEncodingError(
      `depth encoding '${name}': scale:K needs a positive number K (metres = raw / K)`,
    );
  }
  throw new DepthEncodingError(
    `unknown depth encoding '${name}': use mm, tum, sun, nyu or scale:K`,
  );
}

export function depthEncodingName(enc: DepthEncoding): string {
  return enc.kind === 'scale' ? `scale:${enc.scale}` : enc.kind;
}

/** SUN RGB-D stores depth rotated right by 3 bits: v' = (v >> 3) | (v << 13) & 0xFFFF. */
export function sunUnrotate(v: number): number {
  return ((v >>> 3) | ((v << 13) & 0xffff)) & 0xffff;
}

/** Metres for raw value `v`, or null when the value means "no depth". */
export function rawToMeters(v: number, enc: DepthEncoding): number | null {
  if (v === 0) return null;
  let m: number;
  switch (enc.kind) {
    case 'mm':
      m = v / 1000;
      break;
    case 'tum':
      m = v / 5000;
      break;
    case 'sun':
      m = sunUnrotate(v) / 1000;
      break;
    case 'nyu':
      // Disparity at or above 1092.5 would be infinite or negative depth.
      if (v >= 1092.5) return null;
      m = 351.3 / (1092.5 - v);
      if (m > NYU_MAX_METERS) return null;
      break;
    case 'scale':
      m = v / enc.scale;
      break;
  }
  return Number.isFinite(m) && m > 0 ? m : null;
}

/** Canonical range: uint16 millimetres, so at most 65.535 m. */
export const MAX_CANONICAL_MM = 0xffff;
/** Lookup-table marker for a valid reading that does not fit the canonical range. */
export const LUT_OVERFLOW = -1;

/** raw value -> canonical millimetres (0 = missing, LUT_OVERFLOW = beyond 65.535 m). */
export function millimetreLut(enc: DepthEncoding): Int32Array {
  const lut = new Int32Array(0x10000);
  for (let v = 1; v <= 0xffff; v++) {
    const m = rawToMeters(v, enc);
    if (m === null) continue;
    const mm = Math.round(m * 1000);
    lut[v] = mm > MAX_CANONICAL_MM ? LUT_OVERFLOW : mm;
  }
  return lut;
}

/** Converts a raw depth raster to canonical millimetres; `overflow` counts readings set to 0 for being > 65.535 m. */
export function toMillimetres(
  raw: Uint16Array,
  lut: Int32Array,
): { mm: Uint16Array; overflow: number } {
  const mm = new Uint16Array(raw.length);
  let overflow = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = lut[raw[i]!]!;
    if (v === LUT_OVERFLOW) overflow++;
    else mm[i] = v;
  }
  return { mm, overflow };
}
