// Test fixtures: images generated with sharp / fast-png into temporary folders.
import { encode as encodePng } from 'fast-png';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const DATA = '/work/shared/data';
export const REDWOOD = join(DATA, 'rgbd/redwood-livingroom');
export const SUN = join(DATA, 'rgbd/sun-corridor');

export function tempDir(prefix = 'sqw-import-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function put(path: string, data: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** Deterministic RGB noise (distinct per seed, so distinct hashes). */
export function noiseRgb(width: number, height: number, seed: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < buf.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    buf[i] = s & 0xff;
  }
  return buf;
}

export function jpeg(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp(noiseRgb(width, height, seed), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export function png(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp(noiseRgb(width, height, seed), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export function depthPng16(
  width: number,
  height: number,
  value: (x: number, y: number) => number,
): Uint8Array {
  const data = new Uint16Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return encodePng({ width, height, data, depth: 16, channels: 1 });
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A PNG whose IHDR claims width x height, with a token IDAT: cheap stand-in for a huge image. */
export function hugePngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Binary PNM (P5/P6), 16-bit samples big-endian when maxval > 255 (as the spec says), or
 * little-endian when asked (as NYU Depth's raw dumps are written).
 */
export function pnmBinary(
  kind: 'P5' | 'P6',
  width: number,
  height: number,
  maxval: number,
  samples: ArrayLike<number>,
  byteOrder: 'be' | 'le' = 'be',
): Buffer {
  const header = Buffer.from(`${kind}\n# test\n${width} ${height}\n${maxval}\n`, 'ascii');
  const wide = maxval > 255;
  const body = Buffer.alloc(samples.length * (wide ? 2 : 1));
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (!wide) body.writeUInt8(v, i);
    else if (byteOrder === 'be') body.writeUInt16BE(v, 2 * i);
    else body.writeUInt16LE(v, 2 * i);
  }
  return Buffer.concat([header, body]);
}
