// Decodes the full image (so truncated or corrupt data fails here, not later in the UI) and encodes
// the derived images: the upright thumbnail and, when the browser could not show the original
// correctly, an upright copy.
import { blobRelPath, type PendingBlob } from './blobs';
import { ImageDecodeError, oneLine, type SourceImage } from './decode';

export const THUMB_SIZE = 256;

export interface Rendered {
  thumb: PendingBlob;
  upright: PendingBlob | null;
}

/** Browsers show JPEG/PNG/WebP; they may ignore EXIF orientation, and cannot show PNM at all. */
export function needsUprightCopy(img: SourceImage): boolean {
  return img.orientation !== 1 || img.format === 'ppm' || img.format === 'pgm';
}

export async function renderImage(img: SourceImage, sha: string): Promise<Rendered> {
  try {
    const thumb = await img
      .pipeline()
      .autoOrient()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    let upright: PendingBlob | null = null;
    if (needsUprightCopy(img)) {
      const jpeg = img.format === 'jpeg';
      const p = img.pipeline().autoOrient();
      const data = await (jpeg ? p.jpeg({ quality: 92 }) : p.png()).toBuffer();
      upright = { relPath: blobRelPath('upright', sha, jpeg ? 'jpg' : 'png'), data };
    }
    return { thumb: { relPath: blobRelPath('thumbs', sha, 'webp'), data: thumb }, upright };
  } catch (err) {
    // libvips sometimes surfaces only this generic text instead of the decoder's own warning.
    const msg = oneLine(err);
    const detail = /warning treated as error/i.test(msg)
      ? 'the decoder reported damaged pixel data'
      : msg;
    throw new ImageDecodeError(`corrupt or truncated image data: ${detail}`);
  }
}
