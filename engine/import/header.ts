// Recognises an image by its leading bytes (never by extension) and reads its dimensions from the
// header, so oversized images are refused before anything is decoded.
import { looksLikePnm, parsePnmHeader, PnmError } from './pnm';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'ppm' | 'pgm';

export type Sniffed =
  | { format: ImageFormat; width: number | null; height: number | null }
  | { format: null; reason: string };

/** Longest accepted side and pixel count. */
export const MAX_SIDE = 16384;
export const MAX_PIXELS = 100_000_000;

/** Null when within limits, else a one-line reason naming the size. */
export function sizeLimitReason(width: number, height: number): string | null {
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(1);
    return `image too large: ${width}x${height} (${mp} MP); limit is ${MAX_SIDE} px per side and ${MAX_PIXELS / 1e6} MP`;
  }
  return null;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(buf: Uint8Array, bytes: number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  return bytes.every((b, i) => buf[at + i] === b);
}

function ascii(buf: Uint8Array, at: number, len: number): string {
  return String.fromCharCode(...buf.subarray(at, at + len));
}

function u16be(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}
function u32be(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
}

/** JPEG frame size from the first SOF marker; null if not within `buf` (e.g. a long APP segment). */
function jpegSize(buf: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = u16be(buf, i + 2);
    const isSof =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > buf.length) return null;
      const height = u16be(buf, i + 5);
      const width = u16be(buf, i + 7);
      return height > 0 && width > 0 ? { width, height } : null;
    }
    if (marker === 0xda || len < 2) return null;
    i += 2 + len;
  }
  return null;
}

function webpSize(buf: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(buf, 12, 4);
  if (chunk === 'VP8X' && buf.length >= 30) {
    const w = 1 + (buf[24]! | (buf[25]! << 8) | (buf[26]! << 16));
    const h = 1 + (buf[27]! | (buf[28]! << 8) | (buf[29]! << 16));
    return { width: w, height: h };
  }
  if (chunk === 'VP8L' && buf.length >= 25) {
    const b = buf[21]! | (buf[22]! << 8) | (buf[23]! << 16) | (buf[24]! << 24);
    return { width: (b & 0x3fff) + 1, height: ((b >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ' && buf.length >= 30) {
    return {
      width: (buf[26]! | (buf[27]! << 8)) & 0x3fff,
      height: (buf[28]! | (buf[29]! << 8)) & 0x3fff,
    };
  }
  return null;
}

function looksLikeText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 512);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80) printable++;
    if (b === 0) return false;
  }
  return printable / n > 0.95;
}

/** Identifies the format of `head` (the first bytes of a file) and its size when the header holds it. */
export function sniffImage(head: Uint8Array): Sniffed {
  if (startsWith(head, [0xff, 0xd8, 0xff])) {
    const s = jpegSize(head);
    return { format: 'jpeg', width: s?.width ?? null, height: s?.height ?? null };
  }
  if (startsWith(head, PNG_MAGIC)) {
    // IHDR is always the first chunk: length(4) 'IHDR'(4) width(4) height(4).
    if (head.length >= 24 && ascii(head, 12, 4) === 'IHDR') {
      return { format: 'png', width: u32be(head, 16), height: u32be(head, 20) };
    }
    return { format: null, reason: 'corrupt PNG: missing IHDR header' };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    const s = webpSize(head);
    return { format: 'webp', width: s?.width ?? null, height: s?.height ?? null };
  }
  if (looksLikePnm(head)) {
    try {
      const h = parsePnmHeader(head);
      return { format: h.channels === 3 ? 'ppm' : 'pgm', width: h.width, height: h.height };
    } catch (err) {
      return { format: null, reason: `unreadable PNM: ${(err as PnmError).message}` };
    }
  }
  if (looksLikeText(head)) return { format: null, reason: 'not an image: the file contains text' };
  return { format: null, reason: 'not an image: content is not JPEG, PNG, WebP, PPM or PGM' };
}
