// Opens a source image for decoding: PNM through our parser (sharp cannot read it from a buffer),
// everything else through sharp. Only the header is read here; pixels are decoded by render.ts.
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { orientedSize, toOrientation, type Orientation } from '../../spatial/orientation';
import { MAX_PIXELS, sizeLimitReason, type ImageFormat } from './header';
import { parsePnm, pnmTo8Bit } from './pnm';

/** Strictest level: truncated or corrupt pixel data fails the file instead of importing grey blocks. */
export const SHARP_INPUT: SharpOptions = { failOn: 'warning', limitInputPixels: MAX_PIXELS };

export interface SourceImage {
  format: ImageFormat;
  /** Stored size, before EXIF orientation. */
  rawWidth: number;
  rawHeight: number;
  orientation: Orientation;
  /** Upright size. */
  width: number;
  height: number;
  /** A fresh sharp pipeline over the source pixels (not yet oriented). */
  pipeline(): Sharp;
}

export class ImageDecodeError extends Error {}

/** First line of a library error, for a one-line issue reason. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? msg).trim();
}

export async function openImage(buf: Buffer, format: ImageFormat): Promise<SourceImage> {
  if (format === 'ppm' || format === 'pgm') {
    let pnm;
    try {
      pnm = parsePnm(buf);
    } catch (err) {
      throw new ImageDecodeError(`unreadable ${format.toUpperCase()}: ${oneLine(err)}`);
    }
    const pixels = pnmTo8Bit(pnm);
    const raw = { width: pnm.width, height: pnm.height, channels: pnm.channels };
    return {
      format,
      rawWidth: pnm.width,
      rawHeight: pnm.height,
      orientation: 1,
      width: pnm.width,
      height: pnm.height,
      pipeline: () => sharp(pixels, { raw }),
    };
  }
  let meta: Metadata;
  try {
    meta = await sharp(buf, SHARP_INPUT).metadata();
  } catch (err) {
    throw new ImageDecodeError(`unreadable ${format.toUpperCase()}: ${oneLine(err)}`);
  }
  if (!meta.width || !meta.height)
    throw new ImageDecodeError(`unreadable ${format.toUpperCase()}: no image size`);
  const tooBig = sizeLimitReason(meta.width, meta.height);
  if (tooBig) throw new ImageDecodeError(tooBig);
  const orientation = toOrientation(meta.orientation);
  const upright = orientedSize(meta.width, meta.height, orientation);
  return {
    format,
    rawWidth: meta.width,
    rawHeight: meta.height,
    orientation,
    width: upright.width,
    height: upright.height,
    pipeline: () => sharp(buf, SHARP_INPUT),
  };
}
