// Cross-check: our pure orientRaster (used for depth maps) must move pixels exactly as sharp's
// autoOrient() moves the colour image.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { orientRaster, type Orientation } from '../../spatial/orientation';

describe('orientRaster agrees with sharp autoOrient', () => {
  const width = 5;
  const height = 3;
  const grey = Uint8Array.from({ length: width * height }, (_, i) => i * 10 + 5);
  for (const o of [2, 3, 4, 5, 6, 7, 8] as Orientation[]) {
    it(`orientation ${o}`, async () => {
      const png = await sharp(grey, { raw: { width, height, channels: 1 } })
        .png()
        .withMetadata({ orientation: o })
        .toBuffer();
      expect((await sharp(png).metadata()).orientation).toBe(o);
      const { data, info } = await sharp(png)
        .autoOrient()
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const ours = orientRaster(grey, width, height, 1, o);
      expect([info.width, info.height]).toEqual([ours.width, ours.height]);
      expect(Array.from(data)).toEqual(Array.from(ours.data));
    });
  }
});
