import { describe, expect, it } from 'vitest';
import {
  focalFromExif,
  intrinsicsFromFov,
  orientIntrinsics,
  rescaleIntrinsics,
  resolveIntrinsics,
} from './camera';

describe('intrinsics sources', () => {
  it('default 60 degree field of view at 640x480: f = 320 / tan 30deg', () => {
    const i = intrinsicsFromFov(640, 480);
    expect(i.fx).toBeCloseTo(554.2563, 3);
    expect(i.fy).toBeCloseTo(554.2563, 3);
    expect(i.cx).toBe(319.5);
    expect(i.cy).toBe(239.5);
  });

  it('35 mm equivalent focal length: f35 * max(W,H) / 36', () => {
    // 28 mm equivalent on a 4000x3000 photo: 28 * 4000 / 36 = 3111.11 px
    expect(focalFromExif({ FocalLengthIn35mmFormat: 28 }, 4000, 3000, 4000)).toBeCloseTo(
      3111.111,
      2,
    );
    // upright portrait photo: long side still 4000
    expect(focalFromExif({ FocalLengthIn35mmFormat: 28 }, 3000, 4000, 4000)).toBeCloseTo(
      3111.111,
      2,
    );
  });

  it('FocalLength with focal-plane resolution, in cm and inch units, scaled to a resized copy', () => {
    // 1000 px/cm = 100 px/mm; 4.25 mm lens -> 425 px
    expect(
      focalFromExif(
        { FocalLength: 4.25, FocalPlaneXResolution: 1000, FocalPlaneResolutionUnit: 3 },
        640,
        480,
        640,
      ),
    ).toBeCloseTo(425, 6);
    // 2540 px/inch = 100 px/mm
    expect(
      focalFromExif(
        { FocalLength: 4.25, FocalPlaneXResolution: 2540, FocalPlaneResolutionUnit: 2 },
        640,
        480,
        640,
      ),
    ).toBeCloseTo(425, 6);
    // sensor readout 4000 px wide, file resized to 1000: 425 * 1000 / 4000 = 106.25
    expect(
      focalFromExif(
        {
          FocalLength: 4.25,
          FocalPlaneXResolution: 1000,
          FocalPlaneResolutionUnit: 3,
          ExifImageWidth: 4000,
        },
        1000,
        750,
        1000,
      ),
    ).toBeCloseTo(106.25, 6);
  });

  it('ignores missing or implausible EXIF focal data', () => {
    expect(focalFromExif({}, 640, 480, 640)).toBeNull();
    expect(focalFromExif({ FocalLength: 4.25 }, 640, 480, 640)).toBeNull();
    // 0.1 mm equivalent would mean a field of view over 179 degrees
    expect(focalFromExif({ FocalLengthIn35mmFormat: 0.1 }, 640, 480, 640)).toBeNull();
    expect(focalFromExif({ FocalLengthIn35mmFormat: 'wide' }, 640, 480, 640)).toBeNull();
  });

  it('priority: given > exif > default-fov', () => {
    const given = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };
    const exif = { FocalLengthIn35mmFormat: 36 };
    expect(resolveIntrinsics({ given, exif, width: 640, height: 480 })).toEqual({
      ...given,
      source: 'given',
    });
    // 36 mm equivalent: f = max side = 640
    expect(resolveIntrinsics({ exif, width: 640, height: 480 })).toEqual({
      fx: 640,
      fy: 640,
      cx: 319.5,
      cy: 239.5,
      source: 'exif',
    });
    const d = resolveIntrinsics({ exif: { Make: 'x' } as never, width: 640, height: 480 });
    expect(d.source).toBe('default-fov');
    expect(d.fx).toBeCloseTo(554.2563, 3);
  });
});

describe('rescaleIntrinsics', () => {
  it('halving 640x480 -> 320x240 keeps the principal point centred', () => {
    const r = rescaleIntrinsics({ fx: 525, fy: 525, cx: 319.5, cy: 239.5 }, 640, 480, 320, 240);
    expect(r).toEqual({ fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 });
  });

  it('anisotropic scaling scales fx and fy separately and keeps extra fields', () => {
    const r = rescaleIntrinsics(
      { fx: 500, fy: 400, cx: 100, cy: 50, source: 'given' as const },
      640,
      480,
      1280,
      240,
    );
    // cx: (100 + .5) * 2 - .5 = 200.5; cy: (50 + .5) * .5 - .5 = 24.75
    expect(r).toEqual({ fx: 1000, fy: 200, cx: 200.5, cy: 24.75, source: 'given' });
  });
});

describe('orientIntrinsics', () => {
  const raw = { fx: 500, fy: 520, cx: 300, cy: 200 };
  it('orientation 1 is identity', () => {
    expect(orientIntrinsics(raw, 1, 640, 480)).toEqual(raw);
  });
  it('orientation 6 (90 cw) swaps fx/fy and maps (cx,cy) -> (H-1-cy, cx)', () => {
    expect(orientIntrinsics(raw, 6, 640, 480)).toEqual({ fx: 520, fy: 500, cx: 279, cy: 300 });
  });
  it('orientation 8 (90 ccw) maps (cx,cy) -> (cy, W-1-cx)', () => {
    expect(orientIntrinsics(raw, 8, 640, 480)).toEqual({ fx: 520, fy: 500, cx: 200, cy: 339 });
  });
  it('orientation 3 (180) mirrors both axes, keeps fx/fy', () => {
    expect(orientIntrinsics(raw, 3, 640, 480)).toEqual({ fx: 500, fy: 520, cx: 339, cy: 279 });
  });
  it('orientations 2 and 4 mirror one axis', () => {
    expect(orientIntrinsics(raw, 2, 640, 480)).toEqual({ fx: 500, fy: 520, cx: 339, cy: 200 });
    expect(orientIntrinsics(raw, 4, 640, 480)).toEqual({ fx: 500, fy: 520, cx: 300, cy: 279 });
  });
  it('orientations 5 and 7 transpose', () => {
    expect(orientIntrinsics(raw, 5, 640, 480)).toEqual({ fx: 520, fy: 500, cx: 200, cy: 300 });
    expect(orientIntrinsics(raw, 7, 640, 480)).toEqual({ fx: 520, fy: 500, cx: 279, cy: 339 });
  });
  it('a centred principal point stays centred in the rotated frame', () => {
    const c = orientIntrinsics({ fx: 525, fy: 525, cx: 319.5, cy: 239.5 }, 6, 640, 480);
    expect([c.cx, c.cy]).toEqual([239.5, 319.5]);
  });
});
