// The upright RGB pixels a model reads, from a file (a desktop project) or its bytes (a team
// worker reads them through its blob store): the same decoding either way.
import sharp from 'sharp';
import type { DecodedImage } from './model-stage';

/**
 * `upright`: the input is the stored upright copy; otherwise it is the imported source, turned by
 * its EXIF orientation. Refuses pixels whose size differs from what was imported.
 */
export async function decodeRgb(
  input: string | Buffer,
  upright: boolean,
  expected: { width: number; height: number },
): Promise<DecodedImage> {
  const pipeline = upright ? sharp(input) : sharp(input).rotate();
  const { data, info } = await pipeline
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== expected.width || info.height !== expected.height)
    throw new Error(
      `decoded ${info.width}x${info.height}, expected ${expected.width}x${expected.height}: the source changed since import`,
    );
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: 3,
  };
}
