// COCO polygon segmentations ([[x0, y0, x1, y1, ...], ...]) to a row-major bitmap. A pixel is inside
// when its centre is inside under the even-odd rule, so holes given as extra rings stay holes.

export function rasterizePolygons(
  polygons: readonly (readonly number[])[],
  width: number,
  height: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  const crossings: number[] = [];
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (const poly of polygons) {
      const n = Math.floor(poly.length / 2);
      for (let i = 0; i < n; i++) {
        const x0 = poly[2 * i]!;
        const y0 = poly[2 * i + 1]!;
        const j = (i + 1) % n;
        const x1 = poly[2 * j]!;
        const y1 = poly[2 * j + 1]!;
        // Half-open rule on y so a vertex on the scan line is counted once.
        if (y0 <= cy !== y1 <= cy) crossings.push(x0 + ((cy - y0) / (y1 - y0)) * (x1 - x0));
      }
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil(crossings[k]! - 0.5));
      const to = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
      for (let x = from; x <= to; x++) mask[y * width + x] = 1;
    }
  }
  return mask;
}
