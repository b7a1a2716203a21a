// Tells a sensor depth map from a photo inside an image folder, so `color.png` + `depth.png` side by
// side (SUN RGB-D, Open3D test data), `depth/` beside `color/` or `rgb/` (Redwood, TUM) and
// `frame-000000.depth.png` (7-Scenes) are paired instead of importing the depth as a photo.
// A file is a depth map when its name says so AND its header is 16-bit single-channel: the name alone
// would catch a photo called "depth_of_field.png", the header alone any 16-bit grey photo.
import { pngLayout } from './depth';
import { looksLikePnm, parsePnmHeader } from './pnm';
import type { ScannedFile } from './scan';
import { readHead } from './source';

/** Enough bytes for a PNG IHDR or a PGM header with a few comment lines. */
const HEADER_BYTES = 1024;

const DEPTH_WORD = /^depth/i;

/** A folder segment (`depth`, `depth_bfx`) or a name token (`depth`, `depth_0001`) that names depth. */
export function namesDepth(relPath: string): boolean {
  const parts = relPath.split('/');
  const base = parts.pop()!;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return (
    parts.some((p) => DEPTH_WORD.test(p)) || stem.split(/[._\-\s]/).some((t) => DEPTH_WORD.test(t))
  );
}

export type DepthHeader = 'sensor-depth' | { other: string } | null;

/**
 * 'sensor-depth' for a 16-bit single-channel PNG or PGM, else what the header says it is (for the
 * warning), or null when the header cannot be read (the file then takes the ordinary photo path,
 * which reports why).
 */
export function classifyDepthHeader(head: Uint8Array): DepthHeader {
  if (looksLikePnm(head)) {
    try {
      const h = parsePnmHeader(head);
      if (h.channels === 1 && h.maxval > 255) return 'sensor-depth';
      return { other: `${h.maxval > 255 ? 16 : 8}-bit ${h.channels}-channel ${h.kind}` };
    } catch {
      return null;
    }
  }
  const png = pngLayout(head);
  if (!png) return null;
  if (png.bits === 16 && png.channels === 1) return 'sensor-depth';
  return { other: `${png.bits}-bit ${png.palette ? 'palette' : `${png.channels}-channel`} PNG` };
}

export interface FolderSplit {
  photos: ScannedFile[];
  depth: ScannedFile[];
  /** Files named like depth whose header is not (imported as photos, with this note). */
  notDepth: { file: ScannedFile; header: string }[];
}

/** Splits an image folder's files into photos and depth maps; only depth-named PNG/PGM are read. */
export async function splitDepthFiles(
  files: ScannedFile[],
  read: (path: string, bytes: number) => Promise<Uint8Array> = readHead,
): Promise<FolderSplit> {
  const out: FolderSplit = { photos: [], depth: [], notDepth: [] };
  for (const file of files) {
    if (!/\.(png|pgm)$/i.test(file.relPath) || !namesDepth(file.relPath)) {
      out.photos.push(file);
      continue;
    }
    let kind: DepthHeader = null;
    try {
      kind = classifyDepthHeader(await read(file.path, HEADER_BYTES));
    } catch {
      kind = null; // unreadable: the photo path reports it
    }
    if (kind === 'sensor-depth') out.depth.push(file);
    else {
      out.photos.push(file);
      if (kind) out.notDepth.push({ file, header: kind.other });
    }
  }
  return out;
}
