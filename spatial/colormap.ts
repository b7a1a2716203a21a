// Turbo-style colour ramp for depth previews (Google's Turbo, polynomial fit by Ruofei Du), and the
// mapping of a millimetre depth raster onto it: near = warm (red), far = cool (blue), missing = transparent.

const R4 = [0.13572138, 4.6153926, -42.66032258, 132.13108234] as const;
const G4 = [0.09140261, 2.19418839, 4.84296658, -14.18503333] as const;
const B4 = [0.1066733, 12.64194608, -60.58204836, 110.36276771] as const;
const R2 = [-152.94239396, 59.28637943] as const;
const G2 = [4.27729857, 2.82956604] as const;
const B2 = [-89.90310912, 27.34824973] as const;

function channel(x: number, c4: readonly number[], c2: readonly number[]): number {
  const x2 = x * x;
  const x3 = x2 * x;
  const v = c4[0]! + c4[1]! * x + c4[2]! * x2 + c4[3]! * x3 + c2[0]! * x2 * x2 + c2[1]! * x2 * x3;
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

// The polynomial fit is brownish below 0.05 (real Turbo is dark blue there), so the ramp starts at 0.05.
const START = 0.05;

/** Turbo colour for t in [0, 1] (clamped): 0 blue .. 0.5 green .. 1 dark red. */
export function turbo(t: number): [number, number, number] {
  const x = START + (1 - START) * Math.min(1, Math.max(0, t));
  return [channel(x, R4, R2), channel(x, G4, G2), channel(x, B4, B2)];
}

let table: Uint8Array | null = null;

/** 256-entry RGB lookup of turbo(). */
export function turboTable(): Uint8Array {
  if (!table) {
    table = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) table.set(turbo(i / 255), i * 3);
  }
  return table;
}

// Packed RGBA words must be written in platform byte order.
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function pack(r: number, g: number, b: number, a: number): number {
  return LITTLE_ENDIAN
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/**
 * RGBA preview of a millimetre depth raster. Readings are clamped to [near, far]; near maps to the
 * red end, far to the blue end; 0 (missing) is fully transparent.
 */
export function depthToRgba(
  mm: Uint16Array,
  range: { near: number; far: number } | null,
): Uint8Array {
  const out = new Uint8Array(mm.length * 4);
  if (!range) return out;
  // One packed colour per possible reading, then one word write per pixel (5x faster than per channel).
  const lut = turboTable();
  const span = Math.max(1, range.far - range.near);
  const palette = new Uint32Array(0x10000);
  for (let v = 1; v <= 0xffff; v++) {
    const t = 1 - Math.min(1, Math.max(0, (v - range.near) / span));
    const k = Math.round(t * 255) * 3;
    palette[v] = pack(lut[k]!, lut[k + 1]!, lut[k + 2]!, 255);
  }
  const words = new Uint32Array(out.buffer, out.byteOffset, mm.length);
  for (let i = 0; i < mm.length; i++) words[i] = palette[mm[i]!]!;
  return out;
}
