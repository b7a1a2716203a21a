// Pinhole intrinsics: where they come from (given > EXIF > default field of view) and how they follow
// resizing and EXIF orientation. Convention: pixel centres at integer coordinates, so the principal
// point of a centred W x H camera is ((W-1)/2, (H-1)/2), e.g. (319.5, 239.5) at 640x480.
import { orientPoint, swapsAxes, type Orientation } from './orientation';

export interface Pinhole {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

export type IntrinsicsSource = 'given' | 'exif' | 'model' | 'default-fov';

export interface SourcedIntrinsics extends Pinhole {
  source: IntrinsicsSource;
}

/** Horizontal field of view assumed when nothing better is known (a typical phone/webcam lens). */
export const DEFAULT_HFOV_DEG = 60;

/** The EXIF tags the focal length can be derived from (numeric values as exifr returns them). */
export interface ExifFocal {
  FocalLength?: unknown;
  FocalLengthIn35mmFormat?: unknown;
  FocalPlaneXResolution?: unknown;
  FocalPlaneResolutionUnit?: unknown;
  ExifImageWidth?: unknown;
}

export function principalPoint(width: number, height: number): { cx: number; cy: number } {
  return { cx: (width - 1) / 2, cy: (height - 1) / 2 };
}

/** Square pixels, centred principal point, focal length from a horizontal field of view. */
export function intrinsicsFromFov(
  width: number,
  height: number,
  hfovDeg = DEFAULT_HFOV_DEG,
): Pinhole {
  const f = width / 2 / Math.tan(((hfovDeg / 2) * Math.PI) / 180);
  return { fx: f, fy: f, ...principalPoint(width, height) };
}

function positive(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

// FocalPlaneResolutionUnit: 2 inch (also the EXIF default), 3 cm; 4 mm and 5 um are DNG extensions.
const MM_PER_UNIT: Record<number, number> = { 1: 25.4, 2: 25.4, 3: 10, 4: 1, 5: 0.001 };

/**
 * Focal length in pixels from EXIF, for the upright `width` x `height` image whose stored
 * (pre-orientation) width is `rawWidth`. Null when the tags are missing or implausible.
 */
export function focalFromExif(
  exif: ExifFocal,
  width: number,
  height: number,
  rawWidth: number,
): number | null {
  let f: number | null = null;
  const f35 = positive(exif.FocalLengthIn35mmFormat);
  if (f35 !== null) {
    // 35 mm equivalent: the long image side maps to the 36 mm side of a full-frame sensor.
    f = (f35 * Math.max(width, height)) / 36;
  } else {
    const fmm = positive(exif.FocalLength);
    const res = positive(exif.FocalPlaneXResolution);
    if (fmm !== null && res !== null) {
      const unitCode =
        typeof exif.FocalPlaneResolutionUnit === 'number' ? exif.FocalPlaneResolutionUnit : 2;
      const mmPerUnit = MM_PER_UNIT[unitCode] ?? 25.4;
      // The resolution describes the full sensor readout (ExifImageWidth); a resized copy scales it.
      const exifW = positive(exif.ExifImageWidth);
      const scale = exifW !== null ? rawWidth / exifW : 1;
      f = fmm * (res / mmPerUnit) * scale;
    }
  }
  if (f === null || !Number.isFinite(f)) return null;
  // Reject values implying a horizontal field of view outside 1..179 degrees: broken tags.
  const hfov = (2 * Math.atan(width / 2 / f) * 180) / Math.PI;
  return hfov >= 1 && hfov <= 179 ? f : null;
}

export interface ResolveIntrinsicsInput {
  /** Intrinsics supplied by the user, in pixels of the upright image. */
  given?: Pinhole | null;
  exif?: ExifFocal | null;
  /** Upright (EXIF-oriented) size. */
  width: number;
  height: number;
  /** Stored width before orientation; defaults to `width`. */
  rawWidth?: number;
}

export function resolveIntrinsics(input: ResolveIntrinsicsInput): SourcedIntrinsics {
  const { given, exif, width, height } = input;
  if (given) return { fx: given.fx, fy: given.fy, cx: given.cx, cy: given.cy, source: 'given' };
  if (exif) {
    const f = focalFromExif(exif, width, height, input.rawWidth ?? width);
    if (f !== null) return { fx: f, fy: f, ...principalPoint(width, height), source: 'exif' };
  }
  return { ...intrinsicsFromFov(width, height), source: 'default-fov' };
}

/** Intrinsics of the same camera after resizing the image from fromW x fromH to toW x toH. */
export function rescaleIntrinsics<T extends Pinhole>(
  intr: T,
  fromW: number,
  fromH: number,
  toW: number,
  toH: number,
): T {
  const sx = toW / fromW;
  const sy = toH / fromH;
  // Scale pixel edges, not centres: centre u maps to (u + 0.5) * s - 0.5.
  return {
    ...intr,
    fx: intr.fx * sx,
    fy: intr.fy * sy,
    cx: (intr.cx + 0.5) * sx - 0.5,
    cy: (intr.cy + 0.5) * sy - 0.5,
  };
}

/**
 * Intrinsics of the raw (stored) `rawW` x `rawH` image expressed for the upright image after EXIF
 * orientation `o`. Rotations by 90 degrees swap fx/fy; mirrors keep |f| (the camera frame is mirrored
 * with the image, so focal lengths stay positive).
 */
export function orientIntrinsics<T extends Pinhole>(
  intr: T,
  o: Orientation,
  rawW: number,
  rawH: number,
): T {
  const c = orientPoint(intr.cx, intr.cy, rawW, rawH, o);
  const swap = swapsAxes(o);
  return { ...intr, fx: swap ? intr.fy : intr.fx, fy: swap ? intr.fx : intr.fy, cx: c.x, cy: c.y };
}
