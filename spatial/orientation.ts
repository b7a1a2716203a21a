// EXIF orientation (1..8) as pure pixel geometry, so depth rasters and intrinsics follow the exact
// transform sharp's autoOrient() applies to the colour image.

export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function toOrientation(value: unknown): Orientation {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 8
    ? (value as Orientation)
    : 1;
}

/** Orientations 5..8 swap width and height. */
export function swapsAxes(o: Orientation): boolean {
  return o >= 5;
}

export function orientedSize(
  width: number,
  height: number,
  o: Orientation,
): { width: number; height: number } {
  return swapsAxes(o) ? { width: height, height: width } : { width, height };
}

/**
 * Where raw pixel (x, y) of a `width` x `height` image lands in the upright image.
 * Works for sub-pixel coordinates too (pixel centres at integers, so the far edge is W-1).
 */
export function orientPoint(
  x: number,
  y: number,
  width: number,
  height: number,
  o: Orientation,
): { x: number; y: number } {
  const W1 = width - 1;
  const H1 = height - 1;
  switch (o) {
    case 1:
      return { x, y };
    case 2: // mirror horizontal
      return { x: W1 - x, y };
    case 3: // rotate 180
      return { x: W1 - x, y: H1 - y };
    case 4: // mirror vertical
      return { x, y: H1 - y };
    case 5: // transpose
      return { x: y, y: x };
    case 6: // rotate 90 clockwise
      return { x: H1 - y, y: x };
    case 7: // transverse
      return { x: H1 - y, y: W1 - x };
    case 8: // rotate 90 counter-clockwise
      return { x: y, y: W1 - x };
  }
}

type PixelArray = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array;

/**
 * Applies orientation `o` to an interleaved raster (`channels` values per pixel).
 * Orientation 1 returns the input array itself (no copy).
 */
export function orientRaster<T extends PixelArray>(
  data: T,
  width: number,
  height: number,
  channels: number,
  o: Orientation,
): { data: T; width: number; height: number } {
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `raster has ${data.length} values, expected ${width}x${height}x${channels}`,
    );
  }
  if (o === 1) return { data, width, height };
  const size = orientedSize(width, height, o);
  const Ctor = data.constructor as new (n: number) => T;
  const out = new Ctor(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = orientPoint(x, y, width, height, o);
      const src = (y * width + x) * channels;
      const dst = (p.y * size.width + p.x) * channels;
      for (let c = 0; c < channels; c++) out[dst + c] = data[src + c]!;
    }
  }
  return { data: out, width: size.width, height: size.height };
}
