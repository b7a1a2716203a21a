// Sensor depth for one image: decode the 16-bit map, check it matches the image, convert it to
// canonical millimetres in the upright frame, and encode the stored depth PNG and its colour preview.
// All pixel work is native (sharp) or sliced with yields, so the event loop stays responsive.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import sharp from 'sharp';
import { depthToRgba } from '../../spatial/colormap';
import {
  depthEncodingName,
  millimetreLut,
  toMillimetres,
  type DepthEncoding,
} from '../../spatial/depth-encoding';
import {
  accumulateHistogram,
  robustRange,
  statsFromHistogram,
  type DepthStats,
} from '../../spatial/depth-stats';
import { orientRaster, type Orientation } from '../../spatial/orientation';
import { blobRelPath, type PendingBlob } from './blobs';
import { byteOrderNote, chooseByteOrder, type ByteOrderCandidate } from './depth-byte-order';
import { oneLine, SHARP_INPUT } from './decode';
import { sniffImage } from './header';
import { looksLikePnm, parsePnm } from './pnm';
import { readWhole } from './source';

/** The JSON stored with the image (contract DepthInfo). */
export interface DepthInfoJson {
  source: 'sensor';
  encoding: string;
  width: number;
  height: number;
  validRatio: number;
  minMeters: number | null;
  maxMeters: number | null;
  /** Range-noise preset given at import (`--depth-sensor`), when one was. */
  noisePreset?: string;
}

export interface PreparedEncoding {
  name: string;
  lut: Int32Array;
}

export function prepareEncoding(enc: DepthEncoding): PreparedEncoding {
  return { name: depthEncodingName(enc), lut: millimetreLut(enc) };
}

export type DepthOutcome =
  | { ok: true; info: DepthInfoJson; blobs: PendingBlob[]; warnings: string[] }
  | { ok: false; reason: string };

interface RawDepth {
  width: number;
  height: number;
  data: Uint16Array;
  /** A 16-bit PGM read the other way round (little-endian), tried since NYU dumps are written so. */
  littleEndian?: Uint16Array;
}

/** Below this share of pixels with a reading, a depth map is reported as mostly invalid. */
export const MOSTLY_INVALID_RATIO = 0.2;

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Bit depth and channel count from a PNG's IHDR (byte 24: bit depth, 25: colour type), or null when
 * the bytes are not a PNG.
 */
export function pngLayout(
  buf: Uint8Array,
): { bits: number; channels: number; palette: boolean } | null {
  const sniffed = sniffImage(buf);
  if (sniffed.format !== 'png' || buf.length < 26) return null;
  const colourType = buf[25]!;
  return { bits: buf[24]!, channels: PNG_CHANNELS[colourType] ?? 0, palette: colourType === 3 };
}

/**
 * 16-bit single-channel raster, or a one-line reason why the file is not one. PNGs are decoded by
 * sharp (native, off the event loop: a JS inflate of one VGA depth map stalls the loop 15-250 ms).
 */
export async function decodeDepthFile(buf: Uint8Array, name: string): Promise<RawDepth | string> {
  if (looksLikePnm(buf)) {
    let pnm;
    try {
      pnm = parsePnm(buf);
    } catch (err) {
      // A little-endian dump can break the big-endian read (a sample above maxval): try the other.
      try {
        pnm = parsePnm(buf, 'le');
        if (pnm.channels === 1 && pnm.data instanceof Uint16Array)
          return { width: pnm.width, height: pnm.height, data: pnm.data, littleEndian: pnm.data };
      } catch {
        // report the spec's (big-endian) reason below
      }
      return `depth ${name} is unreadable: ${oneLine(err)}`;
    }
    if (pnm.channels !== 1 || !(pnm.data instanceof Uint16Array)) {
      const bits = pnm.maxval > 255 ? 16 : 8;
      return `depth ${name} must be 16-bit single-channel, got ${bits}-bit ${pnm.channels}-channel PNM (maxval ${pnm.maxval})`;
    }
    let littleEndian: Uint16Array | undefined;
    try {
      const le = parsePnm(buf, 'le');
      if (le.data instanceof Uint16Array) littleEndian = le.data;
    } catch {
      // not readable little-endian (a sample above maxval): big-endian it is
    }
    return { width: pnm.width, height: pnm.height, data: pnm.data, littleEndian };
  }
  const layout = pngLayout(buf);
  if (!layout) return `depth ${name} is not a PNG or PGM file`;
  if (layout.bits !== 16 || layout.channels !== 1) {
    const kind = layout.palette ? 'palette' : `${layout.channels}-channel`;
    return `depth ${name} must be 16-bit single-channel, got ${layout.bits}-bit ${kind} PNG`;
  }
  try {
    const { data, info } = await sharp(buf, SHARP_INPUT)
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1)
      return `depth ${name} decoded to ${info.channels} channels, expected 1`;
    // Uint16Array needs 2-byte alignment; copy in the unlikely case sharp's buffer is not aligned.
    const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
    return {
      width: info.width,
      height: info.height,
      data: new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2),
    };
  } catch (err) {
    return `depth ${name} is unreadable: ${oneLine(err)}`;
  }
}

/** Pixels handled between yields to the event loop (about 5 ms of work each). */
const SLICE = 1 << 19;

