// Reading a source file: its first bytes (format sniffing), its content, and its SHA-256 without
// holding the event loop for long on big files.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Enough for any PNG/WebP/PNM header and a JPEG's SOF after typical EXIF/ICC segments. */
export const HEAD_BYTES = 256 * 1024;

export async function readHead(path: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function readWhole(path: string): Promise<Buffer> {
  return readFile(path);
}

const HASH_SLICE = 4 * 1024 * 1024;

/** Hex SHA-256, hashed in 4 MiB slices with a yield between them. */
export async function sha256(buf: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let off = 0; off < buf.length; off += HASH_SLICE) {
    hash.update(buf.subarray(off, off + HASH_SLICE));
    if (off + HASH_SLICE < buf.length) await yieldToLoop();
  }
  return hash.digest('hex');
}
