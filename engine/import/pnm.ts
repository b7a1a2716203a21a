// Netpbm reader (P2/P3 plain, P5/P6 binary; maxval up to 65535, 16-bit samples big-endian) because
// sharp/libvips cannot load PPM/PGM from a buffer. Bitmaps (P1/P4) and PAM (P7) are out of scope.

export type PnmKind = 'P2' | 'P3' | 'P5' | 'P6';

export interface PnmHeader {
  kind: PnmKind;
  width: number;
  height: number;
  maxval: number;
  channels: 1 | 3;
  /** Byte offset of the pixel data. */
  dataOffset: number;
}

export interface PnmImage extends PnmHeader {
  /** Interleaved samples: Uint8Array when maxval <= 255, else Uint16Array (native order). */
  data: Uint8Array | Uint16Array;
}

export class PnmError extends Error {}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Reads the next whitespace-separated decimal token, skipping '#' comments. */
function readToken(buf: Uint8Array, pos: number): { value: number; end: number } | null {
  let i = pos;
  for (;;) {
    while (i < buf.length && isSpace(buf[i]!)) i++;
    if (i < buf.length && buf[i] === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a && buf[i] !== 0x0d) i++;
      continue;
    }
    break;
  }
  const start = i;
  let value = 0;
  while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    value = value * 10 + (buf[i]! - 0x30);
    i++;
  }
  if (i === start || value > Number.MAX_SAFE_INTEGER) return null;
  if (i < buf.length && !isSpace(buf[i]!) && buf[i] !== 0x23) return null;
  return { value, end: i };
}

/** True when the buffer starts like a PNM this reader handles (or a P1/P4 it refuses clearly). */
export function looksLikePnm(buf: Uint8Array): boolean {
  return (
    buf.length >= 3 && buf[0] === 0x50 && buf[1]! >= 0x31 && buf[1]! <= 0x36 && isSpace(buf[2]!)
  );
}

/** Parses the header only (cheap: dimensions before any pixel work). */
export function parsePnmHeader(buf: Uint8Array): PnmHeader {
  if (!looksLikePnm(buf)) throw new PnmError('not a PNM file (no P2/P3/P5/P6 magic)');
  const kind = `P${String.fromCharCode(buf[1]!)}`;
  if (kind === 'P1' || kind === 'P4') throw new PnmError(`PBM bitmaps (${kind}) are not supported`);
  const w = readToken(buf, 2);
  const h = w && readToken(buf, w.end);
  const mv = h && readToken(buf, h.end);
  if (!w || !h || !mv) throw new PnmError(`${kind} header is incomplete or malformed`);
  if (w.value < 1 || h.value < 1)
    throw new PnmError(`${kind} has invalid size ${w.value}x${h.value}`);
  if (mv.value < 1 || mv.value > 65535)
    throw new PnmError(`${kind} maxval ${mv.value} is outside 1..65535`);
  return {
    kind: kind as PnmKind,
    width: w.value,
    height: h.value,
    maxval: mv.value,
    channels: kind === 'P3' || kind === 'P6' ? 3 : 1,
    // Exactly one whitespace byte separates maxval from binary data.
    dataOffset: mv.end + 1,
  };
}

/**
 * `byteOrder` 'le' reads 16-bit samples little-endian, against the spec: NYU Depth's raw Kinect
 * dumps are written that way (the depth importer tries both and says which it used).
 */
export function parsePnm(buf: Uint8Array, byteOrder: 'be' | 'le' = 'be'): PnmImage {
  const header = parsePnmHeader(buf);
  const { kind, width, height, maxval, channels } = header;
  const count = width * height * channels;
  const wide = maxval > 255;
  const data = wide ? new Uint16Array(count) : new Uint8Array(count);
  if (kind === 'P5' || kind === 'P6') {
    const bytes = count * (wide ? 2 : 1);
    const available = buf.length - header.dataOffset;
    if (available < bytes)
      throw new PnmError(`${kind} is truncated: ${available} of ${bytes} pixel bytes`);
    const off = header.dataOffset;
    if (wide) {
      const [hi, lo] = byteOrder === 'be' ? [0, 1] : [1, 0];
      for (let i = 0; i < count; i++)
        data[i] = (buf[off + 2 * i + hi]! << 8) | buf[off + 2 * i + lo]!;
    } else {
      data.set(buf.subarray(off, off + count));
    }
  } else {
    let pos = header.dataOffset - 1;
    for (let i = 0; i < count; i++) {
      const t = readToken(buf, pos);
      if (!t) throw new PnmError(`${kind} is truncated: ${i} of ${count} samples`);
      data[i] = t.value;
      pos = t.end;
    }
  }
  for (let i = 0; i < count; i++) {
    if (data[i]! > maxval) throw new PnmError(`${kind} sample ${data[i]} exceeds maxval ${maxval}`);
  }
  return { ...header, data };
}

/** 8-bit samples for display/encoding (sharp raw input), scaled from 0..maxval to 0..255. */
export function pnmTo8Bit(img: PnmImage): Uint8Array {
  if (img.maxval === 255 && img.data instanceof Uint8Array) return img.data;
  const out = new Uint8Array(img.data.length);
  const k = 255 / img.maxval;
  for (let i = 0; i < img.data.length; i++) out[i] = Math.round(img.data[i]! * k);
  return out;
}