/** Canonical mm, histogram and RGBA preview, computed in slices so big maps do not stall the loop. */
async function convertSliced(
  raw: Uint16Array,
  lut: Int32Array,
): Promise<{ mm: Uint16Array; overflow: number }> {
  const mm = new Uint16Array(raw.length);
  let overflow = 0;
  for (let a = 0; a < raw.length; a += SLICE) {
    const part = toMillimetres(raw.subarray(a, a + SLICE), lut);
    mm.set(part.mm, a);
    overflow += part.overflow;
    if (a + SLICE < raw.length) await yieldToLoop();
  }
  return { mm, overflow };
}

async function statsSliced(mm: Uint16Array): Promise<DepthStats> {
  const histogram = new Uint32Array(0x10000);
  for (let a = 0; a < mm.length; a += SLICE) {
    accumulateHistogram(mm.subarray(a, a + SLICE), histogram);
    if (a + SLICE < mm.length) await yieldToLoop();
  }
  return statsFromHistogram(histogram);
}

async function previewSliced(mm: Uint16Array, stats: DepthStats): Promise<Uint8Array> {
  const range = robustRange(stats);
  const rgba = new Uint8Array(mm.length * 4);
  for (let a = 0; a < mm.length; a += SLICE) {
    rgba.set(depthToRgba(mm.subarray(a, a + SLICE), range), a * 4);
    if (a + SLICE < mm.length) await yieldToLoop();
  }
  return rgba;
}

export interface DepthTarget {
  sha: string;
  /** The colour image's stored (pre-orientation) size and its EXIF orientation. */
  rawWidth: number;
  rawHeight: number;
  orientation: Orientation;
}

export async function loadDepth(
  path: string,
  name: string,
  target: DepthTarget,
  enc: PreparedEncoding,
): Promise<DepthOutcome> {
  let buf: Buffer;
  try {
    buf = await readWhole(path);
  } catch (err) {
    return { ok: false, reason: `depth ${name} is unreadable: ${oneLine(err)}` };
  }
  const raw = await decodeDepthFile(buf, name);
  if (typeof raw === 'string') return { ok: false, reason: raw };
  if (raw.width !== target.rawWidth || raw.height !== target.rawHeight) {
    return {
      ok: false,
      reason: `depth ${raw.width}x${raw.height} differs from image ${target.rawWidth}x${target.rawHeight} (${name})`,
    };
  }
  const warnings: string[] = [];
  // Said with the mostly-invalid warning when the other byte order was no better.
  let lowValidContext = '';
  let converted = await convertSliced(raw.data, enc.lut);
  if (raw.littleEndian) {
    // Same array when only the little-endian read worked; else both orders compete.
    const candidates: ByteOrderCandidate[] = [];
    if (raw.littleEndian !== raw.data) candidates.push({ order: 'big-endian', ...converted });
    candidates.push({
      order: 'little-endian',
      ...(raw.littleEndian === raw.data
        ? converted
        : await convertSliced(raw.littleEndian, enc.lut)),
    });
    const { chosen, score, other } = chooseByteOrder(candidates, raw.width);
    converted = chosen;
    const note =
      byteOrderNote(name, score, other) ??
      (chosen.order === 'little-endian'
        ? `depth ${name}: 16-bit samples read little-endian (big-endian, as the PGM spec says, is not readable)`
        : null);
    if (note) warnings.push(note);
    else if (other && score.validRatio < MOSTLY_INVALID_RATIO)
      lowValidContext = `; little-endian was tried too: ${(other.validRatio * 100).toFixed(1)} % valid`;
  }
  const { mm: rawMm, overflow } = converted;
  // Rotated depth is rare (EXIF orientation on a sensor frame); that one pass is not sliced.
  const up = orientRaster(rawMm, raw.width, raw.height, 1, target.orientation);
  const stats = await statsSliced(up.data);
  const preview = await previewSliced(up.data, stats);
  const [depthPng, previewPng] = await Promise.all([
    sharp(up.data, { raw: { width: up.width, height: up.height, channels: 1 } })
      .toColourspace('grey16')
      .png({ compressionLevel: 6 })
      .toBuffer(),
    sharp(preview, { raw: { width: up.width, height: up.height, channels: 4 } })
      .png()
      .toBuffer(),
  ]);
  if (stats.validRatio < MOSTLY_INVALID_RATIO)
    warnings.push(
      `depth ${name}: only ${(stats.validRatio * 100).toFixed(1)} % of pixels have a valid reading with encoding ${enc.name}${lowValidContext}; check the depth encoding`,
    );
  if (overflow > 0)
    warnings.push(`depth ${name}: ${overflow} readings beyond 65.535 m stored as missing`);
  return {
    ok: true,
    info: {
      source: 'sensor',
      encoding: enc.name,
      width: up.width,
      height: up.height,
      validRatio: stats.validRatio,
      minMeters: stats.minMm === null ? null : stats.minMm / 1000,
      maxMeters: stats.maxMm === null ? null : stats.maxMm / 1000,
    },
    blobs: [
      { relPath: blobRelPath('depth', target.sha, 'png'), data: depthPng },
      { relPath: blobRelPath('depth-preview', target.sha, 'png'), data: previewPng },
    ],
    warnings,
  };
}
