// Images and depth maps next to an exported dataset: copied, linked or left where they are. Names
// come from the image id and a sanitized stem, never from input paths. Depth is written either as
// the project's canonical 16-bit PNG in millimetres, or in the form OSD's loader reads: inverse
// depth min-max normalized to 8 bits, repeated over three channels (Depth-Anything's output form).
import { extname } from 'node:path';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import type { ExportOptions } from '../../contract/exports';
import type { ExportImageRow as ImageRow } from '../../db/store/export-store';
import { LINK_REFUSED, type MediaFile, type MediaFiles } from './export-project';
import { ExportError, safeStem, type ExportWriter } from './safe-output';

export interface PlacedImage {
  /** Path the records use: inside the dataset (copy, link) or the project's relative path (none). */
  path: string;
  /** File stem used for the image and its depth map. */
  stem: string;
}

/** File operations in flight at once: they overlap each other and the record writing. */
const IN_FLIGHT = 32;

export class MediaWriter {
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(
    private readonly w: ExportWriter,
    private readonly files: MediaFiles,
    private readonly opts: Pick<ExportOptions, 'images' | 'depth'>,
  ) {}

  stemOf(image: ImageRow): string {
    return `${String(image.id).padStart(6, '0')}-${safeStem(image.fileName)}`;
  }

  /**
   * Places the image under `dir` (a folder inside the dataset) and returns the path records use,
   * relative to `relativeTo` (a folder inside the dataset, '' = its root). With `jpeg`, a copy that
   * is not JPEG is re-encoded (OSD's loader opens `{filename}.jpg`).
   */
  async placeImage(
    image: ImageRow,
    dir: string,
    opts: { relativeTo?: string; jpeg?: boolean } = {},
  ): Promise<PlacedImage> {
    const stem = this.stemOf(image);
    if (this.opts.images === 'none') return { path: image.relPath, stem };
    const source = this.files.image(image);
    let ext = extname(source.name).toLowerCase() || '.img';
    const isJpeg = ext === '.jpg' || ext === '.jpeg';
    if (opts.jpeg && !isJpeg && this.opts.images === 'copy') ext = '.jpg';
    const rel = `${dir}/${stem}${ext}`;
    if (this.opts.images === 'link') {
      const target = source.path;
      if (target === null) throw new ExportError(LINK_REFUSED);
      await this.enqueue(() => this.w.link(rel, target));
    } else if (opts.jpeg && !isJpeg)
      await this.enqueue(async () =>
        // Loaded only here: most exports never re-encode, and sharp is slow to load.
        this.w.write(
          rel,
          await (
            await import('sharp')
          )
            .default(source.path ?? (await source.read()))
            .jpeg({ quality: 95 })
            .toBuffer(),
        ),
      );
    else await this.enqueue(() => this.copy(rel, source));
    return { path: strip(rel, opts.relativeTo ?? ''), stem };
  }

  /** A file as it is: streamed from this machine, else its bytes from the project's store. */
  private async copy(rel: string, file: MediaFile): Promise<void> {
    if (file.path !== null) await this.w.copyFrom(rel, file.path);
    else await this.w.write(rel, await file.read());
  }

  /** Runs a file operation in the background, waiting only while IN_FLIGHT are running. */
  private async enqueue(op: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    const p: Promise<void> = op()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    if (this.inflight.size >= IN_FLIGHT) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
  }

  /** Waits for every file operation; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    if (this.failure) throw this.failure;
  }

  /** Writes the image's depth map (when it has one and depth is asked for); its dataset path or null. */
  async placeDepth(image: ImageRow, dir: string, stem: string): Promise<string | null> {
    if (this.opts.depth === 'none') return null;
    const blob = this.files.depth(image);
    if (!blob) return null;
    const rel = `${dir}/${stem}.png`;
    if (this.opts.depth === 'mm16') {
      await this.enqueue(() => this.copy(rel, blob));
      return rel;
    }
    await this.enqueue(async () => {
      const png = decodePng(await blob.read());
      if (png.depth !== 16 || png.channels !== 1)
        throw new ExportError(
          `stored depth of image ${image.id} is not a 16-bit single-channel PNG`,
        );
      await this.w.write(rel, osd8(png.data as Uint16Array, png.width, png.height));
    });
    return rel;
  }
}

/** Inverse depth, min-max normalized to 0..255 over valid pixels (0 = missing), as 8-bit RGB PNG. */
export function osd8(mm: Uint16Array, width: number, height: number): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < mm.length; i++) {
    const v = mm[i]!;
    if (v === 0) continue;
    const inv = 1 / v;
    if (inv < lo) lo = inv;
    if (inv > hi) hi = inv;
  }
  const rgb = new Uint8Array(width * height * 3);
  const span = hi - lo;
  for (let i = 0; i < mm.length; i++) {
    const v = mm[i]!;
    if (v === 0) continue;
    const g = span > 0 ? Math.round(((1 / v - lo) / span) * 255) : 255;
    rgb[i * 3] = g;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = g;
  }
  return encodePng({ width, height, data: rgb, depth: 8, channels: 3 });
}

function strip(rel: string, base: string): string {
  return base && rel.startsWith(`${base}/`) ? rel.slice(base.length + 1) : rel;
}
